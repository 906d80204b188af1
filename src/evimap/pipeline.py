"""The pipeline: stages composed into ``process`` (one document) and ``ingest`` (files -> store).

``process`` is a pure function of a :class:`RawDocument` and the loaded resources, so it runs
unchanged in this process, in a local process pool (``jobs > 1``) or on a Dask worker.
``ingest`` owns the store: one transaction per input file (or per group of small new files,
stored together as if one by one), per-file errors recorded and reported, the batch going on,
and a re-ingest of unchanged files doing nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from . import assemble, dedup
from .claims import extract_claims, extractors, named
from .claims.cid import CidClassifier, load_cid
from .claims.pairs import MODEL_DIR as PAIRS_DIR
from .claims.pairs import MODEL_FILE as PAIRS_FILE
from .claims.pairs import load_pairs
from .claims.relation import MODEL_DIR as RELATION_DIR
from .claims.relation import MODEL_FILE as RELATION_FILE
from .claims.relation import load_relation
from .claims.study import shipped_tagger
from .clean import segment
from .entities import Lexicon, NerModel, load_lexicon, load_ner, recognise
from .errors import ConfigError, InputError, ProcessingError
from .model import CONTENT_KINDS, ProcessedDocument, RawDocument, Segment, Sentence
from .read import expand_paths, read_file
from .settings import Settings
from .sources import profile_source
from .store import FileState, Store
from .text import sentences as split_sentences
from .vocab.source_cues import source_cues


@dataclass(frozen=True)
class Resources:
    """What the stages read besides the document: loaded once per process."""

    lexicon: Lexicon
    ner: NerModel | None = None
    cid: CidClassifier | None = None
    relation: Any = None            # the learned relation model (claims/relation.py)
    pairs: Any = None               # the sentence-level pair model (claims/pairs.py)
    extractors: tuple[str, ...] | None = None   # the claim extractors to run (None: all)

    def models(self) -> dict[str, Any]:
        """The claim extractors' models by the name they register under."""
        return {"cid": self.cid, "relation": self.relation, "pairs": self.pairs}


def load_resources(settings: Settings) -> Resources:
    """The compiled lexicon, the NER model the settings name and the claim extractors'
    models (the CID classifier, the relation model) that the settings enable."""
    names = settings.extractor_names
    unknown = set(names or ()) - {e.name for e in extractors()}
    if unknown:
        raise ConfigError(f"unknown claim extractor(s) {', '.join(sorted(unknown))}; known: "
                          f"{', '.join(e.name for e in extractors())}")
    lexicon = load_lexicon(settings)
    ner = load_ner(settings)
    _warm(lexicon, ner)
    cid = load_cid(settings.mesh_path, lexicon) if names is None or "cid" in names else None
    relation = None
    if (names is None or "relation" in names) and (RELATION_DIR / RELATION_FILE).is_file():
        relation = load_relation(settings.mesh_path, lexicon,
                                 mesh=cid.mesh if cid is not None else None)
    pairs = None
    if (names is None or "pairs" in names) and (PAIRS_DIR / PAIRS_FILE).is_file():
        pairs = load_pairs()
    return Resources(lexicon, ner, cid, relation, pairs, names)


def _warm(lexicon: Lexicon, ner: NerModel | None) -> None:
    """Build once, with the resources, what the stages would otherwise build on the first
    document: the lexicon's key prefixes, the NER model's index of names for fuzzy look-ups,
    the source-kind cues' regexes, the PICO tagger."""
    lexicon.prefixes  # noqa: B018 (computed on first use)
    if ner is not None:
        ner.fuzzy_index(lexicon)
    source_cues()
    shipped_tagger()


#: Source kinds of research literature (the entity model's training domain).
RESEARCH_KINDS = frozenset({"peer_reviewed", "review"})


