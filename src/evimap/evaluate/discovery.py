"""Literature-based discovery on a classic case (``evimap eval discovery``).

A case (``discovery_cases.json``) names two literatures (files in a folder), the source A
and target C the discoverer linked, the year the discovery was published and the linking
concepts he named, each as the MeSH descriptors that stand for it. The two literatures are
ingested as ``evimap ingest`` does (into a temporary store unless one is given), then, on
the documents published before that year:

- **closed discovery** A -> ? <- C: the rank of each named linking concept among the linking
  concepts (a concept ranks where its best descriptor ranks; none: it links nothing, or its
  descriptors are outside the discovery vocabulary);
- **open discovery** A -> ? -> ?: the rank of C among the diseases A reaches.

Ranks are given for the chosen measure and, in ``by_measure``, for every measure. Nothing
here is tuned to a case: the same measures, filters and vocabulary serve every case.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..api import Evimap
from ..discover.rank import DEFAULT_MEASURE, MEASURES
from ..errors import EvimapError
from ..pipeline import Resources
from ..settings import Settings

CASES_FILE = Path(__file__).resolve().parent / "discovery_cases.json"
DEFAULT_CASE = "fish-oil-raynaud"
#: The issue's targets: every linking concept in the top 15 of closed discovery, C in the
#: top 10 of open discovery.
CLOSED_TOP = 15
OPEN_TOP = 10
#: Linking concepts and targets ranked (deep enough to report ranks beyond the targets).
DEPTH = 500


def load_cases(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The cases of a JSON file (default: the packaged ``discovery_cases.json``)."""
    path = path or CASES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EvimapError(f"{path}: cannot read discovery cases ({exc})") from exc
    return {k: v for k, v in data.items() if not k.startswith("_")}


def case_files(folder: Path, case: dict[str, Any]) -> list[Path]:
    """The files of a case's literatures in ``folder`` (every pattern must match)."""
    files: list[Path] = []
    for pattern in case["files"]:
        found = sorted(folder.glob(pattern))
        if not found:
            raise EvimapError(f"{folder}: no file matches {pattern!r} (the case needs "
                              f"{', '.join(case['files'])})")
        files += found
    return files


def run(folder: Path, name: str, settings: Settings, resources: Resources | None = None,
        store: Path | None = None, cases: Path | None = None,
        measure: str = DEFAULT_MEASURE) -> dict[str, Any]:
    """Ingest a case's literatures (into ``store``, or a temporary one) and score it."""
    known = load_cases(cases)
    if name not in known:
        raise EvimapError(f"unknown discovery case {name!r}; known: {', '.join(known)}")
    case = known[name]
    files = case_files(folder, case)
    with tempfile.TemporaryDirectory(prefix="evimap-lbd-") as tmp:
        db = store or Path(tmp) / "case.duckdb"
        with Evimap(db, replace(settings, db=str(db))) as ev:
            if resources is not None:
                ev._resources = resources
            started = time.perf_counter()
            report = ev.ingest([str(f) for f in files])
            ingest_seconds = time.perf_counter() - started
            scores = evaluate(ev, case, measure)
    return {"case": name, "reference": case.get("reference"),
            "files": [f.name for f in files],
            "ingest": {"documents_added": report.added, "errors": len(report.errors),
                       "seconds": round(ingest_seconds, 2)}, **scores}


def evaluate(ev: Evimap, case: dict[str, Any], measure: str = DEFAULT_MEASURE
             ) -> dict[str, Any]:
    """Score a case on a store that holds its literatures."""
    started = time.perf_counter()
    before = case.get("before")
    by_measure = {m: _ranks(ev, case, m, before) for m in MEASURES}
    chosen = by_measure[measure]
    counts = ev.store.counts()
    return {
        "a": case["a"], "c": case["c"], "before": before, "measure": measure,
        "store": {"documents": counts["documents"], "works": counts["works"]},
        **chosen,
        "targets": {"closed_top": CLOSED_TOP, "open_top": OPEN_TOP,
                    "met": _met(chosen)},
        "by_measure": {m: {"closed_ranks": {lk["name"]: lk["rank"]
                                            for lk in r["closed"]["links"]},
                           "open_rank": r["open"]["target_rank"], "met": _met(r)}
                       for m, r in by_measure.items()},
        "seconds": round(time.perf_counter() - started, 2)}


