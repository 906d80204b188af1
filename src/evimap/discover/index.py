"""Discovery's concept index: the MeSH concepts each document is about, and its year.

Literature-based discovery ranks over co-occurrence, so the index wants recall: a document is
about a concept when the entity stage found a mention of it (the ``mentions`` table, copied
in SQL) or when the MeSH dictionary finds one of its terms in the document's title, abstract
or body. The dictionary is the entity stage's lexicon (chemicals, diseases, mechanisms,
procedures) extended with physiological phenomena (MeSH G03, G04, G07-G14: blood viscosity,
platelet aggregation, vasoconstriction), which the entity stage does not tag: it gives the
names that stage's statistical model leaves out ("fish oil" in a title) and the processes
through which one literature bears on another.

The tables (``index_documents``, ``index_terms``, ``index_concepts``; docs/schema.md) are
derived: :func:`refresh` indexes the documents not indexed yet and drops those no longer
stored (incremental, after every ingest and before every discovery), :func:`rebuild` starts
over. Copies of one work are counted once by the queries (:mod:`evimap.discover.cooccur`).
"""

from __future__ import annotations

import csv
import hashlib
import marshal
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..entities import Lexicon, load_lexicon
from ..entities.lexicon import extend_payload, lexicon_path
from ..entities.matcher import find_matches
from ..entities.mesh import read_mesh
from ..errors import ConfigError
from ..settings import Settings
from ..store import Store
from ..store.sql import IDS, json_list

HERE = Path(__file__).resolve().parent
#: Bump when the index lexicon or the indexing rules change (the next refresh re-indexes).
INDEX_VERSION = 1
#: MeSH branches of physiological phenomena added to the index's dictionary.
PHENOMENA_BRANCHES = ("G03", "G04", "G07", "G08", "G09", "G10", "G11", "G12", "G13", "G14")
#: Segment kinds read for index terms (reader comments and page chrome are not).
INDEXED_KINDS = ("title", "abstract", "body")
#: Concept IDs the index keeps: MeSH descriptors and supplementary records, DrugBank drugs
#: (the entity model's unnormalised mentions, ID -1, are left out).
CONCEPT_ID_PATTERN = r"^(D|C|DB)\d+$"
#: Phrases read as a phenomenon where MeSH lacks the entry term (term, ui, note).
PHRASES_FILE = "phrases.tsv"
#: Documents indexed per batch (bounds memory).
BATCH = 2000
#: A document's year: ``metadata.year``, else the first plausible year in ``metadata.date``.
YEAR_SQL = ("coalesce(TRY_CAST(d.metadata->>'$.year' AS SMALLINT), TRY_CAST(regexp_extract("
            "d.metadata->>'$.date', '(1[6-9][0-9][0-9]|20[0-9][0-9])', 1) AS SMALLINT))")


@dataclass
class IndexReport:
    """What a refresh did."""

    indexed: int = 0            # documents indexed now
    dropped: int = 0            # documents no longer stored, taken out
    terms: int = 0              # (document, concept) rows added
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"indexed": self.indexed, "dropped": self.dropped, "terms": self.terms,
                "seconds": round(self.seconds, 3)}


# --- the index lexicon ------------------------------------------------------------------------

def index_lexicon_path(settings: Settings) -> Path:
    """Where the index lexicon compiled from the current sources lives."""
    base = lexicon_path(settings)
    tag = hashlib.sha256(f"{base.name}|{INDEX_VERSION}|{PHENOMENA_BRANCHES}".encode())
    tag.update((HERE / PHRASES_FILE).read_bytes())
    return base.parent / f"index-lexicon-{tag.hexdigest()[:16]}.marshal"


