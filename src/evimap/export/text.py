"""Text made safe for a format without changing its length, so offsets still hold."""

from __future__ import annotations

import re

#: Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates,
#: U+FFFE and U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Characters that end or split a line of PubTator (line breaks and tabs) or that other
#: line readers take as line breaks, and the other C0 controls.
_NOT_PUBTATOR = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def xml_safe(text: str) -> str:
    """``text`` with characters XML cannot hold as spaces (one for one)."""
    return _NOT_XML.sub(" ", text)


def one_line(text: str) -> str:
    """``text`` on one line for PubTator: line breaks, tabs and controls as spaces."""
    return _NOT_PUBTATOR.sub(" ", text)


def type_label(mention_type: str) -> str:
    """An evimap mention type as the corpora write types: ``chemical`` -> ``Chemical``."""
    return mention_type[:1].upper() + mention_type[1:]
