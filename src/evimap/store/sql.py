"""List parameters for DuckDB as one JSON string each.

DuckDB's Python client converts a list parameter element by element, at tens of microseconds
an element (more than the query itself for a few hundred ids); a JSON string is one value,
which the query casts back. Test membership with :func:`in_list` (``id IN (SELECT unnest(...)
)``, a semi-join: one pass over the table), never ``list_contains(list, id)``, which searches
the list once per row (7x slower on 500,000 documents, 256 ids).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

#: A parameter holding a JSON list of strings, as a VARCHAR list.
IDS = "CAST(? AS JSON)::VARCHAR[]"


def listed(sql_type: str, param: str = "?") -> str:
    """The SQL of a JSON list parameter as a list of ``sql_type``."""
    return f"CAST({param} AS JSON)::{sql_type}[]"


def json_list(values: Iterable[Any]) -> str:
    """The parameter value of a list (strings and numbers)."""
    return json.dumps(list(values))


def in_list(column: str, param: str = "?", sql_type: str = "VARCHAR") -> str:
    """``column IN`` a JSON list parameter (see the module's description)."""
    return f"{column} IN (SELECT unnest({listed(sql_type, param)}))"
