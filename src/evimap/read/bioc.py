"""BioC XML and BioC JSON: annotated collections (PubTator exports, BioRED, BC5CDR, PMC).

Documents are read into the ``bioc`` package's objects (:class:`bioc.BioCDocument`), then
each becomes one :class:`RawDocument` (format ``bioc``). XML is streamed one ``<document>``
at a time through :mod:`.xmlsafe` (no network, no entity expansion: ``bioc``'s own XML loader
parses with lxml's defaults, so it is not used); JSON is a collection (``{"documents":
[...]}``), a list of documents, PubTator3's ``{"PubTator3": [...]}``, or one document or
collection per line.

The text keeps the gaps BioC's offsets leave between passages, so annotation offsets need
no change: one space when the offset says so (a title and its abstract read exactly as
PubTator's ``title + " " + abstract``), a few line breaks for a wider gap; a passage that
overlaps the one before it or leaves a gap over ``_MAX_GAP`` characters follows a blank
line instead, and its annotations move with it. ``offset_map`` maps the NFC text back to
these placed offsets (BioC's own unless a passage moved). Passages are blocks with
their kind from ``infons["type"]`` or ``infons["section_type"]``.

Annotations become gold mentions: type from ``infons["type"]``, IDs from the first of
``identifier``, ``MESH``/``MeSH``, ``concept_id``, ``NCBI Gene``... (split as PubTator's
are; ``MESH:`` prefixes dropped). Relations become ``(type, id1, id2)`` from
``entity1``/``entity2`` (BioRED), ``Chemical``/``Disease`` (BC5CDR), ``role1``/``role2``
(PubTator3) or the IDs of the two annotations its nodes name. An annotation or relation
that cannot be read is skipped with a line in ``metadata["warnings"]``; a document that
cannot be read at all is yielded as ``InputError("file:line")``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from lxml import etree

from ..errors import InputError
from ..model import Block, GoldMention, RawDocument
from ..settings import Settings
from .decode import OffsetMap, from_original, normalise_text
from .jsonl import loads
from .pubtator import relation_id, split_ids
from .source import RecordError, Source, gzip_errors
from .xmlsafe import iterparse, malformed, release

#: A gap wider than this before a passage's offset is not reproduced in the text.
_MAX_GAP = 8
#: Infon keys that hold an annotation's concept IDs, the first found wins.
_ID_KEYS = ("identifier", "Identifier", "MESH", "MeSH", "mesh", "concept_id", "NCBI Gene",
            "NCBI_Gene", "NCBI Taxonomy", "NCBI_Taxonomy", "OMIM", "ChEBI", "tmVar", "CUI",
            "normalized_id")
#: Pairs of relation infons that name its two concepts, in order.
_RELATION_PAIRS = (("entity1", "entity2"), ("Chemical", "Disease"), ("role1", "role2"),
                   ("Gene1", "Gene2"), ("Arg1", "Arg2"))
#: Passage kinds (infons type or section_type, lower case) -> block hint.
_PASSAGE_HINTS = {
    "title": "title", "front": "title", "abstract": "abstract", "abstract_title_1": "heading",
    "ref": "references", "references": "references", "comp_int": "metadata",
    "auth_cont": "metadata", "ack_fund": "metadata", "keyword": "metadata",
}
_HEADING_TYPE = re.compile(r"^(?:title_\d+|.*_title(?:_\d+)?)$")


def read_bioc(source: Source, settings: Settings) -> Iterator[RawDocument | InputError]:
    """Yield one document per BioC document, XML or JSON by the first byte of the content."""
    head = source.head(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        yield from _read_xml(source)
    else:
        yield from _read_json(source, settings)


# --- XML -------------------------------------------------------------------------------------


def _read_xml(source: Source) -> Iterator[RawDocument | InputError]:
    index = 0
    with gzip_errors(source), source.open() as stream:
        try:
            for element in iterparse(stream, ("document",)):
                where = f"{source.label}:{element.sourceline}"
                try:
                    yield to_raw_document(_xml_document(element), source.label, index)
                except RecordError as exc:
                    yield InputError(where, str(exc))
                index += 1
                release(element)
        except etree.XMLSyntaxError as exc:
            raise malformed(source.label, exc) from None


def _xml_document(el: etree._Element) -> Any:
    import bioc

    doc = bioc.BioCDocument()
    doc.id = (el.findtext("id") or "").strip()
    doc.infons = _xml_infons(el)
    for p in el.iterfind("passage"):
        passage = bioc.BioCPassage()
        passage.offset = _int(p.findtext("offset"), "passage offset")
        passage.infons = _xml_infons(p)
        passage.text = p.findtext("text") or ""
        for s in p.iterfind("sentence"):
            sentence = bioc.BioCSentence()
            sentence.offset = _int(s.findtext("offset"), "sentence offset")
            sentence.text = s.findtext("text") or ""
            sentence.infons = _xml_infons(s)
            _xml_annotations(s, sentence)
            passage.add_sentence(sentence)
        _xml_annotations(p, passage)
        doc.add_passage(passage)
    _xml_annotations(el, doc)
    return doc


def _xml_annotations(el: etree._Element, parent: Any) -> None:
    import bioc

    for a in el.iterfind("annotation"):
        ann = bioc.BioCAnnotation()
        ann.id = a.get("id") or ""
        ann.infons = _xml_infons(a)
        ann.text = a.findtext("text") or ""
        for loc in a.iterfind("location"):
            ann.add_location(bioc.BioCLocation(_int(loc.get("offset"), "annotation offset"),
                                               _int(loc.get("length"), "annotation length")))
        parent.add_annotation(ann)
    for r in el.iterfind("relation"):
        rel = bioc.BioCRelation()
        rel.id = r.get("id") or ""
        rel.infons = _xml_infons(r)
        for node in r.iterfind("node"):
            rel.add_node(bioc.BioCNode(node.get("refid") or "", node.get("role") or ""))
        parent.add_relation(rel)


def _xml_infons(el: etree._Element) -> dict[str, str]:
    return {i.get("key") or "": i.text or "" for i in el.iterfind("infon")}


# --- JSON ------------------------------------------------------------------------------------


def _read_json(source: Source, settings: Settings) -> Iterator[RawDocument | InputError]:
    data = source.read_limited(settings.max_file_mb)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source.label, f"BioC JSON is not valid UTF-8 (invalid byte "
                                       f"0x{data[exc.start]:02x} at byte {exc.start})") from None
    try:
        items: list[tuple[int, Any]] = [(1, loads(text))]
    except json.JSONDecodeError as exc:
        if "Extra data" not in exc.msg:
            raise InputError(source.label, f"malformed JSON: {exc.msg} (line {exc.lineno}, "
                                           f"column {exc.colno})") from None
        items = list(_json_lines(text))         # one document or collection per line
    except RecursionError:
        raise InputError(source.label, "malformed JSON: nested too deeply") from None
    index = 0
    for lineno, value in items:
        if isinstance(value, InputError):
            yield InputError(f"{source.label}:{lineno}", value.reason)
            continue
        try:
            found = list(_json_documents(value))
            reason = ("no BioC documents: expected a collection with 'documents', a "
                      "document with 'passages' or a list of documents")
        except RecursionError:
            found, reason = [], "malformed JSON: nested too deeply"
        if not found:
            if len(items) == 1:
                raise InputError(source.label, reason)
            yield InputError(f"{source.label}:{lineno}", reason)
        for obj in found:
            where = f"{source.label}:{lineno}" + (f" (document {index + 1})"
                                                  if lineno == 1 else "")
            try:
                yield to_raw_document(_json_document(obj), source.label, index)
            except RecordError as exc:
                yield InputError(where, str(exc))
            index += 1


def _json_lines(text: str) -> Iterator[tuple[int, Any]]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield lineno, loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, InputError("", f"malformed JSON: {exc.msg} (column {exc.colno})")
        except RecursionError:
            yield lineno, InputError("", "malformed JSON: nested too deeply")


def _json_documents(value: Any) -> Iterator[Any]:
    """The document objects in a collection, a list, a PubTator3 wrapper or one document."""
    if isinstance(value, list):
        for item in value:
            yield from _json_documents(item)
    elif isinstance(value, dict):
        if "passages" in value:
            yield value
        elif isinstance(value.get("documents"), list):
            yield from _json_documents(value["documents"])
        elif isinstance(value.get("PubTator3"), list):
            yield from _json_documents(value["PubTator3"])


def _json_document(obj: Mapping[str, Any]) -> Any:
    import bioc

    doc = bioc.BioCDocument()
    doc.id = str(obj.get("id") or obj.get("pmid") or "")
    doc.infons = _json_infons(obj)
    for key in ("pmid", "pmcid", "journal", "date", "authors", "doi"):   # PubTator3 extras
        if obj.get(key) and key not in doc.infons:
            doc.infons[key] = obj[key]
    for p in _json_list(obj, "passages"):
        passage = bioc.BioCPassage()
        passage.offset = _int(p.get("offset"), "passage offset")
        passage.infons = _json_infons(p)
        passage.text = p.get("text") or ""
        for s in _json_list(p, "sentences"):
            sentence = bioc.BioCSentence()
            sentence.offset = _int(s.get("offset"), "sentence offset")
            sentence.text = s.get("text") or ""
            sentence.infons = _json_infons(s)
            _json_annotations(s, sentence)
            passage.add_sentence(sentence)
        _json_annotations(p, passage)
        doc.add_passage(passage)
    _json_annotations(obj, doc)
    return doc


def _json_annotations(obj: Mapping[str, Any], parent: Any) -> None:
    import bioc

    for a in _json_list(obj, "annotations"):
        ann = bioc.BioCAnnotation()
        ann.id = str(a.get("id") or "")
        ann.infons = _json_infons(a)
        ann.text = a.get("text") or ""
        for loc in _json_list(a, "locations"):
            ann.add_location(bioc.BioCLocation(_int(loc.get("offset"), "annotation offset"),
                                               _int(loc.get("length"), "annotation length")))
        parent.add_annotation(ann)
    for r in _json_list(obj, "relations"):
        rel = bioc.BioCRelation()
        rel.id = str(r.get("id") or "")
        rel.infons = _json_infons(r)
        for node in _json_list(r, "nodes"):
            rel.add_node(bioc.BioCNode(str(node.get("refid") or ""), str(node.get("role") or "")))
        parent.add_relation(rel)


def _json_list(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = obj.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RecordError(f"'{key}' is not a list of objects")
    return value


def _json_infons(obj: Mapping[str, Any]) -> dict[str, Any]:
    infons = obj.get("infons") or {}
    return dict(infons) if isinstance(infons, dict) else {}


def _int(value: Any, what: str) -> int:
    try:
        return int(str(value).strip()) if value is not None else 0
    except ValueError:
        raise RecordError(f"{what} {str(value)[:20]!r} is not a number") from None


# --- BioC document -> RawDocument ------------------------------------------------------------


def to_raw_document(doc: Any, path: str, index: int) -> RawDocument:
    """One :class:`bioc.BioCDocument` as a document with gold mentions and relations."""
    warnings: list[str] = []
    parts: list[str] = []
    length = 0
    placed: list[tuple[int, int, int, Any]] = []      # (bioc start, bioc end, shift, passage)
    for passage in doc.passages:
        body = _passage_text(passage)
        if not body.strip():
            continue
        offset = int(passage.offset)
        gap = offset - placed[-1][1] if placed else 0
        if not placed:
            sep = ""
        elif gap == 1:
            sep = " "
        elif 2 <= gap <= _MAX_GAP:
            sep = "\n" * gap
        else:
            sep = "\n\n"
        start = length + len(sep)
        parts += [sep, body]
        placed.append((offset, offset + len(body), start - offset, passage))
        length = start + len(body)
    original = "".join(parts)
    if not original.strip():
        raise RecordError(f"document {doc.id or '(no id)'} has no passage text")
    text, offset_map = normalise_text(original)
    blocks, title = _blocks(placed, original, text, offset_map)
    annotations = [(a, [home]) for home in placed for a in _all_annotations(home[3])]
    annotations += [(a, placed) for a in doc.annotations]
    ids_by_ref: dict[str, tuple[str, ...]] = {}
    mentions: list[GoldMention] = []
    for ann, homes in annotations:
        mention = _mention(ann, homes, original, text, offset_map, warnings)
        if mention is not None:
            mentions.append(mention)
            if ann.id:
                ids_by_ref[str(ann.id)] = mention.ids
    relations = []
    rels = [r for _, _, _, p in placed for r in _all_relations(p)] + list(doc.relations)
    for rel in rels:
        relation = _relation(rel, ids_by_ref, warnings)
        if relation is not None:
            relations.append(relation)
    metadata = _metadata(doc, placed)
    if warnings:
        metadata["warnings"] = warnings
    return RawDocument(
        path=path, record=index, format="bioc", text=text, title=title, blocks=blocks,
        metadata=metadata, offset_map=offset_map, gold_mentions=mentions,
        gold_relations=relations,
    )


def _passage_text(passage: Any) -> str:
    """A passage's text, or its sentences put at their offsets when it has no text."""
    if passage.text:
        return str(passage.text)
    out = ""
    for sentence in passage.sentences:
        pos = int(sentence.offset) - int(passage.offset)
        out += " " * max(pos - len(out), 1 if out else 0) + str(sentence.text or "")
    return out


