"""Plain text in any encoding: one document per file, split later by the cleaner."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import RawDocument
from ..settings import Settings
from .decode import decode_bytes, normalise_text
from .source import Source


def read_text(source: Source, settings: Settings) -> Iterator[RawDocument]:
    """Decode, normalise line breaks and NFC, keep the offset map back to the decoded text."""
    data = source.read_limited(settings.max_file_mb)
    decoded = decode_bytes(data, source.label)
    text, offset_map = normalise_text(decoded.text)
    yield RawDocument(
        path=source.label, record=0, format="text", text=text,
        metadata={"encoding": decoded.encoding}, offset_map=offset_map,
    )
