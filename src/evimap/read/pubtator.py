"""PubTator: annotated abstracts (BC5CDR, NCBI Disease), one record per blank-line group.

A record is ``PMID|t|title``, ``PMID|a|abstract``, then tab-separated mention lines
``PMID start end text type ids`` (offsets over ``title + " " + abstract``; ids may be ``-1``
or composite ``D1|D2``) and relation lines ``PMID CID chemical disease``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..model import Block, GoldMention, RawDocument
from ..settings import Settings
from .decode import OffsetMap, from_original, normalise_text
from .source import RecordError, Source, gzip_errors, iter_lines, max_record_bytes

_TEXT_LINE = re.compile(r"^(\d+)\|([ta])\|(.*)$", re.DOTALL)


@dataclass(slots=True)
class _Record:
    """The lines of one record as read, before checking."""

    first_line: int
    lines: list[tuple[int, bytes]] = field(default_factory=list)
    size: int = 0
    too_long: bool = False


def read_pubtator(source: Source, settings: Settings) -> Iterator[RawDocument | InputError]:
    """Yield one document per record; a bad record is yielded as ``InputError(file:line)``."""
    limit = max_record_bytes(settings.max_file_mb)
    with gzip_errors(source), source.open() as stream:
        for index, record in enumerate(_records(iter_lines(stream, limit), limit)):
            where = f"{source.label}:{record.first_line}"
            if record.too_long:
                yield InputError(where, f"record over the {settings.max_file_mb:g} MB limit "
                                        "(set EVIMAP_MAX_FILE_MB)")
                continue
            try:
                yield parse_record(record.lines, source.label, index)
            except RecordError as exc:
                yield InputError(where, str(exc))


def _records(lines: Iterator[tuple[int, bytes | None]], limit: int) -> Iterator[_Record]:
    """Group lines into records separated by blank lines."""
    record: _Record | None = None
    for lineno, line in lines:
        if line is not None and not line.strip():
            if record is not None:
                yield record
            record = None
            continue
        if record is None:
            record = _Record(lineno)
        if line is None:
            record.too_long = True
            continue
        record.size += len(line)
        record.too_long = record.too_long or record.size > limit
        if not record.too_long:
            record.lines.append((lineno, line))
    if record is not None:
        yield record


def parse_record(raw_lines: list[tuple[int, bytes]], path: str, index: int) -> RawDocument:
    """One PubTator record as a document with gold mentions; raises :class:`RecordError`."""
    lines = [(lineno, _decode_line(lineno, raw)) for lineno, raw in raw_lines]
    pmid, title, abstract = _text_lines(lines)
    original = f"{title} {abstract}"
    text, offset_map = normalise_text(original)
    mentions: list[GoldMention] = []
    relations: list[tuple[str, str, str]] = []
    warnings: list[str] = []
    for lineno, line in lines:
        if _TEXT_LINE.match(line):
            continue
        columns = line.split("\t")
        if columns[0] != pmid:
            raise RecordError(f"line {lineno} is for PMID {columns[0]}, not {pmid}")
        if len(columns) >= 6:
            mention = _mention(columns, lineno, original, text, offset_map, warnings)
            if mention is not None:
                mentions.append(mention)
        elif len(columns) == 4:
            relations.append((columns[1], columns[2], columns[3]))
        else:
            raise RecordError(f"line {lineno}: expected a mention (6 tab-separated columns) "
                              f"or a relation (4), found {len(columns)}")
    metadata: dict[str, Any] = {"pmid": pmid}
    if warnings:
        metadata["warnings"] = warnings
    title_end = from_original(offset_map, len(title))
    blocks = [Block(0, title_end, "title")]
    if abstract:
        blocks.append(Block(title_end + 1, len(text), "abstract"))
    return RawDocument(
        path=path, record=index, format="pubtator", text=text, title=text[:title_end],
        blocks=blocks, metadata=metadata, offset_map=offset_map,
        gold_mentions=mentions, gold_relations=relations,
    )


def _decode_line(lineno: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"line {lineno} is not valid UTF-8 (invalid byte "
                          f"0x{raw[exc.start]:02x} at column {exc.start + 1})") from None


def _text_lines(lines: list[tuple[int, str]]) -> tuple[str, str, str]:
    """PMID, title and abstract of a record (the abstract may be missing)."""
    found: dict[str, str] = {}
    pmid = ""
    for lineno, line in lines:
        m = _TEXT_LINE.match(line)
        if not m:
            continue
        if pmid and m.group(1) != pmid:
            raise RecordError(f"line {lineno} is for PMID {m.group(1)}, not {pmid}")
        pmid = m.group(1)
        found[m.group(2)] = m.group(3)
    if "t" not in found:
        raise RecordError("no 'PMID|t|title' line")
    return pmid, found["t"], found.get("a", "")


def _mention(columns: list[str], lineno: int, original: str, text: str,
             offset_map: OffsetMap | None, warnings: list[str]) -> GoldMention | None:
    """A mention line; the offsets are authoritative, the text column is only checked.

    A span outside the text drops the mention and a differing text column (NCBI Disease
    writes some quotes as spaces) keeps it; both add a line to ``warnings``.
    """
    try:
        start, end = int(columns[1]), int(columns[2])
    except ValueError:
        raise RecordError(f"line {lineno}: offsets {columns[1]!r}, {columns[2]!r} are not "
                          "integers") from None
    if not 0 <= start < end <= len(original):
        warnings.append(f"line {lineno}: span {start}-{end} of {columns[3]!r} is outside the "
                        f"text ({len(original)} characters); mention dropped")
        return None
    if original[start:end] != columns[3]:
        warnings.append(f"line {lineno}: mention {columns[3]!r} differs from the text at "
                        f"{start}-{end} ({original[start:end]!r}); the text is kept")
    start, end = from_original(offset_map, start), from_original(offset_map, end)
    ids = tuple(i for i in columns[5].split("|") if i) if columns[5] else ()
    return GoldMention(start, end, text[start:end], columns[4], ids)
