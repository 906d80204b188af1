"""Units: the spans the cleaner labels, split from plain text or taken from a reader's blocks.

Plain text is split into blank-line paragraphs; a paragraph is split further into its lines
when they are separate items (list items, short lines without terminal punctuation, a header
line above a comment) and kept whole when its lines are wrapped prose. Reader blocks (HTML,
structured formats) are clipped so they never overlap, and any text between them that is not
whitespace is split like plain text, so every non-whitespace character lies in one unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model import Block

#: A list item: a bullet, or a number / letter followed by "." or ")".
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*•·▪◦‣–]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z]\)\s+)")

#: Words that do not end a line of prose: the next line continues the sentence.
_CONTINUATION_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "for", "with", "in", "on", "at",
    "by", "from", "as", "that", "which", "who", "whose", "than", "into", "onto", "over",
    "under", "about", "between", "through", "during", "without", "within", "is", "are", "was",
    "were", "be", "been", "has", "have", "had", "its", "their", "our", "your", "his", "her",
    "this", "these", "those", "such",
})
_WRAP_WIDTH = 55  # lines at least this long, both ending sentences, are wrapped prose


@dataclass(slots=True)
class Unit:
    """A span of the document the classifier decides on (offsets into the document text)."""

    start: int
    end: int
    text: str
    hint: str | None = None
    label: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    list_item: bool = False


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int] | None]:
    """Stripped spans of the lines of ``text[start:end]``; None for a blank line."""
    spans: list[tuple[int, int] | None] = []
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        s, e = pos, pos + len(line)
        pos = e
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        spans.append((s, e) if e > s else None)
    return spans


def _continues(text: str, start: int, end: int, nxt: str) -> bool:
    """Whether line ``nxt`` continues the prose ``text[start:end]`` before it (wrapped, not
    a new item). Only the prose's end is read (its last word, its length), never the whole
    of it again: a paragraph of 100,000 wrapped lines costs its length, not its square."""
    if LIST_ITEM_RE.match(nxt):
        return False
    if nxt[0].islower():
        return True
    last_char = text[end - 1]
    if last_char in ",;(-–—/&":
        return True
    if _last_letters(text, start, end).lower() in _CONTINUATION_WORDS:
        return True
    ends_sentence = last_char in ".!?\"”'’)"
    return ends_sentence and end - start >= _WRAP_WIDTH and len(nxt) >= _WRAP_WIDTH


def _last_letters(text: str, start: int, end: int) -> str:
    """The letters ``text[start:end]`` ends with (what ``[^\\W\\d_]+$`` finds in it)."""
    i = end
    while i > start and text[i - 1].isalnum() and not text[i - 1].isdecimal():
        i -= 1
    return text[i:end]


def split_text(text: str, start: int = 0, end: int | None = None) -> list[Unit]:
    """Units of plain text ``text[start:end]``: paragraphs, or their lines when separate items."""
    end = len(text) if end is None else end
    units: list[Unit] = []
    cur: tuple[int, int] | None = None
    cur_item = False

    def flush() -> None:
        nonlocal cur
        if cur is not None:
            units.append(Unit(cur[0], cur[1], text[cur[0]:cur[1]], list_item=cur_item))
            cur = None

    for span in _line_spans(text, start, end):
        if span is None:
            flush()
            continue
        line = text[span[0]:span[1]]
        if cur is not None and _continues(text, cur[0], cur[1], line):
            cur = (cur[0], span[1])
            continue
        flush()
        cur = span
        cur_item = bool(LIST_ITEM_RE.match(line))
    flush()
    return units


def units_from_blocks(text: str, blocks: list[Block]) -> list[Unit]:
    """Units from a reader's blocks, clipped to not overlap, with uncovered text split as prose."""
    units: list[Unit] = []
    pos = 0
    for block in sorted(blocks, key=lambda b: (b.start, -b.end)):
        s, e = max(block.start, pos), min(block.end, len(text))
        if s > pos:
            units.extend(split_text(text, pos, s))
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        body = text[s:e]
        units.append(Unit(s, e, body, hint=block.hint, label=block.label,
                          attrs=dict(block.attrs),
                          list_item=block.hint == "list_item" or bool(LIST_ITEM_RE.match(body))))
        pos = max(pos, e)
    if pos < len(text):
        units.extend(split_text(text, pos, len(text)))
    return units
