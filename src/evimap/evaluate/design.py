"""A document's design read from its text (``evimap eval design``).

Two checks, each over documents read exactly as ``evimap ingest`` reads the files:

- **Evidence Inference** (``evidence-inference/abstracts/*.abst``, 827 PMC abstracts of
  randomized trials, sectioned "TITLE:", "ABSTRACT.METHODS:", ...): a ``.abst`` file is
  ingested as plain text (format ``text``, no publication types), so the design can only
  come from the words. Scored: the share whose document design is ``RCT``; with ``split``
  also per split of the dataset (``evidence-inference/splits``: the train and validation
  PMC ids; the design rules are tuned on train only, validation is held out).
- **BC5CDR Development** (``bc5cdr/CDR_DevelopmentSet.PubTator.txt``, read as PubTator):
  the abstracts that are *not* trials by a criterion independent of the classifier: no
  word starting with "randomi", no "trial" and no "placebo" anywhere in the title or
  abstract (case aside). Scored: the share whose design is not ``RCT`` (and, reported
  beside it, the share left ``unspecified``).

"Document design" is the study frame's design (``claims/study.py``: what the ``study``
extractor's claims carry) when the document reads as a research report, else the design
the claim stage gives the document's own statements (``DocumentView.context.design``);
``claim_context`` reports the latter alone for every document.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import EvimapError
from ..pipeline import Resources
from ..settings import Settings

#: Trial wording: a BC5CDR abstract with none of it is a non-trial.
TRIAL_WORDS = re.compile(r"\brandomi|\btrials?\b|\bplacebo", re.I)
EVIDENCE_INFERENCE = "evidence-inference/abstracts"
EVIDENCE_INFERENCE_SPLITS = {"train": "evidence-inference/splits/ev2_train_article_ids.txt",
                             "validation":
                                 "evidence-inference/splits/ev2_validation_article_ids.txt"}
BC5CDR_DEV = "bc5cdr/CDR_DevelopmentSet.PubTator.txt"


def designs_of(paths: Iterable[Path], settings: Settings, resources: Resources
               ) -> list[tuple[str, str, str, str]]:
    """(text, document design, claim-context design, report?) of every record in
    ``paths``, read and processed as ``evimap ingest`` does."""
    from ..claims.extract import document_view
    from ..pipeline import process
    from ..read import read_file
    quiet = Resources(resources.lexicon, resources.ner, extractors=())
    out = []
    for path in paths:
        for raw in read_file(path, settings):
            if isinstance(raw, Exception):
                raise EvimapError(f"{path}: {raw}")
            doc = process(raw, quiet)
            view = document_view(raw.text, doc.segments, doc.sentences, doc.mentions,
                                 doc.profile, raw.metadata)
            report = view.context.report
            design = report.design if report is not None else view.context.design
            out.append((raw.text, design, view.context.design,
                        "report" if report is not None else "not_report"))
    return out


def _share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def score_rct(rows: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    """The share of documents whose design is RCT (all are trial reports)."""
    n = len(rows)
    return {"docs": n,
            "rct_share": _share(sum(r[1] == "RCT" for r in rows), n),
            "designs": dict(sorted(Counter(r[1] for r in rows).items())),
            "reports": sum(r[3] == "report" for r in rows),
            "claim_context": {"rct_share": _share(sum(r[2] == "RCT" for r in rows), n),
                              "designs": dict(sorted(Counter(r[2] for r in rows).items()))}}


def score_non_trials(rows: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    """Among documents without trial wording: the share not called RCT."""
    chosen = [r for r in rows if not TRIAL_WORDS.search(r[0])]
    n = len(chosen)
    return {"docs": len(rows), "non_trials": n,
            "non_rct_share": _share(sum(r[1] != "RCT" for r in chosen), n),
            "unspecified_share": _share(sum(r[1] == "unspecified" for r in chosen), n),
            "designs": dict(sorted(Counter(r[1] for r in chosen).items())),
            "claim_context": {
                "non_rct_share": _share(sum(r[2] != "RCT" for r in chosen), n),
                "designs": dict(sorted(Counter(r[2] for r in chosen).items()))},
            "criterion": "no word starting with 'randomi', no 'trial(s)', no 'placebo' in "
                         "the title or abstract"}


def split_of(data_dir: Path) -> dict[str, str]:
    """Each Evidence Inference abstract's split: PMC id ("PMC12345") -> train or validation."""
    out: dict[str, str] = {}
    for name, rel in EVIDENCE_INFERENCE_SPLITS.items():
        path = data_dir / rel
        if not path.is_file():
            raise EvimapError(f"{data_dir}: needs {rel} for --split")
        for line in path.read_text(encoding="utf-8").split():
            out[f"PMC{line.strip()}"] = name
    return out


def evaluate_design(data_dir: Path, settings: Settings, resources: Resources,
                    limit: int | None = None, split: bool = False) -> dict[str, Any]:
    """Both checks (see the module docstring); ``limit``: at most that many EI files;
    ``split``: the Evidence Inference share also per split (train, validation)."""
    started = time.perf_counter()
    abstracts = sorted((data_dir / EVIDENCE_INFERENCE).glob("*.abst"))[:limit]
    bc5cdr = data_dir / BC5CDR_DEV
    if not abstracts or not bc5cdr.is_file():
        raise EvimapError(f"{data_dir}: needs {EVIDENCE_INFERENCE}/*.abst and {BC5CDR_DEV}")
    ei_rows = designs_of(abstracts, settings, resources)
    out: dict[str, Any] = {
        "evidence_inference": score_rct(ei_rows),
        "bc5cdr_dev": score_non_trials(designs_of([bc5cdr], settings, resources)),
        "read_as": {"evidence_inference": "plain text (format text), as evimap ingest reads "
                                          "a .abst file",
                    "bc5cdr_dev": "PubTator (peer-reviewed title and abstract)"}}
    if split:
        splits = split_of(data_dir)
        names = [splits.get(path.stem, "none") for path in abstracts]
        out["evidence_inference_splits"] = {
            name: score_rct([r for r, n in zip(ei_rows, names, strict=True) if n == name])
            for name in (*EVIDENCE_INFERENCE_SPLITS, "none") if name in names}
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out
