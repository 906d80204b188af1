"""PMC JATS full text (``.nxml``, or ``.xml`` with root ``<article>``): one document per file.

Text order: title, abstract sections, body (section titles as ``heading`` blocks, paragraphs as
``body``), acknowledgements and metadata lines (authors, journal, keywords, funding, conflict
of interest), then one ``references`` block per reference. The DOCTYPE's external DTD is never
fetched and entities are never expanded (see :mod:`.xmlsafe`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings
from .builder import TextBuilder
from .source import Source
from .xmlsafe import local_name, mixed_text, parse_xml

#: Inside paragraphs: floats and TeX are not part of the sentence.
_PARAGRAPH_SKIP = frozenset({"fig", "table-wrap", "tex-math", "annotation", "graphic",
                             "supplementary-material", "disp-formula"})
#: Cited ids go to the block's attrs, not its text.
_CITATION_SKIP = frozenset({"pub-id"})
_SKIPPED_ABSTRACTS = frozenset({"graphical", "teaser", "web-summary"})
_COI_TYPES = frozenset({"conflict", "coi-statement", "competing-interests",
                        "conflict-of-interest"})
_DATE_PREFERENCE = ("epub", "ppub", "pub", "epub-ppub", "collection")
#: JATS ``article-type`` to the PubMed publication type later stages know.
_ARTICLE_TYPES = {
    "research-article": "Journal Article", "review-article": "Review",
    "systematic-review": "Systematic Review", "meta-analysis": "Meta-Analysis",
    "case-report": "Case Reports", "editorial": "Editorial", "letter": "Letter",
    "article-commentary": "Comment", "news": "News", "brief-report": "Journal Article",
    "correction": "Published Erratum", "retraction": "Retraction of Publication",
}


def read_jats(source: Source, settings: Settings) -> Iterator[RawDocument]:
    """Read one JATS article (size-limited, parsed safely)."""
    data = source.read_limited(settings.max_file_mb)
    if not data.strip():
        raise InputError(source.label, "empty file")
    root = parse_xml(data, source.label)
    yield parse_article(root, source.label)


def parse_article(root: etree._Element, path: str) -> RawDocument:
    """A parsed ``<article>`` as a document (the tree is modified: namespaces dropped)."""
    _drop_namespaces(root)
    if root.tag != "article":
        raise InputError(path, f"not a JATS article: root element <{root.tag}>")
    meta = root.find("front/article-meta")
    metadata = _metadata(root, meta)
    builder = TextBuilder()
    title = mixed_text(meta.find("title-group/article-title")) if meta is not None else ""
    title_block = builder.add(title, "title")
    for label, text in _abstract_paragraphs(meta):
        builder.add(f"{label}: {text}" if label else text, "abstract", label)
    body = root.find("body")
    if body is not None:
        _add_section(builder, body, "")
    if not builder:
        raise InputError(path, "JATS article without title, abstract or body text")
    for label, line in _metadata_lines(root, metadata):
        builder.add(line, "metadata", label)
    for ref in root.iterfind("back//ref-list//ref"):
        text, attrs = _reference(ref)
        builder.add(text, "references", "", attrs)
    return RawDocument(
        path=path, record=0, format="jats", text=builder.text,
        title=builder.text[title_block.start:title_block.end] if title_block else None,
        blocks=builder.blocks, metadata={k: v for k, v in metadata.items() if v},
    )


def _drop_namespaces(root: etree._Element) -> None:
    """Use local names for elements, so paths work whatever namespace a publisher used."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = local_name(element)


# --- text ------------------------------------------------------------------------------------

def _abstract_paragraphs(meta: etree._Element | None) -> Iterator[tuple[str, str]]:
    """(section label, paragraph) for each abstract paragraph, graphical abstracts excluded."""
    if meta is None:
        return
    for abstract in meta.iterfind("abstract"):
        if abstract.get("abstract-type") in _SKIPPED_ABSTRACTS:
            continue
        yield from _section_paragraphs(abstract, mixed_text(abstract.find("title")))


def _section_paragraphs(section: etree._Element, label: str) -> Iterator[tuple[str, str]]:
    for child in section:
        name = child.tag
        if name == "p":
            text = mixed_text(child, _PARAGRAPH_SKIP)
            if text:
                yield label, text
        elif name == "sec":
            yield from _section_paragraphs(child, mixed_text(child.find("title")) or label)


def _add_section(builder: TextBuilder, section: etree._Element, label: str) -> None:
    """Body text in document order: titles as headings, paragraphs and lists as body."""
    for child in section:
        name = child.tag
        if name == "title":
            builder.add(mixed_text(child), "heading", label)
        elif name == "sec":
            _add_section(builder, child, mixed_text(child.find("title")) or label)
        elif name == "p":
            builder.add(mixed_text(child, _PARAGRAPH_SKIP), "body", label)
        elif name in ("list", "def-list"):
            for item in child.iterfind(".//list-item"):
                builder.add(mixed_text(item, _PARAGRAPH_SKIP), "body", label)
        elif name in ("fig", "table-wrap"):
            caption = " ".join(filter(None, (mixed_text(child.find("label")),
                                             mixed_text(child.find("caption")))))
            builder.add(caption, "body", "caption")
        elif name in ("disp-quote", "boxed-text", "statement"):
            _add_section(builder, child, label)


