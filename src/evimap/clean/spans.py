"""From per-unit decisions to segments: one per comment, merged runs of chrome, in order."""

from __future__ import annotations

from ..model import Segment
from .blocks import Unit
from .classify import Decision

#: Metadata labels whose consecutive units form one segment.
_MERGED_METADATA = frozenset({"conflict_of_interest", "comment_header", "mesh_terms"})


def _mergeable(a: Decision, b: Decision) -> bool:
    if (a.kind, a.label, a.group) != (b.kind, b.label, b.group):
        return False
    if a.kind == "boilerplate":
        return a.reason == b.reason
    return a.kind == "references" or (a.kind == "metadata" and a.label in _MERGED_METADATA)


def to_segments(text: str, units: list[Unit], decisions: list[Decision]) -> list[Segment]:
    """Segments in document order; a comment's units (and anything between them) are one."""
    last_of_comment: dict[int, int] = {}
    for i, d in enumerate(decisions):
        if d.kind == "comment" and d.group is not None:
            last_of_comment[d.group] = i
    segments: list[Segment] = []
    i, n = 0, len(units)
    while i < n:
        d = decisions[i]
        j = i
        if d.kind == "comment" and d.group is not None:
            j = last_of_comment[d.group]
        else:
            while j + 1 < n and _mergeable(d, decisions[j + 1]):
                j += 1
        start, end = units[i].start, units[j].end
        segments.append(Segment(kind=d.kind, start=start, end=end, text=text[start:end],
                                label=d.label, reason=d.reason, author=d.author, date=d.date))
        i = j + 1
    return segments