def _met(scores: dict[str, Any]) -> bool:
    ranks = [lk["rank"] for lk in scores["closed"]["links"]]
    target = scores["open"]["target_rank"]
    return (all(r is not None and r <= CLOSED_TOP for r in ranks)
            and target is not None and target <= OPEN_TOP)


def _ranks(ev: Evimap, case: dict[str, Any], measure: str, before: int | None
           ) -> dict[str, Any]:
    (closed,) = ev.discover(case["a"], case["c"], limit=DEPTH, measure=measure, before=before)
    order = {lk["concept"]["id"]: i for i, lk in enumerate(closed["links"], start=1)}
    indexed = {r[0] for r in ev.store.con.execute(
        "SELECT id FROM index_concepts WHERE list_contains(?, id)",
        [[i for lk in case["links"] for i in lk["ids"]]]).fetchall()}
    links = []
    for lk in case["links"]:
        ranked = sorted((order[i], i) for i in lk["ids"] if i in order)
        best = ranked[0] if ranked else None
        found = closed["links"][best[0] - 1] if best else None
        links.append({
            "name": lk["name"], "ids": lk["ids"], "rank": best[0] if best else None,
            "concept": found["concept"]["name"] if found else None,
            "works_with_a": found["works"]["with_source"] if found else 0,
            "works_with_c": found["works"]["with_target"] if found else 0,
            "indexed": any(i in indexed for i in lk["ids"])})
    opened = ev.discover(case["a"], limit=DEPTH, measure=measure, before=before)
    targets = [h["target"]["id"] for h in opened]
    return {
        "closed": {"n_links": closed["n_links"], "works_a": closed["works"]["source"],
                   "works_c": closed["works"]["target"], "works_both": closed["works"]["both"],
                   "links": links,
                   "top": [lk["concept"]["name"] for lk in closed["links"][:CLOSED_TOP]]},
        "open": {"n_targets": len(opened),
                 "target_rank": targets.index(case["c"]) + 1 if case["c"] in targets else None,
                 "top": [h["target"]["name"] for h in opened[:OPEN_TOP]]}}


def summary_lines(scores: dict[str, Any]) -> Sequence[str]:
    """The report as text lines (the CLI's output without --json)."""
    out = [f"{scores['case']}: {scores['store']['documents']} documents, "
           f"{scores['store']['works']} works; before {scores['before']}; measure "
           f"{scores['measure']}"]
    c = scores["closed"]
    out.append(f"closed discovery: {c['n_links']} linking concepts "
               f"(A in {c['works_a']} works, C in {c['works_c']}, both {c['works_both']})")
    for lk in c["links"]:
        where = f"rank {lk['rank']}" if lk["rank"] else (
            "not linking" if lk["indexed"] else "not indexed")
        out.append(f"  {lk['name']:<40} {where:<12} {lk['concept'] or ''} "
                   f"(works with A {lk['works_with_a']}, with C {lk['works_with_c']})")
    o = scores["open"]
    out.append(f"open discovery: {scores['c']} at rank {o['target_rank']} of "
               f"{o['n_targets']} targets; top: {', '.join(o['top'])}")
    out.append(f"targets (closed top {CLOSED_TOP}, open top {OPEN_TOP}): "
               f"{'met' if scores['targets']['met'] else 'not met'}")
    for m, r in scores["by_measure"].items():
        ranks = ", ".join(f"{v}" for v in r["closed_ranks"].values())
        out.append(f"  {m:<8} closed ranks {ranks}; open rank {r['open_rank']}")
    return out
