"""List parameters for DuckDB as one JSON string each.

DuckDB's Python client converts a list parameter element by element, at tens of microseconds
an element (more than the query itself for a few hundred ids); a JSON string is one value,
which the query casts back: ``list_contains(CAST(? AS JSON)::VARCHAR[], id)``.
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
