"""PubMed/MEDLINE XML: efetch ``PubmedArticleSet`` files and baseline ``.xml.gz``, streamed.

Elements are read with iterparse and released as soon as each record is read, so memory stays
bounded for a 200 MB baseline file. ``DeleteCitation`` lists are skipped. The text of a record
is its title, its abstract (one paragraph per section, the label kept as ``"METHODS: "``),
then metadata lines (authors, journal, publication types, keywords, conflict of interest).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings
from .builder import TextBuilder
from .source import RecordError, Source, gzip_errors
from .xmlsafe import iterparse, malformed, mixed_text, release

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def read_pubmed(source: Source, settings: Settings) -> Iterator[RawDocument | InputError]:
    """Yield one document per article; a bad article is yielded as ``InputError(file:line)``.

    A syntax error ends the stream: it raises :class:`InputError` after the records before it.
    """
    index = 0
    with gzip_errors(source), source.open() as stream:
        try:
            for element in iterparse(stream, _RECORD_TAGS):
                if element.tag != "DeleteCitation":
                    yield _record(element, source.label, index)
                    index += 1
                release(element)
        except etree.XMLSyntaxError as exc:
            raise malformed(source.label, exc) from None


def _record(element: etree._Element, path: str, index: int) -> RawDocument | InputError:
    try:
        if element.tag == "PubmedBookArticle":
            return parse_book_article(element, path, index)
        return parse_article(element, path, index)
    except RecordError as exc:
        return InputError(f"{path}:{element.sourceline}", str(exc))


def parse_article(article: etree._Element, path: str, index: int) -> RawDocument:
    """One ``PubmedArticle`` as a document; raises :class:`RecordError` when unusable."""
    citation = article.find("MedlineCitation")
    if citation is None:
        raise RecordError("PubmedArticle without MedlineCitation")
    art = citation.find("Article")
    if art is None:
        raise RecordError("MedlineCitation without Article")
    journal = art.find("Journal")
    metadata: dict[str, Any] = {
        "pmid": _text(citation, "PMID"),
        "doi": _article_id(article, "doi") or _text(art, "ELocationID[@EIdType='doi']"),
        "pmcid": _article_id(article, "pmc"),
        "journal": _text(journal, "Title") if journal is not None else "",
        "journal_abbrev": (_text(journal, "ISOAbbreviation") if journal is not None else "")
                          or _text(citation, "MedlineJournalInfo/MedlineTA"),
        "authors": _authors(art.find("AuthorList")),
        "keywords": [mixed_text(k) for k in citation.iterfind("KeywordList/Keyword")],
        "mesh_terms": [mixed_text(d) for d in
                       citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")],
        "publication_types": [mixed_text(p) for p in
                              art.iterfind("PublicationTypeList/PublicationType")],
        "coi": mixed_text(citation.find("CoiStatement")),
        "language": _text(art, "Language"),
    }
    pub_date = journal.find("JournalIssue/PubDate") if journal is not None else None
    metadata.update(_date(pub_date if pub_date is not None else art.find("ArticleDate")))
    title = mixed_text(art.find("ArticleTitle")) or mixed_text(art.find("VernacularTitle"))
    return _document(path, index, title, art.find("Abstract"), metadata)


def parse_book_article(article: etree._Element, path: str, index: int) -> RawDocument:
    """One ``PubmedBookArticle`` (a chapter or book in NCBI Bookshelf), read minimally."""
    doc = article.find("BookDocument")
    if doc is None:
        raise RecordError("PubmedBookArticle without BookDocument")
    book = doc.find("Book")
    metadata: dict[str, Any] = {
        "pmid": _text(doc, "PMID"),
        "doi": _article_id(doc, "doi"),
        "journal": mixed_text(book.find("BookTitle")) if book is not None else "",
        "authors": _authors(doc.find("AuthorList")),
        "publication_types": [mixed_text(p) for p in doc.iterfind("PublicationType")]
                             or ["Book"],
        "keywords": [mixed_text(k) for k in doc.iterfind("KeywordList/Keyword")],
        "language": _text(doc, "Language"),
    }
    if book is not None:
        metadata.update(_date(book.find("PubDate")))
    title = mixed_text(doc.find("ArticleTitle")) or metadata["journal"]
    return _document(path, index, title, doc.find("Abstract"), metadata)


def _document(path: str, index: int, title: str, abstract: etree._Element | None,
              metadata: dict[str, Any]) -> RawDocument:
    return assemble_record(path, index, title, _abstract_sections(abstract), metadata)


def assemble_record(path: str, index: int, title: str, sections: Iterable[tuple[str, str]],
                    metadata: dict[str, Any]) -> RawDocument:
    """A PubMed record's document: title, abstract sections (label, text), metadata lines.

    Shared by the XML reader and the MEDLINE text reader (:mod:`.medline`), so one record
    read either way gives the same text, blocks and metadata. ``metadata`` holds every key
    :func:`parse_article` sets (empty values are dropped here); raises :class:`RecordError`
    without a PMID or without any text.
    """
    if not metadata["pmid"]:
        raise RecordError("record without a PMID")
    builder = TextBuilder()
    title_block = builder.add(title, "title")
    for label, section in sections:
        prefix = f"{label}: " if label else ""
        builder.add(prefix + section, "abstract", label)
    if not builder:
        raise RecordError(f"PMID {metadata['pmid']} has neither a title nor an abstract")
    for label, line in _metadata_lines(metadata):
        builder.add(line, "metadata", label)
    metadata = {key: value for key, value in metadata.items() if value}
    return RawDocument(
        path=path, record=index, format="pubmed", text=builder.text,
        title=builder.text[title_block.start:title_block.end] if title_block else None,
        blocks=builder.blocks, metadata=metadata,
    )


def _abstract_sections(abstract: etree._Element | None) -> Iterator[tuple[str, str]]:
    """(label, text) of each ``AbstractText``; the label is "" for an unstructured abstract."""
    if abstract is None:
        return
    for section in abstract.iterfind("AbstractText"):
        text = mixed_text(section)
        if text:
            yield section.get("Label") or section.get("NlmCategory") or "", text


def _metadata_lines(metadata: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The metadata paragraphs appended after the abstract, with their block labels."""
    if metadata["authors"]:
        yield "authors", "Authors: " + ", ".join(metadata["authors"])
    if metadata["journal"]:
        when = f". {metadata['date']}" if metadata.get("date") else ""
        yield "journal", f"Journal: {metadata['journal']}{when}"
    if metadata["publication_types"]:
        yield "publication_type", "Publication types: " + "; ".join(
            metadata["publication_types"])
    if metadata["keywords"]:
        yield "keywords", "Keywords: " + "; ".join(metadata["keywords"])
    if metadata.get("coi"):
        yield "conflict_of_interest", f"Conflict of interest: {metadata['coi']}"


