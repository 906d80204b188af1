"""HTML pages: decoded, parsed without network access, split into hinted blocks.

Encoding: byte-order mark, then ``<meta charset>``, then UTF-8, then charset-normalizer.
The visible text becomes blocks (see :mod:`.htmlwalk`); ``<head>`` gives the metadata
(citation_*, Dublin Core, Open Graph, author, description, keywords).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings
from .builder import TextBuilder
from .decode import clean_fragment, decode_bytes
from .htmlmain import extract_main, mark_blocks
from .htmlwalk import BlockWalker
from .source import Source
from .xmlsafe import html_parser, text_of

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: Labels that browsers read as Windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii",
                                  "ascii", "l1", "cp819", "ibm819", "iso_8859-1"})
_SINGLE_META = {
    "citation_title": "citation_title", "citation_doi": "doi", "citation_pmid": "pmid",
    "citation_journal_title": "journal", "description": "description",
    "og:title": "og_title", "og:site_name": "site_name", "og:url": "url",
    "og:description": "description", "article:published_time": "published_time",
    "citation_publication_date": "date", "citation_date": "date",
    "citation_online_date": "online_date", "dc.date": "date", "dc.title": "dc.title",
    "dc.publisher": "dc.publisher", "dc.identifier": "dc.identifier",
    "dc.language": "language", "dc.type": "dc.type", "citation_language": "language",
    "prism.doi": "doi", "bepress_citation_doi": "doi", "citation_pmcid": "pmcid",
}
_LIST_META = {"citation_author": "citation_authors", "dc.creator": "dc_creators",
              "author": "meta_authors", "article:author": "meta_authors",
              "keywords": "keywords", "citation_keywords": "keywords",
              "dc.subject": "keywords", "article:tag": "keywords"}
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·]+\s+|\s*::\s*")
_CHROME_ANCESTORS = frozenset({"nav", "header", "footer", "aside"})


def read_html(source: Source, settings: Settings) -> Iterator[RawDocument]:
    """Read one web page (size-limited)."""
    yield html_document(source.read_limited(settings.max_file_mb), source.label)


def html_document(data: bytes, path: str, main_content: bool = True) -> RawDocument:
    """The bytes of one page as a document: decoded (see the module's rules), then parsed."""
    decoded = decode_bytes(data, path, _declared_charset(data[:4096]))
    return parse_html(decoded.text, path, {"encoding": decoded.encoding},
                      main_content=main_content)


def parse_html(text: str, path: str, metadata: dict[str, Any] | None = None,
               main_content: bool = True) -> RawDocument:
    """A decoded page as a document with blocks, title and metadata.

    With ``main_content`` (the default) trafilatura marks the blocks of the main content and
    fills the metadata the page's tags lack (see :mod:`.htmlmain`).
    """
    root, truncated = _parse(text, path)
    metadata = {**(metadata or {}), **page_metadata(root)}
    body = root.find("body")
    if body is None:
        body = root
    title_element = _title_element(body, metadata.get("html_title", ""))
    builder = TextBuilder()
    try:
        BlockWalker(builder, title_element).run(body)
    except RecursionError:
        raise InputError(path, "HTML nested too deeply to read") from None
    if not builder:
        reason = ("HTML nested too deeply (the parser stops at 256 levels)" if truncated
                  else "no visible text in the HTML page")
        raise InputError(path, reason)
    blocks = builder.blocks
    lacking = not (metadata.get("date") and metadata.get("authors") and metadata.get("url"))
    main = (extract_main(root, metadata.get("url"), lacking)
            if main_content and _elements_at_most(root, MAIN_CONTENT_MAX_ELEMENTS) else None)
    if main is not None:
        blocks = mark_blocks(builder.text, blocks, main)
        metadata = _with_main_metadata(metadata, main.metadata)
    heading = clean_fragment(text_of(title_element)) if title_element is not None else ""
    title = (metadata.get("citation_title") or metadata.get("og_title") or heading
             or metadata.get("main_title") or metadata.get("html_title") or None)
    return RawDocument(path=path, record=0, format="html", text=builder.text, title=title,
                       blocks=blocks, metadata=metadata)


#: trafilatura reads a page in about 0.2 ms per element: a page with more elements than
#: any real article (hostile markup: 100,000 ``<br>``) is read without its main-content marks
#: rather than for half a minute (the cleaner's own zones then decide).
MAIN_CONTENT_MAX_ELEMENTS = 50_000


def _elements_at_most(root: etree._Element, limit: int) -> bool:
    """Whether the tree has at most ``limit`` elements (counted no further)."""
    return next(islice(root.iter(), limit, None), None) is None


def _with_main_metadata(metadata: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """trafilatura's authors, date, site name and URL where the page's tags gave none."""
    merged = dict(metadata)
    for key in ("authors", "date", "site_name", "url"):
        if found.get(key) and not merged.get(key):
            merged[key] = found[key]
    if found.get("title"):
        merged["main_title"] = found["title"]
    if "year" not in merged:
        year = re.match(r"(\d{4})", str(merged.get("date", "")))
        if year:
            merged["year"] = int(year.group(1))
    return merged


def _declared_charset(head: bytes) -> str | None:
    m = _META_CHARSET.search(head)
    if not m:
        return None
    label = m.group(1).decode("ascii", errors="replace").lower()
    return "cp1252" if label in _WINDOWS_1252_LABELS else label


def _parse(text: str, path: str) -> tuple[etree._Element, bool]:
    """The document tree, and whether the parser cut it short for nesting too deep."""
    text = _XML_DECLARATION.sub("", text, count=1)   # lxml refuses str with a declaration
    parser = html_parser()
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError) as exc:
        raise InputError(path, f"HTML that cannot be parsed ({exc})") from None
    truncated = any("Excessive depth" in entry.message for entry in parser.error_log)
    return root, truncated


def page_metadata(root: etree._Element) -> dict[str, Any]:
    """Metadata from ``<title>``, ``<meta>`` and ``<link rel=canonical>``."""
    found: dict[str, Any] = {}
    title = root.find(".//title")
    if title is not None:
        found["html_title"] = clean_fragment(text_of(title))
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = clean_fragment(meta.get("content") or "")
        if not key or not content:
            continue
        if key in _LIST_META:
            found.setdefault(_LIST_META[key], []).extend(_split_list(key, content))
        elif key in _SINGLE_META:
            found.setdefault(_SINGLE_META[key], content)
        elif key.startswith("dc."):
            found.setdefault(key, content)
    canonical = root.find(".//link[@rel='canonical']")
    if canonical is not None and canonical.get("href") and "url" not in found:
        found["url"] = canonical.get("href")
    return _normalise_metadata(found)


def _split_list(key: str, content: str) -> list[str]:
    """Keywords are comma/semicolon lists; one author tag may list several names."""
    if key in ("keywords", "citation_keywords", "dc.subject", "article:tag"):
        return [k.strip() for k in re.split(r"[;,]", content) if k.strip()]
    if key in ("author", "article:author") and ";" in content:
        return [a.strip() for a in content.split(";") if a.strip()]
    return [content]


def _normalise_metadata(found: dict[str, Any]) -> dict[str, Any]:
    """One ``authors`` list, a bare DOI, ``date``/``year`` from the best date tag."""
    sources = [found.pop(key, None) for key in ("citation_authors", "dc_creators",
                                                 "meta_authors")]
    authors = next((a for a in sources if a), None)
    if authors:
        found["authors"] = authors
    doi = found.get("doi") or found.get("dc.identifier", "")
    doi = re.sub(r"^(doi:\s*|https?://(dx\.)?doi\.org/)", "", doi, flags=re.IGNORECASE)
    if doi.startswith("10."):
        found["doi"] = doi
    if "date" not in found and found.get("published_time"):
        found["date"] = found["published_time"]
    year = re.match(r"(\d{4})", found.get("date", ""))
    if year:
        found["year"] = int(year.group(1))
    return found


def _title_element(body: etree._Element, html_title: str) -> etree._Element | None:
    """The element holding the page title.

    In order: an ``<h1>`` matching the ``<title>`` (site name removed); another heading or
    ``.title`` element equal to it; the first ``<h1>`` outside navigation, header, footer and
    sidebars; the first ``<h1>``.
    """
    main = _main_title(html_title)
    h1s = list(body.iter("h1"))
    if main:
        for element in h1s:
            text = _folded(element)
            if text and (main in text or text in main):
                return element
        for element in _other_title_candidates(body):
            if _folded(element) == main:
                return element
    for element in h1s:
        if not any(a.tag in _CHROME_ANCESTORS for a in element.iterancestors()):
            return element
    return h1s[0] if h1s else None


def _other_title_candidates(body: etree._Element) -> Iterator[etree._Element]:
    """``<h2>``, ``<h3>``, then elements with ``title`` in their class."""
    yield from body.iter("h2", "h3")
    yield from (e for e in body.iter() if "title" in (e.get("class") or ""))


def _main_title(html_title: str) -> str:
    """The longest part of a ``<title>`` split at site-name separators, case-folded."""
    parts = _TITLE_SEPARATORS.split(html_title)
    return " ".join(max(parts, key=len).split()).casefold() if html_title else ""


def _folded(element: etree._Element) -> str:
    return " ".join(text_of(element).split()).casefold()
