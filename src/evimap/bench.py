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


# --- bench serve -------------------------------------------------------------------------------

#: The requests of ``bench serve``, as a reader's browsing mixes them: (kind, weight, path
#: template); ``{key}``, ``{doc}``, ``{concept}`` and ``{offset}`` are drawn from the store.
SERVE_MIX: tuple[tuple[str, int, str], ...] = (
    ("map page", 10, "/"),
    ("stats", 10, "/api/stats"),
    ("map", 10, "/api/map"),
    ("statements", 15, "/api/statements?limit=20&offset={offset}"),
    ("statement", 15, "/api/statements/{key}"),
    ("statement page", 10, "/statements/{key}"),
    ("claims", 10, "/api/claims?limit=20&offset={offset}"),
    ("document", 10, "/api/documents/{doc}"),
    ("concept", 10, "/api/concepts/{concept}"),
)


def bench_serve(settings: Settings, db: Path, clients: int = 100, requests: int = 3000,
                max_seconds: float = 120.0, think_ms: float = 0.0,
                log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The server under load (``evimap bench serve``): ``evimap serve`` started on a free
    loopback port over the store ``db`` (never another machine), then ``clients``
    concurrent clients, each on its own keep-alive connection, send ``requests`` requests
    in all (at most ``max_seconds``), drawn from :data:`SERVE_MIX` (statements, documents
    and concepts of the store; the same draw every run), each client waiting about
    ``think_ms`` between its requests (half to one and a half times it; 0: at once, the
    hardest case) and starting after a random share of it. The load starts once the server
    has loaded its lexicon and models (``/api/health``): the loading holds Python for up
    to a quarter second at a time, a cost of the first seconds after a start, not of the
    server under load (``ready_seconds`` says how long it took). Returns latency
    percentiles (ms) overall and per kind, requests per second, errors, the store's counts
    and the state of the machine: its speed just before and just after the load
    (:func:`machine_speed`: on this shared machine it halves at times, and the latencies
    with it), the shares of its CPU time idle and taken by the hypervisor meanwhile, and its
    load."""
    import asyncio
    import os
    import subprocess
    import sys

    say = log or (lambda _msg: None)
    if not db.exists():
        raise InputError(str(db), "no such store (run `evimap ingest` into it first)")
    port = _free_port()
    command = [sys.executable, "-m", "evimap.cli", "--db", str(db), "--data-dir",
               settings.data_dir, "--cache-dir", settings.cache_dir]
    if settings.mesh_dir:
        command += ["--mesh-dir", settings.mesh_dir]
    # the server's log goes to a file: a pipe nobody reads would stall it once full
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log_file:
        server = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=log_file, text=True)
        try:
            say(f"server starting on 127.0.0.1:{port}")
            launched = time.perf_counter()
            counts = _wait_until_up(server, port, log_file)
            resources = _wait_until_ready(port)
            ready = time.perf_counter() - launched
            paths = _serve_paths(port, requests, counts)
            say(f"warming up ({len(SERVE_MIX)} kinds of request)")
            asyncio.run(_load(port, list(dict(paths).items()), 1, 0.0, 60.0))
            say(f"{clients} clients, {len(paths)} requests")
            speed_before = machine_speed()["python_loop_ns"]
            cpu_before = _cpu_times()
            started = time.perf_counter()
            results = asyncio.run(_load(port, paths, clients, think_ms / 1000, max_seconds))
            seconds = time.perf_counter() - started
            cpu_share = _cpu_share(cpu_before, _cpu_times())
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    latencies = sorted(ms for _, ms, ok in results if ok)
    by_kind: dict[str, list[float]] = {}
    for kind, ms, ok in results:
        if ok:
            by_kind.setdefault(kind, []).append(ms)
    return {
        "machine": {"python_loop_ns_before": speed_before, **machine_speed(),
                    "cpus": os.cpu_count(), **cpu_share,
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "store": {"path": str(db), **counts},
        "ready_seconds": round(ready, 2), "resources": resources,
        "clients": clients, "think_ms": think_ms, "requests": len(results),
        "errors": sum(1 for _, _, ok in results if not ok),
        "seconds": round(seconds, 2),
        "requests_per_second": round(len(results) / seconds, 1) if seconds else None,
        "latency_ms": _percentiles(latencies),
        "by_kind": {k: {"n": len(v), **_percentiles(sorted(v))}
                    for k, v in sorted(by_kind.items())},
    }


def _cpu_times() -> list[int] | None:
    """The machine's CPU time so far by state (``/proc/stat``: user, nice, system, idle,
    iowait, irq, softirq, steal), or None where there is no such file."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            return [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def _cpu_share(before: list[int] | None, after: list[int] | None) -> dict[str, float]:
    """The shares of the machine's CPU time between two :func:`_cpu_times` that were idle
    and that the hypervisor gave to other machines (``steal``): on a shared virtual machine,
    the second takes the first away and slows every request."""
    if not before or not after or len(before) < 8 or len(after) < 8:
        return {}
    spent = [a - b for a, b in zip(after, before, strict=True)]
    total = sum(spent) or 1
    return {"cpu_idle_share": round((spent[3] + spent[4]) / total, 3),
            "cpu_steal_share": round(spent[7] / total, 3)}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentiles(ms: Sequence[float]) -> dict[str, float | None]:
    def at(q: float) -> float | None:
        return round(ms[min(len(ms) - 1, int(q * len(ms)))], 1) if ms else None

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99),
            "max": round(ms[-1], 1) if ms else None}


