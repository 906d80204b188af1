"""Readers' verdicts on claims (the ``curation`` table): a claim marked ``wrong`` or
``right``, with a note. Keyed by the claim's id, which comes from its content (document,
sentence offsets, subject, predicate, object, polarity), so a verdict outlives a re-ingest
and is found again when the same claim is extracted again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import EvimapError
from .sql import in_list, json_list

if TYPE_CHECKING:
    from . import Store

#: The verdicts a reader may give.
VERDICTS = ("wrong", "right")
#: The longest note kept (characters).
MAX_NOTE = 2000


def set_verdict(store: Store, claim_id: str, verdict: str, note: str | None = None
                ) -> dict[str, Any]:
    """Record (or replace) the verdict on a claim; returns it as :func:`verdicts` does."""
    if verdict not in VERDICTS:
        raise EvimapError(f"unknown verdict {verdict!r} (choose from {', '.join(VERDICTS)})")
    note = " ".join((note or "").split())[:MAX_NOTE] or None
    now = dt.datetime.now().replace(microsecond=0)
    with store.transaction():
        store.con.execute("DELETE FROM curation WHERE claim_id = ?", [claim_id])
        store.con.execute("INSERT INTO curation VALUES (?, ?, ?, ?)",
                          [claim_id, verdict, note, now])
    return {"verdict": verdict, "note": note, "curated_at": now.isoformat(sep=" ")}


def clear(store: Store, claim_id: str) -> bool:
    """Forget the verdict on a claim; whether there was one."""
    with store.transaction():
        found = store.scalar("SELECT count(*) FROM curation WHERE claim_id = ?", [claim_id])
        store.con.execute("DELETE FROM curation WHERE claim_id = ?", [claim_id])
    return bool(found)


def verdicts(store: Store, claim_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The verdicts on some claims: claim id -> ``{verdict, note, curated_at}``."""
    if not claim_ids:
        return {}
    return {r[0]: {"verdict": r[1], "note": r[2], "curated_at": str(r[3])}
            for r in store.con.execute(
                f"SELECT claim_id, verdict, note, curated_at FROM curation "
                f"WHERE {in_list('claim_id')}", [json_list(claim_ids)]).fetchall()}


def verdict(store: Store, claim_id: str) -> dict[str, Any] | None:
    return verdicts(store, [claim_id]).get(claim_id)
