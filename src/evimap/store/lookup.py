"""The claims' lookup table, ``claim_lookup``: what a claim listing shows, in one sorted table.

A listing of claims (``evidence``, a statement's sources and quotes, ``list_claims``) joins
claims, evidence, documents and concepts on random hash ids: every call scans every evidence
row and document (about 60 ms each per million claims), whatever it asks for. The lookup
table holds the rows of that join (:data:`CLAIMS_SELECT`: the claim, its evidence, its
document's path, source kind, credibility and identifiers, its concepts' names and types;
its work's title), sorted by subject, object, statement and claim id, so a filter on a
subject, a pair or a statement's subject and object reads a few vectors of a few row groups.

It is derived data: the assemble stage rebuilds it right after the statements
(:func:`refresh`, :func:`evimap.assemble.rebuild`), and records how many claims it was made
from; :func:`is_fresh` tells a reader whether it still matches the claims (the API falls
back to the join when it does not, e.g. after an ingest killed before its assembly).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import identifiers

#: The raw identifiers of document ``d`` (checked in Python by :mod:`evimap.identifiers`).
SOURCE_IDS_SQL = ", ".join(f"d.metadata->>'$.{k}' AS source_{k}" for k in identifiers.KEYS)

#: The joins of a claim listing (aliases ``c``, ``e``, ``d``, ``cs``, ``co``).
JOINS = """FROM claims c
JOIN evidence e ON e.claim_id = c.id
JOIN documents d ON d.id = c.doc_id
JOIN concepts cs ON cs.id = c.subject_id
JOIN concepts co ON co.id = c.object_id
"""
#: A claim listing's rows: claims with their evidence, document and concepts.
COLUMNS_SQL = """
c.id, c.statement_key, c.doc_id, c.work_id, d.path, d.source_kind, d.credibility,
       c.subject_id, cs.name AS subject_name, cs.type AS subject_type,
       c.predicate, c.object_id, co.name AS object_name, co.type AS object_type,
       c.negated, c.hedged, c.hypothetical, c.qualifiers, c.segment_idx, c.segment_kind,
       c.sentence, c.start_offset, c.end_offset,
       e.design, e.n, e.outcomes, e.dose, e.population, e.asserted_by, e.study, e.extractor,
       e.rule, """ + SOURCE_IDS_SQL + "\n"
CLAIMS_SELECT = "SELECT " + COLUMNS_SQL + JOINS
#: The table's rows: a claim listing's, with the title of the claim's work.
ROWS_SQL = ("SELECT " + COLUMNS_SQL + ", w.title AS work_title\n" + JOINS
            + "LEFT JOIN works w ON w.id = c.work_id\n")

#: The table's physical order: a subject's claims together, in them a pair's, a statement's.
ORDER = "c.subject_id, c.object_id, c.statement_key, c.id"
#: The ``meta`` row holding how many claims the table was made from.
META_KEY = "claim_lookup_claims"

#: The table, as ``schema.sql`` defines it (run on its own by the migration to the schema
#: version that added it, and when the table is made again).
CREATE_SQL = re.search(r"CREATE TABLE IF NOT EXISTS claim_lookup \(.*?\n\)",
                       (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8"),
                       re.S).group(0)  # type: ignore[union-attr]


def refresh(store: Any) -> None:
    """Rebuild ``claim_lookup`` from the claims (inside the caller's transaction, if any)."""
    con = store.con
    # made again, not emptied: DuckDB would keep the blocks of the deleted rows
    con.execute("DROP TABLE IF EXISTS claim_lookup")
    con.execute(CREATE_SQL)
    con.execute(f"INSERT INTO claim_lookup {ROWS_SQL} ORDER BY {ORDER}")
    con.execute("DELETE FROM meta WHERE key = ?", [META_KEY])
    con.execute("INSERT INTO meta SELECT ?, count(*)::VARCHAR FROM claims", [META_KEY])


def is_fresh(store: Any) -> bool:
    """Whether ``claim_lookup`` was made from the claims as they are (by their number: every
    change of claims goes with an assembly, which rebuilds it)."""
    row = store.con.execute(
        "SELECT (SELECT count(*) FROM claims), (SELECT value FROM meta WHERE key = ?)",
        [META_KEY]).fetchone()
    return row is not None and row[1] is not None and str(row[0]) == row[1]


#: The columns of ``claim_lookup`` (from :data:`CREATE_SQL`).
COLUMNS = frozenset(re.findall(r"(\w+) (?:VARCHAR|DOUBLE|BOOLEAN|JSON|INTEGER)",
                               CREATE_SQL.split("(", 1)[1]))
_ALIAS = re.compile(r"\b(?:(cs|co)\.(\w+)|d\.metadata->>'\$\.(\w+)'|([de])\.(\w+))")


def on_lookup(sql: str) -> str | None:
    """A query over :data:`JOINS` (claims, evidence, documents, concepts, with any joins
    after them) as the same query over ``claim_lookup`` (alias ``c``): ``d.path`` is
    ``c.path``, ``cs.name`` ``c.subject_name``, a document identifier its ``source_``
    column. None when ``sql`` does not hold those joins or asks for a column the table
    lacks (the caller runs ``sql`` as it is)."""
    if JOINS not in sql:
        return None
    missing: list[str] = []

    def column(m: re.Match[str]) -> str:
        if m.group(1):
            role = "subject" if m.group(1) == "cs" else "object"
            name = f"{role}_{m.group(2)}"
        elif m.group(3):
            name = f"source_{m.group(3)}"
        else:
            name = m.group(5)
        if name not in COLUMNS:
            missing.append(name)
        return f"c.{name}"

    out = _ALIAS.sub(column, sql.replace(JOINS, "FROM claim_lookup c\n"))
    return None if missing else out
