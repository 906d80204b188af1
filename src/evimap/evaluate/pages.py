"""Real web pages scored on the pages-dev gold (``evimap eval pages DIR``).

DIR holds ``docs/NNN.txt`` (pages as a scraper saved them) and ``gold.jsonl`` (one object per
file: source kind, copies, reader comments, boilerplate and content fragments, every claim).
The pages are ingested into a temporary store through the same library calls as
``evimap ingest`` (so works come from the store's deduplication), read back, and scored as
the data's README says:

- content kept: share of ``content`` fragments found in kept (non-boilerplate) segments;
  boilerplate dropped: share of ``boilerplate`` fragments found in no kept segment (those found
  in no segment at all are counted too, as ``unsegmented``; ``kept_as`` says which kind of
  kept segment held the others: metadata, body, ...). A fragment is found in a run of
  adjacent segments of the same side, whitespace and case aside.
- comments: share of files whose number of comment segments equals ``reader_comments``.
- duplicates: pairs of files in one gold group (following ``duplicate_of``) that share a work,
  and false merges (pairs sharing a work that the gold keeps apart).
- source kinds: accuracy, also with ``peer_reviewed`` and ``review`` counted as one, and the
  confusion (gold kind -> predicted kind -> files).
- claims: a predicted claim matches a gold claim of the same file when its sentence overlaps
  the quote (one contains the other, whitespace and case aside), its predicate is the gold
  relation (``treats`` and ``prevents`` count as one; ``elevated_in`` / ``reduced_in`` and
  ``associated_with`` match each other) and its subject is the gold intervention (a word of
  the gold intervention, generic words such as "dose" or "therapy" aside, is a word of the
  subject concept's name or MeSH names or of the subject's mention text in the sentence).
  Matching is one-to-one: per file, as many pairs as possible, and among such matchings
  the one whose predicted objects are most like the gold targets (an assignment). Recall
  over gold claims, precision over predicted claims, F1, per predicate and per extractor;
  on matched claims, the accuracy of design, n, hedged and negated.

Everything but :func:`process_pages` and :func:`evaluate_pages` is a pure function of the
read-back results and the gold.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EvimapError
from ..pipeline import Resources
from ..settings import Settings

#: The halves of pages-dev: what rules may be tuned on, and what is kept out.
SPLITS: Mapping[str, str] = {"tune": "001-040", "held_out": "041-060"}

#: Predicates that count as the same relation when matching (both directions).
_SAME: frozenset[frozenset[str]] = frozenset({
    frozenset({"treats", "prevents"}),
    frozenset({"elevated_in", "associated_with"}),
    frozenset({"reduced_in", "associated_with"}),
})

#: Words of a gold intervention that do not identify it (after :func:`_stem`).
_GENERIC = frozenset({
    "the", "and", "with", "for", "from", "off", "its", "other", "some", "any", "similar",
    "certain", "low", "high", "higher", "dose", "daily", "use", "term", "short", "long",
    "level", "drug", "medication", "medicine", "treatment", "therapy", "therapie",
    "supplement", "supplementation", "product", "pill", "once", "monthly", "three", "time",
    "day", "bid", "effect", "reducing", "stopping", "increasing", "avoiding", "taking",
    "eating", "regular", "prescription", "nonprescription", "acute", "preventive",
    "previou", "traditional", "oral", "exogenou", "commercial", "standard", "real",
    "simulated", "change", "known",
})

_WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class PredictedClaim:
    """A claim as the store holds it, with what the matcher needs of its subject."""

    sentence: str
    subject: str                    # the subject concept's name
    subject_terms: tuple[str, ...]  # its MeSH names and its mention texts in the sentence
    predicate: str
    object: str
    design: str
    n: int | None
    hedged: bool
    negated: bool
    extractor: str


@dataclass(frozen=True)
class PageResult:
    """One gold file as evimap stored it."""

    file: str                       # "001.txt"
    source_kind: str
    work_id: str
    segments: tuple[tuple[str, str], ...]   # (kind, text) in reading order
    claims: tuple[PredictedClaim, ...]


# --- input ------------------------------------------------------------------------------

def read_gold(path: Path) -> list[dict[str, Any]]:
    """The gold objects of a pages-dev folder (one per file, in file order)."""
    gold_file, docs = path / "gold.jsonl", path / "docs"
    if not path.is_dir():
        raise EvimapError(f"{path}: not a folder (expected a pages-dev folder with "
                          "docs/NNN.txt and gold.jsonl)")
    if not gold_file.is_file():
        raise EvimapError(f"{path}: no gold.jsonl (expected a pages-dev folder with "
                          "docs/NNN.txt and gold.jsonl)")
    if not docs.is_dir():
        raise EvimapError(f"{path}: no docs/ folder (expected docs/NNN.txt beside gold.jsonl)")
    gold = []
    for number, line in enumerate(gold_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvimapError(f"{gold_file}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or "file" not in item:
            raise EvimapError(f"{gold_file}:{number}: expected an object with a 'file'")
        if not (docs / item["file"]).is_file():
            raise EvimapError(f"{gold_file}:{number}: {docs / item['file']} does not exist")
        gold.append(item)
    if not gold:
        raise EvimapError(f"{gold_file}: no gold records")
    return sorted(gold, key=lambda g: str(g["file"]))


def parse_files(spec: str, known: Iterable[str]) -> list[str]:
    """The files a ``--files`` spec names: ``041-060``, ``3,7,12-15`` (numbers of
    ``NNN.txt``), each of them one of ``known``."""
    by_number = {int(m.group()): f for f in known if (m := re.match(r"\d+", f))}
    chosen: set[str] = set()
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not m:
            raise EvimapError(f"--files: {part!r} is not a file number or range (e.g. 041-060)")
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) else low
        if high < low:
            raise EvimapError(f"--files: empty range {part!r}")
        for number in range(low, high + 1):
            if number not in by_number:
                raise EvimapError(f"--files: no gold file numbered {number}")
            chosen.add(by_number[number])
    return sorted(chosen)


# --- text helpers ---------------------------------------------------------------------------

def _norm(text: str) -> str:
    """Whitespace and case aside."""
    return " ".join(text.casefold().split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD_RE.findall(text.casefold())}


def intervention_words(intervention: str) -> set[str]:
    """The words of a gold intervention that identify it."""
    words = {w for w in _words(intervention)
             if len(w) >= 3 and not w.isdigit() and w not in _GENERIC}
    return words or {w for w in _words(intervention) if not w.isdigit()}


def sentences_overlap(a: str, b: str) -> bool:
    x, y = _norm(a), _norm(b)
    return bool(x and y) and (x in y or y in x)


def same_relation(gold: str, predicted: str) -> bool:
    return gold == predicted or frozenset({gold, predicted}) in _SAME


def subject_matches(intervention: str, claim: PredictedClaim) -> bool:
    terms: set[str] = set()
    for term in (claim.subject, *claim.subject_terms):
        terms |= _words(term)
    return bool(intervention_words(intervention) & terms)


# --- claims -----------------------------------------------------------------------------

def _preferences(gold: Sequence[dict[str, Any]], predicted: Sequence[PredictedClaim]
                 ) -> dict[tuple[int, int], float]:
    """The pairs that may match, each with how alike the gold target and the predicted
    object are (Jaccard of their words, and the exact predicate), to choose among equals."""
    out: dict[tuple[int, int], float] = {}
    for i, g in enumerate(gold):
        target = _words(g.get("target") or "")
        for j, p in enumerate(predicted):
            if (same_relation(g["relation"], p.predicate)
                    and sentences_overlap(g["quote"], p.sentence)
                    and subject_matches(g["intervention"], p)):
                obj = _words(p.object)
                jaccard = len(target & obj) / len(target | obj) if target | obj else 0.0
                out[i, j] = jaccard + 0.1 * (p.predicate == g["relation"])
    return out


def match_claims(gold: Sequence[dict[str, Any]], predicted: Sequence[PredictedClaim]
                 ) -> dict[int, int]:
    """A one-to-one matching of one file's claims (gold index -> predicted index): as many
    pairs as possible, and among those, the pairs whose objects are most alike."""
    prefs = _preferences(gold, predicted)
    if not prefs:
        return {}
    rows = sorted({i for i, _ in prefs})
    cols = sorted({j for _, j in prefs})
    big = 2.0 * (min(len(rows), len(cols)) + 1)     # one more pair outweighs any preference
    weight = [[big + prefs[i, j] if (i, j) in prefs else 0.0 for j in cols] for i in rows]
    transposed = len(rows) > len(cols)
    if transposed:
        weight = [list(col) for col in zip(*weight, strict=True)]
    chosen = _assignment([[-w for w in row] for row in weight])
    out = {}
    for r, c in enumerate(chosen):
        i, j = (rows[c], cols[r]) if transposed else (rows[r], cols[c])
        if (i, j) in prefs:
            out[i] = j
    return out


def _assignment(cost: Sequence[Sequence[float]]) -> list[int]:
    """The column of each row in a least-cost assignment (Hungarian method, rows <= columns)."""
    n, m = len(cost), len(cost[0])
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    owner, way = [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        owner[0], j0 = i, 0
        least, used = [float("inf")] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], float("inf"), 0
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < least[j]:
                        least[j], way[j] = reduced, j0
                    if least[j] < delta:
                        delta, j1 = least[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    least[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    out = [0] * n
    for j in range(1, m + 1):
        if owner[j]:
            out[owner[j] - 1] = j - 1
    return out


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def _prf(matched_gold: int, n_gold: int, matched_pred: int, n_pred: int) -> dict[str, Any]:
    p, r = (matched_pred / n_pred if n_pred else 0.0), (matched_gold / n_gold if n_gold else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}


def _gold_n(g: dict[str, Any]) -> int | None:
    n = g.get("n")
    return int(n) if isinstance(n, int | float) else None


def score_claims(pairs: Iterable[tuple[Sequence[dict[str, Any]], Sequence[PredictedClaim]]]
                 ) -> dict[str, Any]:
    """Claim P/R/F1 over (gold claims, predicted claims) of each file, per predicate and per
    extractor, and attribute accuracy on the matched claims."""
    n_gold = n_pred = matched = 0
    gold_by: Counter[str] = Counter()
    pred_by: Counter[str] = Counter()
    gold_hit: Counter[str] = Counter()
    pred_hit: Counter[str] = Counter()
    ext_n: Counter[str] = Counter()
    ext_hit: Counter[str] = Counter()
    agree: Counter[str] = Counter()
    for gold, predicted in pairs:
        matches = match_claims(gold, predicted)
        n_gold += len(gold)
        n_pred += len(predicted)
        matched += len(matches)
        gold_by.update(g["relation"] for g in gold)
        pred_by.update(p.predicate for p in predicted)
        ext_n.update(p.extractor for p in predicted)
        for gi, pj in matches.items():
            g, p = gold[gi], predicted[pj]
            gold_hit[g["relation"]] += 1
            pred_hit[p.predicate] += 1
            ext_hit[p.extractor] += 1
            agree["design"] += p.design == g.get("evidence")
            agree["n"] += p.n == _gold_n(g)
            agree["hedged"] += p.hedged == bool(g.get("hedged"))
            agree["negated"] += p.negated == bool(g.get("negated"))
    by_predicate = {
        k: {"gold": gold_by[k], "predicted": pred_by[k], "matched_gold": gold_hit[k],
            "matched_predicted": pred_hit[k],
            **_prf(gold_hit[k], gold_by[k], pred_hit[k], pred_by[k])}
        for k in sorted(set(gold_by) | set(pred_by))}
    by_extractor = {k: {"predicted": ext_n[k], "matched": ext_hit[k],
                        "p": _ratio(ext_hit[k], ext_n[k])} for k in sorted(ext_n)}
    return {"gold": n_gold, "predicted": n_pred, "matched": matched,
            **_prf(matched, n_gold, matched, n_pred),
            "on_matched": {k: _ratio(agree[k], matched)
                           for k in ("design", "n", "hedged", "negated")},
            "by_predicate": by_predicate, "by_extractor": by_extractor}


# --- segments -----------------------------------------------------------------------------

def _runs(segments: Sequence[tuple[str, str]], kept: bool) -> list[str]:
    """Texts of runs of adjacent kept (or dropped) segments, normalised."""
    runs: list[list[str]] = []
    previous: bool | None = None
    for kind, text in segments:
        side = kind != "boilerplate"
        if side == kept:
            if previous != kept:
                runs.append([])
            runs[-1].append(text)
        previous = side
    return [_norm(" ".join(r)) for r in runs]


def _found(fragment: str, runs: Sequence[str]) -> bool:
    f = _norm(fragment)
    return any(f in r for r in runs)


# --- the whole score ----------------------------------------------------------------------

def _groups(gold: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Each file's gold group: the first copy, following ``duplicate_of``."""
    parent = {g["file"]: g.get("duplicate_of") for g in gold}

    def root(f: str) -> str:
        seen = set()
        while parent.get(f) and f not in seen:
            seen.add(f)
            f = str(parent[f])
        return f

    return {f: root(f) for f in parent}


