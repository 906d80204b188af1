"""Bytes to text: encoding detection, binary detection, and offset-keeping normalisation.

Decoding rules, in order:

1. a byte-order mark names the encoding (UTF-8, UTF-16, UTF-32);
2. NUL bytes or many control characters mean a binary file, not text;
3. bytes that decode as UTF-8 are UTF-8;
4. bytes with no valid multi-byte UTF-8 sequence but with high bytes are a legacy 8-bit file:
   charset-normalizer's best guess, with Windows-1252 preferred among equally good guesses;
5. valid multi-byte UTF-8 mixed with invalid sequences is broken UTF-8: an error naming the
   first bad byte and its offset.

:func:`normalise_text` turns CRLF/CR into LF and applies Unicode NFC, keeping a compact offset
map back to the decoded text (:func:`to_original`, :func:`from_original`).
"""

from __future__ import annotations

import bisect
import codecs
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

from ..errors import InputError

#: Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: One well-formed multi-byte UTF-8 sequence (RFC 3629).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)

#: C0 control bytes that never occur in text (tab, LF, VT, FF, CR and ESC excluded).
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")
_BINARY_SAMPLE = 65536
_MAX_CONTROL_SHARE = 0.05

#: The legacy encoding of most Western web text: chosen when charset-normalizer rates it as
#: clean as its best guess and within a few points of its language coherence (which is noisy
#: on short texts: it calls French in Latin-1 "Danish in ISO-8859-10").
_PREFERRED_LEGACY = "cp1252"
_COHERENCE_MARGIN = 10.0


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text and the encoding it was decoded with (a Python codec name)."""

    text: str
    encoding: str


def decode_bytes(data: bytes, path: str, declared: str | None = None) -> Decoded:
    """Decode the bytes of one file, or raise :class:`InputError` saying why it is not text.

    ``declared`` is an encoding the container named (an HTML ``<meta charset>``); it is used
    when the bytes decode with it, after a byte-order mark and before any guessing.
    """
    if not data.strip():
        raise InputError(path, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_bom(data[len(bom):], encoding, path)
    check_not_binary(data, path)
    if declared:
        decoded = _try_decode(data, declared, declared=True)
        if decoded is not None:
            return decoded
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            bad = data[exc.start]
            raise InputError(
                path, f"not valid UTF-8 (invalid byte 0x{bad:02x} at offset {exc.start})"
            ) from None
    return _decode_legacy(data, path)


def check_not_binary(data: bytes, path: str) -> None:
    """Raise :class:`InputError` when the bytes look like a binary file rather than text."""
    if b"\x00" in data:
        raise InputError(path, "binary file (NUL bytes), not text")
    sample = data[:_BINARY_SAMPLE]
    controls = len(_CONTROL_BYTES.findall(sample))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(path, f"binary file ({controls} control bytes in the first "
                               f"{len(sample)}), not text")


def _decode_bom(data: bytes, encoding: str, path: str) -> Decoded:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid {encoding.upper()} after its byte-order mark "
                               f"({exc.reason} at offset {exc.start})") from None
    if "\x00" in text:
        raise InputError(path, "binary file (NUL characters), not text")
    if not text.strip():
        raise InputError(path, "empty file")
    return Decoded(text, encoding)


#: Python codecs that a page may name but that are no character set of the web: text
#: transforms (``undefined`` always fails, ``punycode`` and ``idna`` are for host names,
#: the escape codecs read backslashes), UTF-7 (which browsers refuse: it hides markup), and
#: UTF-16/32 named in an ASCII-compatible page (the WHATWG rule: read as UTF-8).
_NOT_CHARSETS = frozenset({"undefined", "punycode", "idna", "unicode-escape",
                           "raw-unicode-escape", "utf-7", "charmap", "utf-16", "utf-16-le",
                           "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})


def _try_decode(data: bytes, encoding: str, declared: bool = False) -> Decoded | None:
    """The bytes decoded with ``encoding``, or None when it is unknown, does not fit, or
    (``declared``: a page named it) is no character set (see :data:`_NOT_CHARSETS`)."""
    try:
        name = codecs.lookup(encoding).name
        if declared and name in _NOT_CHARSETS:
            return None
        return Decoded(data.decode(name), name)
    except (LookupError, ValueError):   # ValueError: UnicodeError, a codec's own complaint
        return None


def _decode_legacy(data: bytes, path: str) -> Decoded:
    """Decode an 8-bit legacy file with charset-normalizer, preferring Windows-1252 on ties."""
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise InputError(path, "not valid UTF-8 and no legacy encoding fits its bytes")
    encoding = str(best.encoding)
    for match in matches:
        tied = (match.percent_chaos <= best.percent_chaos
                and match.percent_coherence >= best.percent_coherence - _COHERENCE_MARGIN)
        if tied and _PREFERRED_LEGACY in match.could_be_from_charset:
            encoding = _PREFERRED_LEGACY
            break
    decoded = _try_decode(data, encoding)
    if decoded is None:
        raise InputError(path, f"not valid UTF-8, and not valid {encoding} either")
    return decoded


# --- normalisation with an offset map --------------------------------------------------------

#: A line break to normalise, or a run of non-ASCII characters with the one character before
#: it (ASCII characters are NFC boundaries, so each match can be normalised on its own).
_NORMALISE_RE = re.compile(r"\r\n?|[\x00-\x0c\x0e-\x7f]?[^\x00-\x7f]+")
_CR_RE = re.compile(r"\r\n?")

OffsetMap = list[tuple[int, int]]


def normalise_text(text: str) -> tuple[str, OffsetMap | None]:
    """Line breaks to LF and Unicode NFC, with breakpoints mapping new offsets to old ones.

    The map holds ``(text offset, original offset)`` at the end of every changed span; it is
    None when the text did not change length anywhere.
    """
    pattern = _CR_RE if unicodedata.is_normalized("NFC", text) else _NORMALISE_RE
    parts: list[str] = []
    breakpoints: OffsetMap = []
    pos = 0
    shift = 0                          # len(new) - len(old) so far
    for m in pattern.finditer(text):
        old = m.group()
        new = "\n" if old[0] == "\r" else unicodedata.normalize("NFC", old)
        if new == old:
            continue
        parts.append(text[pos:m.start()])
        parts.append(new)
        pos = m.end()
        if len(new) != len(old):
            shift += len(new) - len(old)
            breakpoints.append((m.end() + shift, m.end()))
    if not parts:
        return text, None
    parts.append(text[pos:])
    return "".join(parts), breakpoints or None


def to_original(offset_map: OffsetMap | None, offset: int) -> int:
    """The offset in the decoded original text of ``offset`` in the normalised text."""
    return _convert(offset_map, offset, source=0)


def from_original(offset_map: OffsetMap | None, offset: int) -> int:
    """The offset in the normalised text of ``offset`` in the decoded original text."""
    return _convert(offset_map, offset, source=1)


def _convert(offset_map: OffsetMap | None, offset: int, source: int) -> int:
    """Map ``offset`` from one side of the breakpoints (0: normalised, 1: original) to the other.

    Between breakpoints both sides advance together; inside a changed span the result is
    clamped to the end of that span.
    """
    if not offset_map:
        return offset
    target = 1 - source
    i = bisect.bisect_right(offset_map, offset, key=lambda point: point[source])
    base = (0, 0) if i == 0 else offset_map[i - 1]
    base_src, base_dst = base[source], base[target]
    result = base_dst + (offset - base_src)
    if i < len(offset_map):
        result = min(result, offset_map[i][target])
    return result


def clean_fragment(text: str) -> str:
    """A field of a structured record: whitespace runs to one space, stripped, NFC."""
    return unicodedata.normalize("NFC", " ".join(text.split()))
