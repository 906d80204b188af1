"""The store: one DuckDB file with a documented, versioned schema (``schema.sql``).

Writes go through :meth:`Store.add_documents` inside :meth:`Store.transaction`, one
transaction per input file, so a bad file never leaves half its records behind and a
re-ingest of the same content changes nothing. Deduplication is a join here: exact copies
share a content hash, near copies share an LSH band and pass the similarity threshold.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from .. import dedup
from ..errors import StoreError
from ..model import ProcessedDocument, stable_id
from .absent import remember_absent

remember_absent()

SCHEMA_VERSION = 3
#: Older schema versions this evimap upgrades in place: version -> the statements that do it.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: ("ALTER TABLE evidence ADD COLUMN IF NOT EXISTS rule VARCHAR",),
}
#: Near-duplicate matching needs this many shingles; shorter texts match exactly or not at all.
MIN_SHINGLES_FOR_NEAR_DUP = 20


def _schema_sql() -> str:
    return resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")


class Store:
    """A DuckDB evidence store. Use :func:`open_store` to get one."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self.con = con
        self.path = path
        self._types: dict[str, list[str]] = {}

    # --- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self.con.close()

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

    def record_file(self, path: str, sha256: str, size: int, status: str,
                    error: str | None, n_docs: int) -> None:
        self.con.execute("DELETE FROM files WHERE path = ? AND sha256 = ?", [path, sha256])
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
            "SELECT id FROM documents WHERE list_contains(?, id)", [list(doc_ids)]).fetchall()}

    def add_documents(self, docs: Sequence[ProcessedDocument], threshold: float) -> list[str]:
        """Insert new processed documents and everything derived from them, in one batch of
        statements; returns each document's work id. The caller has checked they are new.
        """
        if not docs:
            return []
        matcher = _WorkMatcher(self, docs, threshold)
        rows: dict[str, list[list[Any]]] = {t: [] for t in _BATCH_TABLES}
        concepts: dict[str, Any] = {}
        work_ids = []
        for pd in docs:
            work_id, near, sim = matcher.assign(pd)
            work_ids.append(work_id)
            _document_rows(pd, work_id, near, sim, rows)
            for m in pd.mentions:
                concepts.setdefault(m.concept.id, m.concept)
            for c in pd.claims:
                concepts.setdefault(c.subject.id, c.subject)
                concepts.setdefault(c.object.id, c.object)
        known_works = {r[0] for r in self.con.execute(
            "SELECT id FROM works WHERE list_contains(?, id)", [work_ids]).fetchall()}
        new_works: dict[str, list[Any]] = {}
        for pd, work_id in zip(docs, work_ids, strict=True):
            if work_id not in known_works and work_id not in new_works:
                new_works[work_id] = [work_id, _title(pd), pd.content_hash]
        now = _now()
        self.insert_rows("works", [[*w, now] for w in new_works.values()])
        if concepts:
            known = {r[0] for r in self.con.execute(
                "SELECT id FROM concepts WHERE list_contains(?, id)",
                [list(concepts)]).fetchall()}
            self.insert_rows("concepts", [[c.id, c.name, c.type, list(c.trees)]
                                          for c in concepts.values() if c.id not in known])
        for row in rows["documents"]:
            row[-1] = now
        for table in _BATCH_TABLES:
            self.insert_rows(table, rows[table])
        return work_ids

    def remove_documents(self, doc_ids: Sequence[str]) -> None:
        """Delete documents and everything derived from them; drop works left empty."""
        if not doc_ids:
            return
        ids = list(doc_ids)
        con = self.con
        con.execute("DELETE FROM evidence WHERE claim_id IN "
                    "(SELECT id FROM claims WHERE list_contains(?, doc_id))", [ids])
        for table, col in (("claims", "doc_id"), ("mentions", "doc_id"),
                           ("segments", "doc_id"), ("lsh_bands", "doc_id"),
                           ("minhash", "doc_id"), ("document_paths", "doc_id"),
                           ("documents", "id")):
            con.execute(f"DELETE FROM {table} WHERE list_contains(?, {col})", [ids])
        con.execute("DELETE FROM works WHERE id NOT IN (SELECT work_id FROM documents)")

    # --- statements ------------------------------------------------------------------------

    def replace_statements(self, rows: Sequence[Sequence[Any]]) -> None:
        self.con.execute("DELETE FROM statements")
        self.insert_rows("statements", rows)