def sentences_of(text: str, segments: Sequence[Segment]) -> list[Sentence]:
    """Sentences of every content segment (title, abstract, body, comment)."""
    return [Sentence(s, e, i) for i, seg in enumerate(segments) if seg.kind in CONTENT_KINDS
            for s, e in split_sentences(text, seg.start, seg.end)]


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    if timings is None:
        yield
        return
    started = time.perf_counter()
    yield
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def process(raw: RawDocument, resources: Resources,
            timings: dict[str, float] | None = None) -> ProcessedDocument:
    """Run stages 2-6 on one document (dedup keys included; work assignment is the store's).

    ``timings``, when given, accumulates seconds per stage (for ``evimap bench``). An
    unexpected error in a stage raises :class:`ProcessingError` naming the record, the stage
    and the reason: the caller skips the record and goes on.
    """
    stage = "segment"
    try:
        with _timed(timings, "segment"):
            segments = segment(raw)
        stage = "classify"
        with _timed(timings, "classify"):
            profile = profile_source(raw, segments)
        stage = "sentences"
        with _timed(timings, "sentences"):
            sents = sentences_of(raw.text, segments)
        stage = "entities"
        with _timed(timings, "entities"):
            mentions = recognise(raw.text, segments, sents, resources.lexicon, resources.ner,
                                 lay=profile.kind not in RESEARCH_KINDS)
        stage = "claims"
        with _timed(timings, "claims"):
            claims = named(extract_claims(raw.text, segments, sents, mentions, profile,
                                          raw.metadata, models=resources.models(),
                                          only=resources.extractors),
                           resources.lexicon.concept)
        stage = "dedup"
        with _timed(timings, "dedup_keys"):
            main = dedup.main_text(segments)
            content_hash, signature = dedup.content_hash(main), dedup.minhash(main)
    except Exception as exc:        # a bug on this record: the batch goes on without it
        raise ProcessingError(record_label(raw), stage, exc) from exc
    return ProcessedDocument(
        raw=raw, segments=segments, profile=profile, sentences=sents, mentions=mentions,
        claims=claims, content_hash=content_hash, minhash=signature)


_T = TypeVar("_T")


def record_label(raw: RawDocument) -> str:
    """How messages name a record: its file, and its number in a file of several."""
    return f"{raw.path} (record {raw.record + 1})" if raw.record else raw.path


# --- ingest -----------------------------------------------------------------------------------

@dataclass
class FileResult:
    path: str
    status: str                     # added | unchanged | error | partial
    added: int = 0                  # new documents stored
    known: int = 0                  # documents already in the store
    errors: list[str] = field(default_factory=list)
    more_errors: int = 0            # record errors beyond the first MAX_FILE_ERRORS, counted

    def record_error(self, message: str) -> None:
        """A bad record's message, kept among the first ``MAX_FILE_ERRORS``, else counted
        (a file of millions of bad records must not fill memory or the screen)."""
        if len(self.errors) < MAX_FILE_ERRORS:
            self.errors.append(message)
        else:
            self.more_errors += 1


#: Record errors kept per file; the rest are counted (``FileResult.more_errors``).
MAX_FILE_ERRORS = 100


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    statements: int = 0
    #: how the run went, by engine (the Dask engine: parts, seconds per phase, worker memory)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def errors(self) -> list[str]:
        return [e for f in self.files for e in f.errors]

    def summary(self) -> dict[str, int]:
        by_status: dict[str, int] = {}
        for f in self.files:
            by_status[f.status] = by_status.get(f.status, 0) + 1
        return {"files": len(self.files), "documents_added": self.added,
                "documents_known": sum(f.known for f in self.files),
                "errors": len(self.errors), "statements": self.statements, **{
                    f"files_{k}": v for k, v in sorted(by_status.items())}}


