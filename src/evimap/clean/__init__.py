"""Stage 2, clean and segment: a document's text as typed segments, nothing lost.

``segment(raw)`` splits a :class:`~evimap.model.RawDocument` into segments in document order
that do not overlap and together cover every non-whitespace character of ``raw.text``: title,
abstract, body (headings labelled ``heading``), metadata (authors, date, citation, keywords,
conflict_of_interest, comment_header, ...), cited sources, one segment per reader comment
(with author and date), references, and boilerplate, which is kept and marked with a
``label`` (navigation, share, login, app_prompt, cookie, copyright, related_teaser, ...) and
the ``reason`` that gave it away.

Modules: ``blocks`` (units from text or reader blocks), ``features`` (shape), ``cues``
(boilerplate lexicons), ``metadata`` and ``comments`` (detectors), ``dates``, ``classify``
(the passes) and ``spans`` (units to segments).
"""

from __future__ import annotations

from ..model import RawDocument, Segment
from .blocks import split_text, units_from_blocks
from .classify import STRUCTURED_FORMATS, classify
from .spans import to_segments

__all__ = ["STRUCTURED_FORMATS", "segment"]


def segment(raw: RawDocument) -> list[Segment]:
    """The segments of one document (a pure function of ``raw``)."""
    units = units_from_blocks(raw.text, raw.blocks) if raw.blocks else split_text(raw.text)
    if not units:
        return []
    decisions = classify(units, raw.format, len(raw.text), raw.title, raw.metadata)
    return to_segments(raw.text, units, decisions)
