"""The library API: one object over one store. The CLI (and later the HTTP API) are thin
layers over it; every listing returns plain dicts ready for JSON.

>>> from evimap.api import Evimap
>>> with Evimap("evimap.duckdb") as ev:            # doctest: +SKIP
...     ev.ingest(["../shared/data/seeds"])
...     ev.claims(about="ketamine")
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TextIO, TypeVar

from . import assemble, identifiers, vocab
from .assemble import DESIGN_RANK
from .assemble import belief as belief_model
from .cluster import ClusterOptions, ingest_cluster
from .cluster import Progress as ClusterProgress
from .discover import answer as lbd
from .discover import index as lbd_index
from .discover import rank as lbd_rank
from .entities import Lexicon
from .errors import EvimapError, NotFoundError
from .export import ExportResult, Selection, plan
from .export import export as write_export
from .pipeline import FileResult, IngestReport, Resources, ingest, load_resources
from .settings import Settings, load_settings
from .sources import segment_source_kind
from .store import Store, open_store
from .store import curation as curation_store
from .store import lookup as claim_lookup
from .store.sql import IDS, in_list, json_list

_MESH_UI_RE = re.compile(r"^[CD]\d{6,9}$")

#: The raw identifiers of document ``d`` (checked in Python by :mod:`evimap.identifiers`).
SOURCE_IDS_SQL = ", ".join(f"d.metadata->>'$.{k}' AS source_{k}" for k in identifiers.KEYS)

CLAIMS_SQL = """
SELECT c.id, c.statement_key, c.doc_id, c.work_id, d.path, d.source_kind, d.credibility,
       c.subject_id, cs.name AS subject_name, cs.type AS subject_type,
       c.predicate, c.object_id, co.name AS object_name, co.type AS object_type,
       c.negated, c.hedged, c.hypothetical, c.qualifiers, c.segment_idx, c.segment_kind,
       c.sentence, c.start_offset, c.end_offset,
       e.design, e.n, e.outcomes, e.dose, e.population, e.asserted_by, e.study, e.extractor,
       e.rule, cu.verdict AS curation_verdict, cu.note AS curation_note,
       cu.curated_at AS curated_at, """ + SOURCE_IDS_SQL + """
FROM claims c
JOIN evidence e ON e.claim_id = c.id
JOIN documents d ON d.id = c.doc_id
JOIN concepts cs ON cs.id = c.subject_id
JOIN concepts co ON co.id = c.object_id
LEFT JOIN curation cu ON cu.claim_id = c.id
"""

STATEMENTS_SQL = """
SELECT s.*, cs.name AS subject_name, cs.type AS subject_type,
       co.name AS object_name, co.type AS object_type
FROM statements s JOIN concepts cs ON cs.id = s.subject_id JOIN concepts co ON co.id = s.object_id
"""

#: The joins of ``STATEMENTS_SQL`` (for a query of its keys or count).
_STATEMENTS_FROM = STATEMENTS_SQL[STATEMENTS_SQL.index("FROM statements"):]
#: ``STATEMENTS_SQL`` of the statements whose keys a JSON list parameter holds. They are
#: read first (``MATERIALIZED``): joined as they are, DuckDB's scan reads the big
#: ``explanation`` of every row near a match, 100 times slower.
_STATEMENTS_OF_KEYS = ("WITH s AS MATERIALIZED (SELECT * FROM statements WHERE "
                       + in_list("key") + ")"
                       + STATEMENTS_SQL.replace("FROM statements s", "FROM s", 1))

#: ``STATEMENTS_SQL`` of the statements of one subject and object (two parameters), strongest
#: first: a few rows, read first as ``_STATEMENTS_OF_KEYS`` explains.
_STATEMENTS_OF_PAIR = ("WITH s AS MATERIALIZED (SELECT * FROM statements WHERE subject_id = ?"
                       " AND object_id = ?)"
                       + STATEMENTS_SQL.replace("FROM statements s", "FROM s", 1)
                       + " ORDER BY s.belief DESC, s.predicate, s.key")

#: The rows of the lookup table (:mod:`evimap.store.lookup`) that statements' sources are
#: made of, in path order (:func:`_first_of_each_source` keeps those that matter).
_LOOKUP_SOURCES_SQL = """
SELECT DISTINCT statement_key, work_id, doc_id, path, work_title, """ + ", ".join(
    f"source_{k}" for k in identifiers.KEYS) + """
FROM claim_lookup WHERE {where}
ORDER BY path, doc_id
"""
_PLAIN_PMID = re.compile(r"[1-9][0-9]{0,9}")


def _first_of_each_source(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows :func:`merge_sources <evimap.identifiers.merge_sources>` needs, of rows in
    path order: the first of each statement's rows with the same raw identifiers (a later
    one would change nothing), unless these hold no plain PMID (then a source may be one
    per work). Done here rather than by a window in SQL, which cost DuckDB twice the
    query."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for r in rows:
        ids = tuple(r[f"source_{k}"] for k in identifiers.KEYS)
        plain = _PLAIN_PMID.fullmatch(r["source_pmid"] or "") is not None
        identity = (r["statement_key"], ids, None if plain else r["work_id"])
        if identity not in seen:
            seen.add(identity)
            kept.append(r)
    return kept


#: Claims' contexts (:meth:`Evimap.claim_contexts`): each claim's segment and the mentions
#: of its subject and object inside its sentence, in text order.
_CLAIM_CONTEXTS_SQL = f"""
WITH c AS MATERIALIZED (SELECT id, doc_id, segment_idx, subject_id, object_id, start_offset,
                               end_offset FROM claims WHERE {in_list('id')}),
m AS (SELECT c.id, list({{'start': m.start_offset, 'end': m.end_offset,
                          'concept_id': m.concept_id,
                          'role': CASE WHEN m.concept_id = c.subject_id THEN 'subj'
                                       ELSE 'obj' END}}
                        ORDER BY m.start_offset, m.end_offset, m.concept_id) AS mentions
      FROM c JOIN mentions m ON m.doc_id = c.doc_id AND m.start_offset >= c.start_offset
           AND m.end_offset <= c.end_offset
           AND (m.concept_id = c.subject_id OR m.concept_id = c.object_id)
      GROUP BY c.id)
SELECT c.id, s.kind, s.label, s.text, s.start_offset, s.end_offset, s.author, s.date,
       coalesce(m.mentions, []) AS mentions
FROM c JOIN segments s ON s.doc_id = c.doc_id AND s.idx = c.segment_idx
LEFT JOIN m ON m.id = c.id
"""

#: Subject types that count as interventions on the evidence map.
INTERVENTION_TYPES = ("chemical", "procedure")
#: The map's views: (default column types, predicates or None for all). Columns are
#: conditions (``disease``: MeSH C and F03), so drug classes never become columns.
MAP_VIEWS: dict[str, tuple[tuple[str, ...], frozenset[str] | None]] = {
    "benefit": (("disease",), vocab.of_polarity("benefit")),
    "harm": (("disease",), vocab.of_polarity("harm")),
    "mechanism": (("mechanism",), vocab.of_polarity("mechanism")),
    "all": (("disease",), None)}
#: Predicates that are the contrary of their view's question ("has no effect on").
CONTRARY_PREDICATES = frozenset({"no_effect"})
_DOC_COLUMNS = ("d.id, d.path, d.work_id, d.title, d.format, d.source_kind, d.credibility, "
                "d.n_comments, d.design, d.near_dup_of, d.similarity, " + SOURCE_IDS_SQL)


@dataclass(frozen=True)
class Page:
    """One page of a listing: its items, how many there are in all, and where it starts."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "limit": self.limit, "offset": self.offset,
                "items": self.items}


@dataclass(frozen=True)
class StatementPage:
    """What a statement's page shows (:meth:`Evimap.statement_page`)."""

    statement: dict[str, Any]
    works: Page                             # a page of its works (``statement_works``)
    contexts: dict[str, dict[str, Any]]     # claim id -> paragraph and mentions
    quote: dict[str, Any] | None            # its strongest quote, when others contest it
    others: list[dict[str, Any]]            # the other statements of its subject and object
    wrong: list[dict[str, Any]]             # claims marked wrong that its works do not show


@dataclass(frozen=True)
class _FoundStatement:
    statement: dict[str, Any]
    row: dict[str, Any]                     # its ``STATEMENTS_SQL`` row
    pair_rows: list[dict[str, Any]]         # the statements of its subject and object
    titles: dict[str, str | None]           # its works' titles
    quote: dict[str, Any] | None


#: Rows of an unfiltered listing (statements, claims) whose keys a store held for reading
#: remembers in order (:meth:`Evimap._listing_keys`): its first pages cost a look-up of the
#: page's rows, not a sort of every row.
LISTING_KEPT = 10_000

#: Claims :meth:`Evimap.evidence` returns unless asked for more (``limit=None``: all).
EVIDENCE_LIMIT = 100


