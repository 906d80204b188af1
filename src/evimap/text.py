"""Shared text utilities: tokens and sentences with character offsets.

Tokens split hyphens and slashes off as tokens of their own, as the BC5CDR annotations
require ("ketamine-induced" -> "ketamine", "-", "induced"). Sentence splitting is rule-based
and abbreviation-aware; it never crosses a blank line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_TOKEN_RE = re.compile(
    r"\d+(?:[.,]\d+)*"            # numbers, 1,000 and 3.5
    r"|[^\W\d_]+(?:'[^\W\d_]+)?"  # words (letters), with one inner apostrophe
    r"|[^\s]",                    # any other single character (punctuation, hyphen, slash)
    re.UNICODE,
)


def tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Token spans of ``text[start:end]`` as absolute (start, end) offsets."""
    end = len(text) if end is None else end
    return [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text, start, end)]


#: Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset("""
    al e.g eg i.e ie vs v cf dr mr mrs ms prof fig figs no nos approx ca st jr sr inc ltd co
    corp dept univ vol et seq mg kg ml mol resp ref refs eq sec min max mo wk yr yrs
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k ph.d m.d b.i.d t.i.d q.d p.o i.v
""".split())

_SENT_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+)")
#: The same matches, tried only where a run of ``.!?`` starts: one that does not end a
#: sentence where it starts cannot end one from inside either (its end is the same), so
#: a run of 100,000 full stops costs its length once, not its square.
_SENT_END_AT_RUN_RE = re.compile(r"(?<![.!?])[.!?]+[\"'”’)\]]*(?=\s)")
_BLANK_RE = re.compile(r"\n[ \t]*\n")


def _ends_sentence(text: str, dot: int, after: int) -> bool:
    """Whether the punctuation ending at ``dot`` closes a sentence (next text at ``after``)."""
    if after >= len(text):
        return True
    nxt = text[after]
    if nxt.islower():
        return False
    if text[dot] != ".":
        return True
    # the word before the full stop
    m = re.search(r"([\w.]+)\.$", text[max(0, dot - 20):dot + 1])
    word = m.group(1).lower() if m else ""
    if word in ABBREVIATIONS:
        return False
    # single capital initial ("J. Smith") is not a sentence end
    return not (len(word) == 1 and word.isalpha() and text[dot - 1].isupper())


def sentences(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Sentence spans in ``text[start:end]``, stripped of surrounding whitespace."""
    end = len(text) if end is None else end
    # blank lines always separate
    pos = start
    chunks: list[tuple[int, int]] = []
    for m in _BLANK_RE.finditer(text, start, end):
        chunks.append((pos, m.start()))
        pos = m.end()
    chunks.append((pos, end))
    for cs, ce in chunks:
        seg_start = cs
        # a chunk starting inside a run of ".!?" (rare) is read with the plain pattern
        inside_run = 0 < cs < ce and text[cs - 1] in ".!?" and text[cs] in ".!?"
        ends = _SENT_END_RE if inside_run else _SENT_END_AT_RUN_RE
        for m in ends.finditer(text, cs, ce):
            after = m.end()
            while after < ce and text[after].isspace():
                after += 1
            if after >= ce or _ends_sentence(text, m.end() - 1 - _trailing(text, m), after):
                yield from _strip(text, seg_start, m.end())
                seg_start = m.end()
        yield from _strip(text, seg_start, ce)


def _trailing(text: str, m: re.Match[str]) -> int:
    """Number of closing quotes/brackets after the final punctuation mark of a match."""
    s = m.group(0)
    return len(s) - len(s.rstrip("\"'”’)]"))


def _strip(text: str, s: int, e: int) -> Iterator[tuple[int, int]]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        yield (s, e)


def normalise_space(text: str) -> str:
    """Collapse whitespace runs to one space (for hashing and comparison)."""
    return " ".join(text.split())


class Caseless:
    """A case-insensitive regular expression that scans lower-cased text when it can.

    Python's ``re`` gives up its fast scan for a pattern's first characters under
    ``IGNORECASE``, so a case-insensitive pattern costs about twice as much per character as
    the same pattern, lower-cased, run on lower-cased text; the matches are the same (their
    spans: read the matched text from the original). A pattern with a case-sensitive part
    (``(?-i:...)``) or a named character always runs as written, case-insensitively, as
    does any text whose lower case has another length (offsets would shift).
    """

    __slots__ = ("exact", "folded", "needles", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.exact = re.compile(pattern, flags | re.IGNORECASE)
        foldable = "(?-i" not in pattern and "\\N" not in pattern
        self.folded = re.compile(_lower_source(pattern), flags) if foldable else None
        #: literal strings one of which every match contains (None: not known): a text
        #: holding none of them is not scanned at all (a substring test costs far less)
        needles = literal_needles(self.folded.pattern, flags) if self.folded else None
        self.needles = tuple(sorted(needles)) if needles is not None else None

    def may_match(self, lowered: str | None) -> bool:
        """False only when the pattern cannot match the text ``lowered`` is the lower case of
        (it holds none of the pattern's needles): a test for a whole document, before each
        of its parts is scanned."""
        if self.needles is None or lowered is None:
            return True
        return any(needle in lowered for needle in self.needles)

    def finditer(self, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
        """Matches in ``text``; ``lowered`` is :func:`lowered` of it (spans are the same)."""
        if self.folded is not None and lowered is not None:
            if self.needles is not None:
                for needle in self.needles:
                    if needle in lowered:
                        break
                else:
                    return iter(())
            return self.folded.finditer(lowered)
        return self.exact.finditer(text)


def lowered(text: str) -> str | None:
    """``text`` in lower case for :class:`Caseless`, None when that changes its length."""
    low = text.lower()
    return low if len(low) == len(text) else None


def _lower_source(pattern: str) -> str:
    """The pattern's source in lower case, escapes (``\\B``, ``\\S``, ``\\W``, ``\\D``) and
    group names kept."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif pattern.startswith(("(?P<", "(?P="), i):      # a group's name, kept
            close = pattern.find(">" if pattern[i + 3] == "<" else ")", i)
            out.append(pattern[i:close + 1])
            i = close + 1
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


#: Alternatives kept per needle set at most (more say too little to be worth testing).
_MAX_NEEDLES = 64


def literal_needles(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Non-empty literal strings one of which every match of a case-sensitive ``pattern``
    contains, the most telling set found (its shortest string longest); None when none is
    known. Found on the parsed pattern: runs of literal characters (zero-width assertions
    such as ``\\b`` and lookarounds do not break a run), alternatives of a group or branch
    that each hold one, a class of listed characters, and the body of a repeat that must
    occur."""
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _needles(list(parsed))
    return frozenset(found) if found else None


def _needles(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The best needle set of a parsed sequence (see :func:`literal_needles`)."""
    candidates: list[set[str]] = []
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue                                    # zero width: the run goes on
        if run:
            candidates.append({run})
            run = ""
        found: set[str] | None = None
        if op is _c.SUBPATTERN:
            found = _needles(list(av[3]))
        elif op is _c.BRANCH:
            parts = [_needles(list(b)) for b in av[1]]
            if all(parts):
                found = set().union(*(p for p in parts if p))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            found = _needles(list(av[2]))
        elif op is _c.IN and all(o is _c.LITERAL for o, _ in av):
            found = {chr(v) for _, v in av}
        if found and len(found) <= _MAX_NEEDLES:
            candidates.append(found)
    if run:
        candidates.append({run})
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))