_BATCH_TABLES = ("documents", "minhash", "lsh_bands", "segments", "mentions", "claims",
                 "evidence")


class _WorkMatcher:
    """Assigns works to a batch of new documents: one query for exact copies and one for
    LSH candidates against the store, plus the batch's own earlier documents."""

    def __init__(self, store: Store, docs: Sequence[ProcessedDocument],
                 threshold: float) -> None:
        self.threshold = threshold
        self.by_hash: dict[str, tuple[str, str]] = {}
        for h, work_id, doc_id in store.con.execute(
                "SELECT content_hash, work_id, min(id) FROM documents "
                "WHERE list_contains(?, content_hash) GROUP BY content_hash, work_id "
                "ORDER BY 3", [[d.content_hash for d in docs]]).fetchall():
            self.by_hash.setdefault(h, (work_id, doc_id))
        self.bands: dict[tuple[int, int], list[tuple[str, list[int], str]]] = {}
        keys = {(b, h) for d in docs if _near_dup_eligible(d)
                for b, h in enumerate(dedup.band_hashes(d.minhash))}
        if keys:
            bands, hashes = zip(*sorted(keys), strict=True)
            for band, h, doc_id, sig, work_id in store.con.execute(
                    "SELECT b.band, b.hash, b.doc_id, m.signature, d.work_id FROM lsh_bands b "
                    "JOIN minhash m ON m.doc_id = b.doc_id JOIN documents d ON d.id = b.doc_id "
                    "WHERE (b.band, b.hash) IN "
                    "(SELECT unnest(?::SMALLINT[]), unnest(?::BIGINT[]))",
                    [list(bands), list(hashes)]).fetchall():
                self.bands.setdefault((band, h), []).append((doc_id, sig, work_id))

    def assign(self, pd: ProcessedDocument) -> tuple[str, str | None, float | None]:
        """(work id, the document it duplicates, similarity) for the next document.

        Exact copies (same content hash) join that work; else the most similar LSH candidate
        whose estimated Jaccard similarity reaches the threshold; else a new work.
        """
        doc_id = pd.raw.id
        found = self.by_hash.get(pd.content_hash)
        eligible = _near_dup_eligible(pd)
        bands = list(enumerate(dedup.band_hashes(pd.minhash))) if eligible else []
        if found:
            work_id, near, sim = found[0], found[1], 1.0
        else:
            best: tuple[float, str, str] | None = None
            for key in bands:
                for cand_id, sig, cand_work in self.bands.get(key, ()):
                    s = dedup.similarity(pd.minhash, sig)
                    if s >= self.threshold and (best is None or (s, cand_id) > best[:2]):
                        best = (s, cand_id, cand_work)
            if best:
                work_id, near, sim = best[2], best[1], best[0]
            else:
                work_id, near, sim = stable_id("work", pd.content_hash), None, None
        self.by_hash.setdefault(pd.content_hash, (work_id, doc_id))
        for key in bands:
            self.bands.setdefault(key, []).append((doc_id, pd.minhash, work_id))
        return work_id, near, sim


def _near_dup_eligible(pd: ProcessedDocument) -> bool:
    """Near-duplicate matching needs enough text; shorter texts match exactly or not at all."""
    words = dedup.normalise(dedup.main_text(pd.segments))
    return len(dedup.shingles(words)) >= MIN_SHINGLES_FOR_NEAR_DUP


def _document_rows(pd: ProcessedDocument, work_id: str, near: str | None,
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
        None if near == doc_id else near, sim if near and near != doc_id else None,
        n_comments, None])
    rows["minhash"].append([doc_id, pd.minhash])
    rows["lsh_bands"] += [[b, h, doc_id] for b, h in enumerate(dedup.band_hashes(pd.minhash))]
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


def _migrate(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Upgrade a store of an older schema ``version`` in place, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in MIGRATIONS[version]:
            con.execute(statement)
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


def open_store(path: str | Path, *, create: bool = True) -> Store:
    """Open (or create) the store at ``path``; checks the schema version."""
    p = Path(path)
    if not create and not p.exists():
        raise StoreError(f"no evimap store at {p}; run `evimap ingest PATH` first "
                         "or pass --db FILE")
    if p.parent and not p.parent.exists():
        raise StoreError(f"folder for the store does not exist: {p.parent}")
    try:
        con = duckdb.connect(str(p))
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
        if version is not None and int(version) in MIGRATIONS:
            _migrate(con, int(version))
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
        con.execute(_schema_sql())
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return store
