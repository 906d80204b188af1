"""Abbreviations defined in a document: "long form (SF)" (Schwartz & Hearst, PSB 2003).

For every parenthesis or bracket whose content (up to a ";" or ",") looks like a short form
(2-10 characters, at most two words, starting with a letter or digit, holding a letter), the
long form is found in the words before it:

* a dictionary mention ending right before the parenthesis and starting with the short
  form's first letter is the long form ("fibromyalgia (FMS)": the S of FMS is "syndrome",
  which the text leaves out; "cyclosporine (CsA)", where the letter rule would reach back to
  "conversion in patients undergoing cyclosporine");
* otherwise the Schwartz-Hearst rule over at most ``min(len(SF) + 5, 2 * len(SF))`` words:
  every letter and digit of the short form, right to left, is found in order in the
  candidate, the first one at the start of a word.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

#: A parenthesis or bracket and what it holds up to a ";" or ",". The spaces around the
#: content are taken possessively (``\s*+``): giving one back could only make a content of
#: spaces, which is no short form, and a long run of spaces would be tried at every split.
_PAREN = re.compile(r"\(\s*+([^()\[\];,]{1,20}?)\s*+[;,)]|\[\s*+([^\[\]();,]{1,20}?)\s*+[;,\]]")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A short form and the long form it was defined with (document offsets)."""

    short: str
    long: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int


def is_short_form(candidate: str) -> bool:
    """Whether a parenthesised string can be an abbreviation."""
    return (
        2 <= len(candidate) <= 10
        and len(candidate.split()) <= 2
        and candidate[0].isalnum()
        and any(ch.isalpha() for ch in candidate)
        and not candidate.islower()
    )


def best_long_form(short: str, candidate: str) -> int | None:
    """Schwartz-Hearst: where in ``candidate`` the long form of ``short`` starts, or None."""
    s, c = len(short) - 1, len(candidate) - 1
    while s >= 0:
        ch = short[s].lower()
        if not ch.isalnum():
            s -= 1
            continue
        while c >= 0 and (candidate[c].lower() != ch
                          or (s == 0 and c > 0 and candidate[c - 1].isalnum())):
            c -= 1
        if c < 0:
            return None
        c -= 1
        s -= 1
    return candidate.rfind(" ", 0, c + 1) + 1


def find_abbreviations(text: str, sentences: Iterable[tuple[int, int]],
                       mention_ends: dict[int, int] | None = None) -> list[Abbreviation]:
    """Abbreviations defined in the given sentence spans of ``text``.

    ``mention_ends`` maps the end offset of each dictionary mention to its start (the
    fallback long form described in the module docstring).
    """
    found: list[Abbreviation] = []
    for s_start, s_end in sentences:
        for m in _PAREN.finditer(text, s_start, s_end):
            group = 1 if m.group(1) is not None else 2
            short = m.group(group)
            if not is_short_form(short):
                continue
            long = _long_form(text, s_start, m.start(), short, mention_ends or {})
            if long is not None:
                found.append(Abbreviation(short, text[long[0]:long[1]], m.start(group),
                                          m.end(group), *long))
    return found


def _long_form(text: str, s_start: int, paren: int, short: str,
               mention_ends: dict[int, int]) -> tuple[int, int] | None:
    """(start, end) of the long form before the parenthesis at ``paren``."""
    end = paren
    while end > s_start and text[end - 1].isspace():
        end -= 1
    m_start = mention_ends.get(end)
    if m_start is not None and text[m_start].lower() == short[0].lower():
        return m_start, end
    limit = min(len(short) + 5, 2 * len(short))
    words = _last_words(text, s_start, end, limit)
    if not words:
        return None
    cand_start = words[0].start()
    offset = best_long_form(short, text[cand_start:end])
    if offset is None:
        return None
    start = cand_start + offset
    while start < end and not text[start].isalnum():
        start += 1
    long = text[start:end]
    if len(long) > len(short) and short.lower() not in long.lower().split():
        return start, end
    return None


def _last_words(text: str, start: int, end: int, limit: int) -> list[re.Match[str]]:
    """The last ``limit`` words of ``text[start:end]``, read from a window before ``end``
    that doubles until it holds more words than that (the first may be cut) or reaches
    ``start``: a sentence of many parentheses is not read from its start for each."""
    width = 64 * limit
    while True:
        window = max(start, end - width)
        words = list(_WORD.finditer(text, window, end))
        if window == start or len(words) > limit:
            return words[-limit:]
        width *= 4


def occurrences(text: str, short: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Whole-word occurrences of a short form (and its plural in -s) in the given spans."""
    pattern = _occurrence_pattern(short)
    return [(m.start(), m.end()) for s, e in spans for m in pattern.finditer(text, s, e)]


def all_occurrences(text: str, shorts: Sequence[str], spans: Sequence[tuple[int, int]]
                    ) -> dict[str, list[tuple[int, int]]]:
    """:func:`occurrences` of each short form, in one pass over the text (not one search
    per short form and span, the square of a long document's length): every place a short
    form can start (no ASCII letter or digit before it) is looked up once for each length a
    short form has, and only the places found are tried with its pattern."""
    if not shorts:
        return {}
    if any(s > e for s, e in spans) or any(a[1] > b[0] for a, b in pairwise(spans)):
        return {short: occurrences(text, short, spans) for short in shorts}  # unordered
    wanted = set(shorts)
    lengths = sorted({len(short) for short in wanted})
    places: dict[str, list[int]] = {short: [] for short in wanted}
    firsts = "".join(re.escape(c) for c in sorted({short[0] for short in wanted}))
    for start in re.finditer(rf"(?<![0-9A-Za-z])[{firsts}]", text):
        i = start.start()
        for n in lengths:
            key = text[i:i + n]
            if key in wanted:
                places[key].append(i)
    starts = [s for s, _e in spans]
    found: dict[str, list[tuple[int, int]]] = {}
    for short in shorts:
        pattern = _occurrence_pattern(short)
        out: list[tuple[int, int]] = []
        span, reach = -1, 0             # the span of the last match and where it ended
        for i in places[short]:
            k = bisect_right(starts, i) - 1
            if k < 0 or i + len(short) > spans[k][1] or (k == span and i < reach):
                continue
            m = pattern.match(text, i, spans[k][1])
            if m is not None:
                out.append((m.start(), m.end()))
                span, reach = k, m.end()
        found[short] = out
    return found


@functools.lru_cache(maxsize=1024)
def _occurrence_pattern(short: str) -> re.Pattern[str]:
    return re.compile(r"(?<![0-9A-Za-z])" + re.escape(short) + r"s?(?![0-9A-Za-z])")
