"""Sidecar metadata: what a scraper knew about a file that the file itself may not show.

A file ``page.txt`` may have beside it ``page.txt.meta.json``, a JSON object whose known keys
(:data:`SIDECAR_KEYS`: the page's address ``url``, ``title``, ``date``, ``authors``,
``site_name``, ``doi``, ``pmid``, ``publication_types``) are merged into the metadata of every
document read from the file; the reader's own values win over the sidecar's only when the
sidecar leaves a key out. Sidecars are never ingested as documents themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError

SUFFIX = ".meta.json"

#: Keys a sidecar may set, and the types their values must have.
SIDECAR_KEYS: dict[str, tuple[type, ...]] = {
    "url": (str,), "title": (str,), "date": (str,), "site_name": (str,), "doi": (str,),
    "pmid": (str, int), "authors": (list,), "publication_types": (list,),
}


def is_sidecar(path: Path) -> bool:
    """Whether ``path`` is a sidecar (``*.meta.json``) of another file."""
    return path.name.endswith(SUFFIX) and len(path.name) > len(SUFFIX)


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def read_sidecar(path: Path) -> dict[str, Any]:
    """The metadata in ``path``'s sidecar ({} when there is none).

    Raises :class:`InputError` naming the sidecar when it is not a JSON object (the reader
    yields it as an error and reads the file without it); keys it does not know, and values
    of the wrong type, are left out.
    """
    side = sidecar_of(path)
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(side), f"unreadable sidecar metadata: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(str(side), "sidecar metadata must be a JSON object")
    out: dict[str, Any] = {}
    for key, types in SIDECAR_KEYS.items():
        value = data.get(key)
        if isinstance(value, types) and value not in ("", []):
            out[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return out
