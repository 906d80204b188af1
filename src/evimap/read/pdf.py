"""PDF: the text of each page (pypdf, BSD), without running headers, footers and page numbers,
rejoined into paragraphs.

Lines are rebuilt from pypdf's text pieces with their positions. On each page the first and
last ``_ZONE`` lines are the margins: a margin line is dropped when it is a page number
(``7``, ``Page 7 of 9``, ``- 7 -``, ``vii``) or when it repeats (digits aside, so ``J Pain
Res 2019;12:101`` matches ``...:102``) in the margins of at least ``_RUNNING_SHARE`` of
the pages (two pages at least), unless it is set larger than the page's body text (a title).
Dropped lines are kept out of the text, which is all the offsets refer to; they are listed
in ``metadata["dropped_lines"]`` (distinct running lines, then a count of page numbers).

Lines join into paragraphs (blocks): a new block starts after a vertical gap wider than
the page's usual line spacing, after a short line that ends a sentence, at a bullet, or
at a heading (lines set larger than the body text, or a short line without final
punctuation set apart by a gap); the title is the first of the largest lines on page 1
or the paragraph there that the info dictionary's title names. A word hyphenated at a line
break is rejoined (``treat-`` + ``ment``); a page break continues the paragraph unless
the last line ended a sentence. Each block's ``attrs["page"]`` is its first page (from 1).
Metadata: ``title``, ``authors`` and ``doi`` from the PDF's info dictionary when present,
``pages``. An encrypted PDF that opens without a password is read; one that needs a
password, a broken file or a PDF without extractable text (scanned pages) is an
:class:`InputError` naming the file.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings
from .builder import TextBuilder
from .source import Source

#: How many lines at the top and at the bottom of a page are its margins.
_ZONE = 3
#: A margin line on at least this share of the pages is a running header or footer.
_RUNNING_SHARE = 0.4
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.?)\s*)?[-–—]?\s*(?:\d{1,4}|(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})"
    r"(?:ix|iv|v?i{0,3}))\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.?!:;][\"'”’)\]]*$")
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_LAST_WORD = re.compile(r"[\w-]+$")
_FIRST_WORD = re.compile(r"[\w-]+")
_COMPOUND = re.compile(r"\w+(?:-\w+)+")
_BULLET = re.compile(r"^[•◦▪▫●○‣∙■□➢✓]\s")
_WORD = re.compile(r"\w+")
#: pypdf's errors on broken files are not one class; these are what its parser raises.
_PARSE_ERRORS: tuple[type[Exception], ...] = (
    ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError, OSError,
    RecursionError, ZeroDivisionError, OverflowError, NotImplementedError,
)


@dataclass(slots=True)
class _Line:
    text: str
    y: float | None          # baseline height on the page (PDF units, up is larger)
    size: float              # font size


@dataclass(slots=True)
class _Page:
    number: int
    lines: list[_Line] = field(default_factory=list)


def read_pdf(source: Source, settings: Settings) -> Iterator[RawDocument]:
    """One document per PDF; raises :class:`InputError` for a file that cannot be read."""
    data = source.read_limited(settings.max_file_mb)
    label = source.label
    if not data.lstrip()[:5] == b"%PDF-":
        raise InputError(label, "not a PDF (no %PDF- header)")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    errors: tuple[type[Exception], ...] = (PyPdfError, *_PARSE_ERRORS)
    logging.getLogger("pypdf").setLevel(logging.ERROR)   # broken-xref chatter
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise InputError(label, f"encrypted PDF that needs a cryptography library "
                                        f"to open ({exc})") from None
            if not opened:
                raise InputError(label, "encrypted PDF: it needs a password to open")
        info = _info(reader)
        n_pages = len(reader.pages)
    except InputError:
        raise
    except errors as exc:
        raise InputError(label, f"broken PDF: {_message(exc)}") from None
    pages: list[_Page] = []
    failed: list[str] = []
    for number in range(1, n_pages + 1):
        try:
            pages.append(_Page(number, _page_lines(reader.pages[number - 1])))
        except errors as exc:
            failed.append(f"page {number}: {_message(exc)}")
    if n_pages and len(failed) == n_pages:
        raise InputError(label, f"broken PDF: no page could be read ({failed[0]})")
    dropped = _drop_margins(pages)
    builder = TextBuilder()
    title_key = _key(info.get("title", ""))
    title = None
    for page, paragraph, hint in _paragraphs(pages):
        if title is not None and hint == "title":
            hint = "heading"
        elif title_key and title is None and page == 1 and _key(paragraph) == title_key:
            hint = "title"
        block = builder.add(paragraph, hint, attrs={"page": page})
        if block is not None and hint == "title":
            title = builder.text[block.start:block.end]
    if not builder:
        raise InputError(label, f"PDF has no extractable text ({n_pages} page"
                                f"{'s' if n_pages != 1 else ''}; scanned images need OCR "
                                "first)")
    metadata: dict[str, Any] = {"pages": n_pages, **info}
    if dropped:
        metadata["dropped_lines"] = dropped
    if failed:
        metadata["warnings"] = [f"{f}; skipped" for f in failed]
    yield RawDocument(
        path=label, record=0, format="pdf", text=builder.text,
        title=title or info.get("title") or None, blocks=builder.blocks, metadata=metadata,
    )


def _message(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


#: Info dictionary entries where publishers put the DOI (``/doi``, or ``/Subject``: "J Pain
#: Res 12 (2019) 101-9. doi:10.2147/JPR.S1"), the first found wins.
_DOI_KEYS = ("/doi", "/DOI", "/prism:doi", "/Subject")
_DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")


def _info(reader: Any) -> dict[str, Any]:
    """title, authors and doi from the document information dictionary (blank ones left
    out)."""
    meta = reader.metadata
    if meta is None:
        return {}
    out: dict[str, Any] = {}
    title = _clean(str(meta.title or ""))
    if title and not re.fullmatch(r"(?i)(untitled|microsoft word - .*|.*\.(docx?|pdf|tex))",
                                  title):
        out["title"] = title
    author = _clean(str(meta.author or ""))
    if author:
        out["authors"] = [a.strip() for a in re.split(r";|,\s*(?:and\s+)?|\s+and\s+", author)
                          if a.strip()]
    found = _DOI_IN_TEXT.search(" ".join(str(meta.get(k) or "") for k in _DOI_KEYS))
    if found:
        out["doi"] = found.group(0).rstrip(".,;)]")
    return out


def _page_lines(page: Any) -> list[_Line]:
    """The page's lines in reading order, with the height and font size of each."""
    lines: list[_Line] = []
    current: list[str] = []
    where: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if text.strip() and not where:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or 1.0
            where.append((y, float(size or 0) * scale))
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            current.append(piece)
            if i < len(pieces) - 1:
                _end_line()

    def _end_line() -> None:
        line = _clean("".join(current))
        if line:
            y, size = where[0] if where else (None, 0.0)
            lines.append(_Line(line, y, size))
        current.clear()
        where.clear()

    page.extract_text(visitor_text=visit)
    _end_line()
    return lines


