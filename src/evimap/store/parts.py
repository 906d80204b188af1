"""Parts: a store's rows for a range of records, written as Parquet files, then merged.

A big run (:mod:`evimap.cluster`) processes input on many workers. Each task writes one
*part*: a folder holding, for the documents of one input file's record range, the rows the
store would get (one Parquet file per table: documents, minhash, lsh_bands, shingle_sketch,
segments, concepts, mentions, claims, evidence) and each document's shingle hashes (for the
copy check), with ``part.json`` (the file, its content hash, the range, the documents and
per-record errors). Rows are made by the same code as the embedded ingest
(``_document_rows``) from the same pure stages, so a part is what the store would hold.

A part is written into a temporary folder and renamed into place, so it is whole or absent;
one already present is not computed again (a killed run resumes where it stopped, and a
repeated run changes nothing). Parts can be queried in place with DuckDB
(``read_parquet('PARTS/*/claims.parquet')``).

Merging reads the parts with DuckDB SQL into the store, a batch at a time: the documents not
stored yet (a document in two parts is stored from the first, its other paths remembered),
everything derived from them, and their works: the copy links of each new document to the
store and to the batch are found as in the embedded ingest (:func:`works.find_links`) and the
works they touch regrouped, so works depend only on what is stored, never on the order.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import dedup
from ..model import ProcessedDocument
from . import works
from .sql import json_list, listed

if TYPE_CHECKING:
    from . import Store

#: The store tables a part holds, in the order they are merged.
PART_TABLES = ("documents", "minhash", "lsh_bands", "shingle_sketch", "segments", "concepts",
               "mentions", "claims", "evidence")
#: The table of each document's shingle hashes (a part's own, not merged).
KEYS_TABLE = "doc_shingles"
MANIFEST = "part.json"


@dataclass
class PartInfo:
    """What a part holds: read from its ``part.json``."""

    name: str
    path: str                       # the input file
    sha256: str
    size: int
    start: int                      # first record (0-based, errors counted)
    stop: int | None                # end of the range (None: the end of the file)
    documents: int = 0
    errors: list[str] = field(default_factory=list)
    failure: str | None = None      # the whole file is unreadable (its reason)
    version: str = ""
    more_errors: int = 0            # record errors beyond those listed, counted
    seconds: float = 0.0            # to make it
    peak_rss_mb: float = 0.0        # the worker process's peak memory when it was done

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def read(cls, folder: Path) -> PartInfo:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return cls(**data)


def part_name(sha256: str, start: int, stop: int | None, version: str) -> str:
    """A part's folder name: the input's content, the record range and the pipeline."""
    return f"{sha256[:24]}-{start:09d}-{'end' if stop is None else f'{stop:09d}'}-{version}"


def is_complete(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


class PartWriter:
    """Collects a part's rows in an in-memory store (the schema's column types), then
    writes them as Parquet into ``root/name`` atomically."""

    def __init__(self, root: Path, info: PartInfo, rule: dedup.CopyRule) -> None:
        from . import open_store

        self.root, self.info, self.rule = root, info, rule
        self.store = open_store(":memory:")
        self.store.con.execute(f"CREATE TABLE {KEYS_TABLE} (doc_id VARCHAR, shingles "
                               "UINTEGER[])")
        self._concepts: set[str] = set()

    def add(self, docs: Sequence[ProcessedDocument]) -> None:
        """Rows of processed documents (their works: each its own until merged)."""
        from . import _document_rows, _now, concept_row

        rows: dict[str, list[list[Any]]] = {t: [] for t in PART_TABLES}
        concepts = rows["concepts"]
        for pd in docs:
            k = works.DocKeys.of(pd)
            _document_rows(pd, k, dedup.work_id(k.key), None, None, rows)
            rows["documents"][-1][-1] = _now()
            rows.setdefault(KEYS_TABLE, []).append([k.doc_id, sorted(k.shingles)])
            for c in [m.concept for m in pd.mentions] + [x for cl in pd.claims
                                                         for x in (cl.subject, cl.object)]:
                if c.id not in self._concepts:
                    self._concepts.add(c.id)
                    concepts.append(concept_row(c))
        for table, table_rows in rows.items():
            self.store.insert_rows(table, table_rows)
        self.info.documents += len(docs)

    def commit(self) -> Path:
        """Write the part (Parquet files and ``part.json``) and move it into place."""
        final = self.root / self.info.name
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.info.name}.", dir=self.root))
        try:
            for table in (*PART_TABLES, KEYS_TABLE):
                target = str(tmp / f"{table}.parquet").replace("'", "''")
                self.store.con.execute(f"COPY {table} TO '{target}' (FORMAT PARQUET)")
            (tmp / MANIFEST).write_text(json.dumps(self.info.to_json()), encoding="utf-8")
            if final.exists():          # another worker finished the same part first
                shutil.rmtree(tmp)
            else:
                os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            self.store.close()
        return final


def clean_temporary(root: Path) -> None:
    """Remove the half-written parts a killed run left behind (``.NAME.*`` folders)."""
    if root.is_dir():
        for p in root.iterdir():
            if p.name.startswith(".") and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)


# --- merging ----------------------------------------------------------------------------------

def _columns(store: Store, table: str) -> list[str]:
    return [r[0] for r in store.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = 'main' ORDER BY ordinal_position", [table]).fetchall()]


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass
class Merged:
    """What a merge did for one input path."""

    ids: set[str] = field(default_factory=set)    # its documents (stored now or before)
    added: int = 0                                  # stored now from it
    records: int = 0                                # its records read


def merge_parts(store: Store, folders: Sequence[Path], rule: dedup.CopyRule,
                now: str) -> dict[str, Merged]:
    """Merge parts (in order) into the store, inside the caller's transaction; what was
    found of each input path."""
    if not folders:
        return {}
    con = store.con
    for table in (*PART_TABLES, KEYS_TABLE):
        files = ", ".join(_quote(f / f"{table}.parquet") for f in folders)
        con.execute(f"CREATE OR REPLACE TEMP TABLE p_{table} AS SELECT * EXCLUDE (filename), "
                    "parse_filename(parse_dirpath(filename)) AS _part "
                    f"FROM read_parquet([{files}], filename = true)")
    parts = [str(f.name) for f in folders]
    con.execute("CREATE OR REPLACE TEMP TABLE p_order AS SELECT unnest("
                f"{listed('VARCHAR', '$1')}) AS _part, unnest({listed('INTEGER', '$2')}) AS _ord",
                [json_list(parts), json_list(range(len(parts)))])
    # the first copy of each document in the batch, and whether the store holds it already
    con.execute(
        "CREATE OR REPLACE TEMP TABLE p_first AS SELECT d.id, d._part, d.path, "
        "(d.id IN (SELECT id FROM documents)) AS stored FROM p_documents d "
        "JOIN p_order o USING (_part) "
        "QUALIFY row_number() OVER (PARTITION BY d.id ORDER BY o._ord, d.record) = 1")
    by_path: dict[str, Merged] = {}
    for doc_id, path in con.execute("SELECT id, path FROM p_documents").fetchall():
        found = by_path.setdefault(path, Merged())
        found.ids.add(doc_id)
        found.records += 1
    for path, n in con.execute("SELECT path, count(*) FROM p_first WHERE NOT stored "
                               "GROUP BY path").fetchall():
        by_path[path].added = int(n)
    # other paths of a document (a copy in another file) are remembered, as ingest does
    con.execute(
        "INSERT INTO document_paths SELECT DISTINCT d.id, d.path FROM p_documents d "
        "WHERE NOT EXISTS (SELECT 1 FROM document_paths x WHERE x.doc_id = d.id AND "
        "x.path = d.path) AND NOT EXISTS (SELECT 1 FROM documents x WHERE x.id = d.id AND "
        "x.path = d.path) AND NOT EXISTS (SELECT 1 FROM p_first f WHERE f.id = d.id AND "
        "f.path = d.path AND NOT f.stored)")
    new = con.execute(
        "SELECT f.id, d.content_hash, m.signature, k.shingles FROM p_first f "
        "JOIN p_documents d ON d.id = f.id AND d._part = f._part "
        "JOIN p_minhash m ON m.doc_id = f.id AND m._part = f._part "
        f"JOIN p_{KEYS_TABLE} k ON k.doc_id = f.id AND k._part = f._part "
        "JOIN p_order o ON o._part = f._part WHERE NOT f.stored "
        "ORDER BY o._ord, d.record").fetchall()
    if new:
        _insert_new(store, new, rule, now)
    return by_path


def _insert_new(store: Store, new: Sequence[tuple[str, str, list[int], list[int]]],
                rule: dedup.CopyRule, now: str) -> None:
    """Store the batch's new documents and their rows, linked into works."""
    con = store.con
    keys = []
    for doc_id, content_hash, signature, shingles in new:
        hashes = frozenset(shingles)
        keys.append(works.DocKeys(doc_id, content_hash, hashes, dedup.sketch(hashes),
                                  dedup.band_hashes(signature)))
    links, pairs = works.find_links(store, keys, rule)
    first_ids = [dedup.work_id(k.key) for k in keys]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE p_new AS SELECT unnest($1::VARCHAR[]) AS id, "
        "unnest($2::VARCHAR[]) AS work_id, unnest($3::VARCHAR[]) AS near, "
        "unnest($4::DOUBLE[]) AS sim",
        [[k.doc_id for k in keys], first_ids, [lk.near_dup_of for lk in links],
         [lk.similarity for lk in links]])
    con.execute("CREATE OR REPLACE TEMP TABLE p_chosen AS SELECT n.*, f._part FROM p_new n "
                "JOIN p_first f USING (id)")
    # works the new documents start in (regrouped below where they link)
    con.execute(
        "INSERT INTO works SELECT DISTINCT ON (c.work_id) c.work_id, d.title, d.content_hash, "
        "CAST($1 AS TIMESTAMP) FROM p_chosen c JOIN p_documents d ON d.id = c.id AND "
        "d._part = c._part WHERE c.work_id NOT IN (SELECT id FROM works) "
        "ORDER BY c.work_id, d.id", [now])
    replaced = {"work_id": "c.work_id", "near_dup_of": "c.near", "similarity": "c.sim",
                "ingested_at": "CAST($1 AS TIMESTAMP)"}
    cols = _columns(store, "documents")
    select = ", ".join(replaced.get(c, f"d.{c}") for c in cols)
    con.execute(f"INSERT INTO documents SELECT {select} FROM p_documents d JOIN p_chosen c "
                "ON d.id = c.id AND d._part = c._part", [now])
    for table in ("minhash", "lsh_bands", "shingle_sketch", "segments", "mentions"):
        cols = _columns(store, table)
        con.execute(f"INSERT INTO {table} SELECT {', '.join('t.' + c for c in cols)} "
                    f"FROM p_{table} t JOIN p_chosen c ON t.doc_id = c.id AND t._part = c._part")
    cols = _columns(store, "claims")
    select = ", ".join("c.work_id" if col == "work_id" else f"t.{col}" for col in cols)
    con.execute(f"INSERT INTO claims SELECT {select} FROM p_claims t JOIN p_chosen c "
                "ON t.doc_id = c.id AND t._part = c._part")
    cols = _columns(store, "evidence")
    con.execute(f"INSERT INTO evidence SELECT {', '.join('e.' + c for c in cols)} "
                "FROM p_evidence e JOIN p_claims t ON t.id = e.claim_id AND t._part = e._part "
                "JOIN p_chosen c ON t.doc_id = c.id AND t._part = c._part")
    cols = _columns(store, "concepts")
    con.execute(f"INSERT INTO concepts SELECT DISTINCT ON (id) {', '.join(cols)} "
                "FROM p_concepts WHERE id NOT IN (SELECT id FROM concepts) ORDER BY id, _part")
    store.insert_rows("copy_pairs", pairs)
    touched = {w for link, w in zip(links, first_ids, strict=True) if link.linked}
    touched |= {w for link in links for w in link.works}
    if touched:
        works.regroup(store, touched, now)


def drop_temporary(store: Store) -> None:
    """Drop the merge's temporary tables."""
    for table in (*PART_TABLES, KEYS_TABLE, "order", "first", "new", "chosen"):
        store.con.execute(f"DROP TABLE IF EXISTS p_{table}")


def documents_of(folders: Iterable[Path]) -> int:
    return sum(PartInfo.read(f).documents for f in folders)
