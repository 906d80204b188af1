"""The SQL of each export: one flat query per kind of row, filtered by a selection.

Rows carry their documents' checked identifiers (:mod:`evimap.identifiers`) from a temporary
table, ``export_sources``, made once per export by :func:`sources_table`, so the checks run
in Python once per document and every format reads the same values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .. import identifiers
from ..sources import segment_source_kind
from ..store import Store
from ..store.sql import in_list, json_list

if TYPE_CHECKING:
    from . import Selection

SOURCES = "export_sources"
#: The source kind of a claim made in a reader comment (as the API reports it).
_COMMENT_KIND = segment_source_kind("", "comment")

#: Columns holding JSON text: parsed in JSONL, kept as text in CSV and Parquet.
JSON_COLUMNS = {"claims": ("qualifiers",), "statements": ("explanation",),
                "documents": (), "mentions": ()}

_CLAIMS = f"""
SELECT c.id, c.statement_key, c.subject_id, cs.name AS subject_name, cs.type AS subject_type,
       c.predicate, c.object_id, co.name AS object_name, co.type AS object_type,
       c.negated, c.hedged, c.hypothetical, e.design AS evidence_type, e.n, e.outcomes,
       e.dose, e.population, e.asserted_by, e.study, CAST(c.qualifiers AS VARCHAR) AS qualifiers,
       c.doc_id, c.work_id, d.path,
       CASE WHEN c.segment_kind = 'comment' THEN '{_COMMENT_KIND}' ELSE d.source_kind END
           AS source_kind,
       d.credibility, c.segment_kind, c.sentence, c.start_offset AS "start",
       c.end_offset AS "end", e.extractor, e.rule, x.pmid, x.doi, x.pmcid, x.url,
       cu.verdict AS curation, cu.note AS curation_note
FROM claims c
JOIN evidence e ON e.claim_id = c.id
JOIN documents d ON d.id = c.doc_id
JOIN concepts cs ON cs.id = c.subject_id
JOIN concepts co ON co.id = c.object_id
LEFT JOIN {SOURCES} x ON x.doc_id = c.doc_id
LEFT JOIN curation cu ON cu.claim_id = c.id"""

_STATEMENTS = f"""
WITH src AS (
    SELECT c.statement_key AS key, list_sort(list_distinct(list(x.pmid))) AS pmids,
           list_sort(list_distinct(list(x.doi))) AS dois,
           list_sort(list_distinct(list(x.pmcid))) AS pmcids,
           list_sort(list_distinct(list(x.url))) AS urls
    FROM claims c JOIN {SOURCES} x ON x.doc_id = c.doc_id GROUP BY c.statement_key)
SELECT s.key, s.subject_id, cs.name AS subject_name, cs.type AS subject_type, s.predicate,
       s.object_id, co.name AS object_name, co.type AS object_type, s.negated, s.belief,
       s.contested, s.n_claims, s.n_works, s.best_design,
       coalesce(src.pmids, []::VARCHAR[]) AS pmids, coalesce(src.dois, []::VARCHAR[]) AS dois,
       coalesce(src.pmcids, []::VARCHAR[]) AS pmcids, coalesce(src.urls, []::VARCHAR[]) AS urls,
       CAST(s.explanation AS VARCHAR) AS explanation
FROM statements s
JOIN concepts cs ON cs.id = s.subject_id
JOIN concepts co ON co.id = s.object_id
LEFT JOIN src ON src.key = s.key"""

_DOCUMENTS = f"""
WITH nm AS (SELECT doc_id, count(*) AS n FROM mentions GROUP BY doc_id),
     nc AS (SELECT doc_id, count(*) AS n FROM claims GROUP BY doc_id)
SELECT d.id, d.work_id, d.path, d.record, d.format, d.title, d.source_kind, d.credibility,
       d.design, d.n_comments, d.near_dup_of, d.similarity, x.pmid, x.doi, x.pmcid, x.url,
       coalesce(nm.n, 0) AS n_mentions, coalesce(nc.n, 0) AS n_claims, d.text
FROM documents d
LEFT JOIN {SOURCES} x ON x.doc_id = d.id
LEFT JOIN nm ON nm.doc_id = d.id
LEFT JOIN nc ON nc.doc_id = d.id"""

_MENTIONS = f"""
SELECT m.doc_id, m.idx, m.segment_idx, s.kind AS segment_kind, m.start_offset AS "start",
       m.end_offset AS "end", m.text, m.concept_id, c.name AS concept_name, m.type, m.source,
       m.negated, m.hedged, m.hypothetical, x.pmid, x.doi
