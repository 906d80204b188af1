"""Reader-comment headers: who wrote a comment and when.

Comment sections in scrapes put a header above each comment; the shapes seen in the wild
include a date line followed by "(1) Deborah says:", "Tiffany said...", "says: Beryl Walker",
"Posted by Rosa M. on 12 March 2023", "Rosa M. · 12 March 2023 at 21:04", or a name line
followed by a date line. A header may take
one or two units; :func:`parse_header` reads it at a position in the unit list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import Unit
from .dates import find_date, is_date_line, parse_date
from .features import STOPWORDS
from .metadata import is_name_like

_SAYS_RE = re.compile(
    r"^\s*(?:\(?#?\d{1,4}[).:]?\s*)?(?P<author>[^\s].{0,60}?)\s+"
    r"(?:says|said|writes|wrote|replied|commented)\s*(?::|\.\.\.|…)?\s*$", re.I)
#: The verb first: "says: Beryl Walker" (some themes put the name after it).
_SAYS_FIRST_RE = re.compile(
    r"^\s*(?:\(?#?\d{1,4}[).:]?\s*)?(?:says|said|writes|wrote)\s*:\s*(?P<author>\S.{0,60}?)\s*$",
    re.I)
_POSTED_BY_RE = re.compile(
    r"^\s*(?:posted|comment(?:ed)?|reply|submitted|written)\s+by\s+(?P<author>.{1,60}?)"
    r"\s*(?:\bon\b|\bat\b|[|·•—–,-])\s*(?P<date>.+?)\s*$", re.I)
_NAME_DATE_RE = re.compile(
    r"^\s*(?P<author>[^|·•—–]{1,50}?)\s*(?:[|·•—–]|\bon\b)\s*(?P<date>[^|·•—–]+?)"
    r"\s*(?:\b(?:said|wrote|says)\b)?\s*:?\s*$", re.I)
_NOT_AUTHORS = frozenset({
    "posted", "updated", "published", "by", "date", "on", "reviewed", "last",
})


@dataclass(frozen=True, slots=True)
class CommentHeader:
    units: int          # how many units the header takes
    author: str
    date: str | None    # ISO 8601 when parseable, else as written
    reason: str


def _date(text: str) -> str | None:
    m = find_date(text)
    return m.iso if m else (text.strip() or None)


def _handle(text: str) -> bool:
    """A plausible commenter name or handle: at most four words, none of them a stopword."""
    tokens = text.split()
    return (0 < len(text.strip()) <= 40 and 1 <= len(tokens) <= 4
            and not any(t.lower().strip(".,") in STOPWORDS for t in tokens)
            and tokens[0].lower() not in _NOT_AUTHORS)


def _single(text: str, after_content: bool) -> CommentHeader | None:
    """A header that fits in one line."""
    m = _SAYS_RE.match(text)
    numbered = bool(re.match(r"\s*\(?#?\d", text))
    if m and _handle(m.group("author")) and (after_content or numbered):
        return CommentHeader(1, m.group("author").strip(), None, "'... says:' line")
    m = _SAYS_FIRST_RE.match(text)
    if m and _handle(m.group("author")) and (after_content or numbered):
        return CommentHeader(1, m.group("author").strip(), None, "'says: ...' line")
    m = _POSTED_BY_RE.match(text)
    if m and is_date_line(m.group("date")):
        return CommentHeader(1, m.group("author").strip(), parse_date(m.group("date")),
                             "'Posted by ... on <date>' line")
    if after_content:
        m = _NAME_DATE_RE.match(text)
        if m and is_date_line(m.group("date")) and (
                is_name_like(m.group("author")) or (_handle(m.group("author"))
                and len(m.group("author").split()) == 1)):
            return CommentHeader(1, m.group("author").strip(), parse_date(m.group("date")),
                                 "'<name> · <date>' line")
    return None


def parse_header(units: list[Unit], i: int, after_content: bool) -> CommentHeader | None:
    """The comment header starting at unit ``i``, or None.

    ``after_content`` says the article has begun: the looser shapes (a name and a date with
    no "says") count only then, so a byline under the title is not taken for a comment.
    """
    text = units[i].text
    nxt = units[i + 1].text if i + 1 < len(units) else ""
    if len(text) > 120:
        return None
    # date line, then "(1) Name says:"
    if is_date_line(text) and nxt and len(nxt) <= 120:
        said = _SAYS_RE.match(nxt)
        if said and _handle(said.group("author")):
            return CommentHeader(2, said.group("author").strip(), _date(text),
                                 "date line and '... says:' line")
    head = _single(text, after_content)
    if head is not None:
        if head.date is None and nxt and is_date_line(nxt) and len(nxt) <= 60:
            return CommentHeader(2, head.author, _date(nxt), head.reason + " and date line")
        return head
    # "Name" line, then a date line
    if after_content and nxt and is_name_like(text) and is_date_line(nxt) and len(nxt) <= 60:
        return CommentHeader(2, text.strip(), _date(nxt), "name line and date line")
    return None