def _all_annotations(passage: Any) -> Iterable[Any]:
    yield from passage.annotations
    for sentence in passage.sentences:
        yield from sentence.annotations


def _all_relations(passage: Any) -> Iterable[Any]:
    yield from passage.relations
    for sentence in passage.sentences:
        yield from sentence.relations


def _blocks(placed: list[tuple[int, int, int, Any]], original: str, text: str,
            offset_map: OffsetMap | None) -> tuple[list[Block], str | None]:
    blocks: list[Block] = []
    title: str | None = None
    for start, end, shift, passage in placed:
        body = original[start + shift:end + shift]
        lead = len(body) - len(body.lstrip())
        s = from_original(offset_map, start + shift + lead)
        e = from_original(offset_map, start + shift + len(body.rstrip()))
        kind = str(passage.infons.get("type") or passage.infons.get("section_type") or "")
        section = str(passage.infons.get("section_type") or "")
        hint = _PASSAGE_HINTS.get(kind.lower()) or _PASSAGE_HINTS.get(section.lower())
        if hint is None:
            hint = "heading" if _HEADING_TYPE.match(kind.lower()) else "body"
        if hint == "title":
            if title is not None:
                hint = "heading"
            else:
                title = text[s:e]
        blocks.append(Block(s, e, hint, section or kind))
    return blocks, title