def _key(line: str) -> str:
    """A line compared across pages: lower case, digits as ``#``, spaces collapsed."""
    return " ".join(re.sub(r"\d+", "#", line.lower()).split())


def _drop_margins(pages: list[_Page]) -> list[str]:
    """Drop running headers and footers and page numbers; what was dropped, for metadata."""
    counts: Counter[str] = Counter()
    for page in pages:
        margins = page.lines[:_ZONE] + page.lines[-_ZONE:]
        counts.update({_key(line.text) for line in margins})
    needed = max(2, int(len(pages) * _RUNNING_SHARE + 0.999))
    running = {k for k, n in counts.items() if n >= needed and k}
    dropped: dict[str, str] = {}                       # key -> first line dropped
    n_numbers = 0
    for page in pages:
        body_size = _median([ln.size for ln in page.lines if ln.size]) or 0.0

        def droppable(line: _Line, body_size: float = body_size) -> str | None:
            if _PAGE_NUMBER.match(line.text):
                return "number"
            if _key(line.text) in running and not (body_size and line.size > body_size * 1.2):
                return "running"
            return None

        for from_top in (True, False):
            for _ in range(min(_ZONE, len(page.lines))):
                line = page.lines[0] if from_top else page.lines[-1]
                why = droppable(line)
                if why is None:
                    break
                if why == "number":
                    n_numbers += 1
                else:
                    dropped.setdefault(_key(line.text), line.text)
                page.lines.remove(line)
    out = list(dropped.values())
    if n_numbers:
        out.append(f"{n_numbers} page number{'s' if n_numbers != 1 else ''}")
    return out


