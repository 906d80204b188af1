"""JSON Lines: one document per line, UTF-8.

A record has ``text``, or ``title`` with ``abstract``, ``body`` or ``text``. The known fields
(``id``, ``pmid``, ``doi``, ``url``, ``authors``, ``date``, ``journal``, ``publication_types``,
``source``/``site_name``) go into the metadata under the names downstream stages read; every
other field is kept as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings
from .builder import TextBuilder
from .decode import normalise_text
from .source import RecordError, Source, gzip_errors, iter_lines, max_record_bytes

#: Text fields and the block hint each becomes (in text order).
_TEXT_FIELDS = (("title", "title"), ("abstract", "abstract"), ("body", "body"),
                ("text", "body"))
_LIST_FIELDS = ("authors", "publication_types", "keywords", "mesh_terms")
_STRING_FIELDS = ("id", "pmid", "doi", "pmcid", "url", "date", "journal", "coi")
_RENAMED = {"source": "site_name"}


def read_jsonl(source: Source, settings: Settings) -> Iterator[RawDocument | InputError]:
    """Yield one document per non-blank line; a bad line is yielded as ``InputError(file:N)``."""
    limit = max_record_bytes(settings.max_file_mb)
    index = 0
    with gzip_errors(source), source.open() as stream:
        for lineno, line in iter_lines(stream, limit):
            where = f"{source.label}:{lineno}"
            if line is None:
                yield InputError(where, f"line over the {settings.max_file_mb:g} MB limit "
                                        "(set EVIMAP_MAX_FILE_MB)")
                index += 1
                continue
            if not line.strip():
                continue
            try:
                yield parse_record(_load(line, lineno), source.label, index)
            except RecordError as exc:
                yield InputError(where, str(exc))
            index += 1


def _load(line: bytes, lineno: int) -> dict[str, Any]:
    """Decode and parse one line into a JSON object."""
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"not valid UTF-8 (invalid byte 0x{line[exc.start]:02x} at column "
                          f"{exc.start + 1}); JSON Lines must be UTF-8") from None
    if lineno == 1:
        decoded = decoded.removeprefix("\ufeff")
    try:
        value = loads(decoded)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, found {_json_type(value)}")
    return value


def loads(text: str) -> Any:
    """``json.loads`` for any input: an integer too long for Python stays a string of its
    digits, a lone surrogate (``"\\ud800"``, which no UTF-8 text can hold) becomes U+FFFD.
    Raises :class:`json.JSONDecodeError` and, for nesting too deep, :class:`RecursionError`."""
    value = json.loads(text, parse_int=_integer)
    if _SURROGATE_ESCAPE.search(text):
        value = _without_lone_surrogates(value)
    return value


def _integer(digits: str) -> int | str:
    """A JSON integer; one too long for Python to convert (over 4,300 digits) stays the
    string of its digits, so the record is read (such a number is no count or id)."""
    if len(digits) > _MAX_INT_DIGITS:
        return digits
    return int(digits)


#: Python refuses to convert longer strings of digits (``sys.get_int_max_str_digits``).
_MAX_INT_DIGITS = 4300
#: A ``\uD800``-``\uDFFF`` escape: JSON can spell a lone surrogate, which no UTF-8 text holds.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys included) replaced by
    U+FFFD, the replacement character (a surrogate pair is one character once parsed)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v)
                for k, v in value.items()}
    return value


def parse_record(obj: dict[str, Any], path: str, index: int) -> RawDocument:
    """One JSON object as a document; raises :class:`RecordError` when it has no text."""
    texts = {name: _string_field(obj, name) for name, _hint in _TEXT_FIELDS}
    metadata = _metadata(obj)
    title = texts["title"].strip() or None
    if not any(texts[name].strip() for name in ("abstract", "body", "text")):
        raise RecordError("no text: expected 'text', or 'title' with 'abstract', 'body' "
                          "or 'text'")
    if title is None and not texts["abstract"] and not texts["body"]:
        text, offset_map = normalise_text(texts["text"])
        return RawDocument(path=path, record=index, format="jsonl", text=text,
                           metadata=metadata, offset_map=offset_map)
    builder = TextBuilder()
    for name, hint in _TEXT_FIELDS:
        builder.add(texts[name], hint)
    if title is not None:
        title = builder.text[builder.blocks[0].start:builder.blocks[0].end]
    return RawDocument(path=path, record=index, format="jsonl", text=builder.text,
                       title=title, blocks=builder.blocks, metadata=metadata)


def _string_field(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"field {name!r} must be a string, found {_json_type(value)}")
    return value


def _metadata(obj: dict[str, Any]) -> dict[str, Any]:
    """Every field but the text ones, with known fields checked and normalised."""
    text_fields = {name for name, _hint in _TEXT_FIELDS}
    metadata: dict[str, Any] = {}
    for key, value in obj.items():
        if key in text_fields or value is None:
            continue
        name = _RENAMED.get(key, key)
        if name in _LIST_FIELDS:
            metadata[name] = _string_list(name, value)
        elif name in _STRING_FIELDS:
            if not isinstance(value, str | int):
                raise RecordError(f"field {key!r} must be a string, found {_json_type(value)}")
            metadata[name] = str(value)
        else:
            metadata[name] = value
    return metadata


def _string_list(name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise RecordError(f"field {name!r} must be a string or a list of strings")


def _json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