def _mention(ann: Any, homes: list[tuple[int, int, int, Any]], original: str, text: str,
             offset_map: OffsetMap | None, warnings: list[str]) -> GoldMention | None:
    """A mention from an annotation of one of the ``homes`` passages (its own passage, or
    any for a document-level annotation), its offsets moved with that passage."""
    name = f"annotation {ann.id or ann.text[:30]!r}"
    if not ann.locations:
        warnings.append(f"{name} has no location; skipped")
        return None
    first = min(int(loc.offset) for loc in ann.locations)
    last = max(int(loc.offset) + int(loc.length) for loc in ann.locations)
    home = next(((e, sh) for s, e, sh, _ in homes if s <= first < e), None)
    if home is None or not first < last <= home[0]:
        warnings.append(f"{name}: span {first}-{last} is outside the passages' text; "
                        "mention dropped")
        return None
    start, end = first + home[1], last + home[1]
    if ann.text and len(ann.locations) == 1 and original[start:end] != ann.text:
        warnings.append(f"{name}: {ann.text!r} differs from the text at {first}-{last} "
                        f"({original[start:end]!r}); the text is kept")
    kind = str(ann.infons.get("type") or ann.infons.get("Type") or "")
    raw_ids = next((str(ann.infons[k]) for k in _ID_KEYS if ann.infons.get(k)), "")
    s, e = from_original(offset_map, start), from_original(offset_map, end)
    return GoldMention(s, e, text[s:e], kind, split_ids(raw_ids, kind))


