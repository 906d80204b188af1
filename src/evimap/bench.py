"""``evimap bench``: speed and memory, measured on real input, reported as JSON.

Two measurements: the processing stages in this process (documents per second per core,
seconds per stage; reading included, lexicon loading excluded), and the end-to-end ingest
into a fresh temporary store (with ``jobs`` worker processes). Never used in unit tests.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import InputError
from .pipeline import ingest, load_resources, process
from .read import expand_paths, read_file
from .settings import Settings
from .store import open_store


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine_speed() -> dict[str, Any]:
    """How fast this machine runs plain Python (nanoseconds per iteration of a simple loop,
    best of three): figures from two machines, or one machine on a busy day, compare after
    scaling by it."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return {"python_loop_ns": round(best * 1000, 1)}


def bench_ingest(paths: Sequence[str], settings: Settings, limit: int | None = None,
                 store: bool = True) -> dict[str, Any]:
    started = time.perf_counter()
    resources = load_resources(settings)
    lexicon_s = time.perf_counter() - started
    files, _ = expand_paths(paths)
    timings: dict[str, float] = {"read": 0.0}
    docs = chars = 0
    t0 = time.perf_counter()
    for path in files:
        t_read = time.perf_counter()
        try:
            items = list(read_file(path, settings))
        except InputError:
            continue
        timings["read"] += time.perf_counter() - t_read
        for raw in items:
            if isinstance(raw, InputError):
                continue
            if limit is not None and docs >= limit:
                break
            process(raw, resources, timings)
            docs += 1
            chars += len(raw.text)
    stage_s = time.perf_counter() - t0
    result: dict[str, Any] = {
        "machine": machine_speed(),
        "files": len(files), "docs": docs, "chars": chars,
        "resources_load_seconds": round(lexicon_s, 3),
        "process_seconds": round(stage_s, 3),
        "docs_per_second": round(docs / stage_s, 1) if stage_s else None,
        "stage_seconds": {k: round(v, 3) for k, v in sorted(timings.items())},
        "peak_rss_mb_after_process": _peak_rss_mb(),
    }
    if store and limit is None:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_store(Path(tmp) / "bench.duckdb")
            t1 = time.perf_counter()
            report = ingest(db, paths, replace(settings, db=str(Path(tmp) / "bench.duckdb")),
                            resources)
            ingest_s = time.perf_counter() - t1
            counts = db.counts()
            db.close()
        result["ingest"] = {
            "jobs": settings.jobs, "seconds": round(ingest_s, 3),
            "docs_per_second": round(report.added / ingest_s, 1) if ingest_s else None,
            "documents": counts["documents"], "claims": counts["claims"],
            "statements": counts["statements"], "errors": len(report.errors)}
    result["peak_rss_mb"] = _peak_rss_mb()
    return result
