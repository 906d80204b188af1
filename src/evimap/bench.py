"""``evimap bench``: speed and memory, measured on real input, reported as JSON.

``bench ingest`` takes two measurements: the processing stages in this process (documents
per second per core, seconds per stage; reading included, lexicon loading excluded), and the
end-to-end ingest into a fresh temporary store (with ``jobs`` worker processes). ``bench
scale`` measures the Dask engine on a corpus of real abstracts (:func:`bench_scale`). Never
used in unit tests.
"""

from __future__ import annotations

import json
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
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


def bench_scale(settings: Settings, out_dir: Path, n_docs: int = 20000, per_file: int = 2000,
                grow_to: int = 1_000_000, workers: int = 2, range_size: int = 500,
                log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The scale benchmark (``evimap bench scale``): a corpus of ``n_docs`` real abstracts as
    PubMed baseline-style files (:func:`evimap.scalebench.build_corpus`), ingested on a local
    Dask cluster with 1 and ``workers`` workers on its first half (documents per second,
    scaling efficiency, workers' peak memory), then all of it with ``workers`` (peak memory
    when the corpus doubles, merge and statement times); the last store grown to ``grow_to``
    claims and the ``evidence`` and statement lookups timed on it. Files are split into
    tasks of ``range_size`` records, so the workers' loads stay even."""
    from .api import Evimap
    from .cluster import ClusterOptions
    from .scalebench import build_corpus, grow_store, lookup_latency

    say = log or (lambda _msg: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "corpus"
    say(f"building a corpus of {n_docs} abstracts in {corpus}")
    started = time.perf_counter()
    built = build_corpus(settings.data_path(), corpus, n_docs=n_docs, per_file=per_file)
    built["seconds"] = round(time.perf_counter() - started, 1)
    files = sorted(str(p) for p in corpus.glob("*.xml.gz"))
    half = files[:max(1, len(files) // 2)]
    runs: dict[str, Any] = {}

    def run(name: str, paths: Sequence[str], n_workers: int) -> dict[str, Any]:
        db = out_dir / f"{name}.duckdb"
        for old in (db, Path(f"{db}.wal")):
            old.unlink(missing_ok=True)
        parts = out_dir / f"{name}.parts"
        if parts.exists():
            shutil.rmtree(parts)
        say(f"{name}: {len(paths)} file(s) on {n_workers} worker(s)")
        t0 = time.perf_counter()
        with Evimap(db, replace(settings, db=str(db))) as ev:
            report = ev.ingest_cluster(list(paths), ClusterOptions(
                workers=n_workers, parts_dir=str(parts), range_size=range_size))
            counts = ev.store.counts()
        seconds = time.perf_counter() - t0
        d = report.details
        result = {
            "workers": n_workers, "documents": counts["documents"],
            "claims": counts["claims"], "statements": counts["statements"],
            "seconds": round(seconds, 1),
            "docs_per_second": round(report.added / seconds, 1) if seconds else None,
            "process_seconds": d["process_seconds"],
            "process_docs_per_second": round(d["documents_processed"] / d["process_seconds"], 1)
            if d["process_seconds"] else None,
            "merge_seconds": d["merge_seconds"], "statements_seconds": d["statements_seconds"],
            "worker_peak_rss_mb": d["worker_peak_rss_mb"], "errors": len(report.errors)}
        runs[name] = result
        say(f"{name}: {json.dumps(result)}")
        return result

    one = run("half_1_worker", half, 1)
    two = run(f"half_{workers}_workers", half, workers)
    full = run(f"all_{workers}_workers", files, workers)
    efficiency = None
    if one["process_docs_per_second"] and two["process_docs_per_second"]:
        efficiency = round(two["process_docs_per_second"]
                           / (workers * one["process_docs_per_second"]), 3)
    grown_db = out_dir / "grown.duckdb"
    shutil.copy(out_dir / f"all_{workers}_workers.duckdb", grown_db)
    say(f"growing a copy of the full store to {grow_to} claims")
    grown = grow_store(grown_db, grow_to)
    with Evimap(grown_db, replace(settings, db=str(grown_db))) as ev:
        lookups = lookup_latency(ev)
    return {
        "machine": machine_speed(), "corpus": built, "runs": runs,
        "scaling_efficiency": efficiency,
        "peak_rss_mb_per_worker": {"half": two["worker_peak_rss_mb"],
                                   "all": full["worker_peak_rss_mb"]},
        "assemble_seconds": full["statements_seconds"],
        "grown_store": grown, "lookups": lookups}