def _reference(ref: etree._Element) -> tuple[str, dict[str, Any]]:
    """One reference's text (``"12. Author A (2011) Title..."``) and its cited ids."""
    citation = next((c for c in ref if c.tag in ("mixed-citation", "element-citation",
                                                  "citation", "nlm-citation")), None)
    text = _citation_text(citation) if citation is not None else mixed_text(ref)
    label = mixed_text(ref.find("label"))
    if label and not text.startswith(label):
        text = f"{label}. {text}"
    attrs: dict[str, Any] = {}
    if ref.get("id"):
        attrs["id"] = ref.get("id")
    if citation is not None:
        for pub_id in citation.iterfind("pub-id"):
            kind = pub_id.get("pub-id-type", "")
            if kind in ("pmid", "doi", "pmcid"):
                attrs[kind] = mixed_text(pub_id)
    return text, attrs


def _citation_text(citation: etree._Element) -> str:
    """Citation text with spaces where element-only markup has none (names, fields)."""
    if citation.tag == "name":
        return _person(citation)
    if _has_own_text(citation):
        for name in citation.iterfind(".//name"):
            person = _person(name)
            for child in list(name):
                name.remove(child)
            name.text = person
        return mixed_text(citation, _CITATION_SKIP, spaced=True)
    parts = [_citation_text(child) if len(child) else mixed_text(child)
             for child in citation if child.tag not in _CITATION_SKIP]
    separator = ", " if citation.tag == "person-group" else " "
    return separator.join(p for p in parts if p)


def _has_own_text(element: etree._Element) -> bool:
    """Whether text sits between the children (mixed content) rather than only inside them."""
    return bool((element.text or "").strip()) or any((c.tail or "").strip() for c in element)


def _person(name: etree._Element) -> str:
    """``"Surname GN"``: the surname and the initials of the given names."""
    surname = mixed_text(name.find("surname"))
    initials = _initials(mixed_text(name.find("given-names")))
    return f"{surname} {initials}".strip()


def _initials(given: str) -> str:
    """``"Sadia V."`` -> ``"SV"``; already-initialled ``"PM"`` stays ``"PM"``."""
    if given.isupper() and " " not in given and "." not in given:
        return given
    return "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part)


# --- metadata --------------------------------------------------------------------------------

def _metadata(root: etree._Element, meta: etree._Element | None) -> dict[str, Any]:
    article_type = root.get("article-type", "")
    metadata: dict[str, Any] = {
        "journal": mixed_text(root.find("front/journal-meta//journal-title")),
        "publisher": mixed_text(root.find("front/journal-meta/publisher/publisher-name")),
        "article_type": article_type,
        "publication_types": [_ARTICLE_TYPES[article_type]]
                             if article_type in _ARTICLE_TYPES else [],
        "language": root.get("{http://www.w3.org/XML/1998/namespace}lang", ""),
    }
    if meta is None:
        return metadata
    ids = {a.get("pub-id-type", ""): mixed_text(a) for a in meta.iterfind("article-id")}
    pmcid = ids.get("pmcid") or ids.get("pmc", "")
    metadata.update({
        "doi": ids.get("doi", ""),
        "pmid": ids.get("pmid", ""),
        "pmcid": f"PMC{pmcid}" if pmcid.isdigit() else pmcid,
        "authors": _authors(meta),
        "keywords": [mixed_text(k) for k in meta.iterfind("kwd-group/kwd")],
        "funding": mixed_text(meta.find("funding-group/funding-statement")),
        "coi": _coi(root),
    })
    metadata.update(_date(meta))
    return metadata


def _authors(meta: etree._Element) -> list[str]:
    authors = []
    for contrib in meta.iterfind("contrib-group/contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        name = contrib.find("name")
        author = _person(name) if name is not None else mixed_text(contrib.find("collab"))
        if author:
            authors.append(author)
    return authors


def _date(meta: etree._Element) -> dict[str, Any]:
    """The publication date (preferring the electronic one) as ISO ``date`` and ``year``."""
    dates = {(d.get("pub-type") or d.get("date-type") or ""): d
             for d in meta.iterfind("pub-date")}
    chosen = next((dates[k] for k in _DATE_PREFERENCE if k in dates),
                  next(iter(dates.values()), None))
    if chosen is None:
        return {}
    year = mixed_text(chosen.find("year"))
    if not year.isdigit():
        return {}
    parts = [year]
    for field in ("month", "day"):
        value = mixed_text(chosen.find(field))
        if not value.isdigit():
            break
        parts.append(f"{int(value):02d}")
    return {"date": "-".join(parts), "year": int(year)}


def _coi(root: etree._Element) -> str:
    """The conflict-of-interest statement, from footnotes, notes or sections that carry one."""
    statements = []
    for element in root.iter("fn", "sec", "notes", "conflict"):
        kind = (element.get("fn-type") or element.get("sec-type")
                or element.get("notes-type") or "").lower()
        if element.tag == "conflict" or kind in _COI_TYPES:
            statements.append(mixed_text(element, frozenset({"title", "label"})))
    return " ".join(s for s in statements if s)


def _metadata_lines(root: etree._Element,
                    metadata: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Metadata paragraphs after the body, with their block labels."""
    ack = root.find("back/ack")
    if ack is not None:
        yield "acknowledgements", mixed_text(ack, frozenset({"title"}))
    if metadata.get("authors"):
        yield "authors", "Authors: " + ", ".join(metadata["authors"])
    if metadata.get("journal"):
        when = f". {metadata['date']}" if metadata.get("date") else ""
        yield "journal", f"Journal: {metadata['journal']}{when}"
    if metadata.get("keywords"):
        yield "keywords", "Keywords: " + "; ".join(metadata["keywords"])
    if metadata.get("funding"):
        yield "funding", f"Funding: {metadata['funding']}"
    coi = metadata.get("coi", "")
    if coi:
        starts_labelled = re.match(r"(competing|conflicts?)\b", coi, re.IGNORECASE)
        yield "conflict_of_interest", coi if starts_labelled else f"Conflict of interest: {coi}"