def _paragraphs(pages: list[_Page]) -> Iterator[tuple[int, str, str]]:
    """(first page, text, hint) of each paragraph in order: hint ``heading`` for a run of
    lines set larger than the page's body text or a short line set apart, ``title`` for
    the largest such run on page 1, else ``paragraph``."""
    text, hint, start_page = "", "paragraph", 0
    run_size = 0.0
    previous: _Line | None = None
    largest_first = max((ln.size for ln in pages[0].lines), default=0.0) if pages else 0.0
    vocabulary = _vocabulary(pages)
    for page in pages:
        spacing = _line_spacing(page.lines)
        width = _median([len(ln.text) for ln in page.lines]) or 0.0
        body = _median([ln.size for ln in page.lines if ln.size]) or 0.0
        for i, line in enumerate(page.lines):
            nxt = page.lines[i + 1] if i + 1 < len(page.lines) else None
            big = bool(body and line.size > body * 1.15)
            if big:
                same_run = hint != "paragraph" and abs(line.size - run_size) <= run_size * 0.05
                if text and not same_run:
                    yield start_page, text, hint
                    text = ""
                if not text:
                    first_title = page.number == 1 and line.size >= largest_first
                    hint = "title" if first_title else "heading"
                    run_size = line.size
            elif hint != "paragraph" or _is_heading(line, previous, nxt, spacing):
                if text:
                    yield start_page, text, hint
                    text = ""
                hint = "heading" if _is_heading(line, previous, nxt, spacing) else "paragraph"
            elif previous is not None and text:
                new = (bool(_SENTENCE_END.search(previous.text)) if i == 0
                       else _breaks(previous, line, spacing, width))
                if new:
                    yield start_page, text, hint
                    text = ""
            text, start_page = _join(text, line.text, start_page, page.number, vocabulary)
            if hint == "heading" and not big:          # a short heading is one line
                yield start_page, text, hint
                text, hint = "", "paragraph"
            previous = line
    if text:
        yield start_page, text, hint


def _join(text: str, line: str, start_page: int, page: int,
          vocabulary: frozenset[str]) -> tuple[str, int]:
    """Add a line to a paragraph. A word broken with a hyphen at the line end is rejoined
    without it (``treat-`` + ``ment``) unless the document writes the hyphenated compound
    elsewhere on one line (``placebo-controlled``) or the next line starts otherwise than
    in lower case (``anti-`` + ``TNF``), when the hyphen stays."""
    if not text:
        return line, page
    if _HYPHENATED.search(text):
        before = _LAST_WORD.search(text)
        after = _FIRST_WORD.match(line)
        compound = f"{before.group(0) if before else ''}{after.group(0) if after else ''}"
        if line[:1].islower() and compound.lower() not in vocabulary:
            return text[:-1] + line, start_page
        return text + line, start_page
    return f"{text} {line}", start_page


def _vocabulary(pages: list[_Page]) -> frozenset[str]:
    """Hyphenated compounds written within a line anywhere in the document, lower case."""
    return frozenset(m.group(0).lower() for page in pages for line in page.lines
                     for m in _COMPOUND.finditer(line.text))


def _breaks(previous: _Line, line: _Line, spacing: float | None, width: float) -> bool:
    """Does ``line`` start a new paragraph after ``previous`` on the same page?"""
    if _BULLET.match(line.text):
        return True
    gap = _gap(previous, line)
    if gap is not None and spacing and (gap > spacing * 1.4 or gap < -spacing * 0.5):
        # a wider gap; or a jump up (a new column) continues an unfinished sentence
        return gap > 0 or bool(_SENTENCE_END.search(previous.text))
    return bool(_SENTENCE_END.search(previous.text)) and len(previous.text) < width * 0.75


def _is_heading(line: _Line, previous: _Line | None, nxt: _Line | None,
                spacing: float | None) -> bool:
    """A short line without final punctuation, with a wider gap below it than the usual
    line spacing and a paragraph end (or a gap) above it."""
    words = len(_WORD.findall(line.text))
    if not 0 < words <= 10 or _SENTENCE_END.search(line.text) or line.text.endswith(("-", ",")):
        return False
    if nxt is None or not spacing:
        return False
    below = _gap(line, nxt)
    if below is None or below <= spacing * 1.4:
        return False
    if previous is None:
        return True
    above = _gap(previous, line)
    return bool(_SENTENCE_END.search(previous.text)) or (above is not None and
                                                         above > spacing * 1.4)


def _gap(upper: _Line, lower: _Line) -> float | None:
    if upper.y is None or lower.y is None:
        return None
    return upper.y - lower.y


def _line_spacing(lines: list[_Line]) -> float | None:
    """The usual distance between consecutive lines of a page: the lower quartile of the
    gaps (paragraph gaps are the wider minority; sub- and superscripts are left out)."""
    gaps = sorted(g for a, b in pairwise(lines)
                  if (g := _gap(a, b)) is not None and a.size * 0.5 < g < max(a.size, 1.0) * 3)
    return gaps[len(gaps) // 4] if gaps else None


def _median(values: list[float] | list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _clean(text: str) -> str:
    text = text.strip()
    if text.endswith("\u00ad"):                     # a soft hyphen at the line break
        text = text[:-1] + "-"
    text = text.replace("\u00ad", "").replace("\x00", "")
    return unicodedata.normalize("NFC", " ".join(text.split()))