def file_digest(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file's bytes."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


_WORKER_RESOURCES: Resources | None = None


def _worker_init(settings: Settings, parent: int | None = None) -> None:
    global _WORKER_RESOURCES
    if parent is not None:
        die_with_parent(parent)
    _WORKER_RESOURCES = load_resources(settings)


def die_with_parent(parent: int) -> None:
    """End this worker process when its parent ``parent`` ends, however it ends (kill -9
    included): on Linux the kernel is asked to (``PR_SET_PDEATHSIG``); everywhere, a
    watcher thread checks the parent every second."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)           # PR_SET_PDEATHSIG
    if os.getppid() != parent:                  # the parent died before the above
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="evimap-parent-watch", daemon=True).start()


def _worker_process(raw: RawDocument) -> ProcessedDocument | str:
    assert _WORKER_RESOURCES is not None, "worker not initialised"
    try:
        return process(raw, _WORKER_RESOURCES)
    except ProcessingError as exc:
        return str(exc)             # (the message travels back; the exception may not pickle)


def _read_all(path: Path, settings: Settings,
              result: FileResult) -> Iterator[RawDocument]:
    for item in read_file(path, settings):
        if isinstance(item, InputError):
            result.record_error(str(item))
        else:
            yield item


def ingest(store: Store, paths: Sequence[str], settings: Settings,
           resources: Resources | None = None,
           progress: Callable[[FileResult], None] | None = None,
           on_record: Callable[[], None] | None = None) -> IngestReport:
    """Read, process and store every file under ``paths``; never stops on a bad file.
    ``progress`` hears of each file when it is done, ``on_record`` of each record processed
    (a big file's progress)."""
    report = IngestReport()
    files, path_errors = expand_paths(paths)
    for err in path_errors:
        report.files.append(FileResult(err.path, "error", errors=[str(err)]))
    resources = resources or load_resources(settings)
    pool = (ProcessPoolExecutor(settings.jobs, initializer=_worker_init,
                                initargs=(settings, os.getpid())) if settings.jobs > 1
            else None)
    try:
        with store.single_threaded():
            for block in _chunks(files, GROUP_FILES):
                engine = _Engine(resources, pool, on_record)
                for result in _ingest_block(store, block, settings, engine):
                    report.files.append(result)
                    if progress:
                        progress(result)
    finally:
        if pool:
            pool.shutdown()
    report.statements = assemble.rebuild(store)
    return report


@dataclass(frozen=True)
class _Engine:
    """What processes records: the resources, a process pool or none, who hears of each."""

    resources: Resources
    pool: ProcessPoolExecutor | None
    on_record: Callable[[], None] | None = None


def _process_many(raws: Iterable[RawDocument], engine: _Engine
                  ) -> Iterator[ProcessedDocument | str]:
    """Each record processed, in order, or the message of the stage that failed on it."""
    if engine.pool is None:
        done: Iterator[ProcessedDocument | str] = (_process_or_message(raw, engine.resources)
                                                   for raw in raws)
    else:
        done = engine.pool.map(_worker_process, raws, chunksize=8)
    for pd in done:
        if engine.on_record is not None:
            engine.on_record()
        yield pd


def _process_or_message(raw: RawDocument, resources: Resources) -> ProcessedDocument | str:
    try:
        return process(raw, resources)
    except ProcessingError as exc:
        return str(exc)


def _kept(processed: Iterable[ProcessedDocument | str], result: FileResult
          ) -> list[ProcessedDocument]:
    """The processed documents; the records a stage failed on go to the file's errors."""
    out = []
    for pd in processed:
        if isinstance(pd, str):
            result.errors.append(pd)
        else:
            out.append(pd)
    return out


#: Records processed and written together: bounds memory, amortises store round trips.
CHUNK = 256
#: Files looked up in the store together; the new small ones among them (at most ``CHUNK``
#: records each) are stored together, in one transaction of up to ``CHUNK`` records.
GROUP_FILES = 64


def _chunks(items: Iterable[_T], size: int = CHUNK) -> Iterator[list[_T]]:
    chunk: list[_T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _Pending:
    """A small new file read and waiting to be stored with the others of its group."""

    path: Path
    sha: str
    size: int
    recorded: bool
    result: FileResult
    raws: list[RawDocument] = field(default_factory=list)
    failure: InputError | None = None       # a read error ended the file (after ``raws``)


def _ingest_block(store: Store, block: Sequence[Path], settings: Settings,
                  engine: _Engine) -> Iterator[FileResult]:
    """Ingest a block of files, results in file order. Their states come from one query. A
    new file of at most ``CHUNK`` records joins a group stored in one transaction, so a
    folder of pages costs a few statements per group rather than per file; a bigger file,
    or one whose content changed (its old documents are replaced), goes alone through
    :func:`_ingest_file`, records streamed."""
    hashed: list[tuple[Path, str, int] | FileResult] = []
    for path in block:
        try:
            sha, size = file_digest(path)
        except OSError as exc:
            hashed.append(FileResult(str(path), "error", errors=[
                f"{path}: cannot read ({exc.strerror or exc})"]))
            continue
        hashed.append((path, sha, size))
    states = iter(store.file_states([(str(h[0]), h[1]) for h in hashed
                                     if not isinstance(h, FileResult)]))
    group: list[_Pending | FileResult] = []
    records = 0
    for item in hashed:
        if isinstance(item, FileResult):
            group.append(item)
            continue
        path, sha, size = item
        state = next(states)
        if state.done:
            group.append(FileResult(str(path), "unchanged"))
            continue
        if state.documents:
            yield from _store_group(store, group, settings, engine)
            group, records = [], 0
            yield _ingest_file(store, path, sha, size, state, settings, engine)
            continue
        pending = _Pending(path, sha, size, state.recorded, FileResult(str(path), "added"))
        failure: list[InputError] = []
        stream = _read_all(path, settings, pending.result)
        pending.raws = list(islice(_until_error(stream, failure), CHUNK + 1))
        pending.failure = failure[0] if failure else None
        if len(pending.raws) > CHUNK:
            yield from _store_group(store, group, settings, engine)
            group, records = [], 0
            yield _ingest_file(store, path, sha, size, state, settings, engine,
                               chain(pending.raws, stream), pending.result)
            continue
        group.append(pending)
        records += len(pending.raws)
        if records >= CHUNK:
            yield from _store_group(store, group, settings, engine)
            group, records = [], 0
    yield from _store_group(store, group, settings, engine)


def _store_group(store: Store, group: Sequence[_Pending | FileResult], settings: Settings,
                 engine: _Engine) -> Iterator[FileResult]:
    """Process and store a group of small new files in one transaction (all or none)."""
    pending = [p for p in group if isinstance(p, _Pending)]
    if pending:
        stored = store.known_documents([raw.id for p in pending for raw in p.raws])
        new: list[RawDocument] = []
        owner: list[_Pending] = []          # the file of each new record
        taken: set[str] = set()             # new in this group
        aliases: list[tuple[str, str]] = []
        for p in pending:
            seen: set[str] = set()
            for raw in p.raws:
                doc_id = raw.id
                if doc_id in seen or doc_id in stored or doc_id in taken:
                    if doc_id not in seen:
                        aliases.append((doc_id, str(p.path)))
                    p.result.known += 1
                else:
                    new.append(raw)
                    owner.append(p)
                    taken.add(doc_id)
                    p.result.added += 1
                seen.add(doc_id)
        processed: list[ProcessedDocument] = []
        for p, pd in zip(owner, _process_many(new, engine), strict=True):
            if isinstance(pd, str):         # a stage failed on this record: skipped
                p.result.errors.append(pd)
                p.result.added -= 1
            else:
                processed.append(pd)
        kept = stored | {pd.raw.id for pd in processed}
        aliases = [(doc_id, path) for doc_id, path in aliases if doc_id in kept]
        rows: list[tuple[str, str, int, str, str | None, int, bool]] = []
        for p in pending:
            result = p.result
            if p.failure is not None:       # the records before a read error are kept
                result.errors.append(str(p.failure))
                rows.append((str(p.path), p.sha, p.size, "error", p.failure.reason,
                             result.added + result.known, p.recorded))
                continue
            status = "error" if result.errors and not (result.added or result.known) else "ok"
            rows.append((str(p.path), p.sha, p.size, status, "; ".join(result.errors) or None,
                         result.added + result.known, p.recorded))
        with store.transaction():
            store.add_documents(processed, dedup.CopyRule.from_settings(settings))
            for doc_id, path in aliases:
                store.add_path_alias(doc_id, path)
            store.record_files(rows)
    for item in group:
        result = item.result if isinstance(item, _Pending) else item
        if isinstance(item, _Pending):
            _settle(result)
        yield result


def _settle(result: FileResult) -> None:
    """A stored file's status from what it added, knew and failed on."""
    if result.more_errors:
        result.errors.append(f"{result.path}: {result.more_errors} more bad record(s) not "
                             "listed")
        result.more_errors = 0
    if result.errors:
        result.status = "partial" if (result.added or result.known) else "error"
    elif not result.added:
        result.status = "unchanged"


def _ingest_file(store: Store, path: Path, sha: str, size: int, state: FileState,
                 settings: Settings, engine: _Engine,
                 records: Iterable[RawDocument] | None = None,
                 result: FileResult | None = None) -> FileResult:
    """Ingest one file, its records (read from ``path`` unless given) processed and stored
    ``CHUNK`` at a time, each chunk in its own transaction: an interrupted file keeps what
    was stored and a re-run finishes it (stored records are known, never stored twice).
    The file's ``files`` row, and the removal of the documents it no longer holds, come
    with its end. A read error part-way keeps the records before it; the file is recorded
    with the error, so a re-run tries it again."""
    spath = str(path)
    result = result or FileResult(spath, "added")
    if records is None:
        records = _read_all(path, settings, result)
    previous = set(state.documents)
    seen: set[str] = set()
    rule = dedup.CopyRule.from_settings(settings)
    failure: list[InputError] = []
    for chunk in _chunks(_until_error(records, failure), CHUNK):
        new, aliases = _new_records(store, chunk, spath, seen, result)
        processed = _kept(_process_many(new, engine), result)
        with store.transaction():
            store.add_documents(processed, rule)
            for doc_id in aliases:
                store.add_path_alias(doc_id, spath)
        result.added += len(processed)
    with store.transaction():
        if failure:
            exc = failure[0]
            result.errors.append(str(exc))
            store.record_file(spath, sha, size, "error", exc.reason,
                              result.added + result.known, recorded=state.recorded)
        else:
            store.remove_documents(sorted(previous - seen))
            status = "error" if result.errors and not (result.added or result.known) else "ok"
            store.record_file(spath, sha, size, status, "; ".join(result.errors) or None,
                              result.added + result.known, recorded=state.recorded)
    _settle(result)
    return result


def _until_error(records: Iterable[RawDocument], failure: list[InputError]
                 ) -> Iterator[RawDocument]:
    """The records, until a read error ends the stream (kept in ``failure``). Closing this
    generator leaves ``records`` open (no ``yield from``), so a caller may read on from it."""
    it = iter(records)
    while True:
        try:
            item = next(it)
        except StopIteration:
            return
        except InputError as exc:
            failure.append(exc)
            return
        yield item


def _new_records(store: Store, chunk: Sequence[RawDocument], path: str, seen: set[str],
                 result: FileResult) -> tuple[list[RawDocument], list[str]]:
    """The records of a chunk not stored yet, and the stored ones found again here (this
    path is remembered for them)."""
    stored = store.known_documents([raw.id for raw in chunk])
    new = []
    aliases = []
    for raw in chunk:
        doc_id = raw.id
        if doc_id in seen or doc_id in stored:
            if doc_id not in seen:
                aliases.append(doc_id)
            result.known += 1
        else:
            new.append(raw)
        seen.add(doc_id)
    return new, aliases
