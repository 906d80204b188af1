"""Absent optional modules, remembered once.

DuckDB's Python client tries ``import pandas`` for every bound parameter it converts (six
times per ``execute``), to recognise pandas values. Python does not remember a failed import,
so without pandas installed each try searches ``sys.path`` again: on a page ingest that was
16,000 searches and about a third of the store's write time. :func:`remember_absent` records
such a module as absent in ``sys.modules`` (the standard way to make ``import`` fail at once),
and only when it is not installed: with pandas installed nothing changes.
"""

from __future__ import annotations

import importlib.util
import sys

#: Modules DuckDB probes on every parameter conversion.
PROBED: tuple[str, ...] = ("pandas",)


def remember_absent(names: tuple[str, ...] = PROBED) -> list[str]:
    """Mark each of ``names`` that is not installed as absent; returns those marked."""
    marked = []
    for name in names:
        if name in sys.modules:
            continue
        if importlib.util.find_spec(name) is None:
            sys.modules[name] = None  # type: ignore[assignment]
            marked.append(name)
    return marked
