"""Documents as annotated corpora: BioC XML (through the ``bioc`` package) and PubTator.

Each document keeps its text as stored, so every offset is the store's: a mention at
``start``-``end`` is ``text[start:end]``, in the export as in ``evimap docs --json``.
Mentions are annotations with their MeSH ID and type (``Chemical``, ``Disease``,
``Mechanism``, ``Procedure``); the claims of a document become relations, one per
predicate, subject, object and polarity: type the predicate (``not_PREDICATE`` when the
claim is negated), arguments the subject's and the object's concept IDs.

BioC: one ``<document>`` per document, its id the PMID (else the PMCID, else
``evimap:ID``), with infons ``pmid``, ``doi``, ``pmcid``, ``url``, ``title``, ``journal``,
``year``, ``authors`` (where known), ``evimap_id``, ``work_id``, ``path``, ``format``,
``source_kind``, ``credibility``. The text is cut into passages at segment starts (infon
``type``: the segment's kind, title, abstract, body, ...) where the text between them is
one space or 2 to 8 line breaks, the gaps BioC readers (evimap's among them) put back, so
the passages laid at their offsets give the text again. Annotations sit in their passage
(offsets, as BioC's, from the start of the document) with infons ``type``, ``identifier``
and ``concept_name`` (and ``negated``, ``hedged``, ``hypothetical`` when true); relations sit
in the document with infons ``type``, ``predicate``, ``negated``, ``entity1``, ``entity2``,
``statement_key``, ``n_claims`` and nodes (roles ``subject``, ``object``) naming a mention
of each in the claim's sentence where there is one. Characters XML cannot hold are written
as spaces.

PubTator: ``ID|t|title``, ``ID|a|abstract``, ``ID<TAB>start<TAB>end<TAB>text<TAB>type<TAB>concept``
per mention, ``ID<TAB>type<TAB>subject<TAB>object`` per relation, a blank line after each
document. The ID is the PMID; a document without one gets the decimal form of its evimap
ID (up to 20 digits, never a real PMID). The title is the document's title when the text
starts with it, else its first line; the abstract is the rest, after one character. PubTator
cannot hold line breaks: they (and tabs and other control characters) are written as
spaces, one for one, so the offsets, which count over ``title + " " + abstract``, hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .. import __version__, identifiers
from ..store import Store
from ..store.sql import in_list, json_list
from .query import where_clause
from .text import one_line, type_label, xml_safe

if TYPE_CHECKING:
    from . import Selection

#: Documents read from the store at a time.
BATCH = 200
#: The text between two passages that BioC readers rebuild from their offsets.
_PASSAGE_GAP = re.compile(r" |\n{2,8}")


@dataclass(frozen=True)
class Mention:
    idx: int
    start: int
    end: int
    concept_id: str
    concept_name: str
    type: str
    negated: bool
    hedged: bool
    hypothetical: bool


@dataclass(frozen=True)
class Relation:
    """The claims of one document with one predicate, subject, object and polarity."""

    predicate: str
    negated: bool
    subject_id: str
    object_id: str
    statement_key: str
    n_claims: int
    sentences: tuple[tuple[int, int], ...]

    @property
    def type(self) -> str:
        return f"not_{self.predicate}" if self.negated else self.predicate


@dataclass
class CorpusDocument:
    """A document of the store with what a corpus holds of it."""

    id: str
    work_id: str
    path: str
    format: str
    title: str | None
    text: str
    source_kind: str
    credibility: float
    metadata: dict[str, Any]
    segments: list[tuple[int, str]] = field(default_factory=list)    # (start, kind)
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    @property
    def source(self) -> dict[str, str | None]:
        return identifiers.source_ids(self.metadata)


def corpus_documents(store: Store, selection: Selection) -> Iterator[CorpusDocument]:
    """The selected documents in path order, with segments, mentions and relations; a few
    queries per :data:`BATCH` documents, never one per document."""
    where, params = where_clause("documents", selection)
    sql = "SELECT d.id FROM documents d" + (" WHERE " + " AND ".join(where) if where else "")
    ids = [r["id"] for r in store.rows(sql + " ORDER BY d.path, d.record, d.id", params)]
    for i in range(0, len(ids), BATCH):
        yield from _batch(store, ids[i:i + BATCH])


def _batch(store: Store, ids: list[str]) -> list[CorpusDocument]:
    docs = {r["id"]: CorpusDocument(
        r["id"], r["work_id"], r["path"], r["format"], r["title"], r["text"],
        r["source_kind"], r["credibility"], json.loads(r["metadata"]) if r["metadata"] else {})
        for r in store.rows(
            "SELECT id, work_id, path, format, title, text, source_kind, credibility, metadata"
            f" FROM documents WHERE {in_list('id')}", [json_list(ids)])}
    for r in store.rows("SELECT doc_id, start_offset, kind FROM segments"
                        f" WHERE {in_list('doc_id')} ORDER BY doc_id, start_offset, idx",
                        [json_list(ids)]):
        docs[r["doc_id"]].segments.append((r["start_offset"], r["kind"]))
    for r in store.rows(
            "SELECT m.doc_id, m.idx, m.start_offset, m.end_offset, m.concept_id,"
            " c.name, m.type, m.negated, m.hedged, m.hypothetical FROM mentions m"
            f" JOIN concepts c ON c.id = m.concept_id WHERE {in_list('m.doc_id')}"
            " ORDER BY m.doc_id, m.start_offset, m.end_offset, m.idx", [json_list(ids)]):
        docs[r["doc_id"]].mentions.append(Mention(
            r["idx"], r["start_offset"], r["end_offset"], r["concept_id"], r["name"],
            r["type"], bool(r["negated"]), bool(r["hedged"]), bool(r["hypothetical"])))
    for r in store.rows(
            "SELECT doc_id, predicate, negated, subject_id, object_id,"
            " min(statement_key) AS statement_key, count(*) AS n,"
            " list(start_offset ORDER BY start_offset, end_offset) AS starts,"
            " list(end_offset ORDER BY start_offset, end_offset) AS ends"
            f" FROM claims WHERE {in_list('doc_id')}"
            " GROUP BY doc_id, predicate, negated, subject_id, object_id"
            " ORDER BY doc_id, min(start_offset), predicate, subject_id, object_id, negated",
            [json_list(ids)]):
        docs[r["doc_id"]].relations.append(Relation(
            r["predicate"], bool(r["negated"]), r["subject_id"], r["object_id"],
            r["statement_key"], int(r["n"]),
            tuple(zip(r["starts"], r["ends"], strict=True))))
    return [docs[i] for i in ids]


# --- BioC ------------------------------------------------------------------------------------


def write_bioc(store: Store, what: str, selection: Selection, path: Path) -> int:
    """The documents as one BioC XML collection, written one document at a time."""
    import bioc
    from bioc.biocxml import BioCXMLDocumentWriter

    collection = bioc.BioCCollection()
    collection.source = f"evimap {__version__}"
    collection.date = dt.date.today().isoformat()
    collection.key = "evimap.key"
    writer = BioCXMLDocumentWriter(str(path), encoding="UTF-8")
    n = 0
    try:
        writer.write_collection_info(collection)
        for doc in corpus_documents(store, selection):
            writer.write_document(bioc_document(doc))
            n += 1
    finally:
        writer.close()
    return n


def bioc_document(doc: CorpusDocument) -> Any:
    """One document as a :class:`bioc.BioCDocument`."""
    import bioc

    out = bioc.BioCDocument()
    ids = doc.source
    out.id = ids["pmid"] or ids["pmcid"] or f"evimap:{doc.id}"
    meta = doc.metadata
    infons: dict[str, Any] = {**{k: v for k, v in ids.items() if v},
                              "title": doc.title, "journal": meta.get("journal"),
                              "year": meta.get("year"),
                              "authors": ", ".join(str(a) for a in meta.get("authors") or []),
                              "evimap_id": doc.id, "work_id": doc.work_id, "path": doc.path,
                              "format": doc.format, "source_kind": doc.source_kind,
                              "credibility": f"{doc.credibility:.3f}"}
    out.infons = {k: xml_safe(str(v)) for k, v in infons.items() if v not in (None, "")}
    spans = passages(doc.text, doc.segments, [(m.start, m.end) for m in doc.mentions])
    placed = []
    for start, end, kind in spans:
        passage = bioc.BioCPassage()
        passage.offset = start
        passage.text = xml_safe(doc.text[start:end])
        passage.infons = {"type": kind}
        out.add_passage(passage)
        placed.append(passage)
    starts = [s for s, _, _ in spans]
    for m in doc.mentions:
        ann = bioc.BioCAnnotation()
        ann.id = str(m.idx)
        ann.infons = {"type": type_label(m.type), "identifier": m.concept_id,
                      "concept_name": xml_safe(m.concept_name)}
        for flag in ("negated", "hedged", "hypothetical"):
            if getattr(m, flag):
                ann.infons[flag] = "true"
        ann.text = xml_safe(doc.text[m.start:m.end])
        ann.add_location(bioc.BioCLocation(m.start, m.end - m.start))
        i = bisect_right(starts, m.start) - 1
        (placed[i] if i >= 0 and m.end <= spans[i][1] else out).add_annotation(ann)
    for n, rel in enumerate(doc.relations):
        out.add_relation(_bioc_relation(rel, n, doc.mentions))
    return out


def _bioc_relation(rel: Relation, n: int, mentions: Sequence[Mention]) -> Any:
    import bioc

    out = bioc.BioCRelation()
    out.id = f"R{n}"
    out.infons = {"type": rel.type, "predicate": rel.predicate,
                  "negated": "true" if rel.negated else "false", "entity1": rel.subject_id,
                  "entity2": rel.object_id, "statement_key": rel.statement_key,
                  "n_claims": str(rel.n_claims)}
    for role, concept in (("subject", rel.subject_id), ("object", rel.object_id)):
        found = next((m for s, e in rel.sentences for m in mentions
                      if m.concept_id == concept and s <= m.start and m.end <= e), None)
        if found is not None:
            out.add_node(bioc.BioCNode(str(found.idx), role))
    return out


def passages(text: str, segments: Sequence[tuple[int, str]],
             mentions: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` passages of ``text``: cut at segment starts where the text
    since the last non-space character is one space or 2-8 line breaks (see the module) and
    no mention crosses the cut. The passages and their gaps cover the text."""
    if not text:
        return []
    ordered = sorted(mentions)
    mention_starts = [s for s, _ in ordered]
    reach = list(accumulate((e for _, e in ordered), max))     # furthest end so far
    cuts: list[tuple[int, int, str]] = []                       # (gap start, start, kind)
    first_kind = min(segments)[1] if segments else "body"
    for start, kind in sorted(segments):
        gap = start
        while gap > 0 and text[gap - 1].isspace():
            gap -= 1
        if gap <= (cuts[-1][1] if cuts else 0) or not _PASSAGE_GAP.fullmatch(text[gap:start]):
            continue
        k = bisect_right(mention_starts, start - 1)              # mentions starting before
        if k and reach[k - 1] > gap:
            continue
        cuts.append((gap, start, kind))
    out: list[tuple[int, int, str]] = []
    begin, kind = 0, first_kind
    for gap, start, next_kind in cuts:
        out.append((begin, gap, kind))
        begin, kind = start, next_kind
    out.append((begin, len(text), kind))
    return out


