"""Walk an HTML body and emit its visible text as blocks with structural hints.

One block per block-level element (text directly inside it; nested blocks are blocks of their
own), inline elements flattened into their block, ``<br>`` as a line break. A data table is
one block (rows on lines, cells joined by " | "); a layout table is walked like any container.
A reader comment is one block (its paragraphs on lines) with the comment's author and date in
``attrs``; its header (author, date, reply link) becomes a separate ``metadata`` block labelled
``comment_header``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree

from .builder import TextBuilder
from .htmlregions import CommentInfo, classify, find_comment_units, is_comment_header

DROPPED_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "input", "select", "textarea",
    "button", "option", "object", "embed", "canvas", "audio", "video", "map", "head", "link",
    "meta", "title", "datalist", "dialog",
})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "menu", "nav", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LIST_ITEMS = frozenset({"li", "dt", "dd"})
_LAYOUT_INSIDE_TABLE = frozenset({"p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4",
                                  "h5", "h6", "section", "article", "blockquote", "form"})
_TIGHT_TAGS = frozenset({"sub", "sup"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BREAK = "\n"


@dataclass(frozen=True, slots=True)
class Context:
    """What the ancestors of an element say about it (``path``: the steps joined by ">")."""

    path: str = "html"
    region: str | None = None
    label: str = ""
    in_article: bool = False
    in_list_item: bool = False
    in_blockquote: bool = False

    def enter(self, element: etree._Element) -> Context:
        """The context of a child element."""
        tag = element.tag
        found = classify(element, self.in_article)
        region, label = self.region, self.label
        if found is not None and _overrides(region, found[0]):
            region, label = found
        return Context(f"{self.path}>{_step(element)}", region, label,
                       self.in_article or tag in ("article", "main"),
                       self.in_list_item or tag in _LIST_ITEMS,
                       self.in_blockquote or tag == "blockquote")


def _overrides(outer: str | None, inner: str) -> bool:
    """Whether a region found on an element replaces the one it is inside.

    Inside comments only navigation, share bars and forms count (a commenter's name is not the
    page's author); elsewhere the innermost region wins.
    """
    if outer == "comment":
        return inner in ("nav", "share", "form")
    return True


def _step(element: etree._Element) -> str:
    """``div.comments`` / ``section#main`` / ``p``: one step of a block's path."""
    tag = str(element.tag)
    attrib = element.attrib
    if not attrib or tag in ("html", "body"):
        return tag
    return _step_of(tag, attrib.get("class", ""), attrib.get("id", ""))


@lru_cache(maxsize=4096)
def _step_of(tag: str, classes: str, ident: str) -> str:
    first = classes.split(maxsplit=1)
    if first:
        return f"{tag}.{first[0]}"
    ident = ident.strip()
    return f"{tag}#{ident}" if ident else tag


@dataclass(slots=True)
class Inline:
    """Text collected for one block: pieces, how much of it sits inside links, the hrefs."""

    pieces: list[str] = field(default_factory=list)
    link_chars: int = 0
    links: list[str] = field(default_factory=list)

    def add(self, text: str, in_link: bool) -> None:
        self.pieces.append(text.replace("\n", " "))     # other spaces collapse in render()
        if in_link:
            self.link_chars += len("".join(text.split()))

    def render(self) -> tuple[str, dict[str, Any]]:
        """The block text (spaces collapsed, one line per ``<br>``) and its link attrs."""
        joined = "".join(self.pieces)
        if _BREAK in joined:
            lines = (" ".join(line.split()) for line in joined.split(_BREAK))
            text = "\n".join(line for line in lines if line)
        else:
            text = " ".join(joined.split())
        if not text:
            return "", {}
        chars = len("".join(text.split()))
        density = round(min(1.0, self.link_chars / chars), 3) if chars else 0.0
        return text, {"link_density": density, "links": list(self.links)}


@dataclass(slots=True)
class _Comment:
    """The comment unit being read: its header and body text so far."""

    info: CommentInfo
    element: etree._Element
    context: Context
    header: Inline = field(default_factory=Inline)
    body: Inline = field(default_factory=Inline)


class BlockWalker:
    """Emits the blocks of one HTML body into a :class:`TextBuilder`."""

    def __init__(self, builder: TextBuilder, title_element: etree._Element | None) -> None:
        self.builder = builder
        self.title_element = title_element
        self.units: dict[etree._Element, CommentInfo] = {}
        self._buffer = Inline()
        self._owners: list[tuple[etree._Element, Context]] = []
        self._comment: _Comment | None = None
        self._link_depth = 0

    def run(self, body: etree._Element) -> None:
        """Walk ``body`` and emit every block."""
        self.units = find_comment_units(body)
        context = Context().enter(body)
        self._owners.append((body, context))
        self._children(body, context)
        self._flush()

    # --- traversal ---------------------------------------------------------------------------

    def _children(self, element: etree._Element, context: Context) -> None:
        """The text, children and tails of ``element`` in document order."""
        if element.text:
            self._text(element.text)
        children = list(element)            # holds the proxies: no second lookup per child
        last = len(children) - 1
        for i, child in enumerate(children):
            tag = child.tag
            if isinstance(tag, str) and tag not in DROPPED_TAGS and not _is_hidden(child):
                self._visit(child, context.enter(child))
            tail = child.tail
            if tail:
                if tag in _TIGHT_TAGS and "\n" in tail[: len(tail) - len(tail.lstrip())]:
                    tail = tail.lstrip()
                self._text(tail)
            elif i < last and _needs_space_between(tag, children[i + 1].tag):
                self._text(" ")

    def _visit(self, element: etree._Element, context: Context) -> None:
        tag = element.tag
        if tag == "br":
            self._buffer.pieces.append(_BREAK)
        elif element in self.units:
            self._comment_unit(element, context)
        elif (self._comment is not None and self._buffer is not self._comment.header
              and is_comment_header(element)):
            with self._redirect(self._comment.header):
                self._children(element, context)
            self._comment.header.pieces.append(_BREAK)
        elif tag == "table" and not _is_layout_table(element):
            self._table(element, context)
        elif tag in BLOCK_TAGS:
            self._block(element, context)
        elif tag == "a":
            self._link(element, context)
        else:
            self._children(element, context)

    def _block(self, element: etree._Element, context: Context) -> None:
        if self._comment is not None:                # paragraphs of one comment: lines
            self._buffer.pieces.append(_BREAK)
            self._children(element, context)
            self._buffer.pieces.append(_BREAK)
            return
        self._flush()
        self._owners.append((element, context))
        self._children(element, context)
        self._flush()
        self._owners.pop()

    def _link(self, element: etree._Element, context: Context) -> None:
        href = (element.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")):
            self._buffer.links.append(href)
        self._link_depth += 1
        self._children(element, context)
        self._link_depth -= 1

    def _table(self, element: etree._Element, context: Context) -> None:
        """A data table as one block: a line per row, cells joined by " | "."""
        if self._comment is None:
            self._flush()
        table = Inline()
        rows = [row for child in element
                for row in ([child] if child.tag == "tr" else child.iterchildren("tr"))]
        for row in rows:
            cells = []
            for cell in row:
                if cell.tag in ("td", "th"):
                    cells.append(self._collect(cell, context.enter(cell)))
            texts = [text for text, _ in cells if text]
            if texts:
                table.pieces.extend((" | ".join(texts), _BREAK))
            for _, links in cells:
                table.links.extend(links.links)
                table.link_chars += links.link_chars
        if self._comment is not None:
            self._buffer.pieces.extend((_BREAK, *table.pieces))
            return
        self._emit(table, element, context, hint="table")

    def _collect(self, element: etree._Element, context: Context) -> tuple[str, Inline]:
        """The inline text of one element, outside the current block."""
        inline = Inline()
        with self._redirect(inline):
            self._children(element, context)
        return " ".join(inline.render()[0].split()), inline

    def _comment_unit(self, element: etree._Element, context: Context) -> None:
        """One reader comment: a header block and one body block with author and date."""
        outer = self._comment
        if outer is not None:
            self._flush_comment(outer)
        else:
            self._flush()
        comment = _Comment(self.units[element], element, context)
        self._comment, self._buffer = comment, comment.body
        self._children(element, context)
        self._flush_comment(comment)
        self._comment = outer
        self._buffer = outer.body if outer is not None else Inline()

    # --- text and blocks ---------------------------------------------------------------------

    def _text(self, text: str) -> None:
        self._buffer.add(text, self._link_depth > 0)

    @contextmanager
    def _redirect(self, inline: Inline) -> Iterator[None]:
        """Send text to ``inline`` for a while (comment headers, table cells)."""
        saved, self._buffer = self._buffer, inline
        try:
            yield
        finally:
            self._buffer = saved

    def _flush(self) -> None:
        """Emit the text collected so far as a block of the innermost open block element."""
        inline = self._buffer
        if not inline.pieces:                       # nothing collected: keep the buffer
            inline.links.clear()
            return
        self._buffer = Inline()
        if self._owners:
            element, context = self._owners[-1]
            self._emit(inline, element, context)

    def _flush_comment(self, comment: _Comment) -> None:
        info = comment.info
        header_attrs = {"author": info.author, "date": info.date}
        self._emit(comment.header, comment.element, comment.context, hint="metadata",
                   label="comment_header", extra=header_attrs)
        body_attrs: dict[str, Any] = {"author": info.author, "date": info.date,
                                      "comment_id": info.id}
        if info.datetime:
            body_attrs["datetime"] = info.datetime
        self._emit(comment.body, comment.element, comment.context, hint="comment",
                   extra=body_attrs)
        comment.header, comment.body = Inline(), Inline()

    def _emit(self, inline: Inline, element: etree._Element, context: Context,
              hint: str | None = None, label: str | None = None,
              extra: dict[str, Any] | None = None) -> None:
        text, attrs = inline.render()
        if not text:
            return
        if hint is None:
            hint, label = self._hint(element, context)
        attrs = {"tag": element.tag, "path": context.path, **attrs}
        if extra:
            attrs.update({k: v for k, v in extra.items() if v})
        self.builder.add(text, hint, label or "", attrs)

    def _hint(self, element: etree._Element, context: Context) -> tuple[str, str]:
        """Hint and label of a block from its element and its ancestors' regions."""
        tag = element.tag
        region = context.region
        if element is self.title_element and region not in ("nav", "footer", "aside"):
            return "title", ""
        if region == "comment":
            return "comment", "heading" if tag in _HEADINGS else ""
        if region == "form":
            return "share", "form"
        if region == "metadata":
            return "metadata", context.label
        if region is not None:
            return region, ""
        if tag in _HEADINGS:
            return "heading", ""
        if tag in _LIST_ITEMS or context.in_list_item:
            return "list_item", ""
        if context.in_blockquote:
            return "blockquote", ""
        return "paragraph", ""


def _is_hidden(element: etree._Element) -> bool:
    """Not shown to a reader: dropped tags, ``hidden``, ``aria-hidden``, ``display: none``."""
    if element.tag in DROPPED_TAGS:
        return True
    attrib = element.attrib
    if not attrib:
        return False
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    style = attrib.get("style")
    return style is not None and _HIDDEN_STYLE.search(style) is not None


def _needs_space_between(tag: object, following: object) -> bool:
    """Adjacent inline elements with nothing between them read as separate words."""
    return (isinstance(tag, str) and tag not in BLOCK_TAGS and isinstance(following, str)
            and following not in _TIGHT_TAGS and tag not in _TIGHT_TAGS)


def _is_layout_table(table: etree._Element) -> bool:
    """A table used for page layout (holds paragraphs, lists, other tables)."""
    if table.get("role") in ("presentation", "none"):
        return True
    return any(isinstance(e.tag, str) and e.tag in _LAYOUT_INSIDE_TABLE
               for e in table.iterdescendants())
