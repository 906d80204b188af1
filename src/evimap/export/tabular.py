"""Rows as tables: JSON lines, CSV and Parquet, with the same columns in each.

The columns of each kind of row (claims, statements, documents, mentions) are those of its
query in :mod:`.query`, and they are listed in docs/export.md. Lists (a claim's outcomes, a
statement's PMIDs) are JSON arrays in JSONL, Parquet lists, and ``"; "``-joined text in
CSV; JSON columns (a claim's qualifiers, a statement's explanation) are objects in JSONL
and JSON text in CSV and Parquet; an unknown value is null in JSONL and Parquet and empty
in CSV.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..store import Store
from .query import JSON_COLUMNS, iter_rows, query, sources_table

if TYPE_CHECKING:
    from . import Selection


def write_jsonl(store: Store, what: str, selection: Selection, out: TextIO
                ) -> tuple[int, None]:
    """One JSON object per row and line; returns the number of rows."""
    sql, params = query(what, selection)
    parsed = JSON_COLUMNS[what]
    n = 0
    with sources_table(store):
        for row in iter_rows(store, sql, params):
            for key in parsed:
                row[key] = json.loads(row[key]) if row[key] else None
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            n += 1
    return n, None


def write_csv(store: Store, what: str, selection: Selection, out: TextIO
              ) -> tuple[int, None]:
    """A header line, then one line per row; returns the number of rows."""
    sql, params = query(what, selection)
    writer = csv.writer(out, lineterminator="\n")
    n = 0
    with sources_table(store):
        rows = iter_rows(store, sql, params)
        first = next(rows, None)
        header = list(first) if first is not None else _columns(store, sql, params)
        writer.writerow(header)
        if first is not None:
            writer.writerow([_cell(v) for v in first.values()])
            n = 1
        for row in rows:
            writer.writerow([_cell(v) for v in row.values()])
            n += 1
    return n, None


def write_parquet(store: Store, what: str, selection: Selection, path: Path) -> int:
    """The rows as one Parquet file (DuckDB's writer; no other library needed)."""
    sql, params = query(what, selection)
    target = str(path).replace("'", "''")
    with sources_table(store):
        row = store.con.execute(f"COPY ({sql}) TO '{target}' (FORMAT PARQUET)",
                                params).fetchone()
    return int(row[0]) if row else 0


def _columns(store: Store, sql: str, params: list[Any]) -> list[str]:
    cur = store.con.execute(f"SELECT * FROM ({sql}) LIMIT 0", params)
    return [d[0] for d in cur.description or ()]


def _cell(value: Any) -> Any:
    """A CSV cell: lists joined with ``"; "``, booleans as ``true``/``false``, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join("" if v is None else str(v) for v in value)
    return value
