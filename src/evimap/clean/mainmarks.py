"""A reader's main-content marks (HTML: trafilatura) applied over the cleaner's decisions.

An HTML block carries ``attrs["main"]`` when trafilatura found the page's main content (see
:mod:`evimap.read.htmlmain`). The marks replace the cleaner's *positional* guesses, never its
local evidence:

- body outside the main content becomes boilerplate labelled ``outside_main`` (the cleaner's
  zone, from the title to the last prose paragraph, takes in captions, bios and sidebars);
- chrome inside the main content becomes body again when position made it chrome (before or
  after the main text, inside a region a "Related posts" opener started) or the class names
  of its containers did (a reader hint: nav, share, aside, ...) and its own text has no cue
  and few links; evidence in the text itself (a cue, link density) keeps it chrome;
- a comment the cleaner found by its text alone (a "<name> · <date>" line opened it; the
  reader saw no comment markup) becomes body again when it lies in the main content:
  trafilatura keeps the comments it recognises apart from its main text, so a byline that
  reads like a comment header no longer takes the article with it (the comment's units
  outside the main content are then read as any body outside it);
- titles, metadata (bylines, dates), comments in comment markup, cited sources and
  references keep the cleaner's reading: those are evimap's own strengths.

When trafilatura's main content holds under a third of the words the cleaner calls body, it
most likely missed the text (a landing page, a layout it does not know): the cleaner's body
then stays body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .blocks import Unit
from .cues import assess

if TYPE_CHECKING:
    from .classify import Decision

OUTSIDE_MAIN_REASON = "outside the main content (trafilatura)"
INSIDE_MAIN_REASON = "in the main content (trafilatura)"
#: Reasons the cleaner gives from a unit's position alone (see classify._zone, _Scan).
_POSITIONAL = ("short text before the main content", "after the main content",
               "in the region opened by", "menu entry after")
_KEPT_KINDS = frozenset({"title", "metadata", "comment", "cited_source", "references"})
_BODY_KINDS = frozenset({"body", "abstract"})
_BODY_LABELS = {"heading": "heading", "list_item": "list_item", "table": "table",
                "blockquote": "quote"}
_MIN_BODY_IN_MAIN = 1 / 3
_MAX_LINK_DENSITY = 0.5


def apply_main_marks(units: list[Unit], decisions: list[Decision]) -> None:
    """Decisions revised by the units' main-content marks, in place (no marks: unchanged)."""
    marked = [(u, d) for u, d in zip(units, decisions, strict=True)
              if u.attrs.get("main") is not None and u.hint not in ("comment", "title")
              and (d.kind not in _KEPT_KINDS or d.kind == "comment")]
    if not marked:
        return
    body = [(len(u.text.split()), bool(u.attrs["main"])) for u, d in marked
            if d.kind in _BODY_KINDS]
    words = sum(n for n, _ in body)
    trusted = not words or sum(n for n, main in body if main) >= _MIN_BODY_IN_MAIN * words
    # comments found by their text alone, in a group that reaches into the main content
    misread = {d.group for u, d in marked if d.kind == "comment" and u.attrs["main"]}
    for unit, decision in marked:
        main = bool(unit.attrs["main"])
        if trusted and decision.kind == "comment" and decision.group in misread:
            decision.kind, decision.group, decision.author, decision.date = "body", None, None, None
            decision.label = _BODY_LABELS.get(unit.hint or "", "")
            decision.reason = INSIDE_MAIN_REASON
        if not main and trusted and decision.kind in _BODY_KINDS:
            decision.kind, decision.label = "boilerplate", "outside_main"
            decision.reason = OUTSIDE_MAIN_REASON
        elif main and decision.kind == "boilerplate" and _only_placed(unit, decision):
            decision.kind = "body"
            decision.label = _BODY_LABELS.get(unit.hint or "", "")
            decision.reason = INSIDE_MAIN_REASON


def _only_placed(unit: Unit, decision: Decision) -> bool:
    """Chrome for where the unit is (position, containers), not for what its text says."""
    if decision.reason.startswith(_POSITIONAL):
        return True
    return (decision.reason.startswith("reader hint")
            and float(unit.attrs.get("link_density") or 0.0) < _MAX_LINK_DENSITY
            and not assess(unit.text).hits)
