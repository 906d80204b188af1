"""Assemble a document's text from blocks, recording each block's span."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..model import Block

#: What separates two blocks in the document text.
BLOCK_SEPARATOR = "\n\n"


class TextBuilder:
    """Joins block texts with a blank line and keeps a :class:`Block` for each.

    Each piece is NFC-normalised as it is added, so block offsets refer to the final text.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.blocks: list[Block] = []

    def add(self, text: str, hint: str | None, label: str = "",
            attrs: dict[str, Any] | None = None) -> Block | None:
        """Append one block (stripped, NFC); blank text adds nothing and returns None."""
        text = unicodedata.normalize("NFC", text.strip())
        if not text:
            return None
        if self._parts:
            self._parts.append(BLOCK_SEPARATOR)
            self._length += len(BLOCK_SEPARATOR)
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        block = Block(start, self._length, hint, label, attrs if attrs is not None else {})
        self.blocks.append(block)
        return block

    @property
    def text(self) -> str:
        """The text so far."""
        return "".join(self._parts)

    def __bool__(self) -> bool:
        return bool(self._parts)
