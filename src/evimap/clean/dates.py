"""Dates in page text: find them, tell a line that is only a date, normalise to ISO 8601.

Scraped pages write dates many ways ("March 19, 2008 at 6:48 pm", "12 Mar 2023", "2018 Apr 3",
"2021-05-04"). :func:`find_date` returns the leftmost date with its span and an ISO form
(``2008-03-19T18:48`` with a time, ``2008-03-19`` without); comment and byline logic use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?"
          r"|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_TIME = (r"(?:\s*(?:at|@|,|-|–|·)?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})"
         r"\s*(?P<ampm>[ap]\.?\s?m\.?)?)?")

_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE) for p in (
        rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b{_TIME}",            # March 19, 2008 at 6:48 pm
        rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b{_TIME}",            # 19 March 2008, 18:48
        rf"\b{_YEAR}\s+{_MONTH}\s+{_DAY}\b",                     # 2018 Apr 3 (PubMed)
        rf"\b{_YEAR}-(?P<mnum>\d{{2}})-{_DAY}(?:[T ](?P<hour>\d{{2}}):(?P<minute>\d{{2}}))?",
        rf"\b(?P<mnum>\d{{1,2}})/{_DAY}/{_YEAR}\b{_TIME}",       # 03/19/2008 (US order)
    )
)

#: Words that may surround a date on a line that is "only a date".
_DATE_LINE_WORDS = frozenset({
    "posted", "published", "updated", "last", "first", "on", "by", "date", "at", "reviewed",
    "modified", "epub",
})


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    iso: str


def _iso(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    month = _MONTHS[g["mon"][:3].lower()] if g.get("mon") else int(g["mnum"])
    day, year = int(g["day"]), int(g["year"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    out = f"{year:04d}-{month:02d}-{day:02d}"
    if g.get("hour"):
        hour, minute = int(g["hour"]), int(g["minute"])
        ampm = (g.get("ampm") or "").replace(".", "").replace(" ", "").lower()
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            out += f"T{hour:02d}:{minute:02d}"
    return out


def find_date(text: str) -> DateMatch | None:
    """The leftmost (then longest) date in ``text``, or None."""
    best: DateMatch | None = None
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            iso = _iso(m)
            if iso is None:
                continue
            cand = DateMatch(m.start(), m.end(), iso)
            if best is None or (cand.start, -cand.end) < (best.start, -best.end):
                best = cand
            break
    return best


def parse_date(text: str) -> str | None:
    """The ISO form of the first date in ``text``, or None."""
    m = find_date(text)
    return m.iso if m else None


def is_date_line(text: str) -> bool:
    """Whether ``text`` is a date and nothing else ("Posted on 12 March 2023", "By May 3, 2020")."""
    m = find_date(text)
    if m is None:
        return False
    rest = re.findall(r"[^\W\d_]+", text[:m.start] + " " + text[m.end:])
    return all(w.lower() in _DATE_LINE_WORDS for w in rest)
