"""Which format a file is in: its extension first, then its first bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .medline import looks_like_medline
from .source import Source


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """One supported input format, as the docs and ``--help`` list it."""

    name: str
    extensions: tuple[str, ...]
    description: str


FORMATS: tuple[FormatInfo, ...] = (
    FormatInfo("text", (".txt", ".text", ".md"),
               "plain text in any encoding (web scrapes, notes); also unknown extensions "
               "whose content is text"),
    FormatInfo("html", (".html", ".htm", ".xhtml"),
               "web pages: visible text split into blocks with structural hints"),
    FormatInfo("pubmed", (".xml",),
               "PubMed/MEDLINE XML: efetch PubmedArticleSet and baseline files, streamed"),
    FormatInfo("jats", (".nxml", ".xml"),
               "PMC JATS full text (root <article>)"),
    FormatInfo("pubtator", (".pubtator", ".pubtator.txt"),
               "PubTator annotated abstracts (BC5CDR, NCBI Disease), with gold mentions"),
    FormatInfo("jsonl", (".jsonl", ".ndjson"),
               "one JSON object per line with text, or title and abstract/body"),
    FormatInfo("pdf", (".pdf",),
               "PDF articles and reports: text by page, running headers, footers and page "
               "numbers dropped, lines rejoined into paragraphs (pypdf)"),
    FormatInfo("medline", (".nbib", ".medline", ".txt"),
               "PubMed MEDLINE text ('Save as MEDLINE', .nbib citations), read as PubMed "
               "records"),
    FormatInfo("bioc", (".bioc", ".xml", ".json"),
               "BioC XML (root <collection>) and BioC JSON (collections, PubTator3 exports), "
               "with gold mentions and relations"),
)
#: Any format may be gzip-compressed (``.gz``); the inner name and content are sniffed.
COMPRESSION_EXTENSIONS: tuple[str, ...] = (".gz",)

#: Files that are never documents: a saved page's scripts, styles, images and fonts, media
#: and binaries. Folder listings leave them out; named on their own they are an error.
NOT_DOCUMENTS: dict[str, str] = {
    **dict.fromkeys((".js", ".mjs", ".cjs", ".ts"), "a script"),
    **dict.fromkeys((".css", ".scss", ".less"), "a style sheet"),
    ".map": "a source map",
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".bmp",
                     ".tif", ".tiff", ".avif", ".heic"), "an image"),
    **dict.fromkeys((".woff", ".woff2", ".ttf", ".otf", ".eot"), "a font"),
    **dict.fromkeys((".mp3", ".mp4", ".m4a", ".webm", ".ogg", ".wav", ".mov", ".avi",
                     ".swf"), "audio or video"),
    **dict.fromkeys((".wasm", ".exe", ".dll", ".so", ".dylib", ".pyc", ".class", ".jar",
                     ".bin"), "a program or binary"),
}

_TEXT_EXTENSIONS = (".txt", ".text", ".md")
_MEDLINE_EXTENSIONS = (".nbib", ".medline")
_BIOC_NAMES = (".bioc", ".bioc.xml", ".bioc.json", ".biocxml", ".biocjson")
_HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
_JSONL_EXTENSIONS = (".jsonl", ".ndjson")

#: XML root elements and the reader for each.
_XML_ROOTS = {
    "PubmedArticleSet": "pubmed",
    "PubmedBookArticleSet": "pubmed",
    "article": "jats",
    "collection": "bioc",
}

_PUBTATOR_FIRST_LINE = re.compile(rb"^\s*\d+\|t\|", re.ASCII)
#: BioC JSON: a collection's documents, a document's passages, PubTator3's export wrapper.
_BIOC_JSON = re.compile(rb'^\s*[\[{].{0,4000}?"(?:documents|passages|PubTator3)"\s*:\s*\[',
                        re.DOTALL)
_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)
_XML_PROLOG_ITEM = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE
)
_XML_ROOT = re.compile(r"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_UTF8_BOM = b"\xef\xbb\xbf"
#: First elements of HTML saved without <html> (fragments, bare pages).
_HTML_FRAGMENT_ROOTS = frozenset(
    ["head", "body", "title", "meta", "link", "div", "p", "section", "main", "h1", "h2", "h3",
     "table", "ul", "ol", "span", "a"]
)


def sniff_format(source: Source) -> str:
    """The reader for ``source``: one of the :data:`FORMATS` names.

    Raises :class:`InputError` for XML with an unsupported root element.
    """
    name = source.name
    if name.endswith(".pubtator") or ".pubtator." in name:
        return "pubtator"
    if name.endswith(_JSONL_EXTENSIONS):        # BioC documents one per line, or records
        return "bioc" if _BIOC_JSON.match(source.head(8192).removeprefix(_UTF8_BOM)) \
            else "jsonl"
    if name.endswith(_HTML_EXTENSIONS):
        return "html"
    if name.endswith(".nxml"):
        return "jats"
    if name.endswith(".pdf"):
        return "pdf"
    if name.endswith(_MEDLINE_EXTENSIONS):
        return "medline"
    if name.endswith(_BIOC_NAMES):
        return "bioc"
    if what := not_a_document(name):
        raise InputError(source.label, f"not a document: {what} ({Path(name).suffix} file)")
    head = source.head().removeprefix(_UTF8_BOM)
    if name.endswith(".xml"):
        return xml_format(head, source.label)
    if name.endswith(_TEXT_EXTENSIONS):
        if _looks_like_pubtator(head):
            return "pubtator"
        return "medline" if looks_like_medline(head) else "text"
    if name.endswith(".json") and _BIOC_JSON.match(head):
        return "bioc"
    return _sniff_content(head, source.label)


def not_a_document(name: str) -> str | None:
    """What a file is when its name says it is never a document (``"a script"``), or None."""
    name = name.lower().removesuffix(".gz")
    return NOT_DOCUMENTS.get(Path(name).suffix)


def xml_format(head: bytes, label: str) -> str:
    """The reader for an XML document, from its root element."""
    root = xml_root(head)
    if root is None:
        raise InputError(label, "malformed XML: no root element in the first "
                                f"{len(head) // 1024} KB")
    if root not in _XML_ROOTS:
        expected = " or ".join(f"<{r}>" for r in _XML_ROOTS)
        raise InputError(label, f"unsupported XML document: root element <{root}> "
                                f"(expected {expected})")
    return _XML_ROOTS[root]


def xml_root(head: bytes) -> str | None:
    """The local name of the root element, skipping the prolog; None when not found."""
    text = head.decode("utf-8", errors="replace")
    pos = 0
    while m := _XML_PROLOG_ITEM.match(text, pos):
        if m.end() == pos:
            break
        pos = m.end()
    m = _XML_ROOT.match(text, pos)
    return m.group(2) if m else None


def _looks_like_pubtator(head: bytes) -> bool:
    return bool(_PUBTATOR_FIRST_LINE.match(head))


def _sniff_content(head: bytes, label: str) -> str:
    """The format of a file with an unknown extension, from its first bytes."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if _HTML_START.match(head):
        return "html"
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        root = xml_root(head)
        if root is not None and root.lower() in _HTML_FRAGMENT_ROOTS:
            return "html"
        return xml_format(head, label)
    if _looks_like_pubtator(head):
        return "pubtator"
    if looks_like_medline(head):
        return "medline"
    if _BIOC_JSON.match(head):
        return "bioc"
    if stripped.startswith(b"{"):
        return "jsonl"
    return "text"
