"""MEDLINE text: PubMed's "Save as MEDLINE" export (``.nbib``, ``.medline``, ``.txt``).

A record is a run of tagged lines, ``PMID- 29768149``, ``TI  - title``, ``AB  - abstract``,
the tag padded to four characters before ``- ``; a long value goes on in lines indented
by six spaces. Records are separated by blank lines (a second ``PMID-`` line also starts
one). Each record becomes the same document the XML reader (:mod:`.pubmed`) makes of it:
format ``pubmed``, the same text, blocks and metadata keys, so a record saved both ways
is one source. A structured abstract (``AB  - BACKGROUND: ... METHODS: ...``) is split
into its labelled sections as the XML has them.

Fields read: PMID, TI (TT, BTI when there is no TI), AB, AU (FAU when there is no AU) and
CN, DP, JT, TA, PT, MH (the descriptor, without ``*`` and ``/qualifier``), OT, COIS, LA,
AID/LID ``... [doi]``, PMC. A line that is neither a field nor a continuation is skipped
with a line in ``metadata["warnings"]``; a record without a PMID or any text is yielded as
``InputError("file:line")`` and the rest are read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings
from .pubmed import assemble_record, month_number
from .source import RecordError, Source, read_line_records

_FIELD = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *-(?: (.*)|$)")
_CONTINUATION = re.compile(r"^\s+\S")
_DATE = re.compile(r"^(\d{4})(?: ([A-Za-z]{3})[a-z]*(?: (\d{1,2}))?)?$")
#: A section label of a structured abstract: ``BACKGROUND: ``, ``METHODS AND RESULTS: ``,
#: at the start of the abstract or after the end of a sentence.
_LABEL = re.compile(r"(?:^|(?<=[.?!)\]] ))([A-Z][A-Z0-9 ,&/'-]{1,60}[A-Z0-9]): ")
_ID_SUFFIX = re.compile(r"^(.*?)\s*\[(\w+)\]$")


@dataclass(slots=True)
class _Record:
    first_line: int
    fields: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    size: int = 0
    too_long: bool = False

    def values(self, tag: str) -> list[str]:
        return [v for t, v in self.fields if t == tag and v]

    def first(self, *tags: str) -> str:
        for tag in tags:
            if found := self.values(tag):
                return found[0]
        return ""


def looks_like_medline(head: bytes) -> bool:
    """True when the content starts (after blank lines) with a ``PMID- `` field."""
    return bool(re.match(rb"^\s*PMID *- *\d", head))


def read_medline(source: Source, settings: Settings) -> Iterator[RawDocument | InputError]:
    """Yield one document per record; a bad record is yielded as ``InputError(file:line)``."""
    first = source.head(4096).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not _FIELD.match(first.split("\n", 1)[0]):
        raise InputError(source.label, "not MEDLINE text: it should start with tagged lines "
                                       f"like 'PMID- 29768149', not {first[:30]!r}")
    yield from read_line_records(source, settings.max_file_mb, _records,
                                 lambda record, index: parse_record(record, source.label, index))


def _records(lines: Iterator[tuple[int, bytes | None]], limit: int) -> Iterator[_Record]:
    """Group tagged lines into records: a blank line or a second PMID starts the next."""
    record: _Record | None = None
    for lineno, raw in lines:
        if raw is None:
            if record is None:
                record = _Record(lineno)
            record.too_long = True
            continue
        if not raw.strip():
            if record is not None:
                yield record
            record = None
            continue
        line = _decode(raw, lineno)
        if isinstance(line, RecordError):
            record = record or _Record(lineno)
            record.warnings.append(f"{line}; skipped")
            continue
        m = _FIELD.match(line.removeprefix("\ufeff") if lineno == 1 else line)
        if m and m.group(1) == "PMID" and record is not None and record.values("PMID"):
            yield record
            record = None
        if record is None:
            record = _Record(lineno)
        record.size += len(raw)
        if record.size > limit:
            record.too_long = True
        if record.too_long:
            continue
        if m:
            record.fields.append((m.group(1), (m.group(2) or "").strip()))
        elif _CONTINUATION.match(line) and record.fields:
            tag, value = record.fields[-1]
            record.fields[-1] = (tag, f"{value} {line.strip()}".strip())
        else:
            record.warnings.append(f"line {lineno} is neither a field ('TAG - value') nor "
                                   f"a continuation: {line[:40]!r}; skipped")
    if record is not None:
        yield record


def _decode(raw: bytes, lineno: int) -> str | RecordError:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RecordError(f"line {lineno} is not valid UTF-8 (invalid byte "
                           f"0x{raw[exc.start]:02x} at column {exc.start + 1})")


def parse_record(record: _Record, path: str, index: int) -> RawDocument:
    """One MEDLINE record as a document; raises :class:`RecordError` when unusable."""
    metadata: dict[str, Any] = {
        "pmid": _clean(record.first("PMID")),
        "doi": _tagged_id(record, "doi"),
        "pmcid": _clean(record.first("PMC")),
        "journal": _clean(record.first("JT")),
        "journal_abbrev": _clean(record.first("TA")),
        "authors": _authors(record),
        "keywords": [_clean(k) for k in record.values("OT")],
        "mesh_terms": list(dict.fromkeys(_descriptor(h) for h in record.values("MH"))),
        "publication_types": [_clean(p) for p in record.values("PT")],
        "coi": _clean(" ".join(record.values("COIS"))),
        "language": _clean(record.first("LA")),
    }
    metadata.update(_date(_clean(record.first("DP"))))
    title = _clean(record.first("TI", "TT", "BTI"))
    sections = abstract_sections(_clean(" ".join(record.values("AB"))))
    doc = assemble_record(path, index, title, sections, metadata)
    if record.warnings:
        doc.metadata["warnings"] = list(record.warnings)
    return doc


def abstract_sections(abstract: str) -> list[tuple[str, str]]:
    """(label, text) sections of an abstract; one unlabelled section unless it starts with
    a label (``BACKGROUND: ...``), when every later label after a sentence end splits it."""
    if not abstract:
        return []
    labels = list(_LABEL.finditer(abstract))
    if not labels or labels[0].start() != 0:
        return [("", abstract)]
    sections = []
    for m, nxt in zip(labels, [*labels[1:], None], strict=True):
        end = nxt.start() if nxt is not None else len(abstract)
        text = abstract[m.end():end].strip()
        if text:
            sections.append((m.group(1), text))
    return sections


def _authors(record: _Record) -> list[str]:
    """``AU`` (``"Smith JA"``) and collective names (``CN``) in order; ``FAU`` without AU."""
    authors = [_clean(v) for t, v in record.fields if t in ("AU", "CN") and v]
    if authors:
        return authors
    out = []
    for full in record.values("FAU"):                 # "Smith, John A" -> "Smith JA"
        last, _, fore = _clean(full).partition(", ")
        initials = "".join(w[0] for w in re.split(r"[\s-]+", fore) if w and w[0].isalpha())
        out.append(f"{last} {initials}".strip())
    return out


def _tagged_id(record: _Record, kind: str) -> str:
    """An id written ``value [kind]`` in an AID or LID field (``10.1056/x [doi]``)."""
    for tag in ("AID", "LID"):
        for value in record.values(tag):
            m = _ID_SUFFIX.match(value)
            if m and m.group(2).lower() == kind:
                return _clean(m.group(1))
    return ""


def _descriptor(heading: str) -> str:
    """``*Asthma/drug therapy`` -> ``Asthma``."""
    return _clean(heading.split("/", 1)[0].lstrip("*"))


def _date(value: str) -> dict[str, Any]:
    """``DP`` as the XML reader gives a PubDate: ISO as precise as written, or as written
    with its year when it is a range (``1998 Dec-1999 Jan``)."""
    if not value:
        return {}
    m = _DATE.match(value)
    if m is None:
        year = value[:4]
        if "-" in value or not year.isdigit():
            return {"date": value, "year": int(year)} if year.isdigit() else {}
        return {"date": year, "year": int(year)}         # "2018 Spring"
    parts = [m.group(1)]
    month = month_number(m.group(2) or "")
    if month:
        parts.append(f"{month:02d}")
        if m.group(3):
            parts.append(f"{int(m.group(3)):02d}")
    return {"date": "-".join(parts), "year": int(m.group(1))}


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join(value.split()))
