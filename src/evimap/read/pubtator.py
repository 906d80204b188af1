"""PubTator: annotated abstracts (BC5CDR, NCBI Disease, BioRED), one record per blank-line
group.

A record is ``PMID|t|title``, ``PMID|a|abstract``, then tab-separated mention lines
``PMID start end text type ids`` (offsets over ``title + " " + abstract``) and relation
lines: BC5CDR's ``PMID CID chemical disease`` and BioRED's ``PMID type id1 id2 novelty``.

The variants real files have are read as they are: mention types stay as written
(BC5CDR's ``Chemical``/``Disease``, NCBI Disease's ``SpecificDisease``, ``DiseaseClass``,
``CompositeMention``, ``Modifier``, BioRED's ``ChemicalEntity``,
``DiseaseOrPhenotypicFeature``, ``GeneOrGeneProduct``, ``SequenceVariant``,
``OrganismTaxon``, ``CellLine``, PubTator3's ``Chemical``, ``Disease``, ``Gene``,
``Species``, ``Mutation``/``Variant``, ``CellLine``; :func:`entity_class` maps them to
``Chemical`` or ``Disease``); mention IDs are split on ``|`` (BC5CDR, NCBI), ``+`` (NCBI
composites), ``,`` (BioRED lists) and ``;`` (PubTator3), except a variant's ID
(``p|SUB|P|75|A``, ``tmVar:p|SUB|V|600|E;HGVS:p.V600E;...``), kept whole; PubTator3's
``MESH:`` prefix is dropped (``MESH:D001241`` -> ``D001241``, the MeSH ID evimap uses);
OMIM (``OMIM:...``), NCBI gene numbers and ``-1`` are kept as written. Columns after the
sixth (PubTator3 exports add some) are ignored. Relation lines become ``(type, id1, id2)``
with the type as in the file (``CID``, ``Negative_Correlation``, ``Association``, ...);
an argument written ``Chemical|MESH:D001241`` is its ID. An odd line (too few columns,
another PMID, offsets that are not numbers or outside the text) is skipped with a line in
the document's ``metadata["warnings"]``, never fatal for the file; only a record without a
title line is an error, yielded, and the next record is read.
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
from .source import RecordError, Source, read_line_records

_TEXT_LINE = re.compile(r"^(\d+)\|([ta])\|(.*)$", re.DOTALL)
_ID_SEPARATORS = re.compile(r"[|,+;]")

#: Mention types of the corpora read here -> the class evimap scores and trains them as
#: (types not listed, such as genes, variants, species and cell lines, have none).
ENTITY_CLASSES: dict[str, str] = {
    "Chemical": "Chemical", "ChemicalEntity": "Chemical",
    "Disease": "Disease", "DiseaseOrPhenotypicFeature": "Disease",
    "SpecificDisease": "Disease", "DiseaseClass": "Disease",
    "CompositeMention": "Disease", "Modifier": "Disease",
}
#: Types whose ID is one structured string, never a list (BioRED variants: ``c|DEL||9``).
_WHOLE_ID_TYPES = frozenset({"SequenceVariant", "Variant", "DNAMutation", "ProteinMutation",
                             "SNP", "Mutation", "DNAAcidChange", "ProteinAcidChange"})
#: A relation argument's type prefix (``Chemical|MESH:D001241``); variants (``p|SUB|...``)
#: start with one lower-case letter and keep theirs.
_TYPED_ID = re.compile(r"^[A-Z][A-Za-z_]+\|(.+)$")


def entity_class(mention_type: str) -> str | None:
    """``Chemical``, ``Disease`` or None (not scored) for a mention type as written."""
    return ENTITY_CLASSES.get(mention_type)


def split_ids(field_text: str, mention_type: str = "") -> tuple[str, ...]:
    """The IDs of a mention's ID column: ``D1|D2``, ``D1+D2`` and ``D1,D2`` are lists."""
    field_text = field_text.strip()
    if not field_text:
        return ()
    if mention_type in _WHOLE_ID_TYPES:
        return (field_text,)
    return tuple(normalise_id(i) for part in _ID_SEPARATORS.split(field_text)
                 if (i := part.strip()))


def normalise_id(concept_id: str) -> str:
    """An ID as evimap keys it: PubTator3's ``MESH:D001241`` is ``D001241``."""
    concept_id = concept_id.strip()
    if concept_id[:5].upper() == "MESH:":
        return concept_id[5:].strip()
    return concept_id


def relation_id(argument: str) -> str:
    """A relation argument's ID: ``Chemical|MESH:D001241`` -> ``D001241``; variant keys
    (``p|DEL|439_443|``) are kept whole."""
    argument = argument.strip()
    m = _TYPED_ID.match(argument)
    return normalise_id(m.group(1) if m else argument)


@dataclass(slots=True)
class _Record:
    """The lines of one record as read, before checking."""

    first_line: int
    lines: list[tuple[int, bytes]] = field(default_factory=list)
    size: int = 0
    too_long: bool = False


def read_pubtator(source: Source, settings: Settings) -> Iterator[RawDocument | InputError]:
    """Yield one document per record; a bad record is yielded as ``InputError(file:line)``."""
    yield from read_line_records(
        source, settings.max_file_mb, _records,
        lambda record, index: parse_record(record.lines, source.label, index))


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
    lines: list[tuple[int, str]] = []
    warnings: list[str] = []
    for lineno, raw in raw_lines:
        try:
            lines.append((lineno, _decode_line(lineno, raw)))
        except RecordError as exc:
            if re.match(rb"^\d+\|[ta]\|", raw):
                raise                      # the text itself: offsets would be wrong
            warnings.append(f"{exc}; skipped")
    pmid, title, abstract = _text_lines(lines)
    original = f"{title} {abstract}"
    text, offset_map = normalise_text(original)
    mentions: list[GoldMention] = []
    relations: list[tuple[str, str, str]] = []
    for lineno, line in lines:
        if _TEXT_LINE.match(line):
            continue
        columns = line.rstrip("\r\n").split("\t")
        if columns[0].strip() != pmid:
            warnings.append(f"line {lineno} is for PMID {columns[0][:20]!r}, not {pmid}; "
                            "skipped")
            continue
        if len(columns) >= 6 or (len(columns) == 5 and _is_offset(columns[1])):
            mention = _mention(columns, lineno, original, text, offset_map, warnings)
            if mention is not None:
                mentions.append(mention)
        elif len(columns) in (4, 5):     # BC5CDR: PMID CID c d; BioRED: ... novelty
            relations.append((columns[1].strip(), relation_id(columns[2]),
                              relation_id(columns[3])))
        else:
            warnings.append(f"line {lineno}: expected a mention (6 tab-separated columns) "
                            f"or a relation (4 or 5), found {len(columns)}; skipped")
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
        warnings.append(f"line {lineno}: offsets {columns[1]!r}, {columns[2]!r} are not "
                        "integers; skipped")
        return None
    if not 0 <= start < end <= len(original):
        warnings.append(f"line {lineno}: span {start}-{end} of {columns[3]!r} is outside the "
                        f"text ({len(original)} characters); mention dropped")
        return None
    if original[start:end] != columns[3]:
        warnings.append(f"line {lineno}: mention {columns[3]!r} differs from the text at "
                        f"{start}-{end} ({original[start:end]!r}); the text is kept")
    start, end = from_original(offset_map, start), from_original(offset_map, end)
    kind = columns[4].strip()
    ids = split_ids(columns[5], kind) if len(columns) > 5 else ()
    return GoldMention(start, end, text[start:end], kind, ids)


def _is_offset(column: str) -> bool:
    return column.strip().isdigit()
