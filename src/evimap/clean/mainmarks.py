"""A reader's main-content marks (HTML: trafilatura) applied over the cleaner's decisions.

An HTML block carries ``attrs["main"]`` when trafilatura found the page's main content (see
:mod:`evimap.read.htmlmain`). Body text outside it becomes boilerplate labelled
``outside_main``, with the reason saying so; text inside it that the cleaner took for chrome
becomes body again, unless a boilerplate cue on a short line gave it away ("Subscribe to our
newsletter" inside an article). Titles, metadata (bylines, dates), comments, cited sources and
references keep the cleaner's reading: those are evimap's own strengths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .blocks import Unit

if TYPE_CHECKING:
    from .classify import Decision

OUTSIDE_MAIN_REASON = "outside the main content (trafilatura)"
INSIDE_MAIN_REASON = "in the main content (trafilatura)"
_CUE_MAX_WORDS = 12     # a cue on a line this short outweighs trafilatura's main content
_KEPT_KINDS = frozenset({"title", "metadata", "comment", "cited_source", "references"})
_KEPT_LABELS = frozenset({"duplicate_title", "empty_section"})
_BODY_LABELS = {"heading": "heading", "list_item": "list_item", "table": "table",
                "blockquote": "quote"}


def apply_main_marks(units: list[Unit], decisions: list[Decision]) -> None:
    """Turn body outside the main content into boilerplate, and chrome inside it into body."""
    for unit, decision in zip(units, decisions, strict=True):
        main = unit.attrs.get("main")
        if main is None or decision.kind in _KEPT_KINDS or unit.hint in ("comment", "title"):
            continue
        if not main and decision.kind in ("body", "abstract"):
            decision.kind, decision.label = "boilerplate", "outside_main"
            decision.reason = OUTSIDE_MAIN_REASON
        elif main and decision.kind == "boilerplate" and not _cue_on_short_line(unit, decision):
            decision.kind, decision.label = "body", _BODY_LABELS.get(unit.hint or "", "")
            decision.reason = INSIDE_MAIN_REASON


def _cue_on_short_line(unit: Unit, decision: Decision) -> bool:
    if decision.label in _KEPT_LABELS:
        return True
    return decision.reason.startswith("cue ") and len(unit.text.split()) <= _CUE_MAX_WORDS
