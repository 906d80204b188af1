"""Study frames scored on the PICO corpus (``evimap eval pico DIR``).

DIR holds ``PMID.txt`` (a breast cancer RCT abstract, title first) and ``PMID.ann`` (BRAT
standoff: ``T1<TAB>type start end<TAB>text``; types such as ``intervention``, ``control``,
``condition``, ``total-participants``, ``intervention-participants``,
``control-participants``, ``outcome`` and per-arm figures). Each ``.txt`` is read as
``evimap ingest`` reads a plain-text file (format ``text``), processed by the pipeline, and
its study frame (``claims/study.py``) compared with the gold:

- **sample size**: the frame's ``n`` against the gold ``total-participants`` numbers.
  A document with several (enrolled, then analysed) counts as exact when ``n`` equals any
  of them (``exact``) and, stricter, when it equals the first in text order
  (``exact_first``). Documents without a gold total are not scored (``no_gold_total``);
  among those with both arms' counts, ``arms_sum`` scores ``n`` against their sum.
  ``predicted`` is the share of scored documents where the frame has an ``n`` at all.
- **intervention spans**: the frame's intervention spans against the gold ``intervention``
  spans, micro P/R/F1 over documents, ``strict`` (same start and end) and ``overlap`` (any
  shared character, one-to-one), and the same for comparators (``control``).

``--split`` reports a ``tune`` part and a ``held_out`` part: PMIDs sorted as numbers, every
5th (the 5th, 10th, ...) held out. The span tagger is trained on the tune part only
(``evimap train pico``); nothing is tuned on the held-out part.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EvimapError
from ..pipeline import Resources
from ..settings import Settings

#: Every HELD_OUT_EVERY-th PMID (sorted as numbers) is held out.
HELD_OUT_EVERY = 5


@dataclass(frozen=True, slots=True)
class GoldSpan:
    type: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class GoldDoc:
    pmid: str
    text: str
    spans: tuple[GoldSpan, ...]

    def of(self, kind: str) -> list[GoldSpan]:
        return sorted((s for s in self.spans if s.type == kind), key=lambda s: s.start)


def read_ann(text: str) -> list[GoldSpan]:
    """The text-bound annotations (``T`` lines) of a BRAT ``.ann`` file; a discontinuous
    span ("10 20;30 40") counts from its first start to its last end."""
    out = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].startswith("T"):
            continue
        kind, _, offsets = parts[1].partition(" ")
        pieces = [p.split() for p in offsets.split(";")]
        try:
            start, end = int(pieces[0][0]), int(pieces[-1][-1])
        except (ValueError, IndexError):
            continue
        out.append(GoldSpan(kind, start, end, parts[2]))
    return out


def read_corpus(path: Path) -> list[GoldDoc]:
    """Every ``PMID.txt`` with its ``PMID.ann``, sorted by PMID as a number."""
    if not path.is_dir():
        raise EvimapError(f"{path}: not a folder")
    docs = []
    for txt in path.glob("*.txt"):
        ann = txt.with_suffix(".ann")
        if ann.is_file():
            docs.append(GoldDoc(txt.stem, txt.read_text(encoding="utf-8"),
                                tuple(read_ann(ann.read_text(encoding="utf-8")))))
    if not docs:
        raise EvimapError(f"{path}: no PMID.txt with PMID.ann")
    return sorted(docs, key=lambda d: (int(d.pmid) if d.pmid.isdigit() else 0, d.pmid))


def split_parts(docs: Sequence[GoldDoc]) -> dict[str, list[GoldDoc]]:
    """``tune`` and ``held_out``: in PMID order, every 5th held out."""
    parts: dict[str, list[GoldDoc]] = {"tune": [], "held_out": []}
    for i, doc in enumerate(docs, start=1):
        parts["held_out" if i % HELD_OUT_EVERY == 0 else "tune"].append(doc)
    return parts


def gold_number(text: str) -> int | None:
    """A gold participants figure as a number ("13 388", "2,565", "Forty-nine")."""
    from ..claims.evidence import parse_number
    cleaned = text.strip().replace(",", "").replace(" ", "") if re.search(r"\d", text) \
        else text.strip()
    value = parse_number(cleaned)
    return int(value) if value is not None and value == int(value) else None


# --- predictions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Predicted:
    n: int | None
    design: str
    interventions: tuple[tuple[int, int], ...]
    comparators: tuple[tuple[int, int], ...]
    report: bool


def predict(doc: GoldDoc, settings: Settings, resources: Resources,
            tagger: Any = True) -> Predicted:
    """The study frame of one abstract, read as ``evimap ingest`` reads a text file."""
    from ..claims.document import build_document
    from ..claims.study import study_frame
    from ..model import RawDocument
    from ..pipeline import process
    raw = RawDocument(path=f"{doc.pmid}.txt", record=0, format="text", text=doc.text)
    processed = process(raw, Resources(resources.lexicon, resources.ner, extractors=()))
    built = build_document(raw.text, processed.segments, processed.sentences,
                           processed.mentions)
    frame = study_frame(built, processed.profile.kind, raw.metadata, tagger=tagger)
    if frame is None:
        return Predicted(None, "unspecified", (), (), False)
    return Predicted(frame.n, frame.design,
                     tuple((a.start, a.end) for a in frame.interventions),
                     tuple((a.start, a.end) for a in frame.comparators), True)


# --- scores -------------------------------------------------------------------------------------

def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def _prf(tp_gold: int, n_gold: int, tp_pred: int, n_pred: int) -> dict[str, Any]:
    p, r = _ratio(tp_pred, n_pred), _ratio(tp_gold, n_gold)
    f1 = round(2 * p * r / (p + r), 4) if p + r else 0.0
    return {"p": p, "r": r, "f1": f1, "gold": n_gold, "predicted": n_pred,
            "matched": tp_gold}


def _matches(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]],
             strict: bool) -> int:
    """One-to-one matches, greedily in text order."""
    used: set[int] = set()
    count = 0
    for gs, ge in gold:
        for i, (ps, pe) in enumerate(pred):
            if i in used:
                continue
            if (ps, pe) == (gs, ge) if strict else (ps < ge and gs < pe):
                used.add(i)
                count += 1
                break
    return count


def score(pairs: Iterable[tuple[GoldDoc, Predicted]]) -> dict[str, Any]:
    """Sample size and span scores over (gold, predicted) pairs."""
    docs = exact = exact_first = with_n = no_total = arms_docs = arms_exact = reports = 0
    designs: dict[str, int] = {}
    spans = {k: [0, 0, 0, 0] for k in ("intervention_strict", "intervention_overlap",
                                      "control_strict", "control_overlap")}
    for gold, pred in pairs:
        docs += 1
        reports += pred.report
        designs[pred.design] = designs.get(pred.design, 0) + 1
        totals = [v for v in (gold_number(s.text) for s in gold.of("total-participants"))
                  if v is not None]
        if totals:
            with_n += pred.n is not None
            exact += pred.n in totals
            exact_first += pred.n == totals[0]
        else:
            no_total += 1
            iv = [gold_number(s.text) for s in gold.of("intervention-participants")]
            cv = [gold_number(s.text) for s in gold.of("control-participants")]
            if iv and cv and iv[0] is not None and cv[0] is not None:
                arms_docs += 1
                arms_exact += pred.n == iv[0] + cv[0]
        for kind, predicted in (("intervention", pred.interventions),
                                ("control", pred.comparators)):
            g = [(s.start, s.end) for s in gold.of(kind)]
            for strict in (True, False):
                key = f"{kind}_{'strict' if strict else 'overlap'}"
                matched = _matches(g, predicted, strict)
                spans[key][0] += matched
                spans[key][1] += len(g)
                spans[key][2] += matched
                spans[key][3] += len(predicted)
    scored = docs - no_total
    return {
        "docs": docs,
        "reports": reports,
        "sample_size": {
            "exact": _ratio(exact, scored), "exact_first": _ratio(exact_first, scored),
            "predicted": _ratio(with_n, scored), "scored": scored, "exact_docs": exact,
            "no_gold_total": no_total,
            "arms_sum": {"exact": _ratio(arms_exact, arms_docs), "docs": arms_docs},
        },
        "intervention_spans": {"strict": _prf(*spans["intervention_strict"]),
                               "overlap": _prf(*spans["intervention_overlap"])},
        "control_spans": {"strict": _prf(*spans["control_strict"]),
                          "overlap": _prf(*spans["control_overlap"])},
        "designs": dict(sorted(designs.items())),
    }


def evaluate_pico(path: Path, settings: Settings, resources: Resources, split: bool = False,
                  parts: Sequence[str] | None = None, tagger: Any = True) -> dict[str, Any]:
    """Score the study frames of the corpus at ``path`` (see the module docstring).

    ``parts`` limits a split run to the named parts (``["held_out"]``).
    """
    started = time.perf_counter()
    docs = read_corpus(path)
    if not split:
        out = score((d, predict(d, settings, resources, tagger)) for d in docs)
    else:
        out = {}
        for name, chosen in split_parts(docs).items():
            if parts is None or name in parts:
                out[name] = score((d, predict(d, settings, resources, tagger))
                                  for d in chosen)
        out["splits"] = {"tune": f"PMIDs sorted as numbers, all but every "
                                 f"{HELD_OUT_EVERY}th",
                         "held_out": f"every {HELD_OUT_EVERY}th PMID (5th, 10th, ...)"}
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def errors(path: Path, settings: Settings, resources: Resources,
           part: str = "tune") -> list[dict[str, Any]]:
    """Per-document disagreements of one part (for tuning; never run on held_out)."""
    out = []
    for doc in split_parts(read_corpus(path))[part]:
        pred = predict(doc, settings, resources)
        totals = [gold_number(s.text) for s in doc.of("total-participants")]
        out.append({"pmid": doc.pmid, "n": pred.n, "gold_n": totals,
                    "interventions": [doc.text[s:e] for s, e in pred.interventions],
                    "gold_interventions": [s.text for s in doc.of("intervention")],
                    "comparators": [doc.text[s:e] for s, e in pred.comparators],
                    "gold_control": [s.text for s in doc.of("control")]})
    return out


# --- training the span tagger ------------------------------------------------------------------

def training_sequences(docs: Sequence[GoldDoc], resources: Resources
                       ) -> list[tuple[list[list[str]], list[str]]]:
    """(features, BIO labels) of the sentences where a report names its study (the title,
    the objective, the first methods sentences: ``study._focus_units``), labelled from the
    gold ``intervention`` and ``control`` spans."""
    from ..claims import study
    from ..claims.document import build_document
    from ..entities.crf import bio_labels
    from ..model import RawDocument
    from ..pipeline import process
    out = []
    for doc in docs:
        raw = RawDocument(path=f"{doc.pmid}.txt", record=0, format="text", text=doc.text)
        processed = process(raw, Resources(resources.lexicon, resources.ner, extractors=()))
        built = build_document(raw.text, processed.segments, processed.sentences,
                               processed.mentions)
        gold = [(s.start, s.end, s.type) for s in doc.spans if s.type in study.LABELS]
        secs = study.sections(built)
        for unit in study._focus_units(built, secs)[:3]:
            u = built.units[unit]
            tokens = study.span_tokens(built.text, u.start, u.end)
            if not tokens:
                continue
            inside = [g for g in gold if u.start <= g[0] and g[1] <= u.end]
            out.append((study.span_features(built.text, tokens, built.mentions[unit]),
                        bio_labels(tokens, inside)))
    return out


def train_pico(path: Path, settings: Settings, resources: Resources, out: Path,
               iterations: int = 100) -> dict[str, Any]:
    """Train the span tagger on the tune part of the corpus at ``path`` into ``out``."""
    import json

    from ..entities.crf import train
    started = time.perf_counter()
    tune = split_parts(read_corpus(path))["tune"]
    sequences = training_sequences(tune, resources)
    train(iter(sequences), out, max_iterations=iterations, c1=0.3, c2=0.05)
    record = {"data": f"{path.name}: tune part ({len(tune)} abstracts; every "
                      f"{HELD_OUT_EVERY}th PMID held out)",
              "sequences": len(sequences), "iterations": iterations, "c1": 0.3, "c2": 0.05,
              "labels": ["B-intervention", "I-intervention", "B-control", "I-control", "O"],
              "seconds": round(time.perf_counter() - started, 1)}
    out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record