def score_pages(results: Mapping[str, PageResult], gold: Sequence[dict[str, Any]],
                files: Collection[str] | None = None) -> dict[str, Any]:
    """Every figure of the README's scoring over ``files`` (default: every gold file).
    ``results`` maps a file name (``001.txt``) to what evimap made of it; a gold file
    without a result counts as nothing found."""
    groups = _groups(gold)
    chosen = [g for g in gold if files is None or g["file"] in files]
    empty = PageResult("", "", "", (), ())
    content = [0, 0]
    boiler = [0, 0, 0]
    kept_as: Counter[str] = Counter()
    comments_ok = 0
    comment_errors = []
    kinds: dict[str, Counter[str]] = {}
    kind_errors = []
    claim_pairs = []
    for g in chosen:
        r = results.get(g["file"], empty)
        kept, dropped = _runs(r.segments, True), _runs(r.segments, False)
        for fragment in g.get("content") or ():
            content[0] += _found(fragment, kept)
            content[1] += 1
        for fragment in g.get("boilerplate") or ():
            in_kept = _found(fragment, kept)
            boiler[0] += not in_kept
            boiler[1] += 1
            boiler[2] += not in_kept and not _found(fragment, dropped)
            if in_kept:
                kept_as[next((kind for kind, text in r.segments if kind != "boilerplate"
                              and _found(fragment, [_norm(text)])), "several")] += 1
        n_comments = sum(1 for kind, _ in r.segments if kind == "comment")
        if n_comments == int(g.get("reader_comments") or 0):
            comments_ok += 1
        else:
            comment_errors.append({"file": g["file"], "gold": g.get("reader_comments") or 0,
                                   "predicted": n_comments})
        kinds.setdefault(g["source_kind"], Counter())[r.source_kind] += 1
        if r.source_kind != g["source_kind"]:
            kind_errors.append({"file": g["file"], "gold": g["source_kind"],
                                "predicted": r.source_kind})
        claim_pairs.append((g.get("claims") or [], r.claims))
    n = len(chosen)
    correct = sum(c[k] for k, c in kinds.items())
    merged = correct + sum(1 for e in kind_errors
                           if {e["gold"], e["predicted"]} == {"peer_reviewed", "review"})
    return {
        "files": n,
        "content_kept": {"share": _ratio(content[0], content[1]), "kept": content[0],
                         "fragments": content[1]},
        "boilerplate_dropped": {"share": _ratio(boiler[0], boiler[1]), "dropped": boiler[0],
                                "fragments": boiler[1], "unsegmented": boiler[2],
                                "kept_as": dict(sorted(kept_as.items()))},
        "comments": {"share": _ratio(comments_ok, n), "exact": comments_ok, "files": n,
                     "errors": comment_errors},
        "duplicates": _duplicates(chosen, groups, results),
        "source_kinds": {"accuracy": _ratio(correct, n),
                         "accuracy_review_merged": _ratio(merged, n),
                         "confusion": {k: dict(sorted(c.items()))
                                       for k, c in sorted(kinds.items())},
                         "errors": kind_errors},
        "claims": score_claims(claim_pairs),
    }


