"""The store: one DuckDB file with a documented, versioned schema (``schema.sql``).

Writes go through :meth:`Store.add_documents` inside :meth:`Store.transaction`, one
transaction per input file, so a bad file never leaves half its records behind and a
re-ingest of the same content changes nothing. Deduplication is a join here: exact copies
share a content hash, near copies share an LSH band or shingle-sketch hashes and pass the
copy rule; works are the connected components over them (:mod:`evimap.store.works`).
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb

from .. import dedup
from ..errors import StoreError
from ..model import ProcessedDocument, stable_id
from . import lookup, works
from .absent import remember_absent
from .access import connect
from .sql import in_list, json_list, listed

_T = TypeVar("_T")

remember_absent()

SCHEMA_VERSION = 7
#: A step of an upgrade: an SQL statement, or a function of the store for what SQL cannot do.
MigrationStep = str | Callable[["Store"], None]
#: Older schema versions this evimap upgrades in place: version -> the steps that take a store
#: of that version to the next one (applied in turn up to ``SCHEMA_VERSION``).
MIGRATIONS: dict[int, tuple[MigrationStep, ...]] = {
    2: ("ALTER TABLE evidence ADD COLUMN IF NOT EXISTS rule VARCHAR",),
    # version 4: works are connected components over copies found by containment or Jaccard
    3: ("ALTER TABLE minhash ADD COLUMN IF NOT EXISTS n_shingles INTEGER",
        "ALTER TABLE minhash ADD COLUMN IF NOT EXISTS n_sketch INTEGER",
        "CREATE TABLE IF NOT EXISTS shingle_sketch (hash UINTEGER NOT NULL, "
        "doc_id VARCHAR NOT NULL)",
        "CREATE TABLE IF NOT EXISTS copy_pairs (doc_a VARCHAR NOT NULL, doc_b VARCHAR NOT NULL, "
        "containment DOUBLE NOT NULL, jaccard DOUBLE NOT NULL, part VARCHAR, "
        "PRIMARY KEY (doc_a, doc_b))",
        lambda store: works.rebuild(store, dedup.CopyRule(), _now())),
    # version 5: discovery's concept index (filled by the next refresh; see schema.sql)
    4: ("CREATE TABLE IF NOT EXISTS index_documents (doc_id VARCHAR PRIMARY KEY, year SMALLINT)",
        "CREATE TABLE IF NOT EXISTS index_terms (doc_id VARCHAR NOT NULL, concept_id VARCHAR "
        "NOT NULL, source VARCHAR NOT NULL, in_title BOOLEAN NOT NULL, "
        "PRIMARY KEY (doc_id, concept_id))",
        "CREATE TABLE IF NOT EXISTS index_concepts (id VARCHAR PRIMARY KEY, name VARCHAR NOT "
        "NULL, type VARCHAR NOT NULL, trees VARCHAR[])",
        "CREATE VIEW IF NOT EXISTS cooccurrence AS SELECT a.concept_id AS concept_a, "
        "b.concept_id AS concept_b, i.year, count(DISTINCT d.work_id) AS n_works "
        "FROM index_terms a JOIN index_terms b ON b.doc_id = a.doc_id AND a.concept_id < "
        "b.concept_id JOIN index_documents i ON i.doc_id = a.doc_id JOIN documents d ON "
        "d.id = a.doc_id GROUP BY a.concept_id, b.concept_id, i.year"),
    # version 6: curation (a reader's verdict on a claim; see schema.sql)
    5: ("CREATE TABLE IF NOT EXISTS curation (claim_id VARCHAR PRIMARY KEY, verdict VARCHAR "
        "NOT NULL, note VARCHAR, curated_at TIMESTAMP NOT NULL)",),
    # version 7: the claims' lookup table (evimap.store.lookup), filled from the claims
    6: (lookup.CREATE_SQL, lookup.refresh),
}
#: Bytes of values :meth:`Store.recall` keeps (pickled), the least recently used dropped first.
RECALL_BYTES = 32 * 2**20
#: Seconds a read-only opening waits while another process writes the store (a server's
#: upload), and a shared store's write waits while other processes read it.
LOCK_WAIT = 10.0


def _schema_sql() -> str:
    return resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class FileState:
    """What the store holds of one input file (see :meth:`Store.file_state`)."""

    done: bool                      # this content was ingested from this path without error
    recorded: bool                  # a ``files`` row for this path and content exists
    documents: list[str]            # the documents stored from this path


class Store:
    """A DuckDB evidence store. Use :func:`open_store` to get one.

    ``read_only``: opened for reading, beside other processes that read it. ``shared``:
    read-only too, except inside :meth:`writing`, which holds the store for writing for its
    block, so other processes (the CLI, a notebook) may read the store between writes.
    After :meth:`use_cursors`, each thread queries through a cursor of its own (a DuckDB
    connection is not safe across threads; its cursors run side by side). ``generation``
    counts the writes made through this object: what was computed from the store stays
    valid while it is unchanged."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str, *, read_only: bool = False,
                 shared: bool = False) -> None:
        self._con: duckdb.DuckDBPyConnection | None = con
        self.path = path
        self.read_only = read_only or shared
        self.shared = shared
        self.generation = 0
        self._types: dict[str, list[str]] = {}
        self._pooled = False
        self._epoch = 0
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._cursor_lock = threading.Lock()
        self._closed = False
        self._writing = 0
        self._threads: int | None = None
        self._memo: dict[str, tuple[int, Any]] = {}
        self._recalled: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._recalled_bytes = 0
        self._recall_lock = threading.Lock()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection this thread uses (its own cursor after :meth:`use_cursors`)."""
        if self._con is None:
            if self._closed:
                raise StoreError(f"the store {self.path} was closed")
            self._connect(read_only=self.read_only)
        assert self._con is not None
        if not self._pooled:
            return self._con
        local = self._local
        if getattr(local, "epoch", -1) != self._epoch:
            cursor = self._con.cursor()
            with self._cursor_lock:
                self._cursors.append(cursor)
            local.cursor, local.epoch = cursor, self._epoch
        return local.cursor

    @property
    def writable(self) -> bool:
        return not self.read_only

    @property
    def remembers(self) -> bool:
        """Whether :meth:`memo` and :meth:`recall` remember (the store is held for reading)."""
        return self.read_only and not self._writing

    def memo(self, key: str, compute: Callable[[], _T]) -> _T:
        """``compute()``, remembered while the store is unchanged, for a store held for
        reading (``read_only``, or ``shared`` between writes): no other process can write
        it meanwhile, and this one writes only inside :meth:`writing`, which ends the
        generation. A store held for writing computes it every time (its connection may
        write without saying so)."""
        if not self.remembers:
            return compute()
        hit = self._memo.get(key)
        if hit is not None and hit[0] == self.generation:
            return cast(_T, hit[1])
        generation = self.generation
        value = compute()
        self._memo[key] = (generation, value)
        return value

    def recall(self, key: str, compute: Callable[[], _T]) -> _T:
        """``compute()``, remembered as :meth:`memo` remembers, for values of which there
        are as many as rows (a statement with its evidence, by its key): the most recently
        used are kept, pickled, within ``RECALL_BYTES`` (a value over an eighth of it is not
        kept), and each call gets a copy of its own, which it may change."""
        if not self.remembers:
            return compute()
        generation = self.generation
        with self._recall_lock:
            hit = self._recalled.get(key)
            if hit is not None and hit[0] == generation:
                self._recalled.move_to_end(key)
        if hit is not None and hit[0] == generation:
            return cast(_T, pickle.loads(hit[1]))
        value = compute()
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with self._recall_lock:
            if generation == self.generation and len(data) <= RECALL_BYTES // 8:
                old = self._recalled.pop(key, None)
                self._recalled_bytes += len(data) - (len(old[1]) if old else 0)
                self._recalled[key] = (generation, data)
                while self._recalled_bytes > RECALL_BYTES:
                    _, (_, dropped) = self._recalled.popitem(last=False)
                    self._recalled_bytes -= len(dropped)
        return value

    def use_cursors(self, threads: int | None = None) -> None:
        """From now on each thread queries through its own cursor (a server's requests);
        ``threads``: DuckDB's threads per query (1 when many queries run side by side: a
        small query costs more to spread over threads than to run)."""
        self._pooled = True
        self._threads = threads
        if threads is not None and self._con is not None:
            self._con.execute(f"SET threads = {int(threads)}")

    # --- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._closed = True
        self._close_connections()

    def _close_connections(self) -> None:
        with self._cursor_lock:
            cursors, self._cursors = self._cursors, []
            self._epoch += 1
        for cursor in cursors:
            cursor.close()
        if self._con is not None:
            self._con.close()
            self._con = None

    def _connect(self, *, read_only: bool, wait: float = LOCK_WAIT) -> None:
        self._con = connect(Path(self.path), read_only=read_only, wait=wait)
        self._types.clear()
        self.generation += 1        # another process may have written it meanwhile
        if self._threads is not None:
            self._con.execute(f"SET threads = {int(self._threads)}")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store for writing inside the block. A shared store is reopened for
        writing (waiting up to ``LOCK_WAIT`` seconds while other processes read it) and for
        reading again after; the caller makes sure no other thread uses it meanwhile. A
        store opened read-only cannot be written (:class:`StoreError`). Blocks nest."""
        if self._writing:
            yield
            return
        if not self.shared:
            if self.read_only:
                raise StoreError(f"the store {self.path} is open read-only here (another "
                                 "process holds it); writing needs it alone")
            self._writing += 1
            try:
                yield
            finally:
                self._writing -= 1
                self.generation += 1
            return
        self._close_connections()
        try:
            self._connect(read_only=False)
        except BaseException:
            self._connect(read_only=True)
            raise
        self.read_only = False
        self._writing += 1
        try:
            yield
        finally:
            self._writing -= 1
            self.read_only = True
            self.generation += 1
            self._close_connections()
            # another process may take it meanwhile: then reopened on the next query
            with suppress(StoreError):
                self._connect(read_only=True, wait=1.0)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")
        self.generation += 1

    @contextmanager
    def single_threaded(self) -> Iterator[None]:
        """Run DuckDB on one thread inside: an ingest's statements are many and small, and
        waking worker threads for each costs more than the statement (half of it on a busy
        machine). The previous setting is restored on the way out."""
        threads = int(self.scalar("SELECT current_setting('threads')"))
        self.con.execute("SET threads = 1")
        try:
            yield
        finally:
            self.con.execute(f"SET threads = {threads}")

    # --- generic queries -------------------------------------------------------------------

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts."""
        cur = self.con.execute(sql, list(params))
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.con.execute(sql, list(params)).fetchone()
        return row[0] if row else None

    def counts(self) -> dict[str, int]:
        tables = ("works", "documents", "segments", "concepts", "mentions", "claims",
                  "statements")
        return {t: int(self.scalar(f"SELECT count(*) FROM {t}")) for t in tables}

    def _column_types(self, table: str) -> list[str]:
        if table not in self._types:
            rows = self.con.execute(
                "SELECT data_type FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall()
            self._types[table] = ["VARCHAR" if t == "JSON" else t for (t,) in rows]
        return self._types[table]

    def insert_rows(self, table: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows in one statement: each column travels as one JSON array.

        DuckDB's ``executemany`` runs one statement per row, and its conversion of Python
        parameters costs per value; one JSON string per column costs per column.
        """
        if not rows:
            return
        types = self._column_types(table)
        columns = [json.dumps([r[i] for r in rows], default=str) for i in range(len(types))]
        unnests = ", ".join(f"unnest(CAST(${i + 1} AS JSON)::{t}[])"
                            for i, t in enumerate(types))
        self.con.execute(f"INSERT INTO {table} SELECT {unnests}", columns)

    # --- files -----------------------------------------------------------------------------

    def file_done(self, path: str, sha256: str) -> bool:
        """Whether this exact file content was already ingested successfully from ``path``."""
        return bool(self.scalar(
            "SELECT count(*) FROM files WHERE path = ? AND sha256 = ? AND status = 'ok'",
            [path, sha256]))

    def file_state(self, path: str, sha256: str) -> FileState:
        """What the store holds of a file, in one query: whether this exact content was
        ingested successfully from ``path``, whether it was recorded at all (an error), and
        the documents stored from ``path``."""
        row = self.con.execute(
            "SELECT (SELECT count(*) FROM files WHERE path = $1 AND sha256 = $2 "
            "AND status = 'ok'), (SELECT count(*) FROM files WHERE path = $1 AND sha256 = $2), "
            "(SELECT list(id) FROM documents WHERE path = $1)", [path, sha256]).fetchone()
        assert row is not None
        return FileState(bool(row[0]), bool(row[1]), list(row[2] or ()))

    def file_states(self, files: Sequence[tuple[str, str]]) -> list[FileState]:
        """:meth:`file_state` of many ``(path, sha256)`` pairs, in one query."""
        if not files:
            return []
        paths = json_list(p for p, _ in files)
        shas = json_list(s for _, s in files)
        found: dict[tuple[str, str], list[Any]] = {}
        for path, sha, ok, n, docs in self.con.execute(
                f"WITH q AS (SELECT unnest({listed('VARCHAR', '$1')}) AS path, "
                f"unnest({listed('VARCHAR', '$2')}) AS sha256) "
                "SELECT q.path, q.sha256, "
                "(SELECT count(*) FROM files f WHERE f.path = q.path AND f.sha256 = q.sha256 "
                "AND f.status = 'ok'), "
                "(SELECT count(*) FROM files f WHERE f.path = q.path AND f.sha256 = q.sha256), "
                "(SELECT list(d.id) FROM documents d WHERE d.path = q.path) FROM q",
                [paths, shas]).fetchall():
            found[(path, sha)] = [ok, n, docs]
        return [FileState(bool(found[f][0]), bool(found[f][1]), list(found[f][2] or ()))
                for f in files]

    def record_files(self, rows: Sequence[tuple[str, str, int, str, str | None, int, bool]]
                     ) -> None:
        """:meth:`record_file` of many files ``(path, sha256, size, status, error, n_docs,
        recorded)``, in two statements."""
        if not rows:
            return
        # the current content of a path is the only one on record: an older content marked
        # ok must never make a reverted file look done
        self.con.execute(f"DELETE FROM files WHERE {in_list('path')}",
                         [json_list(r[0] for r in rows)])
        now = _now()
        self.insert_rows("files", [[*r[:6], now] for r in rows])

    def record_file(self, path: str, sha256: str, size: int, status: str,
                    error: str | None, n_docs: int, recorded: bool = True) -> None:
        """Record the outcome of a file, as the only row of its path (its current content;
        ``recorded`` is kept for callers, every earlier row of the path goes)."""
        self.con.execute("DELETE FROM files WHERE path = ?", [path])
        self.con.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, now())",
            [path, sha256, size, status, error, n_docs])

    def documents_from_path(self, path: str) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT id FROM documents WHERE path = ?", [path]).fetchall()]

    # --- documents -------------------------------------------------------------------------

    def add_path_alias(self, doc_id: str, path: str) -> None:
        self.con.execute(
            "INSERT INTO document_paths SELECT ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM document_paths WHERE doc_id = ? AND path = ?) "
            "AND NOT EXISTS (SELECT 1 FROM documents WHERE id = ? AND path = ?)",
            [doc_id, path, doc_id, path, doc_id, path])

    def known_documents(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of ``doc_ids`` are already stored."""
        return {r[0] for r in self.con.execute(
            f"SELECT id FROM documents WHERE {in_list('id')}",
            [json_list(doc_ids)]).fetchall()}

    def add_documents(self, docs: Sequence[ProcessedDocument], rule: dedup.CopyRule
                      ) -> list[str]:
        """Insert new processed documents and everything derived from them, in one batch of
        statements, and group them into works (see :mod:`evimap.store.works`); returns each
        document's work id. The caller has checked they are new.
        """
        if not docs:
            return []
        keys = [works.DocKeys.of(pd) for pd in docs]
        links, pairs = works.find_links(self, keys, rule)
        rows: dict[str, list[list[Any]]] = {t: [] for t in _BATCH_TABLES}
        concepts: dict[str, Any] = {}
        first_ids = [dedup.work_id(k.key) for k in keys]
        for pd, k, link, work_id in zip(docs, keys, links, first_ids, strict=True):
            _document_rows(pd, k, work_id, link.near_dup_of, link.similarity, rows)
            for m in pd.mentions:
                concepts.setdefault(m.concept.id, m.concept)
            for c in pd.claims:
                concepts.setdefault(c.subject.id, c.subject)
                concepts.setdefault(c.object.id, c.object)
        # the works and concepts already stored, in one query
        known_works: set[str] = set()
        known: set[str] = set()
        for table, ident in self.con.execute(
                f"SELECT 'w', id FROM works WHERE {in_list('id', '$1')} "
                f"UNION ALL SELECT 'c', id FROM concepts "
                f"WHERE {in_list('id', '$2')}",
                [json_list(first_ids), json_list(concepts)]).fetchall():
            (known_works if table == "w" else known).add(ident)
        new_works: dict[str, list[Any]] = {}
        for pd, k, work_id in zip(docs, keys, first_ids, strict=True):
            if work_id not in known_works and work_id not in new_works:
                new_works[work_id] = [work_id, _title(pd), k.content_hash]
        now = _now()
        self.insert_rows("works", [[*w, now] for w in new_works.values()])
        if concepts:
            self.insert_rows("concepts", [concept_row(c) for c in concepts.values()
                                          if c.id not in known])
        for row in rows["documents"]:
            row[-1] = now
        for table in _BATCH_TABLES:
            self.insert_rows(table, rows[table])
        self.insert_rows("copy_pairs", pairs)
        touched = {w for link, w in zip(links, first_ids, strict=True) if link.linked}
        touched |= {w for link in links for w in link.works}
        if not touched:
            return first_ids
        works.regroup(self, touched, now)
        final = dict(self.con.execute(
            f"SELECT id, work_id FROM documents WHERE {in_list('id')}",
            [json_list(k.doc_id for k in keys)]).fetchall())
        return [final[k.doc_id] for k in keys]

    def remove_documents(self, doc_ids: Sequence[str]) -> None:
        """Delete documents and everything derived from them; a work they held together is
        split into its remaining components, and works left empty are dropped."""
        if not doc_ids:
            return
        ids = json_list(doc_ids)
        con = self.con
        touched = {r[0] for r in con.execute(
            f"SELECT DISTINCT work_id FROM documents WHERE {in_list('id')}", [ids]
        ).fetchall()}
        con.execute("DELETE FROM evidence WHERE claim_id IN "
                    f"(SELECT id FROM claims WHERE {in_list('doc_id')})", [ids])
        for table, col in (("claims", "doc_id"), ("mentions", "doc_id"),
                           ("segments", "doc_id"), ("lsh_bands", "doc_id"),
                           ("shingle_sketch", "doc_id"), ("copy_pairs", "doc_a"),
                           ("copy_pairs", "doc_b"), ("minhash", "doc_id"),
                           ("document_paths", "doc_id"), ("documents", "id")):
            con.execute(f"DELETE FROM {table} WHERE {in_list(col)}", [ids])
        works.regroup(self, touched, _now())
        con.execute("DELETE FROM works WHERE id NOT IN (SELECT work_id FROM documents)")

    # --- statements ------------------------------------------------------------------------

    def replace_statements(self, rows: Sequence[Sequence[Any]]) -> None:
        self.con.execute("DELETE FROM statements")
        self.insert_rows("statements", rows)


_BATCH_TABLES = ("documents", "minhash", "lsh_bands", "shingle_sketch", "segments",
                 "mentions", "claims", "evidence")


#: The name of the one ``concepts`` row of every mention no concept was found for (ID
#: ``-1``), which would otherwise bear the words of the first such mention stored.
UNNORMALISED_NAME = "(mention without a concept)"


def concept_row(c: Any) -> list[Any]:
    """The ``concepts`` row of a :class:`~evimap.model.Concept`."""
    return [c.id, UNNORMALISED_NAME if c.id == "-1" else c.name, c.type, list(c.trees)]


def _document_rows(pd: ProcessedDocument, keys: works.DocKeys, work_id: str, near: str | None,
                   sim: float | None, rows: dict[str, list[list[Any]]]) -> None:
    """Append the rows of one document to the batch, table by table."""
    raw, doc_id = pd.raw, pd.raw.id
    n_comments = sum(1 for s in pd.segments if s.kind == "comment")
    rows["documents"].append([
        doc_id, work_id, raw.path, raw.record, raw.format, _title(pd), raw.text,
        json.dumps(raw.metadata, default=str),
        json.dumps(raw.offset_map) if raw.offset_map else None,
        pd.profile.kind, pd.profile.credibility,
        json.dumps([{"name": s.name, "weight": s.weight, "detail": s.detail}
                    for s in pd.profile.signals]),
        json.dumps(pd.profile.kind_scores), pd.profile.design, pd.content_hash,
        near, sim, n_comments, None])
    rows["minhash"].append([doc_id, pd.minhash, len(keys.shingles), len(keys.sketch)])
    rows["lsh_bands"] += [[b, h, doc_id] for b, h in enumerate(keys.bands)]
    rows["shingle_sketch"] += [[h, doc_id] for h in keys.sketch]
    rows["segments"] += [[doc_id, i, s.kind, s.label, s.start, s.end, s.text, s.reason,
                          s.author, s.date] for i, s in enumerate(pd.segments)]
    rows["mentions"] += [[doc_id, i, m.segment, m.start, m.end, m.text, m.concept.id,
                          m.concept.type, m.source, m.negated, m.hedged, m.hypothetical]
                         for i, m in enumerate(pd.mentions)]
    seen = set()
    for c in pd.claims:
        cid = stable_id(doc_id, c.start, c.end, c.subject.id, c.predicate, c.object.id,
                        c.negated)
        if cid in seen:
            continue
        seen.add(cid)
        rows["claims"].append([cid, c.key, doc_id, work_id, c.subject.id, c.predicate,
                               c.object.id, c.negated, c.hedged, c.hypothetical,
                               json.dumps(c.qualifiers, default=str), c.segment,
                               c.segment_kind, c.sentence, c.start, c.end])
        e = c.evidence
        rows["evidence"].append([cid, e.design, e.n, list(e.outcomes), e.dose, e.population,
                                 e.asserted_by, e.study, e.extractor, e.rule])


def _migrate(store: Store, version: int) -> None:
    """Upgrade a store of an older schema ``version`` in place, in one transaction. The
    upgrade to version 4 recomputes works with the default :class:`~evimap.dedup.CopyRule`."""
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        for v in range(version, SCHEMA_VERSION):
            for step in MIGRATIONS[v]:
                if isinstance(step, str):
                    con.execute(step)
                else:
                    step(store)
        store._types.clear()
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                    [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")
        raise


def _now() -> str:
    return dt.datetime.now().isoformat(sep=" ", timespec="seconds")


def _title(pd: ProcessedDocument) -> str | None:
    for s in pd.segments:
        if s.kind == "title":
            return " ".join(s.text.split())
    return pd.raw.title


def open_store(path: str | Path, *, create: bool = True, read_only: bool = False,
               shared: bool = False) -> Store:
    """Open (or create) the store at ``path``; checks the schema version. ``read_only``:
    for reading beside other processes that read it (waits up to ``LOCK_WAIT`` seconds
    while one writes it); ``shared``: read-only between writes (see :class:`Store`). A
    store held by another process raises :class:`~evimap.errors.StoreLocked`."""
    p = Path(path)
    if not create and not p.exists():
        raise StoreError(f"no evimap store at {p}; run `evimap ingest PATH` first "
                         "or pass --db FILE")
    if p.parent and not p.parent.exists():
        raise StoreError(f"folder for the store does not exist: {p.parent}")
    if read_only or shared:
        return _open_reading(p, create, shared)
    try:
        con = connect(p, read_only=False)
    except duckdb.IOException as exc:
        raise StoreError(f"cannot open store {p}: {str(exc).splitlines()[0]}") from exc
    except duckdb.Error as exc:
        raise StoreError(f"{p} is not an evimap store: {str(exc).splitlines()[0]}") from exc
    store = Store(con, str(p))
    has_meta = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()
    if has_meta and has_meta[0]:
        version = store.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
        if version is None and _holds_nothing(store):
            _create_schema(store, fresh=True)   # its creation was cut short: made again
            version = SCHEMA_VERSION
        if version is not None and int(version) in MIGRATIONS:
            _migrate(store, int(version))
            version = SCHEMA_VERSION
        if version is None or int(version) != SCHEMA_VERSION:
            con.close()
            raise StoreError(f"{p} has store schema version {version}; this evimap reads "
                             f"version {SCHEMA_VERSION} (re-ingest into a new --db file)")
    else:
        n_tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchone()
        if n_tables and n_tables[0]:
            con.close()
            raise StoreError(f"{p} is a DuckDB file but not an evimap store")
        _create_schema(store)
    return store


def _open_reading(p: Path, create: bool, shared: bool) -> Store:
    """A store opened read-only (``shared``: between writes). A store that does not exist
    yet or needs an upgrade is first opened for writing, alone, to make or upgrade it."""
    if not p.exists() or _stored_version(p) != str(SCHEMA_VERSION):
        open_store(p, create=create).close()
    try:
        con = connect(p, read_only=True, wait=LOCK_WAIT)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open store {p}: {str(exc).splitlines()[0]}") from exc
    return Store(con, str(p), read_only=True, shared=shared)


def _stored_version(p: Path) -> str | None:
    """The schema version of the store at ``p`` (read-only; None when it has none)."""
    try:
        con = connect(p, read_only=True, wait=LOCK_WAIT)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open store {p}: {str(exc).splitlines()[0]}") from exc
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return str(row[0]) if row else None


def _create_schema(store: Store, fresh: bool = False) -> None:
    """Create every table and record the version, in one transaction: a process killed
    meanwhile leaves an empty file, never a store without its version. ``fresh``: drop
    what a creation cut short left first (it holds nothing)."""
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        if fresh:
            for name, kind in con.execute(
                    "SELECT table_name, table_type FROM information_schema.tables "
                    "WHERE table_schema = 'main'").fetchall():
                con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS "
                            f"\"{name}\" CASCADE")
        con.execute(_schema_sql())
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _holds_nothing(store: Store) -> bool:
    """Whether a store without a schema version holds no documents (nothing to lose)."""
    tables = {r[0] for r in store.con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    return "documents" not in tables or not store.scalar("SELECT count(*) FROM documents")