def _get_json(port: int, path: str) -> Any:
    import http.client

    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        con.request("GET", path)
        response = con.getresponse()
        body = response.read()
        if response.status != 200:
            raise InputError(path, f"the server answered {response.status}")
        return json.loads(body)
    finally:
        con.close()


def _wait_until_up(server: Any, port: int, log: Any, timeout: float = 120.0
                   ) -> dict[str, int]:
    """The store's counts once the server answers; the server's error if it stopped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise InputError("evimap serve", log.read().strip()[-500:]
                             or f"exited with status {server.returncode}")
        try:
            return dict(_get_json(port, "/api/stats"))
        except (OSError, InputError):
            time.sleep(0.2)
    raise InputError("evimap serve", f"did not answer within {timeout:.0f}s")


def _wait_until_ready(port: int, timeout: float = 120.0) -> str:
    """The server's ``resources`` once they are no longer loading (``ready``, or
    ``unavailable``: the load is then measured without them)."""
    deadline = time.monotonic() + timeout
    while True:
        resources = str(_get_json(port, "/api/health").get("resources"))
        if resources != "loading" or time.monotonic() > deadline:
            return resources
        time.sleep(0.1)


def _serve_paths(port: int, n: int, counts: dict[str, int]) -> list[tuple[str, str]]:
    """``n`` requests (kind, path) drawn from :data:`SERVE_MIX` over the store's own keys."""
    import random

    keys = [s["key"] for s in _get_json(port, "/api/statements?limit=500")["items"]]
    docs = [d["id"] for d in _get_json(port, "/api/documents?limit=500")["items"]]
    concepts = [c["id"] for c in _get_json(port, "/api/concepts?limit=500")["items"]]
    if not keys or not docs or not concepts:
        raise InputError("bench serve", "the store holds no statements (ingest first)")
    rng = random.Random(20240601)
    kinds = [k for k, w, _ in SERVE_MIX for _ in range(w)]
    template = {k: t for k, _, t in SERVE_MIX}
    top = max(1, min(counts.get("statements", 0), counts.get("claims", 0)) - 20)
    out = []
    for _ in range(n):
        kind = rng.choice(kinds)
        out.append((kind, template[kind].format(
            key=rng.choice(keys), doc=rng.choice(docs), concept=rng.choice(concepts),
            offset=rng.randrange(0, top, 20))))
    return out


async def _load(port: int, paths: Sequence[tuple[str, str]], clients: int, think: float,
                max_seconds: float) -> list[tuple[str, float, bool]]:
    """Send ``paths`` from ``clients`` concurrent keep-alive connections; (kind, latency in
    ms, whether it answered 200) for each request sent before ``max_seconds``."""
    import asyncio
    import random

    results: list[tuple[str, float, bool]] = []
    todo = iter(paths)
    deadline = time.perf_counter() + max_seconds

    async def client(number: int) -> None:
        # a reader pauses between clicks for a while that varies (half to one and a half
        # times ``think``), and readers do not arrive together: each starts after a random
        # share of one pause (the same draw every run), so that clients are not in step
        rng = random.Random(number)
        if think:
            await asyncio.sleep(rng.uniform(0, think))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        cookie = ""
        try:
            for kind, path in todo:
                if time.perf_counter() > deadline:
                    return
                started = time.perf_counter()
                try:
                    status, cookie_set, closed = await _http_get(reader, writer, port, path,
                                                                 cookie)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    status, cookie_set, closed = 0, "", True
                results.append((kind, (time.perf_counter() - started) * 1000, status == 200))
                cookie = cookie_set or cookie
                if closed:
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                if think:
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        finally:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    return results


async def _http_get(reader: Any, writer: Any, port: int, path: str, cookie: str
                    ) -> tuple[int, str, bool]:
    """One GET on a keep-alive connection: (status, the session cookie set, whether the
    server closed the connection)."""
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    cookie_set = ""
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
        if name.strip().lower() == "set-cookie" and value.strip().startswith("evimap_session"):
            cookie_set = value.strip().split(";", 1)[0]
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, cookie_set, headers.get("connection", "").lower() == "close"