# --- PubTator --------------------------------------------------------------------------------


def write_pubtator(store: Store, what: str, selection: Selection, out: TextIO
                   ) -> tuple[int, None]:
    """The documents as PubTator records; returns the number of documents."""
    n = 0
    for doc in corpus_documents(store, selection):
        out.write(pubtator_record(doc) + "\n")
        n += 1
    return n, None


def pubtator_id(doc: CorpusDocument) -> str:
    """The PMID, or the decimal form of the evimap ID (PubTator IDs are digits)."""
    pmid = doc.source["pmid"]
    if pmid:
        return pmid
    if re.fullmatch(r"[0-9a-f]{1,16}", doc.id):
        return str(int(doc.id, 16))
    return str(int(hashlib.sha256(doc.id.encode()).hexdigest()[:15], 16))


def pubtator_record(doc: CorpusDocument) -> str:
    """One document as PubTator lines (each ending in a line break)."""
    pid = pubtator_id(doc)
    flat = one_line(doc.text)
    cut = _title_cut(doc.text, doc.title)
    title, abstract = (flat, "") if cut is None else (flat[:cut], flat[cut + 1:])
    lines = [f"{pid}|t|{title}", f"{pid}|a|{abstract}"]
    lines += [f"{pid}\t{m.start}\t{m.end}\t{flat[m.start:m.end]}\t{type_label(m.type)}\t"
              f"{m.concept_id or '-1'}" for m in doc.mentions]
    relations = dict.fromkeys((r.type, r.subject_id, r.object_id) for r in doc.relations)
    lines += [f"{pid}\t{t}\t{s}\t{o}" for t, s, o in relations]
    return "".join(line + "\n" for line in lines)


def _title_cut(text: str, title: str | None) -> int | None:
    """Where the title ends: after the document's title when the text starts with it and a
    space or line break follows, else at the first line break; None: no place to cut."""
    if title and text.startswith(title) and len(text) > len(title) \
            and one_line(text[len(title)]) == " ":
        return len(title)
    cut = text.find("\n")
    return cut if cut >= 0 else None
