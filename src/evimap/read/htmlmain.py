"""The main content and metadata of a web page, by trafilatura, mapped onto evimap's blocks.

trafilatura (pinned; run on the tree evimap parsed, so no network and no second parse) finds
the article text and the page's metadata. Its text is aligned to evimap's blocks by
normalised words: a block is *main* when most of its word trigrams occur in trafilatura's text
(short blocks: when they are one of its lines, or sit inside its text next to a main block).
Each block then carries ``attrs["main"]`` (True or False) and the cleaner
(:mod:`evimap.clean.mainmarks`) weighs it against its own evidence; reader comments, the title
and bylines keep evimap's reading. Offsets stay those of evimap's text: trafilatura's text is
only compared with it, never copied into it.

When trafilatura fails or finds no text, no block is marked and the page is read as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import trafilatura
from htmldate import find_date
from lxml import etree
from trafilatura.settings import Extractor, set_date_params

from ..model import Block
from .decode import clean_fragment

#: Share of a block's word trigrams that must occur in trafilatura's text.
_COVERAGE = 0.5
_SHORT = 3          # blocks with fewer words are matched as whole lines or by their neighbours
_WORD = re.compile(r"\w+")
#: trafilatura's own failures on odd pages; evimap then reads the page alone.
_TRAFILATURA_ERRORS = (ValueError, TypeError, AttributeError, IndexError, KeyError,
                       RecursionError, etree.LxmlError)

#: htmldate's options: the markup first (tags, JSON-LD, <time>, the URL: fast); the text of
#: the page (extensive search, 5-10 ms on a news page) only when the markup has no date.
_QUICK_DATE = set_date_params(extensive=False)
_FULL_DATE = set_date_params(extensive=True)

# trafilatura logs "discarding data" and similar at WARNING for pages it cannot use; evimap
# falls back on its own reading then, so those messages are noise for a user.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


@dataclass(frozen=True, slots=True)
class MainContent:
    """trafilatura's main text (one line per paragraph, heading, list item, table row) and
    the metadata it found (keys as evimap's: title, authors, date, site_name, url)."""

    lines: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict)


def extract_main(root: etree._Element, url: str | None = None,
                 with_metadata: bool = True) -> MainContent | None:
    """trafilatura's main content of a parsed page (it works on a copy), or None.

    ``with_metadata``: also its metadata (half its time goes to finding the date).
    """
    options = Extractor(output_format="python", with_metadata=with_metadata, comments=True,
                        tables=True, url=url, date_params=_QUICK_DATE)
    try:
        document = trafilatura.bare_extraction(root, options=options)
    except _TRAFILATURA_ERRORS:
        return None
    if document is None or isinstance(document, dict):
        return None
    lines = tuple(line for line in (document.text or "").splitlines() if line.strip())
    if with_metadata and not document.date:
        document.date = _searched_date(root, document.url or url)
    metadata = _metadata(document)
    if not lines:
        return MainContent((), metadata) if metadata else None
    return MainContent(lines, metadata)


def _searched_date(root: etree._Element, url: str | None) -> str | None:
    """htmldate's extensive search (dates in the page's text), for a page whose markup has
    none; it works on a copy, as trafilatura does."""
    try:
        return find_date(deepcopy(root), **{**_FULL_DATE, "url": url})
    except _TRAFILATURA_ERRORS:
        return None


def _metadata(document: Any) -> dict[str, Any]:
    """Title, authors (trafilatura joins them with "; "), date, site name and URL.

    A date of 1 January is left out: htmldate gives a bare year (often the copyright line's)
    that way, and a guessed day is worse than none.
    """
    found: dict[str, Any] = {}
    for key, name in (("title", "title"), ("date", "date"), ("sitename", "site_name"),
                      ("url", "url")):
        value = getattr(document, key, None)
        if isinstance(value, str) and clean_fragment(value):
            found[name] = clean_fragment(value)
    if found.get("date", "").endswith("-01-01"):
        del found["date"]
    author = getattr(document, "author", None)
    if isinstance(author, str):
        authors = [a.strip() for a in author.split(";") if a.strip()]
        if authors:
            found["authors"] = authors
    return found


def words(text: str) -> list[str]:
    """Case-folded words, the unit of alignment."""
    return _WORD.findall(text.casefold())


def mark_blocks(text: str, blocks: Sequence[Block], main: MainContent) -> list[Block]:
    """Blocks with ``attrs["main"]``: whether trafilatura's main text holds them.

    Nothing is marked (the blocks come back as they are) when trafilatura found no text.
    One pass over trafilatura's words builds sets of its lines, word pairs and trigrams; each
    block is then looked up in them (no search through the text per block).
    """
    if not main.lines:
        return list(blocks)
    line_keys = {" ".join(words(line)) for line in main.lines}
    stream = words("\n".join(main.lines))
    # the short blocks' test: their words appear together in the text (one word or a pair)
    pairs: set[tuple[str, ...]] = {(w,) for w in stream}
    pairs.update(pairwise(stream))
    trigrams = _trigrams(stream)
    verdicts: list[bool | None] = []
    for block in blocks:
        tokens = words(text[block.start:block.end])
        if len(tokens) >= _SHORT:
            grams = _trigrams(tokens)
            verdicts.append(sum(g in trigrams for g in grams) >= _COVERAGE * len(grams))
        elif not tokens:
            verdicts.append(False)
        elif " ".join(tokens) in line_keys:
            verdicts.append(True)
        elif tuple(tokens) in pairs:
            verdicts.append(None)       # decided by its neighbours below
        else:
            verdicts.append(False)
    settled = _settle(verdicts)
    return [Block(b.start, b.end, b.hint, b.label, {**b.attrs, "main": m})
            for b, m in zip(blocks, settled, strict=True)]


def _trigrams(tokens: list[str]) -> set[tuple[str, ...]]:
    return set(zip(tokens, tokens[1:], tokens[2:], strict=False)) or {tuple(tokens)}


def _settle(verdicts: list[bool | None]) -> list[bool]:
    """A short block found inside trafilatura's text is main when a neighbour is (the nearest
    decided block before or after it)."""
    before: list[bool] = []
    last = False
    for verdict in verdicts:
        before.append(last)
        if verdict is not None:
            last = verdict
    settled = [False] * len(verdicts)
    last = False
    for i in range(len(verdicts) - 1, -1, -1):
        verdict = verdicts[i]
        settled[i] = verdict if verdict is not None else (before[i] or last)
        if verdict is not None:
            last = verdict
    return settled
