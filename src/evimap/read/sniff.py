"""Which format a file is in: its extension first, then its first bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError
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
)
#: Any format may be gzip-compressed (``.gz``); the inner name and content are sniffed.
COMPRESSION_EXTENSIONS: tuple[str, ...] = (".gz",)

_TEXT_EXTENSIONS = (".txt", ".text", ".md")
_HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
_JSONL_EXTENSIONS = (".jsonl", ".ndjson")

#: XML root elements and the reader for each.
_XML_ROOTS = {
    "PubmedArticleSet": "pubmed",
    "PubmedBookArticleSet": "pubmed",
    "article": "jats",
}

_PUBTATOR_FIRST_LINE = re.compile(rb"^\s*\d+\|t\|", re.ASCII)
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
    if name.endswith(_JSONL_EXTENSIONS):
        return "jsonl"
    if name.endswith(_HTML_EXTENSIONS):
        return "html"
    if name.endswith(".nxml"):
        return "jats"
    head = source.head().removeprefix(_UTF8_BOM)
    if name.endswith(".xml"):
        return xml_format(head, source.label)
    if name.endswith(_TEXT_EXTENSIONS):
        return "pubtator" if _looks_like_pubtator(head) else "text"
    return _sniff_content(head, source.label)


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
    if stripped.startswith(b"{"):
        return "jsonl"
    return "text"
