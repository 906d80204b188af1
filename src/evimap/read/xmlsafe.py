"""The one place XML and HTML parsers are made: no entity expansion, no DTD, no network.

Every reader parses through these factories so that an external entity
(``<!ENTITY x SYSTEM "file:///etc/passwd">``) is never read, a DOCTYPE's external DTD is never
fetched, and an entity bomb fails fast (libxml2 caps entity amplification) instead of filling
memory. ``huge_tree`` stays off, so a single text node over libxml2's limit is an error.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from lxml import etree, html

from ..errors import InputError
from .decode import clean_fragment

#: Options shared by the tree parser and iterparse.
SAFE_XML_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}


def xml_parser() -> etree.XMLParser:
    """A new XML parser with the safe options (parsers are cheap; none is shared)."""
    return etree.XMLParser(remove_comments=True, remove_pis=True, **SAFE_XML_OPTIONS)


def html_parser() -> html.HTMLParser:
    """A new HTML parser that never touches the network and drops comments."""
    return html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                           huge_tree=False)


def parse_xml(data: bytes, path: str) -> etree._Element:
    """Parse a whole XML document, or raise :class:`InputError` with the parser's message."""
    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise malformed(path, exc) from None


def iterparse(source: io.BufferedIOBase, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """Stream the elements named ``tags`` as they end, with the safe options.

    The caller clears each element (:func:`release`) once it has read it. A syntax error
    raises :class:`etree.XMLSyntaxError`; readers turn it into :class:`InputError` with
    :func:`malformed`.
    """
    for _event, element in etree.iterparse(source, events=("end",), tag=tags,
                                           remove_comments=True, remove_pis=True,
                                           **SAFE_XML_OPTIONS):
        yield element


def release(element: etree._Element) -> None:
    """Free a streamed element and the finished siblings before it (bounded memory)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def malformed(path: str, exc: etree.XMLSyntaxError) -> InputError:
    """The InputError for a syntax error: ``malformed XML: <message> (line N)``."""
    message = exc.msg or str(exc)
    # libxml2 often repeats the position in its message: keep one copy, ours
    message = message.split(", line ")[0].rstrip(". ")
    where = f" (line {exc.lineno})" if exc.lineno else ""
    return InputError(path, f"malformed XML: {message}{where}")


def text_of(element: etree._Element) -> str:
    """All the text inside an element, as written (tails of its children included)."""
    return "".join(str(piece) for piece in element.itertext())


def local_name(element: etree._Element) -> str:
    """The tag without its namespace (``{ns}article`` -> ``article``); "" for non-elements."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


#: Inline elements written against their neighbours (``beta<sub>2</sub>``): line-break
#: indentation that pretty-printing put around them is not a space in the text.
_TIGHT_TAGS = frozenset({"sub", "sup"})


def mixed_text(element: etree._Element | None, skip: frozenset[str] = frozenset(),
               *, spaced: bool = False) -> str:
    """The text of a mixed-content element, whitespace-normalised and NFC; "" for None.

    Inline markup (``<i>``, ``<sup>``, ``<xref>``) is flattened; subtrees whose local name is
    in ``skip`` are left out (their tails kept); unresolved entity references stay as
    ``&name;``, never expanded. ``spaced`` puts a space between sibling elements that have
    no text between them (citation fields: ``<source>Lancet</source><volume>3</volume>``).
    """
    if element is None:
        return ""
    pieces: list[str] = []
    _collect(element, pieces, skip, spaced)
    return clean_fragment("".join(pieces))


def _collect(element: etree._Element, pieces: list[str], skip: frozenset[str],
             spaced: bool) -> None:
    if element.text:
        pieces.append(element.text)
    for child in element:
        name = local_name(child)
        tight = name in _TIGHT_TAGS
        if not name:                         # an entity reference, left as written
            pieces.append(child.text or "")
        elif name not in skip:
            if tight and pieces and _is_layout_space(_trailing_space(pieces[-1])):
                pieces[-1] = pieces[-1].rstrip()
            _collect(child, pieces, skip, spaced)
        tail = child.tail
        if tail:
            if tight and _is_layout_space(_leading_space(tail)):
                tail = tail.lstrip()
            pieces.append(tail)
        elif spaced and not tight:
            pieces.append(" ")


def _leading_space(text: str) -> str:
    return text[:len(text) - len(text.lstrip())]


def _trailing_space(text: str) -> str:
    return text[len(text.rstrip()):]


def _is_layout_space(space: str) -> bool:
    """Whitespace that holds a line break: indentation, not a space in the sentence."""
    return "\n" in space
