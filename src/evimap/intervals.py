"""Span queries in logarithmic time: does any of these spans overlap, enclose or straddle?

The stages compare every mention with every other one in several places ("is this mention
inside a name?", "does a model span cross it?"); written as ``any(...)`` over a list, that
costs the square of the number of mentions, which a long hostile page makes minutes. An
:class:`Intervals` answers the same questions, exactly, in ``O(log n)`` each: spans sorted by
start, with the running maximum of their ends.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import accumulate


class Intervals:
    """Half-open spans ``[start, end)``; spans may overlap, repeat or be empty.

    :meth:`add` keeps the index current: in constant time when spans come in order of their
    starts (as a left-to-right scan adds them), in linear time otherwise.
    """

    __slots__ = ("_ends", "_reach", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._ends = [e for _, e in ordered]
        #: ``_reach[i]``: the largest end among the first ``i + 1`` spans
        self._reach = list(accumulate(self._ends, max))

    def __len__(self) -> int:
        return len(self._starts)

    def add(self, start: int, end: int) -> None:
        """Add the span ``[start, end)``."""
        if not self._starts or start >= self._starts[-1]:
            self._starts.append(start)
            self._ends.append(end)
            self._reach.append(max(end, self._reach[-1]) if self._reach else end)
            return
        i = bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        self._reach = list(accumulate(self._ends, max))

    def _reach_before(self, count: int) -> int | None:
        """The largest end among the first ``count`` spans (None when there are none)."""
        return self._reach[count - 1] if count else None

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a span ``[s, e)`` has ``s < end and start < e``."""
        reach = self._reach_before(bisect_left(self._starts, end))
        return reach is not None and reach > start

    def encloses(self, start: int, end: int) -> bool:
        """Whether a span ``[s, e)`` has ``s <= start and end <= e``."""
        reach = self._reach_before(bisect_right(self._starts, start))
        return reach is not None and reach >= end

    def straddles(self, point: int) -> bool:
        """Whether a span ``[s, e)`` has ``s < point < e``."""
        reach = self._reach_before(bisect_left(self._starts, point))
        return reach is not None and reach > point

    def crosses(self, start: int, end: int) -> bool:
        """Whether a span overlaps ``[start, end)`` without lying inside it (for
        ``start <= end``): ``s < end and start < e and not (start <= s and e <= end)``,
        which holds exactly when ``start`` or ``end`` lies strictly inside a span."""
        return self.straddles(start) or self.straddles(end)
