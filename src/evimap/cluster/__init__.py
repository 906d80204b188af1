"""Big runs on Dask: the same stages on many workers, Parquet parts, one merge.

``evimap ingest PATHS --workers N`` starts a local Dask cluster of N single-threaded worker
processes; ``--scheduler ADDRESS`` uses a running one (``dask-scheduler`` and
``dask-worker ADDRESS --nthreads 1`` on each machine, or any Dask deployment whose workers
have evimap installed and see the input files and the parts folder). The embedded ingest (no
flag) is unchanged.

1. **Plan** (here): the files to do (those not already stored with this content), each split
   into record ranges: a PubMed XML file (baseline ``.xml.gz``, ~30,000 records) into ranges
   of ``range_size`` records (counted by a quick scan of its bytes), any other file whole.
2. **Process** (workers): each task reads its range as a stream (records before it are
   parsed and skipped), runs :func:`evimap.pipeline.process` on each record and writes a
   part (:mod:`evimap.store.parts`) named by the input's content hash, the range and the
   pipeline version, atomically. A part already present is not computed again, so a killed
   run resumes and a repeated one does nothing new.
3. **Merge** (here): parts are merged into the store with DuckDB SQL, in plan order, one
   transaction per batch; a file's ``files`` row is written with its last part, so a run
   killed during the merge merges the rest next time, losing and duplicating nothing.
   Statements are then rebuilt as after any ingest.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from .. import __version__, assemble, dedup
from ..errors import ConfigError, InputError, ProcessingError
from ..model import ProcessedDocument
from ..pipeline import (
    MAX_FILE_ERRORS,
    FileResult,
    IngestReport,
    Resources,
    file_digest,
    load_resources,
    process,
)
from ..read import expand_paths, read_file
from ..settings import Settings
from ..store import Store
from ..store import parts as P

#: Records per task for a file that is split (a PubMed baseline file holds ~30,000).
RANGE_SIZE = 2000
#: Records processed and added to a part at a time (bounds a worker's memory).
WRITE_CHUNK = 256
#: Parts merged in one transaction, until they hold this many documents: each batch scans
#: the store's copy-detection tables once, so bigger batches merge a big store faster (the
#: client holds a batch's shingle sets: about 15 KB a document).
MERGE_DOCS = 20000

_PUBMED_NAME = re.compile(r"\.xml(\.gz)?$", re.I)
_RECORD_START = re.compile(rb"<Pubmed(?:Book)?Article[\s>]")


@dataclass(frozen=True)
class Task:
    """One part to make: a record range of one file."""

    path: str
    sha256: str
    size: int
    start: int
    stop: int | None
    name: str                   # the part's folder name


@dataclass
class Progress:
    """What a long run has done so far (given to the progress callback)."""

    parts_done: int = 0
    parts_total: int = 0
    documents: int = 0
    started: float = field(default_factory=time.perf_counter)
    stage: str = "process"          # process | merge | statements

    @property
    def docs_per_second(self) -> float:
        elapsed = time.perf_counter() - self.started
        return self.documents / elapsed if elapsed > 0 else 0.0


def pipeline_version(settings: Settings) -> str:
    """What a part depends on besides its input: evimap's version, its shipped models and
    vocabularies (their bytes) and the extractors chosen; 12 hex digits."""
    h = hashlib.sha256(f"{__version__}|{settings.extractors or 'all'}".encode())
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".tsv", ".crfsuite", ".txt", ".bin"):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def parts_root(settings: Settings, parts_dir: str | None = None) -> Path:
    """Where parts go: ``parts_dir``, else ``STORE.parts`` beside the store file."""
    return Path(parts_dir) if parts_dir else Path(f"{settings.db}.parts")


def count_records(path: Path) -> int | None:
    """How many PubMed records a PubMed XML file (gzipped or not) holds, by a quick scan of
    its bytes for record tags; None for another kind of file. A wrong count loses nothing:
    the last range of a file always reads to its end."""
    if not _PUBMED_NAME.search(path.name):
        return None
    opener: Callable[..., Any] = gzip.open if path.name.lower().endswith(".gz") else open
    count, tail = 0, b""
    try:
        with opener(path, "rb") as fh:
            chunk = fh.read(1 << 16)
            if b"<PubmedArticle" not in chunk:
                return None
            while chunk:
                data = tail + chunk
                # a tag that ends in the tail was counted with the previous chunk
                count += sum(1 for m in _RECORD_START.finditer(data) if m.end() > len(tail))
                tail = data[-32:]
                chunk = fh.read(1 << 20)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    return count


def plan(store: Store, paths: Sequence[str], settings: Settings, version: str,
         range_size: int = RANGE_SIZE) -> tuple[list[Task], list[FileResult], dict[str, Any]]:
    """The tasks of a run, the results known before it (unreadable paths, files already
    stored), and each planned file's previous documents (to remove what it no longer holds)."""
    files, path_errors = expand_paths(paths)
    settled = [FileResult(e.path, "error", errors=[str(e)]) for e in path_errors]
    hashed: list[tuple[Path, str, int]] = []
    for path in files:
        try:
            hashed.append((path, *file_digest(path)))
        except OSError as exc:
            settled.append(FileResult(str(path), "error", errors=[
                f"{path}: cannot read ({exc.strerror or exc})"]))
    states = store.file_states([(str(p), sha) for p, sha, _ in hashed])
    tasks: list[Task] = []
    previous: dict[str, Any] = {}
    for (path, sha, size), state in zip(hashed, states, strict=True):
        if state.done:
            settled.append(FileResult(str(path), "unchanged"))
            continue
        previous[str(path)] = (set(state.documents), state.recorded)
        n = count_records(path)
        bounds: list[tuple[int, int | None]] = [(0, None)]
        if n is not None and n > range_size:
            starts = list(range(0, n, range_size))
            bounds = [(a, a + range_size) for a in starts[:-1]] + [(starts[-1], None)]
        tasks += [Task(str(path), sha, size, a, b, P.part_name(sha, a, b, version))
                  for a, b in bounds]
    return tasks, settled, previous