FROM mentions m
JOIN documents d ON d.id = m.doc_id
JOIN concepts c ON c.id = m.concept_id
LEFT JOIN segments s ON s.doc_id = m.doc_id AND s.idx = m.segment_idx
LEFT JOIN {SOURCES} x ON x.doc_id = m.doc_id"""

_ORDER = {
    "claims": "cs.name, c.predicate, co.name, d.path, c.start_offset, c.id",
    "statements": "s.belief DESC, cs.name, s.predicate, co.name, s.key",
    "documents": "d.path, d.record, d.id",
    "mentions": "d.path, d.record, m.doc_id, m.start_offset, m.end_offset, m.idx",
}


def query(what: str, selection: Selection) -> tuple[str, list[Any]]:
    """The SQL and parameters of ``what``'s rows (needs :func:`sources_table`)."""
    where, params = where_clause(what, selection)
    sql = {"claims": _CLAIMS, "statements": _STATEMENTS, "documents": _DOCUMENTS,
           "mentions": _MENTIONS}[what]
    if where:
        sql += " WHERE " + " AND ".join(where)
    return f"{sql} ORDER BY {_ORDER[what]}", params


def where_clause(what: str, selection: Selection) -> tuple[list[str], list[Any]]:
    """WHERE terms (ANDed) and their parameters for ``what``, over the aliases of
    :func:`query` (``c`` claims, ``s`` statements, ``d`` documents, ``m`` mentions)."""
    where: list[str] = []
    params: list[Any] = []
    sel = selection
    if what in ("claims", "statements"):
        p = "c" if what == "claims" else "s"
        for column, ids in (("subject_id", sel.subject), ("object_id", sel.object)):
            if ids:
                where.append(in_list(f"{p}.{column}"))
                params.append(json_list(ids))
        if sel.about:
            where.append(f"({in_list(f'{p}.subject_id')} OR {in_list(f'{p}.object_id')})")
            params += [json_list(sel.about), json_list(sel.about)]
        if sel.predicate:
            where.append(f"{p}.predicate = ?")
            params.append(sel.predicate)
        if sel.design:
            where.append("e.design = ?" if what == "claims" else "s.best_design = ?")
            params.append(sel.design)
        if sel.min_belief is not None and what == "statements":
            where.append("s.belief >= ?")
            params.append(sel.min_belief)
    elif sel.about and what == "documents":
        where.append(f"d.id IN (SELECT doc_id FROM mentions WHERE {in_list('concept_id')})")
        params.append(json_list(sel.about))
    elif sel.about and what == "mentions":
        where.append(in_list("m.concept_id"))
        params.append(json_list(sel.about))
    return where, params


@contextmanager
def sources_table(store: Store) -> Iterator[None]:
    """``export_sources(doc_id, pmid, doi, pmcid, url)``: every document's checked
    identifiers, as a temporary table for the length of an export."""
    ids: list[str] = []
    columns: dict[str, list[str | None]] = {k: [] for k in identifiers.KEYS}
    extract = ", ".join(f"metadata->>'$.{k}' AS {k}" for k in identifiers.KEYS)
    for r in store.rows(f"SELECT id, {extract} FROM documents"):
        ids.append(r["id"])
        for k, v in identifiers.source_ids(r).items():
            columns[k].append(v)
    unnests = ", ".join(f"unnest(CAST(? AS JSON)::VARCHAR[]) AS {k}"
                        for k in ("doc_id", *identifiers.KEYS))
    store.con.execute(f"CREATE OR REPLACE TEMP TABLE {SOURCES} AS SELECT {unnests}",
                      [json_list(ids), *(json_list(columns[k]) for k in identifiers.KEYS)])
    try:
        yield
    finally:
        store.con.execute(f"DROP TABLE IF EXISTS {SOURCES}")


def iter_rows(store: Store, sql: str, params: list[Any], size: int = 2000
              ) -> Iterator[dict[str, Any]]:
    """The rows of a query as dicts, fetched ``size`` at a time (not all in memory). The
    store's own connection runs it (it sees the temporary table), so run no other query
    until the rows are consumed."""
    cur = store.con.execute(sql, params)
    names = [d[0] for d in cur.description or ()]
    while batch := cur.fetchmany(size):
        for row in batch:
            yield dict(zip(names, row, strict=True))