def _authors(author_list: etree._Element | None) -> list[str]:
    """Authors as ``"Last Initials"`` (collective names as they are)."""
    if author_list is None:
        return []
    authors = []
    for author in author_list.iterfind("Author"):
        last = _text(author, "LastName")
        if last:
            initials = _text(author, "Initials")
            authors.append(f"{last} {initials}" if initials else last)
        elif collective := mixed_text(author.find("CollectiveName")):
            authors.append(collective)
    return authors


def _date(date: etree._Element | None) -> dict[str, Any]:
    """``date`` (ISO, as precise as the record) and ``year`` from a PubMed date element."""
    if date is None:
        return {}
    year = _text(date, "Year")
    if not year:
        medline = _text(date, "MedlineDate")          # e.g. "1998 Dec-1999 Jan"
        return {"date": medline, "year": int(medline[:4])} if medline[:4].isdigit() else {}
    parts = [year]
    month = month_number(_text(date, "Month"))
    if month:
        parts.append(f"{month:02d}")
        day = _text(date, "Day")
        if day.isdigit():
            parts.append(f"{int(day):02d}")
    return {"date": "-".join(parts), "year": int(year) if year.isdigit() else None}


def month_number(value: str) -> int | None:
    """1-12 from ``"05"``, ``"May"`` or ``"may"``; None when not a month."""
    if value.isdigit():
        return int(value) if 1 <= int(value) <= 12 else None
    return _MONTHS.get(value[:3].lower())


def _article_id(element: etree._Element, id_type: str) -> str:
    """An id from ``PubmedData/ArticleIdList`` (or a BookDocument's own list)."""
    return (_text(element, f"PubmedData/ArticleIdList/ArticleId[@IdType='{id_type}']")
            or _text(element, f"ArticleIdList/ArticleId[@IdType='{id_type}']"))


def _text(element: etree._Element | None, path: str) -> str:
    """The whitespace-normalised text of the first element at ``path``, or ""."""
    if element is None:
        return ""
    return mixed_text(element.find(path))