def load_index_lexicon(settings: Settings) -> Lexicon:
    """The entity stage's lexicon plus physiological phenomena (type ``phenomenon``),
    compiled on first use (a few seconds) and cached beside the lexicon."""
    path = index_lexicon_path(settings)
    if path.is_file():
        try:
            payload = marshal.loads(path.read_bytes())
        except (EOFError, ValueError, TypeError):
            payload = None
        if isinstance(payload, dict) and payload.get("index_version") == INDEX_VERSION:
            return Lexicon(payload)
    load_lexicon(settings)                           # compiled first when missing
    base = marshal.loads(lexicon_path(settings).read_bytes())
    data = read_mesh(settings.mesh_path)
    types = {ui: ("phenomenon", "phenomenon") for ui, trees in data.trees.items()
             if any(t.startswith(PHENOMENA_BRANCHES) for t in trees)}
    phrases = [(row["term"], row["ui"]) for row in read_table(PHRASES_FILE)]
    payload = {**extend_payload(base, data, types, phrases), "index_version": INDEX_VERSION}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-lexicon-", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        marshal.dump(payload, handle)
    os.replace(tmp, path)
    for stale in path.parent.glob("index-lexicon-*.marshal"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return Lexicon(payload)


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of a TSV beside this module (header line; '#' comment lines)."""
    lines = [ln for ln in (HERE / name).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ConfigError(f"{HERE / name}: row {i} has the wrong number of columns")
    return rows


# --- indexing ---------------------------------------------------------------------------------

def index_terms(text: str, spans: Sequence[tuple[int, int]], lexicon: Lexicon) -> set[str]:
    """The concepts the dictionary finds in the ``spans`` of a document's text."""
    found: set[str] = set()
    for start, end in spans:
        for m in find_matches(text, lexicon, start, end):
            found.add(lexicon.concept_at(m.entry[0]).id)
    return found


def is_stale(store: Store) -> bool:
    """Whether documents were stored or removed since the index was last refreshed."""
    return bool(store.scalar(
        "SELECT EXISTS (SELECT 1 FROM documents d ANTI JOIN index_documents i "
        "ON i.doc_id = d.id) OR EXISTS (SELECT 1 FROM index_documents i ANTI JOIN documents d "
        "ON i.doc_id = d.id) OR coalesce((SELECT value FROM meta WHERE key = "
        "'index_version'), '') <> ?", [str(INDEX_VERSION)]))


def refresh(store: Store, lexicon: Lexicon | Callable[[], Lexicon]) -> IndexReport:
    """Index the documents not indexed yet and drop the index rows of documents no longer
    stored, in one transaction per batch. ``lexicon`` (or a function giving it, called only
    when there is something to index) is :func:`load_index_lexicon`'s."""
    started = time.perf_counter()
    report = IndexReport()
    if store.scalar("SELECT value FROM meta WHERE key = 'index_version'") != str(INDEX_VERSION):
        with store.transaction():
            _clear(store)
    with store.transaction():
        report.dropped = int(store.scalar(
            "SELECT count(*) FROM index_documents WHERE doc_id NOT IN "
            "(SELECT id FROM documents)"))
        if report.dropped:
            store.con.execute("DELETE FROM index_terms WHERE doc_id NOT IN "
                              "(SELECT id FROM documents)")
            store.con.execute("DELETE FROM index_documents WHERE doc_id NOT IN "
                              "(SELECT id FROM documents)")
    todo = [r[0] for r in store.con.execute(
        "SELECT d.id FROM documents d ANTI JOIN index_documents i ON i.doc_id = d.id "
        "ORDER BY d.id").fetchall()]
    if todo:
        lex = lexicon if isinstance(lexicon, Lexicon) else lexicon()
        for batch in _batches(todo, BATCH):
            with store.transaction():
                report.terms += _index_batch(store, batch, lex)
            report.indexed += len(batch)
    report.seconds = time.perf_counter() - started
    return report


def rebuild(store: Store, lexicon: Lexicon | Callable[[], Lexicon]) -> IndexReport:
    """Drop the whole index and build it again from the stored documents."""
    with store.transaction():
        _clear(store)
    return refresh(store, lexicon)


def _clear(store: Store) -> None:
    for table in ("index_terms", "index_documents", "index_concepts"):
        store.con.execute(f"DELETE FROM {table}")
    store.con.execute("DELETE FROM meta WHERE key = 'index_version'")
    store.con.execute("INSERT INTO meta VALUES ('index_version', ?)", [str(INDEX_VERSION)])


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _index_batch(store: Store, doc_ids: Sequence[str], lexicon: Lexicon) -> int:
    """Index some documents: their mentions (SQL), the dictionary's terms in their content
    segments (title apart), their year, and the concepts the index has not named yet."""
    ids = json_list(doc_ids)
    con = store.con
    con.execute(
        f"INSERT INTO index_documents SELECT d.id, {YEAR_SQL} FROM documents d "
        f"WHERE list_contains({IDS}, d.id)", [ids])
    kinds = json_list(INDEXED_KINDS)
    # (doc, concept) -> [source, in_title]; a mention's source wins over the dictionary's
    terms: dict[tuple[str, str], list[Any]] = {}
    for doc_id, cid, in_title in con.execute(
            "SELECT m.doc_id, m.concept_id, bool_or(s.kind = 'title') FROM mentions m "
            "JOIN segments s ON s.doc_id = m.doc_id AND s.idx = m.segment_idx "
            f"WHERE list_contains({IDS}, m.doc_id) AND list_contains({IDS}, s.kind) "
            "AND regexp_matches(m.concept_id, ?) GROUP BY ALL",
            [ids, kinds, CONCEPT_ID_PATTERN]).fetchall():
        terms[(doc_id, cid)] = ["mention", bool(in_title)]
    spans: dict[str, list[tuple[int, int, bool]]] = {}
    for doc_id, start, end, kind in con.execute(
            f"SELECT doc_id, start_offset, end_offset, kind FROM segments WHERE list_contains("
            f"{IDS}, doc_id) AND list_contains({IDS}, kind) ORDER BY doc_id, idx",
            [ids, kinds]).fetchall():
        spans.setdefault(doc_id, []).append((start, end, kind == "title"))
    for doc_id, text in con.execute(
            f"SELECT id, text FROM documents WHERE list_contains({IDS}, id)", [ids]).fetchall():
        for start, end, title in spans.get(doc_id, []):
            for cid in index_terms(text, [(start, end)], lexicon):
                row = terms.setdefault((doc_id, cid), ["dictionary", title])
                row[1] = row[1] or title
    store.insert_rows("index_terms", [[d, c, src, t] for (d, c), (src, t)
                                      in sorted(terms.items())])
    _name_concepts(store, lexicon)
    return len(terms)


def _name_concepts(store: Store, lexicon: Lexicon) -> None:
    """Give every indexed concept without one an ``index_concepts`` row: the store's concept
    when it has one, else the lexicon's."""
    con = store.con
    con.execute(
        "INSERT INTO index_concepts SELECT c.id, c.name, c.type, c.trees FROM concepts c "
        "WHERE c.id IN (SELECT DISTINCT concept_id FROM index_terms) "
        "AND c.id NOT IN (SELECT id FROM index_concepts)")
    missing = [r[0] for r in con.execute(
        "SELECT DISTINCT concept_id FROM index_terms WHERE concept_id NOT IN "
        "(SELECT id FROM index_concepts)").fetchall()]
    rows = []
    for cid in missing:
        try:
            c = lexicon.concept(cid)
        except KeyError:
            rows.append([cid, cid, "unknown", []])
            continue
        rows.append([c.id, c.name, c.type, list(c.trees)])
    store.insert_rows("index_concepts", rows)