# --- the worker side ----------------------------------------------------------------------------

_RESOURCES: dict[tuple[Any, ...], Resources] = {}


def _resources(settings: Settings) -> Resources:
    """The stages' resources, loaded once per worker process."""
    key = (settings.data_dir, settings.mesh_dir, settings.cache_dir, settings.ner_model,
           settings.extractors)
    if key not in _RESOURCES:
        _RESOURCES.clear()
        _RESOURCES[key] = load_resources(settings)
    return _RESOURCES[key]


def run_task(task: Task, settings: Settings, root: str) -> dict[str, Any]:
    """Make one part (on a worker): read the task's range, process each record, write the
    part. Returns its ``part.json`` data (an existing part's, untouched)."""
    started = time.perf_counter()
    folder = Path(root) / task.name
    if P.is_complete(folder):
        return P.PartInfo.read(folder).to_json()
    version = task.name.rsplit("-", 1)[-1]
    info = P.PartInfo(task.name, task.path, task.sha256, task.size, task.start, task.stop,
                      version=version)
    writer = P.PartWriter(Path(root), info, dedup.CopyRule.from_settings(settings))
    resources = _resources(settings)
    chunk: list[ProcessedDocument] = []
    try:
        items = islice(read_file(Path(task.path), settings), task.start, task.stop)
        for item in items:
            if isinstance(item, InputError):
                _part_error(info, str(item))
                continue
            try:
                chunk.append(process(item, resources))
            except ProcessingError as exc:      # a stage failed on it: skipped
                _part_error(info, str(exc))
            if len(chunk) >= WRITE_CHUNK:
                writer.add(chunk)
                chunk = []
    except InputError as exc:       # a read error ends the file: the records before it stay
        info.failure = exc.reason
        info.errors.append(str(exc))
    writer.add(chunk)
    info.seconds = round(time.perf_counter() - started, 3)
    info.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    writer.commit()
    return info.to_json()


def _part_error(info: P.PartInfo, message: str) -> None:
    """A bad record's message, kept among the part's first ``MAX_FILE_ERRORS``, else
    counted."""
    if len(info.errors) < MAX_FILE_ERRORS:
        info.errors.append(message)
    else:
        info.more_errors += 1


# --- the client side ----------------------------------------------------------------------------

@dataclass
class ClusterOptions:
    workers: int | None = None          # local cluster of N processes
    scheduler: str | None = None        # or a running scheduler's address
    parts_dir: str | None = None
    range_size: int = RANGE_SIZE
    memory_limit: str = "2GiB"          # per local worker (Dask pauses and restarts above)