def _relation(rel: Any, ids_by_ref: dict[str, tuple[str, ...]],
              warnings: list[str]) -> tuple[str, str, str] | None:
    infons = rel.infons
    kind = str(infons.get("type") or infons.get("relation") or infons.get("relation_type")
               or "relation")
    pair: list[str] = []
    for a, b in _RELATION_PAIRS:
        if infons.get(a) and infons.get(b):
            pair = [_concept(infons[a]), _concept(infons[b])]
            break
    if not pair and len(rel.nodes) >= 2:
        pair = [ids_by_ref[n.refid][0] if ids_by_ref.get(n.refid) else str(n.refid)
                for n in rel.nodes[:2]]
    if len(pair) < 2 or not all(pair):
        warnings.append(f"relation {rel.id or kind!r} names no two concepts; skipped")
        return None
    return kind, pair[0], pair[1]


def _concept(value: Any) -> str:
    """A relation argument: ``D008012``, ``MESH:D008012``, ``Chemical|MESH:D008012`` or
    PubTator3's ``{"identifier": "MESH:D008012", ...}``."""
    if isinstance(value, dict):
        value = value.get("identifier") or value.get("id") or ""
    return relation_id(str(value))


def _metadata(doc: Any, placed: list[tuple[int, int, int, Any]]) -> dict[str, Any]:
    """pmid, pmcid, doi, url, journal, year, authors from document and passage infons."""
    infons: dict[str, Any] = {}
    for _, _, _, passage in reversed(placed):
        infons.update(passage.infons)
    infons.update(doc.infons)
    meta: dict[str, Any] = {}
    doc_id = str(doc.id or "").strip()
    pmid = str(infons.get("article-id_pmid") or infons.get("pmid") or "")
    meta["pmid"] = pmid or (doc_id if doc_id.isdigit() else "")
    pmcid = str(infons.get("article-id_pmc") or infons.get("pmcid") or "")
    if not pmcid and doc_id.upper().startswith("PMC"):
        pmcid = doc_id
    meta["pmcid"] = f"PMC{pmcid}" if pmcid.isdigit() else pmcid
    meta["doi"] = str(infons.get("article-id_doi") or infons.get("doi") or "")
    meta["url"] = str(infons.get("url") or "")
    meta["journal"] = str(infons.get("journal") or "")
    year = str(infons.get("year") or "")[:4]
    if year.isdigit():
        meta["year"] = int(year)
    if infons.get("date"):
        meta["date"] = str(infons["date"])[:10]
    meta["authors"] = _authors(infons)
    if not (meta["pmid"] or meta["pmcid"]) and doc_id:
        meta["bioc_id"] = doc_id
    return {k: v for k, v in meta.items() if v}


def _authors(infons: Mapping[str, Any]) -> list[str]:
    """PubTator3's ``authors`` (a list or ``"Smith J, Doe A"``) or PMC BioC's ``name_0``
    ``surname:Smith;given-names:John A`` infons as ``"Smith JA"``."""
    value = infons.get("authors")
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()]
    if isinstance(value, str) and value.strip():
        return [a.strip() for a in value.split(",") if a.strip()]
    names = []
    for key in sorted((k for k in infons if re.fullmatch(r"name_\d+", k)),
                      key=lambda k: int(k[5:])):
        fields = dict(part.partition(":")[::2] for part in str(infons[key]).split(";"))
        surname, given = fields.get("surname", "").strip(), fields.get("given-names", "")
        initials = "".join(w[0] for w in re.split(r"[\s.-]+", given) if w)
        if surname:
            names.append(f"{surname} {initials}".strip())
    return names