def _duplicates(chosen: Sequence[dict[str, Any]], groups: Mapping[str, str],
                results: Mapping[str, PageResult]) -> dict[str, Any]:
    files = [g["file"] for g in chosen]
    gold_pairs = found = 0
    missed, false_merges = [], []
    for i, a in enumerate(files):
        for b in files[i + 1:]:
            same_gold = groups[a] == groups[b]
            wa = results[a].work_id if a in results else None
            wb = results[b].work_id if b in results else None
            same_work = wa is not None and wa == wb
            if same_gold:
                gold_pairs += 1
                found += same_work
                if not same_work:
                    missed.append([a, b])
            elif same_work:
                false_merges.append([a, b])
    return {"gold_pairs": gold_pairs, "found": found, "recall": _ratio(found, gold_pairs),
            "false_merges": len(false_merges), "missed_pairs": missed,
            "false_merge_pairs": false_merges}


def split_files(gold: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """The files of each half of :data:`SPLITS` (and ``all``)."""
    known = [g["file"] for g in gold]
    return {"all": known, **{name: parse_files(spec, known) for name, spec in SPLITS.items()}}


def score_split(results: Mapping[str, PageResult], gold: Sequence[dict[str, Any]]
                ) -> dict[str, Any]:
    """:func:`score_pages` for ``all``, ``tune`` (001-040) and ``held_out`` (041-060)."""
    return {name: score_pages(results, gold, set(files))
            for name, files in split_files(gold).items()}


def claim_errors(results: Mapping[str, PageResult], gold: Sequence[dict[str, Any]],
                 files: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The unmatched gold claims (``side: gold``) and unmatched predicted claims (``side:
    predicted``) of ``files``, each with why it found no partner: ``no_claim_on_sentence``,
    ``wrong_predicate``, ``wrong_subject``, ``wrong_subject_and_predicate`` or
    ``partner_taken`` (a compatible claim matched another one)."""
    out: list[dict[str, Any]] = []
    for g in gold:
        if files is not None and g["file"] not in files:
            continue
        golds: list[dict[str, Any]] = g.get("claims") or []
        r = results.get(g["file"])
        predicted = r.claims if r else ()
        matches = match_claims(golds, predicted)
        used = set(matches.values())
        for i, gc in enumerate(golds):
            if i in matches:
                continue
            near = [p for p in predicted if sentences_overlap(gc["quote"], p.sentence)]
            why = _why([(same_relation(gc["relation"], p.predicate),
                         subject_matches(gc["intervention"], p)) for p in near])
            out.append({"file": g["file"], "side": "gold", "why": why, "sentence": gc["quote"],
                        "subject": gc["intervention"], "predicate": gc["relation"],
                        "object": gc.get("target"), "evidence": gc.get("evidence"),
                        "on_sentence": [[p.subject, p.predicate, p.object] for p in near]})
        for j, p in enumerate(predicted):
            if j in used:
                continue
            near_gold = [gc for gc in golds if sentences_overlap(gc["quote"], p.sentence)]
            why = _why([(same_relation(gc["relation"], p.predicate),
                         subject_matches(gc["intervention"], p)) for gc in near_gold])
            out.append({"file": g["file"], "side": "predicted", "why": why,
                        "sentence": p.sentence, "subject": p.subject,
                        "predicate": p.predicate, "object": p.object,
                        "extractor": p.extractor,
                        "on_sentence": [[gc["intervention"], gc["relation"], gc.get("target")]
                                        for gc in near_gold]})
    return out


def _why(near: Sequence[tuple[bool, bool]]) -> str:
    if not near:
        return "no_claim_on_sentence"
    if any(rel and subj for rel, subj in near):
        return "partner_taken"
    if any(subj for _, subj in near):
        return "wrong_predicate"
    if any(rel for rel, _ in near):
        return "wrong_subject"
    return "wrong_subject_and_predicate"


# --- running the pipeline -------------------------------------------------------------------

def with_addresses(docs: Path, gold: Sequence[dict[str, Any]], out: Path) -> Path:
    """A copy of ``docs`` in ``out`` where each gold file with an ``address`` has a sidecar
    ``FILE.meta.json`` giving it as the page's ``url``, as a scraper that saved the page
    would (see :mod:`evimap.read.sidecar`)."""
    out.mkdir(parents=True, exist_ok=True)
    address = {g["file"]: g.get("address") for g in gold}
    for file in sorted(docs.iterdir()):
        if file.is_file():
            (out / file.name).write_bytes(file.read_bytes())
            if address.get(file.name):
                (out / f"{file.name}.meta.json").write_text(
                    json.dumps({"url": address[file.name]}), encoding="utf-8")
    return out


def process_pages(path: Path, settings: Settings, resources: Resources | None = None,
                  gold: Sequence[dict[str, Any]] | None = None, addresses: bool = True
                  ) -> dict[str, PageResult]:
    """Ingest ``path/docs`` into a temporary store as ``evimap ingest`` does and read back
    each gold file's segments, source kind, work and claims (``resources``: a loaded
    :class:`~evimap.pipeline.Resources`, loaded here when None; ``addresses``: each page's
    gold ``address`` is given to the reader as its URL in a sidecar, as a scraper knows
    the address of what it saved; False: the text alone)."""
    from ..api import Evimap
    from ..pipeline import ingest

    gold = read_gold(path) if gold is None else gold
    wanted = {g["file"] for g in gold}
    with tempfile.TemporaryDirectory(prefix="evimap-pages-") as tmp:
        docs_dir = path / "docs"
        if addresses:
            docs_dir = with_addresses(docs_dir, gold, Path(tmp) / "docs")
        ev = Evimap(Path(tmp) / "pages.duckdb", settings)
        try:
            report = ingest(ev.store, [str(docs_dir)], settings,
                            resources if resources is not None else ev.resources)
            if report.errors:
                raise EvimapError(f"{path / 'docs'}: {report.errors[0]}")
            docs = ev.docs()
            claims = ev.claims()
            aliases = ev.store.rows("SELECT doc_id, path FROM document_paths")
            mentions = ev.store.rows("SELECT doc_id, start_offset, end_offset, text, "
                                     "concept_id FROM mentions")
            lexicon = ev.resources.lexicon if resources is None else resources.lexicon
        finally:
            ev.close()
    files_of: dict[str, list[str]] = {}
    for d in docs:
        files_of.setdefault(d["id"], []).append(Path(d["path"]).name)
    for a in aliases:
        files_of.setdefault(a["doc_id"], []).append(Path(a["path"]).name)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        by_doc.setdefault(c["doc_id"], []).append(c)
    names: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for m in mentions:
        names.setdefault((m["doc_id"], m["concept_id"]), []).append(
            (m["start_offset"], m["end_offset"], m["text"]))
    synonyms: dict[str, tuple[str, ...]] = {}

    def terms(c: dict[str, Any]) -> tuple[str, ...]:
        sid = c["subject"]["id"]
        if sid not in synonyms:
            synonyms[sid] = tuple(lexicon.synonyms(sid))
        texts = [t for s, e, t in names.get((c["doc_id"], sid), ())
                 if s >= c["start"] and e <= c["end"]]
        return synonyms[sid] + tuple(dict.fromkeys(texts))

    out: dict[str, PageResult] = {}
    for d in docs:
        predicted = tuple(PredictedClaim(
            c["sentence"], c["subject"]["name"], terms(c), c["predicate"], c["object"]["name"],
            c["evidence_type"], c["n"], bool(c["hedged"]), bool(c["negated"]),
            c["extractor"] or "") for c in by_doc.get(d["id"], ()))
        result = PageResult("", d["source_kind"], d["work_id"],
                            tuple((s["kind"], s["text"]) for s in d["segments"]), predicted)
        for name in files_of[d["id"]]:
            if name in wanted:
                out[name] = PageResult(name, result.source_kind, result.work_id,
                                       result.segments, result.claims)
    return out


def evaluate_pages(path: Path, settings: Settings, resources: Resources | None = None,
                   files: Collection[str] | None = None, split: bool = False,
                   errors: list[dict[str, Any]] | None = None, addresses: bool = True
                   ) -> dict[str, Any]:
    """Run the pipeline over a pages-dev folder and score it: one block over ``files``
    (default all), or with ``split`` the blocks ``all``, ``tune`` and ``held_out``.
    ``errors``, when given, receives :func:`claim_errors` of the files scored;
    ``addresses``: see :func:`process_pages`."""
    gold = read_gold(path)
    started = time.perf_counter()
    results = process_pages(path, settings, resources, gold, addresses)
    seconds = round(time.perf_counter() - started, 2)
    if errors is not None:
        errors.extend(claim_errors(results, gold, None if split else files))
    read_as = {"addresses": addresses}
    if split:
        return {**score_split(results, gold), "seconds": seconds,
                "splits": {"all": "every file", **SPLITS}, "read_as": read_as}
    return {**score_pages(results, gold, files), "seconds": seconds, "read_as": read_as}