def ingest_cluster(store: Store, paths: Sequence[str], settings: Settings,
                   options: ClusterOptions,
                   progress: Callable[[Progress], None] | None = None) -> IngestReport:
    """Ingest ``paths`` on a Dask cluster (see the module's description)."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover (a dependency)
        raise ConfigError(f"the Dask engine needs dask[distributed] ({exc})") from exc
    if options.workers is None and options.scheduler is None:
        raise ConfigError("give --workers N (a local cluster) or --scheduler ADDRESS")
    if options.workers is not None and options.workers < 1:
        raise ConfigError(f"--workers must be at least 1 (got {options.workers})")
    version = pipeline_version(settings)
    root = parts_root(settings, options.parts_dir)
    root.mkdir(parents=True, exist_ok=True)
    P.clean_temporary(root)
    tasks, settled, previous = plan(store, paths, settings, version, options.range_size)
    report = IngestReport(files=list(settled))
    state = Progress(parts_total=len(tasks))
    infos: dict[str, dict[str, Any]] = {}
    todo = [t for t in tasks if not P.is_complete(root / t.name)]
    for t in tasks:
        if t.name not in {x.name for x in todo}:
            infos[t.name] = P.PartInfo.read(root / t.name).to_json()
            state.parts_done += 1
    if todo:
        cluster = None
        if options.scheduler is None:
            cluster = LocalCluster(n_workers=options.workers, threads_per_worker=1,
                                   processes=True, dashboard_address=None,
                                   memory_limit=options.memory_limit, silence_logs=40)
        client = Client(options.scheduler or cluster)
        try:
            where = str(root.resolve())
            futures = [client.submit(run_task, t, settings, where, key=f"part-{t.name}",
                                     pure=False) for t in todo]
            failed: dict[str, str] = {}
            for fut in as_completed(futures):
                name = fut.key.removeprefix("part-") if isinstance(fut.key, str) else ""
                try:
                    data = fut.result()
                except Exception as exc:        # a bug in a stage: that part fails alone
                    failed[name] = f"{type(exc).__name__}: {exc}"
                    continue
                infos[data["name"]] = data
                state.parts_done += 1
                state.documents += int(data["documents"])
                if progress:
                    progress(state)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        for t in todo:
            if t.name in failed:
                infos[t.name] = {"failed": failed[t.name]}
    process_s = time.perf_counter() - state.started
    state.stage = "merge"
    if progress:
        progress(state)
    merge_started = time.perf_counter()
    report.files += _merge(store, tasks, infos, previous, root, settings)
    merge_s = time.perf_counter() - merge_started
    state.stage = "statements"
    if progress:
        progress(state)
    statements_started = time.perf_counter()
    report.statements = assemble.rebuild(store)
    made = [i for i in infos.values() if "name" in i and i["name"] in {t.name for t in todo}]
    report.details = {
        "engine": "dask", "workers": options.workers, "scheduler": options.scheduler,
        "parts": len(tasks), "parts_made": len(made), "parts_reused": len(tasks) - len(todo),
        "documents_processed": sum(int(i["documents"]) for i in made),
        "process_seconds": round(process_s, 3), "merge_seconds": round(merge_s, 3),
        "statements_seconds": round(time.perf_counter() - statements_started, 3),
        "worker_peak_rss_mb": max((float(i.get("peak_rss_mb", 0)) for i in made),
                                  default=None),
        "parts_dir": str(root)}
    return report


@dataclass
class _FileMerge:
    """What the merge found of one file so far (its parts may span batches)."""

    ids: set[str] = field(default_factory=set)
    added: int = 0
    records: int = 0


def _merge(store: Store, tasks: Sequence[Task], infos: dict[str, dict[str, Any]],
           previous: dict[str, Any], root: Path, settings: Settings) -> list[FileResult]:
    """Merge the parts in plan order, a transaction per batch of about ``MERGE_DOCS``
    documents; each file is recorded (and what it no longer holds removed) in the
    transaction of its last part."""
    from ..store import _now

    rule = dedup.CopyRule.from_settings(settings)
    last = {t.path: t for t in tasks}
    seen: dict[str, _FileMerge] = {}
    results: list[FileResult] = []
    batch: list[Task] = []
    docs = 0

    def flush() -> None:
        folders = [root / t.name for t in batch if "failed" not in infos.get(t.name, {})]
        with store.transaction():
            for path, found in P.merge_parts(store, folders, rule, _now()).items():
                acc = seen.setdefault(path, _FileMerge())
                acc.ids |= found.ids
                acc.added += found.added
                acc.records += found.records
            rows = []
            for t in batch:
                if last[t.path] is not t:
                    continue
                acc = seen.get(t.path, _FileMerge())
                result = _file_result(t.path, [x for x in tasks if x.path == t.path], infos,
                                      acc)
                old, recorded = previous.get(t.path, (set(), False))
                failure = next((infos[x.name]["failure"] for x in tasks if x.path == t.path
                                and infos.get(x.name, {}).get("failure")), None)
                if failure is None:
                    store.remove_documents(sorted(old - acc.ids))
                status = "error" if failure or result.status == "error" else "ok"
                rows.append((t.path, t.sha256, t.size, status,
                             failure or ("; ".join(result.errors) or None),
                             acc.records, recorded))
                results.append(result)
            store.record_files(rows)
            P.drop_temporary(store)

    for t in tasks:
        batch.append(t)
        docs += int(infos.get(t.name, {}).get("documents", 0))
        if docs >= MERGE_DOCS:
            flush()
            batch, docs = [], 0
    if batch:
        flush()
    return results


def _file_result(path: str, tasks: Sequence[Task], infos: dict[str, dict[str, Any]],
                 acc: _FileMerge) -> FileResult:
    result = FileResult(path, "added", added=acc.added, known=acc.records - acc.added)
    for t in tasks:
        info = infos.get(t.name, {})
        if "failed" in info:
            result.errors.append(f"{path}: records {t.start}-{t.stop or 'end'} failed "
                                 f"({info['failed']})")
        result.errors += [e for e in info.get("errors", []) if e not in result.errors]
        if info.get("more_errors"):
            result.errors.append(f"{path}: {info['more_errors']} more bad record(s) not listed")
    if result.errors:
        result.status = "partial" if (result.added or result.known) else "error"
    elif not result.added:
        result.status = "unchanged"
    return result


def iter_parts(root: Path) -> Iterator[Path]:
    """The complete parts under ``root`` (for querying in place)."""
    if root.is_dir():
        yield from sorted(p for p in root.iterdir() if P.is_complete(p))