class Listing(list[dict[str, Any]]):
    """A page of a listing that is also the list of its items: ``total`` says how many
    there are in all, ``limit`` how many a page holds (None: every one)."""

    def __init__(self, items: Sequence[dict[str, Any]], total: int, limit: int | None,
                 offset: int) -> None:
        super().__init__(items)
        self.total, self.limit, self.offset = total, limit, offset

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "limit": self.limit, "offset": self.offset,
                "items": list(self)}


_P = ParamSpec("_P")
_R = TypeVar("_R")
#: The answer of :func:`claim_lookup.is_fresh <evimap.store.lookup.is_fresh>` inside one
#: API call (per thread): ``store`` and ``fresh``.
_LOOKUP_MEMO = threading.local()


def _lookup_fresh(store: Store) -> bool:
    """Whether the claims' lookup table matches the claims: asked once per API call, and
    once per generation of a store held for reading (:meth:`Store.memo`)."""
    if getattr(_LOOKUP_MEMO, "store", None) is store:
        return bool(_LOOKUP_MEMO.fresh)
    return store.memo("lookup_fresh", lambda: claim_lookup.is_fresh(store))


def _one_look(method: Callable[Concatenate[Evimap, _P], _R]
              ) -> Callable[Concatenate[Evimap, _P], _R]:
    """An API call that asks whether the lookup table is fresh once for all its queries."""
    @functools.wraps(method)
    def call(self: Evimap, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if getattr(_LOOKUP_MEMO, "store", None) is not None:
            return method(self, *args, **kwargs)
        store = self.store
        _LOOKUP_MEMO.fresh = store.memo("lookup_fresh", lambda: claim_lookup.is_fresh(store))
        _LOOKUP_MEMO.store = self.store
        try:
            return method(self, *args, **kwargs)
        finally:
            _LOOKUP_MEMO.store = None
    return call


class Evimap:
    """Everything evimap does, over one store."""

    def __init__(self, db: str | Path | None = None, settings: Settings | None = None,
                 *, create: bool = True, read_only: bool = False, shared: bool = False
                 ) -> None:
        """Open (``create``: or make) the store ``db``. By default this process holds it
        alone; ``read_only``: for reading, beside other processes that read it (a running
        ``evimap serve``, the CLI); ``shared``: read-only except while it writes (ingest,
        curate), so that others may read it meanwhile (what ``evimap serve`` does)."""
        self.settings = settings or load_settings(db=str(db) if db else None)
        self.store: Store = open_store(db or self.settings.db, create=create,
                                       read_only=read_only, shared=shared)
        self._resources: Resources | None = None
        self._resources_lock = threading.Lock()
        self._index_lex: Lexicon | None = None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Evimap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def resources(self) -> Resources:
        """The lexicon and NER model, loaded on first use."""
        if self._resources is None:
            with self._resources_lock:      # threads asking at once load them once
                if self._resources is None:
                    self._resources = load_resources(self.settings)
        return self._resources

    @property
    def lexicon(self) -> Lexicon:
        return self.resources.lexicon

    # --- ingest ----------------------------------------------------------------------------

    def ingest(self, paths: Sequence[str],
               progress: Callable[[FileResult], None] | None = None,
               on_record: Callable[[], None] | None = None) -> IngestReport:
        """Ingest files (see :func:`evimap.pipeline.ingest`): ``progress`` hears of each
        file when it is done, ``on_record`` of each record processed."""
        resources = self.resources
        with self.store.writing():
            report = ingest(self.store, paths, self.settings, resources, progress, on_record)
            return self._indexed(report)

    def _indexed(self, report: IngestReport) -> IngestReport:
        """Discovery's concept index brought up to date after an ingest."""
        done = self.refresh_index()
        if done is not None:
            report.details["discovery_index"] = done
        return report

    def ingest_cluster(self, paths: Sequence[str], options: ClusterOptions,
                       progress: Callable[[ClusterProgress], None] | None = None
                       ) -> IngestReport:
        """Ingest on a Dask cluster (:mod:`evimap.cluster`): workers write Parquet parts,
        merged here into the store; the same result as :meth:`ingest`."""
        with self.store.writing():
            return self._indexed(ingest_cluster(self.store, paths, self.settings, options,
                                                progress))

    # --- concepts --------------------------------------------------------------------------

    def resolve(self, term: str) -> list[dict[str, Any]]:
        """Concepts a user's term names: a MeSH ID, a concept name, a mention text seen in
        the store, or a MeSH synonym from the lexicon (in that order)."""
        term = term.strip()
        if not term:
            raise EvimapError("empty concept name")
        # a MeSH ID, or an ID a corpus gave a concept MeSH lacks ("-1:myalgia-syndrome"),
        # as the UI's links and the statements' own subject and object pass them
        if _MESH_UI_RE.match(term) or ":" in term:
            rows = self.store.rows("SELECT * FROM concepts WHERE id = ?", [term])
            if rows:
                return rows
        rows = self.store.rows("SELECT * FROM concepts WHERE lower(name) = lower(?)", [term])
        if rows:
            return rows
        rows = self.store.rows(
            "SELECT DISTINCT c.* FROM mentions m JOIN concepts c ON c.id = m.concept_id "
            "WHERE lower(m.text) = lower(?) ORDER BY c.id", [term])
        if rows:
            return rows
        concept = self.lexicon.lookup(term)
        if concept is not None:
            return [{"id": concept.id, "name": concept.name, "type": concept.type}]
        return []

    def _resolve_ids(self, term: str) -> list[str]:
        ids = [c["id"] for c in self.resolve(term)]
        if not ids:
            close = self.suggest(term)
            hint = (f"did you mean {', '.join(repr(n) for n in close)}?" if close else
                    "try a MeSH name or ID, or `evimap search TERM`")
            raise NotFoundError(f"no concept matches {term!r} ({hint})")
        return ids

    # --- documents -------------------------------------------------------------------------

    def docs(self, with_segments: bool = True) -> list[dict[str, Any]]:
        docs = self.store.rows(
            "SELECT d.id, d.path, d.work_id, d.title, d.format, d.source_kind, d.credibility,"
            " d.n_comments, d.signals, d.kind_scores, d.design, d.metadata, d.near_dup_of,"
            " d.similarity, (SELECT count(*) FROM documents x WHERE x.work_id = d.work_id)"
            " AS work_sources FROM documents d ORDER BY d.path, d.record")
        for d in docs:
            for key in ("signals", "kind_scores", "metadata"):
                d[key] = json.loads(d[key]) if d[key] else None
            d["source"] = identifiers.source_ids(d["metadata"])
            if with_segments:
                d["segments"] = self.segments(d["id"])
        return docs

    def segments(self, doc_id: str) -> list[dict[str, Any]]:
        return [_segment_json(s) for s in self.store.rows(
            "SELECT kind, label, text, start_offset, end_offset, reason, author, date "
            "FROM segments WHERE doc_id = ? ORDER BY idx", [doc_id])]

    # --- claims, statements, evidence ------------------------------------------------------

    def claims(self, about: str | None = None, predicate: str | None = None, *,
               sort: str = "subject", limit: int | None = None) -> list[dict[str, Any]]:
        """Claims (``about`` a term, of a ``predicate``), sorted by ``sort`` (one of
        :data:`CLAIM_SORTS`), at most ``limit``."""
        where, params = self._claim_filters("c", None, None, predicate, about)
        sql = CLAIMS_SQL + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY " + _choice(CLAIM_SORTS, sort, "sort") + _limit(limit)
        return [_claim_json(r) for r in self.store.rows(sql, params)]

    def statements(self, about: str | None = None, *, min_belief: float | None = None,
                   sort: str = "belief", limit: int | None = None) -> list[dict[str, Any]]:
        """Statements (``about`` a term, of belief at least ``min_belief``) with all their
        evidence, sorted by ``sort`` (one of :data:`STATEMENT_SORTS`), at most ``limit``."""
        where, params = self._claim_filters("s", None, None, None, about)
        if min_belief is not None:
            where.append("s.belief >= ?")
            params.append(min_belief)
        sql = STATEMENTS_SQL + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.store.rows(sql + " ORDER BY " + _choice(STATEMENT_SORTS, sort, "sort")
                               + _limit(limit), params)
        evidence: dict[str, list[dict[str, Any]]] = {r["key"]: [] for r in rows}
        for c in self.store.rows(self._claims_sql(
                f" WHERE {in_list('c.statement_key')} ORDER BY d.path, c.start_offset"),
                [json_list(evidence)]):
            evidence[c["statement_key"]].append(_claim_json(c))
        return [{**_statement_json(r), "sources": _claims_sources(evidence[r["key"]]),
                 "evidence": evidence[r["key"]]} for r in rows]

    def interpret(self, intervention: str, condition: str | None = None
                  ) -> tuple[str, str | None, str | None]:
        """What a user most likely asks for ``evidence``: the terms as given, or swapped when
        the "intervention" names only conditions and the "condition" an intervention
        ("migraine ketamine"), or a two-word query split into intervention and condition
        ("ketamine migraine"); with a note saying how it was read (None: as given)."""
        if condition is None:
            if self.resolve_quietly(intervention) or len(intervention.split()) < 2:
                return intervention, None, None
            words = intervention.split()
            for k in range(1, len(words)):
                a, c = " ".join(words[:k]), " ".join(words[k:])
                if self.resolve_quietly(a) and self.resolve_quietly(c):
                    subject, obj, _ = self.interpret(a, c)
                    return subject, obj, (f"read as intervention {subject!r}, "
                                          f"condition {obj!r}")
            return intervention, None, None
        first, second = self.resolve_quietly(intervention), self.resolve_quietly(condition)
        acting = {"chemical", "procedure"}
        if (first and second and all(c["type"] == "disease" for c in first)
                and any(c["type"] in acting for c in second)):
            return condition, intervention, (f"read as intervention {condition!r}, "
                                             f"condition {intervention!r}")
        return intervention, condition, None

    def resolve_quietly(self, term: str) -> list[dict[str, Any]]:
        """:meth:`resolve`, with nothing (not an error) for an empty term."""
        return self.resolve(term) if term.strip() else []

    def suggest(self, term: str, limit: int = 5) -> list[str]:
        """Names in the store close to a term that names nothing ("ketamin" -> ketamine):
        concept names and mention texts by Jaro-Winkler similarity (at least 0.85)."""
        rows = self.store.rows(
            "WITH names AS (SELECT name FROM concepts UNION SELECT DISTINCT text FROM mentions)"
            " SELECT name, jaro_winkler_similarity(lower(name), lower(?)) AS sim FROM names "
            "WHERE sim >= 0.85 ORDER BY sim DESC, name LIMIT ?", [term.strip(), limit * 3])
        out: list[str] = []
        for r in rows:
            if r["name"].lower() not in {o.lower() for o in out}:
                out.append(r["name"])
        return out[:limit]

    def search(self, query: str, limit: int = 20) -> dict[str, Any]:
        """What the store holds about ``query``: the concepts it names (with their claim
        counts), the statements about them (between them, when the query names an
        intervention and a condition), and spelling suggestions when it names nothing."""
        a, c, note = self.interpret(query)
        concepts = self.resolve_quietly(a) + (self.resolve_quietly(c) if c else [])
        out: dict[str, Any] = {"query": query, "read_as": note, "intervention": a,
                               "condition": c, "concepts": [], "statements": [],
                               "suggestions": []}
        if not concepts:
            out["suggestions"] = self.suggest(query)
            return out
        counts = dict(self.store.con.execute(
            "SELECT x.id, count(c.id) FROM (SELECT unnest(?::VARCHAR[]) AS id) x LEFT JOIN "
            "claims c ON c.subject_id = x.id OR c.object_id = x.id GROUP BY x.id",
            [[k["id"] for k in concepts]]).fetchall())
        out["concepts"] = [{"id": k["id"], "name": k["name"], "type": k["type"],
                            "claims": int(counts.get(k["id"], 0))} for k in concepts]
        if c:
            keys = {r["statement_key"] for r in self.evidence(a, c, limit=None)}
            out["statements"] = [s for s in self.statements(about=a) if s["key"] in keys
                                 ][:limit]
        else:
            out["statements"] = self.statements(about=a, limit=limit)
        return out

    @_one_look
    def evidence(self, intervention: str, condition: str | None = None, *,
                 limit: int | None = EVIDENCE_LIMIT, offset: int = 0) -> Listing:
        """The claims with ``intervention`` as subject (and ``condition`` as object), by
        condition, predicate, design and place: ``limit`` of them from ``offset`` (None:
        every one), with how many there are in all (``total``)."""
        where, params = self._claim_filters("c", intervention, condition, None, None)
        order = "co.name, c.predicate, e.design, d.path, c.start_offset, c.id"
        if limit is None:
            rows = self.store.rows(self._claims_sql(
                " WHERE " + " AND ".join(where) + f" ORDER BY {order} OFFSET ?"),
                [*params, offset])
            total = len(rows) + offset if rows or not offset else int(self.store.scalar(
                f"SELECT count(*) FROM ({self._claims_sql(' WHERE ' + ' AND '.join(where))})",
                params))
            return Listing([_claim_json(r) for r in rows], total, None, offset)
        if limit < 1 or offset < 0:
            raise EvimapError(f"limit must be at least 1 and offset at least 0 (got {limit}, "
                              f"{offset})")
        rows, total = self._claims_page(where, params, order, limit, offset)
        return Listing([_claim_json(r) for r in rows], total, limit, offset)

    def _claims_sql(self, tail: str, select: str | None = None) -> str:
        """``CLAIMS_SQL + tail`` (a WHERE and ORDER BY over its aliases), over the claims'
        lookup table when it matches the claims (:mod:`evimap.store.lookup`): one sorted
        table instead of joins that scan every evidence row and document. ``select``: the
        SELECT clause instead of ``CLAIMS_SQL``'s."""
        sql = CLAIMS_SQL + tail
        if select is not None:
            sql = select + sql[sql.index("\nFROM claims c"):]
        if _lookup_fresh(self.store):
            return claim_lookup.on_lookup(sql) or sql
        return sql


    # --- paged queries (the HTTP API and the web UI) ---------------------------------------
    # Each filters, sorts and pages in SQL, so a listing costs the same on any store size.

    def _page(self, sql: str, where: Sequence[str], params: Sequence[Any], order: str,
              limit: int, offset: int, order_params: Sequence[Any] = ()
              ) -> tuple[list[dict[str, Any]], int]:
        """Rows ``offset`` to ``offset + limit`` of ``sql`` filtered by ``where`` (ANDed),
        sorted by ``order``, and how many rows there are in all."""
        if where:
            sql += " WHERE " + " AND ".join(where)
        total = int(self.store.scalar(f"SELECT count(*) FROM ({sql})", params))
        rows = self.store.rows(f"{sql} ORDER BY {order} LIMIT ? OFFSET ?",
                               [*params, *order_params, limit, offset])
        return rows, total

    def _require(self, table: str, column: str, value: str, what: str) -> None:
        if not self.store.scalar(f"SELECT count(*) FROM {table} WHERE {column} = ?", [value]):
            raise NotFoundError(f"no {what} {value!r} in the store")

    def list_documents(self, q: str | None = None, source_kind: str | None = None,
                       work_id: str | None = None, concept: str | None = None,
                       limit: int = 50, offset: int = 0) -> Page:
        """Documents whose title, path or text contains ``q`` (any case), of a source kind,
        of a work, or mentioning a concept (MeSH ID)."""
        where, params = [], []
        if q:
            where.append("(contains(lower(coalesce(d.title, '')), lower(?)) OR "
                         "contains(lower(d.path), lower(?)) OR contains(lower(d.text), lower(?)))")
            params += [q, q, q]
        for column, value in (("d.source_kind", source_kind), ("d.work_id", work_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if concept:
            where.append("d.id IN (SELECT doc_id FROM mentions WHERE concept_id = ?)")
            params.append(concept)
        sql = f"SELECT {_DOC_COLUMNS} FROM documents d"
        rows, total = self._page(sql, where, params, "d.path, d.id", limit, offset)
        return Page([_with_source(r) for r in rows], total, limit, offset)

    def document(self, doc_id: str) -> dict[str, Any]:
        """One document with its text, metadata, credibility signals, other paths and the
        other sources of its work."""
        rows = self.store.rows(f"SELECT {_DOC_COLUMNS}, d.record, d.text, d.metadata, "
                               "d.signals, d.kind_scores, d.ingested_at FROM documents d "
                               "WHERE d.id = ?", [doc_id])
        if not rows:
            raise NotFoundError(f"no document {doc_id!r} in the store")
        doc = _with_source(rows[0])
        for key in ("signals", "kind_scores", "metadata"):
            doc[key] = json.loads(doc[key]) if doc[key] else None
        doc["paths"] = [r["path"] for r in self.store.rows(
            "SELECT path FROM document_paths WHERE doc_id = ? ORDER BY path", [doc_id])]
        doc["work_sources"] = self.store.rows(
            "SELECT id, path, title, source_kind FROM documents WHERE work_id = ? AND id <> ? "
            "ORDER BY path", [doc["work_id"], doc_id])
        return doc

    def list_segments(self, doc_id: str, kind: str | None = None, limit: int = 200,
                      offset: int = 0) -> Page:
        """A document's segments in reading order (as :meth:`segments`, plus ``idx``)."""
        self._require("documents", "id", doc_id, "document")
        where, params = ["doc_id = ?"], [doc_id]
        if kind:
            where.append("kind = ?")
            params.append(kind)
        rows, total = self._page("SELECT * FROM segments", where, params, "idx", limit, offset)
        return Page([{"idx": r["idx"], **_segment_json(r)} for r in rows], total, limit, offset)

    def mentions(self, doc_id: str, start: int = 0, end: int | None = None
                 ) -> list[dict[str, Any]]:
        """The entity mentions of a document between two text offsets, with their concepts."""
        return self.store.rows(
            "SELECT m.idx, m.segment_idx, m.start_offset AS start, m.end_offset AS end, m.text,"
            " m.concept_id, c.name AS concept_name, m.type, m.source, m.negated, m.hedged,"
            " m.hypothetical FROM mentions m JOIN concepts c ON c.id = m.concept_id"
            " WHERE m.doc_id = ? AND m.start_offset >= ? AND m.end_offset <= ?"
            " ORDER BY m.start_offset, m.end_offset DESC",
            [doc_id, start, end if end is not None else 2**31 - 1])

    def list_works(self, limit: int = 50, offset: int = 0) -> Page:
        """Works (a paper or page however many copies), with their number of sources."""
        sql = ("SELECT w.id, w.title, w.created_at, (SELECT count(*) FROM documents d "
               "WHERE d.work_id = w.id) AS n_sources FROM works w")
        rows, total = self._page(sql, [], [], "w.title, w.id", limit, offset)
        return Page(rows, total, limit, offset)

    def work(self, work_id: str) -> dict[str, Any]:
        rows = self.store.rows("SELECT id, title, content_hash, created_at FROM works "
                               "WHERE id = ?", [work_id])
        if not rows:
            raise NotFoundError(f"no work {work_id!r} in the store")
        return {**rows[0], "documents": self.list_documents(work_id=work_id, limit=1000).items}

    def search_concepts(self, q: str | None = None, type: str | None = None,
                        limit: int = 50, offset: int = 0) -> Page:
        """Concepts in the store whose name, a mention's text, or (exactly) a MeSH synonym
        matches ``q``: exact names first, then prefixes, then the most mentioned."""
        where, params = [], []
        q = (q or "").strip()
        if q:
            synonym = self.lexicon.lookup(q)
            where.append("(contains(lower(c.name), lower(?)) OR c.id = ? OR c.id IN (SELECT"
                         " concept_id FROM mentions WHERE contains(lower(text), lower(?))))")
            params += [q, synonym.id if synonym else q, q]
        if type:
            where.append("c.type = ?")
            params.append(type)
        sql = ("SELECT c.id, c.name, c.type, (SELECT count(*) FROM mentions m "
               "WHERE m.concept_id = c.id) AS n_mentions FROM concepts c")
        order = ("CASE WHEN lower(c.name) = lower(?) THEN 0 WHEN starts_with(lower(c.name), "
                 "lower(?)) THEN 1 WHEN contains(lower(c.name), lower(?)) THEN 2 ELSE 3 END, "
                 "n_mentions DESC, c.name, c.id")
        if not q:
            rows, total = self._page(sql, where, params, "c.name, c.id", limit, offset)
        else:
            rows, total = self._page(sql, where, params, order, limit, offset, [q, q, q])
        return Page(rows, total, limit, offset)


    def concept(self, concept_id: str) -> dict[str, Any]:
        """A concept of the store: MeSH ID, name, type, tree numbers, synonyms (from the
        lexicon) and how often the store mentions it and makes claims about it."""
        rows = self.store.rows("SELECT id, name, type, trees FROM concepts WHERE id = ?",
                               [concept_id])
        if not rows:
            raise NotFoundError(f"no concept {concept_id!r} in the store")
        c = rows[0]
        c["trees"] = list(c["trees"] or [])
        c["synonyms"] = [n for n in self.lexicon.synonyms(concept_id) if n != c["name"]]
        c["counts"] = self.store.rows(
            "SELECT m.mentions, m.documents,"
            " (SELECT count(*) FROM claims WHERE subject_id = $1 OR object_id = $1) AS claims,"
            " (SELECT count(*) FROM statements WHERE subject_id = $1 OR object_id = $1)"
            " AS statements FROM (SELECT count(*) AS mentions, count(DISTINCT doc_id) AS"
            " documents FROM mentions WHERE concept_id = $1) m", [concept_id])[0]
        return c

    def neighbours(self, concept_id: str, limit: int = 12) -> list[dict[str, Any]]:
        """The concepts a concept shares statements with, strongest first: for each one its
        strongest statement (``outgoing`` when the concept is the subject)."""
        # the concept's statements, then its neighbours' names: two small queries, where
        # one with a window over the join took three times as long
        best: dict[str, dict[str, Any]] = {}
        for r in self.store.rows(
                "SELECT CASE WHEN subject_id = $1 THEN object_id ELSE subject_id END AS id,"
                " key, predicate, negated, belief, n_works, subject_id = $1 AS outgoing"
                " FROM statements WHERE (subject_id = $1 OR object_id = $1)"
                " ORDER BY belief DESC, key", [concept_id]):
            if r["id"] != concept_id:
                best.setdefault(r["id"], r)       # the strongest statement of each neighbour
        if not best or limit < 1:
            return []
        names = {r["id"]: r for r in self.store.rows(
            f"SELECT id, name, type FROM concepts WHERE {in_list('id')}", [json_list(best)])}
        found = sorted((r for r in best.values() if r["id"] in names),
                       key=lambda r: (-r["belief"], names[r["id"]]["name"], r["id"]))
        return [{**names[r["id"]], "key": r["key"], "predicate": r["predicate"],
                 "negated": r["negated"], "belief": r["belief"], "n_works": r["n_works"],
                 "outgoing": r["outgoing"]} for r in found[:limit]]

    def _claim_filters(self, prefix: str, subject: str | None, object: str | None,
                       predicate: str | None, about: str | None
                       ) -> tuple[list[str], list[Any]]:
        """WHERE terms shared by claims and statements; concepts are user terms (names,
        synonyms, MeSH IDs) resolved as :meth:`resolve` does."""
        where: list[str] = []
        params: list[Any] = []
        for column, term in (("subject_id", subject), ("object_id", object)):
            if term:
                term_sql, param = _one_of(f"{prefix}.{column}", self._resolve_ids(term))
                where.append(term_sql)
                params.append(param)
        if about:
            ids = self._resolve_ids(about)
            subject_sql, param = _one_of(f"{prefix}.subject_id", ids)
            object_sql, _ = _one_of(f"{prefix}.object_id", ids)
            where.append(f"({subject_sql} OR {object_sql})")
            params += [param, param]
        if predicate:
            where.append(f"{prefix}.predicate = ?")
            params.append(predicate)
        return where, params

    @_one_look
    def list_statements(self, subject: str | None = None, object: str | None = None,
                        predicate: str | None = None, design: str | None = None,
                        about: str | None = None, min_belief: float | None = None,
                        limit: int = 50, offset: int = 0, *,
                        predicates: Sequence[str] | None = None) -> Page:
        """Statements, strongest first, without their evidence (see :meth:`statement` and
        :meth:`list_claims` with ``statement=KEY``); ``design`` is the best design;
        ``predicates`` keeps those of any of the given predicates (a map view's)."""
        where, params = self._claim_filters("s", subject, object, predicate, about)
        if predicates is not None:
            where.append(in_list("s.predicate"))
            params.append(json_list(predicates))
        if design:
            where.append("s.best_design = ?")
            params.append(design)
        if min_belief is not None:
            where.append("s.belief >= ?")
            params.append(min_belief)
        order = "s.belief DESC, cs.name, s.predicate, co.name, s.key"
        kept = None if where else self._listing_keys(
            "statements", f"SELECT s.key {_STATEMENTS_FROM} ORDER BY {order}", limit, offset)
        if kept is not None:
            keys, total = kept
            found = {r["key"]: r for r in self.store.rows(_STATEMENTS_OF_KEYS,
                                                         [json_list(k for k, in keys)])}
            rows = [found[k] for k, in keys]
        else:
            rows, total = self._statement_rows(where, params, order, limit, offset)
        sources = self._sources([r["key"] for r in rows],
                                [(r["subject_id"], r["object_id"]) for r in rows])
        return Page([{**_statement_json(r), "sources": sources[r["key"]]} for r in rows],
                    total, limit, offset)

    def _listing_keys(self, name: str, sql: str, limit: int, offset: int
                      ) -> tuple[list[tuple[Any, ...]], int] | None:
        """Rows ``offset`` to ``offset + limit`` of ``sql`` (an unfiltered listing's keys, in
        its order), and how many rows it has, from its first ``LISTING_KEPT`` rows
        remembered while the store is unchanged (:meth:`Store.memo`); None when the store
        is held for writing (nothing is remembered) or the page lies beyond them."""
        if not self.store.remembers:
            return None

        def first() -> tuple[list[tuple[Any, ...]], int]:
            rows = self.store.con.execute(f"{sql} LIMIT {LISTING_KEPT + 1}").fetchall()
            total = len(rows) if len(rows) <= LISTING_KEPT else int(self.store.scalar(
                f"SELECT count(*) FROM ({sql})"))
            return rows[:LISTING_KEPT], total

        keys, total = self.store.memo(f"listing {name}", first)
        if offset + limit > len(keys) and len(keys) < total:
            return None
        return keys[offset:offset + limit], total

    def _statement_rows(self, where: Sequence[str], params: Sequence[Any], order: str,
                        limit: int | None = None, offset: int = 0
                        ) -> tuple[list[dict[str, Any]], int]:
        """``STATEMENTS_SQL`` rows filtered by ``where`` (ANDed), sorted by ``order``,
        ``limit`` of them from ``offset``, and how many match in all. Their keys are found
        first, then only their rows read: a scan filtered on other columns that returns
        ``explanation`` reads it for every row of the vectors it matches in (every work's
        factors: 270 MB for 3,000 statements on a million claims)."""
        filtered = _STATEMENTS_FROM + (" WHERE " + " AND ".join(where) if where else "")
        sql = f"SELECT s.key, count(*) OVER () {filtered} ORDER BY {order}"
        extra: list[Any] = []
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            extra = [limit, offset]
        found = self.store.con.execute(sql, [*params, *extra]).fetchall()
        if not found:
            total = int(self.store.scalar(f"SELECT count(*) {filtered}", params)) if offset else 0
            return [], total
        rows = {r["key"]: r for r in self.store.rows(_STATEMENTS_OF_KEYS,
                                                     [json_list(k for k, _ in found)])}
        return [rows[k] for k, _ in found], int(found[0][1])

    def statement_sources(self, keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """For each statement, its distinct sources (one per work or document, see
        :func:`evimap.identifiers.merge_sources`) with their PMID, DOI, PMCID and URL;
        one query for all ``keys``."""
        return self._sources(keys)

    def _sources(self, keys: Sequence[str], pairs: Sequence[tuple[str, str]] | None = None,
                 titles: dict[str, str | None] | None = None
                 ) -> dict[str, list[dict[str, Any]]]:
        """:meth:`statement_sources`; ``pairs``: the statements' (subject, object), when
        known; ``titles``: filled with their works' titles when the lookup table has
        them (read in the same query)."""
        found: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
        if not keys:
            return found
        sql = ("WITH k AS (SELECT DISTINCT statement_key, work_id, doc_id FROM claims"
               f" WHERE statement_key IN (SELECT unnest({IDS}))) SELECT k.*, d.path, "
               + SOURCE_IDS_SQL + " FROM k JOIN documents d ON d.id = k.doc_id"
               " ORDER BY d.path, k.doc_id")
        params: list[Any] = [json_list(keys)]
        fresh = _lookup_fresh(self.store)
        if fresh:
            where, params = self._lookup_where(keys, pairs)
            sql = _LOOKUP_SOURCES_SQL.format(where=where)
        rows = self.store.rows(sql, params)
        if fresh and titles is not None:
            titles.update((r["work_id"], r["work_title"]) for r in rows)
        for r in _first_of_each_source(rows) if fresh else rows:
            found[r["statement_key"]].append({
                "work_id": r["work_id"], "doc_id": r["doc_id"], "path": r["path"],
                **_source(r)})
        return {k: identifiers.merge_sources(v) for k, v in found.items()}

    @_one_look
    def statement(self, key: str) -> dict[str, Any]:
        """One statement with why it has its belief: the weight of each work behind it (with
        the work's title) and the narrower statements that support it."""
        return self._statement(key).statement

    @_one_look
    def statement_page(self, key: str, limit: int = 20, offset: int = 0) -> StatementPage:
        """Everything a statement's page shows, read once: the statement (:meth:`statement`),
        a page of its works (:meth:`statement_works`) with each shown claim's paragraph and
        mentions (:meth:`claim_contexts`), the strongest quote of the statement when others
        contest it, the other statements of its subject and object (at most 20 of the
        strongest, its rivals left out) and the claims a reader marked wrong that the page
        does not show. Rows two parts need (the statement, its pair's statements, its works'
        titles) are queried once for both."""
        found = self._statement(key)
        st = found.statement
        works = self._statement_works(key, found.row, limit, offset, found.titles)
        claims = [c for w in works.items for c in w["claims"]]
        shown = {c["id"] for c in claims}
        rivals = {r["key"] for r in st["contradictions"]}
        others = [_statement_json(r) for r in found.pair_rows[:20]]
        excluded = (st["explanation"] or {}).get("excluded") or []
        return StatementPage(
            statement=st, works=works, contexts=self.claim_contexts(sorted(shown)),
            quote=found.quote if rivals else None,
            others=[s for s in others if s["key"] != key and s["key"] not in rivals],
            wrong=[c for c in self.claims_by_id(excluded) if c["id"] not in shown])

    def _statement(self, key: str) -> _FoundStatement:
        """:meth:`statement`, with the rows it read that a statement page needs again and
        the statement's own strongest quote when others contest it (read with theirs);
        remembered while the store is unchanged (:meth:`Store.recall
        <evimap.store.Store.recall>`: a reader goes from a statement's JSON to its page,
        a listing's rows to each statement), each call getting its own copy."""
        return self.store.recall(f"statement {key}", lambda: self._find_statement(key))

    def _find_statement(self, key: str) -> _FoundStatement:
        """:meth:`_statement`, read from the store."""
        rows = self.store.rows(STATEMENTS_SQL + " WHERE s.key = ?", [key])
        if not rows:
            raise NotFoundError(f"no statement {key!r} in the store")
        row = rows[0]
        st = _statement_json(row)
        expl = st["explanation"] or {}
        narrower = expl.get("supported_by") or []
        pair = [(row["subject_id"], row["object_id"])]
        titles: dict[str, str | None] = {}
        st["sources"] = self._sources([key], pair, titles)[key]
        narrower_rows = self.store.rows(_STATEMENTS_OF_KEYS + " ORDER BY s.belief DESC",
                                        [json_list(narrower)]) if narrower else []
        works = expl.get("works", []) + expl.get("support", [])
        if not all(w["work_id"] in titles for w in works):
            titles = self._work_titles(
                [w["work_id"] for w in works], [key, *narrower],
                pair + [(r["subject_id"], r["object_id"]) for r in narrower_rows])
        for w in works:
            w["title"] = titles.get(w["work_id"])
        st["belief_text"] = belief_model.describe(st["belief"], expl, bool(st["contested"]))
        st["supported_by"] = [_statement_json(r) for r in narrower_rows]
        pair_rows = self.store.rows(_STATEMENTS_OF_PAIR, [row["subject_id"], row["object_id"]])
        st["contradictions"], quote = self._contradictions(key, row, pair_rows,
                                                           own_quote=True)
        return _FoundStatement(st, row, pair_rows, titles, quote)

    def _work_titles(self, work_ids: Sequence[str], keys: Sequence[str] = (),
                     pairs: Sequence[tuple[str, str]] | None = None) -> dict[str, str | None]:
        """Each work's title, in one query: from the lookup table's rows of the statements
        ``keys`` (of subjects and objects ``pairs``, when known) when their claims hold every
        one of the works (a few vectors), else from the works (a pass over them all)."""
        if not work_ids:
            return {}
        if keys and _lookup_fresh(self.store):
            where, params = self._lookup_where(keys, pairs)
            titles = dict(self.store.con.execute(
                f"SELECT DISTINCT work_id, work_title FROM claim_lookup WHERE {where}",
                params).fetchall())
            if all(w in titles for w in work_ids):
                return titles
        return dict(self.store.con.execute(f"SELECT id, title FROM works WHERE {in_list('id')}",
                                           [json_list(work_ids)]).fetchall())

    def _lookup_where(self, keys: Sequence[str],
                      pairs: Sequence[tuple[str, str]] | None = None, prefix: str = ""
                      ) -> tuple[str, list[Any]]:
        """WHERE terms (and their parameters) for the lookup table's rows of the statements
        ``keys``: their keys, and their subjects and objects, the table's order, so DuckDB
        reads only the vectors that hold them. ``pairs``: the statements' (subject, object),
        when the caller has them."""
        if pairs is None:
            pairs = self.store.con.execute(
                "SELECT DISTINCT subject_id, object_id FROM statements WHERE "
                + in_list("key"), [json_list(keys)]).fetchall()
        terms, params = [], []
        for column, values in (("subject_id", {p[0] for p in pairs}),
                               ("object_id", {p[1] for p in pairs}),
                               ("statement_key", set(keys))):
            term, param = _one_of(prefix + column, sorted(values) or [""])
            terms.append(term)
            params.append(param)
        return " AND ".join(terms), params

    @_one_look
    def contradictions(self, key: str) -> list[dict[str, Any]]:
        """The statements that contest ``key`` (same subject and object; the predicate
        negated, or its opposite: ``treats`` vs ``no_effect``), strongest first, each with
        its strongest work's quote (``quote``) so the two can be read side by side."""
        rows = self.store.rows("SELECT subject_id, predicate, object_id, negated FROM "
                               "statements WHERE key = ?", [key])
        if not rows:
            raise NotFoundError(f"no statement {key!r} in the store")
        return self._contradictions(key, rows[0])[0]

    def _contradictions(self, key: str, r: Mapping[str, Any],
                        pair_rows: Sequence[dict[str, Any]] | None = None,
                        own_quote: bool = False
                        ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """:meth:`contradictions` of the statement ``key``, whose row ``r`` is known: the
        statements of its pair (``pair_rows``, when known; else one query) of a rival form.
        With ``own_quote``, also the statement's own strongest quote when it has rivals (in
        the same query as theirs), else None."""
        forms = set(assemble.rivals(r["predicate"], bool(r["negated"])))
        if pair_rows is None:
            pair_rows = self.store.rows(_STATEMENTS_OF_PAIR, [r["subject_id"], r["object_id"]])
        found = sorted((x for x in pair_rows
                        if (x["predicate"], bool(x["negated"])) in forms),
                       key=lambda x: (-x["belief"], x["key"]))
        out = [_statement_json(x) for x in found]
        if not out:
            return out, None
        tops = {x["key"]: (((x["explanation"] or {}).get("works") or [{}])[0].get("work_id"),
                           x["subject"]["id"], x["object"]["id"]) for x in out}
        if own_quote:
            own = json.loads(r["explanation"]) if r["explanation"] else None
            tops[key] = (((own or {}).get("works") or [{}])[0].get("work_id"),
                         r["subject_id"], r["object_id"])
        quotes = self._top_quotes(tops)
        for x in out:
            x["quote"] = quotes.get(x["key"])
        return out, quotes.get(key) if own_quote else None

    def top_quotes(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """For each statement, one claim of its strongest work (the work's strongest design,
        then the first in the document), as :meth:`claim` gives it."""
        if not keys:
            return {}
        rows = self.store.con.execute(
            "SELECT key, explanation->>'$.works[0].work_id', subject_id, object_id FROM "
            f"statements WHERE {in_list('key')}", [json_list(keys)]).fetchall()
        return self._top_quotes({k: (top, s, o) for k, top, s, o in rows})

    def _top_quotes(self, tops: Mapping[str, tuple[str | None, str, str]]
                    ) -> dict[str, dict[str, Any]]:
        """:meth:`top_quotes` of the statements ``tops``: key -> (its strongest work,
        its subject, its object)."""
        works = sorted({t[0] for t in tops.values() if t[0]})
        if not works:
            return {}
        where, params = self._lookup_where(list(tops), [(s, o) for _, s, o in tops.values()],
                                           "c.")
        work_sql, work = _one_of("c.work_id", works)
        out: dict[str, dict[str, Any]] = {}
        for c in self.store.rows(self._claims_sql(
                f" WHERE {where} AND {work_sql} ORDER BY d.path, c.start_offset"),
                [*params, work]):
            k = c["statement_key"]
            if c["work_id"] != tops[k][0]:
                continue
            best = out.get(k)
            if best is None or DESIGN_RANK.get(c["design"], 99) < DESIGN_RANK.get(
                    best["evidence_type"], 99):
                out[k] = _claim_json(c)
        return out

    @_one_look
    def statement_works(self, key: str, limit: int = 20, offset: int = 0) -> Page:
        """The works behind a statement, strongest first, each once however many copies
        carry it: its weight and the factors that made it (``basis``), every copy as a
        source (with PMID, DOI and URL), and its distinct claims (a sentence found in
        several copies is one claim listing its ``copies``). A claim of unspecified design
        shows its work's design, as the belief counts it."""
        rows = self.store.rows("SELECT subject_id, object_id, explanation FROM statements "
                               "WHERE key = ?", [key])
        if not rows:
            raise NotFoundError(f"no statement {key!r} in the store")
        return self._statement_works(key, rows[0], limit, offset)

    def _statement_works(self, key: str, row: Mapping[str, Any], limit: int, offset: int,
                         titles: Mapping[str, str | None] | None = None) -> Page:
        """:meth:`statement_works` of the statement whose row (subject, object and
        explanation) is known; ``titles``: its works' titles, when known."""
        basis = (json.loads(row["explanation"] or "null") or {}).get("works") or []
        page = basis[offset:offset + limit]
        ids = [w["work_id"] for w in page]
        docs: dict[str, list[dict[str, Any]]] = {w: [] for w in ids}
        for d in self.store.rows(f"SELECT {_DOC_COLUMNS} FROM documents d WHERE "
                                 f"{in_list('d.work_id')} ORDER BY d.path, d.id",
                                 [json_list(ids)]):
            docs[d["work_id"]].append(_with_source(d))
        if titles is None or not all(w in titles for w in ids):
            titles = self._work_titles(ids, [key], [(row["subject_id"], row["object_id"])])
        claims = [_claim_json(c) for c in self.store.rows(self._claims_sql(
            " WHERE c.subject_id = ? AND c.object_id = ? AND c.statement_key = ? AND "
            f"{in_list('c.work_id')} ORDER BY d.path, c.start_offset"),
            [row["subject_id"], row["object_id"], key, json_list(ids)])]
        grouped = group_by_work(claims, {w: [d["design"] for d in ds] for w, ds in docs.items()})
        items = [{"work_id": w["work_id"], "title": titles.get(w["work_id"]),
                  "weight": w["weight"], "basis": w, "sources": docs[w["work_id"]],
                  "claims": grouped.get(w["work_id"], [])} for w in page]
        return Page(items, len(basis), limit, offset)

    @_one_look
    def list_claims(self, subject: str | None = None, object: str | None = None,
                    predicate: str | None = None, design: str | None = None,
                    about: str | None = None, statement: str | None = None,
                    doc_id: str | None = None, limit: int = 50, offset: int = 0) -> Page:
        """Claims with their evidence (the ``claims --json`` shape); ``design`` is the
        evidence design of the claim."""
        where, params = self._claim_filters("c", subject, object, predicate, about)
        for column, value in (("e.design", design), ("c.statement_key", statement),
                              ("c.doc_id", doc_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        order = "cs.name, c.predicate, co.name, d.path, c.start_offset, c.id"
        kept = None if where else self._listing_keys(
            "claims", self._claims_sql(f" ORDER BY {order}", "SELECT c.id"), limit, offset)
        if kept is not None:
            ids, total = kept
            rows = self.store.rows(self._claims_sql(
                f" WHERE {in_list('c.id')} ORDER BY {order}"),
                [json_list(i for i, in ids)]) if ids else []
        else:
            rows, total = self._claims_page(where, params, order, limit, offset)
        return Page([_claim_json(r) for r in rows], total, limit, offset)

    def _claims_page(self, where: Sequence[str], params: Sequence[Any], order: str,
                     limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """:meth:`_page` of ``CLAIMS_SQL`` (over the lookup table, see :meth:`_claims_sql`)."""
        filtered = " WHERE " + " AND ".join(where) if where else ""
        rows = self.store.rows(self._claims_sql(f"{filtered} ORDER BY {order}")
                               + " LIMIT ? OFFSET ?", [*params, limit, offset])
        if len(rows) < limit and (rows or not offset):      # the last page: no need to count
            return rows, offset + len(rows)
        total = int(self.store.scalar(f"SELECT count(*) FROM ({self._claims_sql(filtered)})",
                                      params))
        return rows, total

    def claim(self, claim_id: str) -> dict[str, Any]:
        rows = self.store.rows(self._claims_sql(" WHERE c.id = ?"), [claim_id])
        if not rows:
            raise NotFoundError(f"no claim {claim_id!r} in the store")
        return _claim_json(rows[0])

    def claims_by_id(self, claim_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The claims of some ids that are stored, in document order."""
        if not claim_ids:
            return []
        return [_claim_json(r) for r in self.store.rows(
            CLAIMS_SQL + f" WHERE c.id IN (SELECT unnest({IDS})) ORDER BY d.path, "
            "c.start_offset", [json_list(claim_ids)])]

    # --- curation --------------------------------------------------------------------------

    def curate(self, claim_id: str, verdict: str | None, note: str | None = None
               ) -> dict[str, Any]:
        """A reader's verdict on a claim: ``wrong`` or ``right`` with an optional note, or
        None to forget it. Kept in the store (``curation``), keyed by the claim's id, which
        comes from its content, so it holds across re-ingests. A claim marked wrong is left
        out of its statement's belief, so the statements are rebuilt when that changes.
        The same sentence in the other copies of its work (the same claim, shown once) gets
        the same verdict (``copies``). Returns the claim's id and statement, the verdict, and
        the statement's belief before and after."""
        claim = self.claim(claim_id)
        key = claim["statement_key"]
        sentence = " ".join(claim["sentence"].split()).lower()
        copies = [r["id"] for r in self.store.rows(
            "SELECT id, sentence FROM claims WHERE statement_key = ? AND work_id = ? "
            "ORDER BY id", [key, claim["work_id"]])
            if " ".join(r["sentence"].split()).lower() == sentence]
        before = self._belief(key)
        old = curation_store.verdicts(self.store, copies)
        was_wrong = [old.get(c, {}).get("verdict") == "wrong" for c in copies]
        with self.store.writing():
            given = None
            for c in copies:
                if verdict is None:
                    curation_store.clear(self.store, c)
                else:
                    given = curation_store.set_verdict(self.store, c, verdict, note)
            if any(w != (verdict == "wrong") for w in was_wrong):
                assemble.rebuild(self.store)
        return {"claim_id": claim_id, "statement_key": key, "copies": copies,
                "curation": given, "belief_before": before, "belief_after": self._belief(key)}

    def _belief(self, key: str) -> float | None:
        value = self.store.scalar("SELECT belief FROM statements WHERE key = ?", [key])
        return None if value is None else float(value)

    def claim_contexts(self, claim_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """For each claim, the segment (paragraph) its sentence sits in and the mentions of
        its subject and object inside the sentence (``role`` subj or obj)."""
        if not claim_ids:
            return {}
        # one query: each claim's segment, with the mentions of its subject and object
        # inside its sentence as a list (in text order)
        return {r["id"]: {"segment": _segment_json(r), "mentions": [
                    {"start": m["start"], "end": m["end"], "concept_id": m["concept_id"],
                     "role": m["role"]} for m in r["mentions"]]}
                for r in self.store.rows(_CLAIM_CONTEXTS_SQL, [json_list(claim_ids)])}

    def evidence_map(self, object_types: Sequence[str] | None = None,
                     predicate: str | None = None, rows: int = 30, cols: int = 30,
                     *, view: str = "benefit") -> dict[str, Any]:
        """Interventions x conditions for one reader's question, ``view``:

        * ``benefit`` (default): does it help? ``treats``, ``prevents``, ``approved_for``,
          with ``no_effect`` and negated benefit claims as the contrary evidence;
        * ``harm``: is it safe? ``causes_adverse_effect``, ``contraindicated_with``,
          ``interacts_with``, with negated harm claims as the contrary evidence;
        * ``mechanism``: ``targets``, ``elevated_in``, ... with mechanisms as columns;
        * ``all``: every predicate (the map before views).

        Columns are conditions (concepts typed ``disease``: MeSH's disease branch C and
        mental disorders F03), never drug classes, unless ``object_types`` says otherwise;
        statements of the view whose object is not a column type (a drug contraindicated
        with MAO inhibitors) are listed in ``elsewhere``. For the ``rows`` interventions
        and ``cols`` columns with the most independent works, each pair gets its works, best
        design, the highest belief ``for`` and ``against``, its strongest statement and
        whether any statement of it is contested."""
        if view not in MAP_VIEWS:
            raise EvimapError(f"unknown map view {view!r} (choose from "
                              f"{', '.join(MAP_VIEWS)})")
        default_types, predicates = MAP_VIEWS[view]
        types = list(object_types or default_types)
        preds = sorted(predicates) if predicates is not None else None
        if predicate:
            preds = [predicate] if preds is None or predicate in preds else []
        sql = """
        WITH st AS (
            SELECT s.key, s.subject_id, s.object_id, s.predicate, s.belief, s.best_design,
                   s.contested, (s.negated <> list_contains(?, s.predicate)) AS contrary
            FROM statements s JOIN concepts cs ON cs.id = s.subject_id
            JOIN concepts co ON co.id = s.object_id
            WHERE list_contains(?, cs.type) AND list_contains(?, co.type) AND s.n_claims > 0
              AND (?::VARCHAR[] IS NULL OR list_contains(?, s.predicate))
              AND (? OR NOT s.negated)),
        pw AS (SELECT st.subject_id, st.object_id, c.work_id
               FROM st JOIN claims c ON c.statement_key = st.key),
        top_rows AS (SELECT subject_id AS id, count(DISTINCT work_id) AS n_works FROM pw
                     GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?),
        top_cols AS (SELECT object_id AS id, count(DISTINCT work_id) AS n_works FROM pw
                     GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?)
        SELECT st.subject_id, st.object_id,
               coalesce(max(st.belief) FILTER (WHERE NOT st.contrary), 0.0) AS belief,
               coalesce(max(st.belief) FILTER (WHERE st.contrary), 0.0) AS belief_against,
               arg_max(st.key, (NOT st.contrary, st.belief)) AS key, count(*) AS n_statements,
               bool_or(st.contested) AS contested,
               list(DISTINCT st.best_design) AS designs, list(DISTINCT st.predicate) AS predicates,
               (SELECT count(DISTINCT work_id) FROM pw WHERE pw.subject_id = st.subject_id
                AND pw.object_id = st.object_id) AS n_works
        FROM st WHERE st.subject_id IN (SELECT id FROM top_rows)
          AND st.object_id IN (SELECT id FROM top_cols)
        GROUP BY st.subject_id, st.object_id"""
        params = [sorted(CONTRARY_PREDICATES), list(INTERVENTION_TYPES), types, preds, preds,
                  view != "all", rows, cols]
        cells = self.store.rows(sql, params)
        for c in cells:
            c["best_design"] = min(c.pop("designs"), key=lambda d: DESIGN_RANK.get(d, 99))
            c["predicates"] = sorted(c["predicates"])
        ids = sorted({c["subject_id"] for c in cells} | {c["object_id"] for c in cells})
        names = {r["id"]: r for r in self.store.rows(
            f"SELECT id, name, type FROM concepts WHERE {in_list('id')}", [json_list(ids)])}

        def axis(key: str) -> list[dict[str, Any]]:
            used = {c[key] for c in cells}
            return sorted((names[i] for i in used), key=lambda r: r["name"].lower())

        elsewhere: list[dict[str, Any]] = []
        if preds != []:
            where = ["list_contains(?, cs.type)", "NOT list_contains(?, co.type)"]
            params2: list[Any] = [list(INTERVENTION_TYPES), types]
            if preds is not None:
                where.append("list_contains(?, s.predicate)")
                params2.append(preds)
            elsewhere = [_statement_json(r) for r in self.store.rows(
                STATEMENTS_SQL + " WHERE " + " AND ".join(where) +
                " ORDER BY s.belief DESC, cs.name, s.predicate, co.name LIMIT 50", params2)]
        return {"view": view, "predicates": preds, "object_types": types,
                "rows": axis("subject_id"), "cols": axis("object_id"), "cells": cells,
                "elsewhere": elsewhere}

    # --- discovery -------------------------------------------------------------------------

    def discover(self, source: str, target: str | None = None, limit: int = 20, *,
                 graph: str = "cooccurrence", measure: str | None = None,
                 before: int | None = None, via: Sequence[str] | None = None,
                 targets: Sequence[str] | None = None, include_known: bool = False,
                 exact: bool = False, links: int | None = None) -> list[dict[str, Any]]:
        """Literature-based discovery (see :mod:`evimap.discover`). With ``target``, closed
        discovery: one hypothesis whose linking concepts are ranked (``limit`` of them);
        without, open discovery: the targets ``source`` may bear on, ranked. ``graph``
        "claims" walks the statement graph alone (the older, claims-only discovery)."""
        if graph not in lbd.GRAPHS:
            raise EvimapError(f"unknown graph {graph!r}; known: {', '.join(lbd.GRAPHS)}")
        if graph == "claims":
            tgt = self._resolve_ids(target)[0] if target else None
            return lbd.claim_graph(self.store, self._resolve_ids(source), tgt, limit)
        self.refresh_index()
        opts = lbd_rank.Options(limit=limit, include_known=include_known, narrower=not exact)
        opts = lbd_rank.with_options(opts, measure=measure, before=before, links=links,
                                     via=tuple(via) if via else None,
                                     targets=tuple(targets) if targets else None)
        src = lbd.resolve(self.store, source, self._index_lexicon)
        tgt_ids = lbd.resolve(self.store, target, self._index_lexicon) if target else None
        return lbd.answer(self.store, src, tgt_ids, opts)

    def discovery_documents(self, concepts: Sequence[str], before: int | None = None,
                            limit: int = 50) -> list[dict[str, Any]]:
        """The documents in which all ``concepts`` (MeSH IDs, each with its narrower
        headings) occur together, as discovery counts them: the evidence behind a link."""
        self.refresh_index()
        return lbd.documents(self.store, concepts, before, limit)

    def refresh_index(self) -> dict[str, Any] | None:
        """Bring discovery's concept index up to date with the stored documents (nothing to
        do: None; else what was done)."""
        if getattr(self.store, "read_only", False) or not lbd_index.is_stale(self.store):
            return None     # (a store opened read-only: discovery reads the index as it is)
        return lbd_index.refresh(self.store, self._index_lexicon).to_json()

    def reindex(self) -> dict[str, Any]:
        """Rebuild discovery's concept index from the stored documents."""
        with self.store.writing():
            return lbd_index.rebuild(self.store, self._index_lexicon).to_json()

    def _index_lexicon(self) -> Lexicon:
        if self._index_lex is None:
            self._index_lex = lbd_index.load_index_lexicon(self.settings)
        return self._index_lex

    # --- report ----------------------------------------------------------------------------

    def report(self, out: str | Path, about: str | None = None) -> Path:
        """Write the static HTML report; ``about`` (a name, synonym or MeSH ID) limits it
        to the statements about that concept and the documents behind them."""
        from .report import write_report
        if about is not None:
            self._resolve_ids(about)     # an unknown term is an error, not an empty report
        return write_report(self, Path(out), about)

    # --- export ----------------------------------------------------------------------------

    def export(self, format: str, what: str | None = None, out: str | Path | None = None,
               stream: TextIO | None = None, *, about: str | None = None,
               subject: str | None = None, object: str | None = None,
               predicate: str | None = None, design: str | None = None,
               min_belief: float | None = None) -> ExportResult:
        """Write claims, statements, documents or mentions (``what``; each format has a
        default) as ``format`` (jsonl, csv, parquet, graphml, cytoscape, bioc, pubtator: see
        :mod:`evimap.export`) to the file ``out``, atomically, or else to ``stream``.

        The filters are those of the listings: ``about``, ``subject`` and ``object`` are
        user terms (names, synonyms, MeSH IDs), ``design`` a claim's design or a statement's
        best design, ``min_belief`` a statement's least belief. A request that cannot be
        answered raises :class:`EvimapError` before anything is written."""
        given = {"about": about, "subject": subject, "object": object,
                 "predicate": predicate, "design": design, "min_belief": min_belief}
        request = plan(format, what, to_file=out is not None,
                       filters=[k for k, v in given.items() if v is not None],
                       predicate=predicate, design=design)
        if out is None and stream is None:
            raise EvimapError("give an output file or a text stream to export to")

        def ids(term: str | None) -> tuple[str, ...] | None:
            return tuple(self._resolve_ids(term)) if term else None

        selection = Selection(about=ids(about), subject=ids(subject), object=ids(object),
                              predicate=predicate, design=design, min_belief=min_belief)
        return write_export(self.store, request, selection,
                            Path(out) if out is not None else None, stream)


#: Orders of :meth:`Evimap.claims` (``sort``) and :meth:`Evimap.statements`.
CLAIM_SORTS = {
    "subject": "cs.name, c.predicate, co.name, d.path, c.start_offset",
    "object": "co.name, c.predicate, cs.name, d.path, c.start_offset",
    "document": "d.path, c.start_offset, cs.name, co.name",
}
STATEMENT_SORTS = {
    "belief": "s.belief DESC, cs.name, s.predicate, co.name",
    "works": "s.n_works DESC, s.belief DESC, cs.name, s.predicate, co.name",
    "claims": "s.n_claims DESC, s.belief DESC, cs.name, s.predicate, co.name",
    "subject": "cs.name, s.predicate, co.name",
}


def _one_of(column: str, values: Sequence[str]) -> tuple[str, str]:
    """SQL testing that ``column`` is one of ``values``, and its parameter: ``=`` for one
    value (a filter DuckDB's zone maps use), else a semi-join (:func:`in_list`)."""
    if len(values) == 1:
        return f"{column} = ?", values[0]
    return in_list(column), json_list(values)


def _choice(options: dict[str, str], value: str, what: str) -> str:
    if value not in options:
        raise EvimapError(f"unknown {what} {value!r} (choose from {', '.join(options)})")
    return options[value]


def _limit(limit: int | None) -> str:
    if limit is None:
        return ""
    if limit < 1:
        raise EvimapError(f"limit must be at least 1 (got {limit})")
    return f" LIMIT {int(limit)}"


def _concept(r: dict[str, Any], role: str) -> dict[str, Any]:
    return {"id": r[f"{role}_id"], "name": r[f"{role}_name"], "type": r[f"{role}_type"]}


def _segment_json(s: dict[str, Any]) -> dict[str, Any]:
    seg = {"kind": s["kind"], "label": s["label"], "text": s["text"],
           "start": s["start_offset"], "end": s["end_offset"]}
    if s["kind"] == "boilerplate":
        seg["reason"] = s["reason"]
    if s["kind"] == "comment":
        seg["author"] = s["author"]
        seg["date"] = s["date"]
        seg["source_kind"] = segment_source_kind("", "comment")
    return seg


def _source(r: dict[str, Any]) -> dict[str, str | None]:
    """The checked identifiers of a row's document (its ``source_*`` columns)."""
    return identifiers.source_ids({k: r.get(f"source_{k}") for k in identifiers.KEYS})


def _with_source(r: dict[str, Any]) -> dict[str, Any]:
    """A document row with its ``source_*`` columns as one ``source`` object."""
    source = _source(r)
    for k in identifiers.KEYS:
        r.pop(f"source_{k}", None)
    r["source"] = source
    return r


def _claims_sources(claims: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct sources of some claims (``_claim_json``), as
    :meth:`Evimap.statement_sources` gives them (documents in path order)."""
    rows = sorted(({"work_id": c["work_id"], "doc_id": c["doc_id"], "path": c["path"],
                    **c["source"]} for c in claims), key=lambda r: (r["path"], r["doc_id"]))
    return identifiers.merge_sources(rows)


def _statement_json(r: dict[str, Any]) -> dict[str, Any]:
    """A statement row (``STATEMENTS_SQL``) without its evidence; ``band`` and
    ``belief_text`` say what its belief means (:func:`evimap.assemble.belief.describe`)."""
    explanation = json.loads(r["explanation"]) if r["explanation"] else None
    return {
        "key": r["key"], "subject": _concept(r, "subject"), "predicate": r["predicate"],
        "object": _concept(r, "object"), "negated": r["negated"], "belief": r["belief"],
        "contested": r["contested"], "n_claims": r["n_claims"], "n_works": r["n_works"],
        "best_design": r["best_design"], "explanation": explanation,
        "band": belief_model.band(r["belief"]).name,
        "belief_text": belief_model.describe(r["belief"], explanation, bool(r["contested"]))}


def group_by_work(claims: Sequence[dict[str, Any]],
                  work_designs: Mapping[str, Sequence[str | None]] | None = None
                  ) -> dict[str, list[dict[str, Any]]]:
    """Claims (``_claim_json``, in document order) by work, each sentence once: the same
    sentence from another copy of the work is added to the first claim's ``copies``
    (``doc_id``, ``path``, ``source``). A claim of unspecified design outside comments takes
    its work's strongest design (``design_from_work``), as the belief does."""
    out: dict[str, list[dict[str, Any]]] = {}
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    designs = {w: vocab.strongest_design(d for d in ds if d and d != "unspecified")
               for w, ds in (work_designs or {}).items()}
    for c in claims:
        ident = (c["work_id"], " ".join(c["sentence"].split()).lower())
        copy = {"doc_id": c["doc_id"], "path": c["path"], "source": c["source"],
                "source_kind": c["source_kind"]}
        first = seen.get(ident)
        if first is not None:
            if all(x["doc_id"] != c["doc_id"] for x in first["copies"]):
                first["copies"].append(copy)
            continue
        c = {**c, "copies": [copy], "design_from_work": False}
        work_design = designs.get(c["work_id"], "unspecified")
        if (c["evidence_type"] == "unspecified" and c["segment_kind"] != "comment"
                and work_design != "unspecified"):
            c["evidence_type"], c["design_from_work"] = work_design, True
        seen[ident] = c
        out.setdefault(c["work_id"], []).append(c)
    return out


def _claim_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"], "subject": _concept(r, "subject"), "predicate": r["predicate"],
        "object": _concept(r, "object"), "negated": r["negated"], "hedged": r["hedged"],
        "hypothetical": r["hypothetical"], "evidence_type": r["design"], "n": r["n"],
        "outcomes": list(r["outcomes"] or []), "dose": r["dose"], "population": r["population"],
        "asserted_by": r["asserted_by"], "study": r["study"],
        "qualifiers": json.loads(r["qualifiers"]) if r["qualifiers"] else {},
        "doc_id": r["doc_id"], "work_id": r["work_id"], "path": r["path"],
        "source_kind": segment_source_kind(r["source_kind"], r["segment_kind"]),
        "credibility": r["credibility"], "segment_kind": r["segment_kind"],
        "segment": r["segment_idx"], "sentence": r["sentence"], "start": r["start_offset"],
        "end": r["end_offset"], "statement_key": r["statement_key"],
        "extractor": r["extractor"], "rule": r["rule"], "source": _source(r),
        "curation": {"verdict": r["curation_verdict"], "note": r["curation_note"],
                     "curated_at": str(r["curated_at"])} if r.get("curation_verdict") else None,
    }
