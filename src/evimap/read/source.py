"""One input file, possibly gzip-compressed: opening, peeking and size-limited reading."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..errors import InputError
from ..model import RawDocument

_GZIP_MAGIC = b"\x1f\x8b"
_MB = 1024 * 1024
#: How much of the (decompressed) start of a file the sniffer reads.
HEAD_BYTES = 65536


class RecordError(ValueError):
    """A problem with one record of a stream; readers yield it as an :class:`InputError`."""


@dataclass(frozen=True, slots=True)
class Source:
    """A file to read: its path, the name of its content (without ``.gz``), compression,
    and how far its decompression may go (bytes; None: no limit)."""

    path: Path
    name: str
    gzipped: bool
    max_decompressed: int | None = None

    @property
    def label(self) -> str:
        """The path as error messages and ``RawDocument.path`` show it."""
        return str(self.path)

    def open(self) -> io.BufferedIOBase:
        """The content as a binary stream (decompressed on the fly for gzip, raising
        :class:`InputError` when it grows past ``max_decompressed``)."""
        if not self.gzipped:
            return self.path.open("rb")
        if self.max_decompressed is None:
            return gzip.open(self.path, "rb")
        return io.BufferedReader(_Capped(gzip.open(self.path, "rb"), self.max_decompressed,
                                         self.label), _CAPPED_BUFFER)

    def head(self, size: int = HEAD_BYTES) -> bytes:
        """The first ``size`` bytes of the (decompressed) content."""
        with gzip_errors(self), self.open() as stream:
            return stream.read(size)

    def read_limited(self, max_mb: float) -> bytes:
        """The whole content of a single-document file, refused when over ``max_mb``.

        An uncompressed file is measured before it is read; a compressed one is decompressed
        up to the limit and no further.
        """
        limit = int(max_mb * _MB)
        if not self.gzipped:
            size = self.path.stat().st_size
            if size > limit:
                raise too_large(self.label, size, max_mb)
        with gzip_errors(self), self.open() as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise too_large(self.label, len(data), max_mb, decompressed=self.gzipped)
        return data


_CAPPED_BUFFER = 1 << 16
#: Lines of nothing but these bytes are blank (what ``bytes.strip`` removes).
_BLANK_RUN = re.compile(rb"[ \t\r\n\x0b\x0c]*\n")


class _Capped(io.RawIOBase):
    """A decompressing stream that raises :class:`InputError` past ``limit`` bytes."""

    def __init__(self, inner: io.BufferedIOBase, limit: int, label: str) -> None:
        super().__init__()
        self._inner, self._limit, self._label, self._total = inner, limit, label, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._inner.readinto(buffer)
        self._total += n
        if self._total > self._limit:
            raise InputError(self._label, "file decompresses to more than the "
                                          f"{self._limit / _MB:g} MB limit for a compressed "
                                          "file (set EVIMAP_MAX_DECOMPRESSED_MB)")
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


def iter_lines(stream: io.BufferedIOBase, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, line)`` from 1, without the line break; None for a line over the limit.

    An over-long line is skipped in chunks, never held in memory whole (one of nothing but
    blanks is a blank line). The blank lines (nothing but spaces, tabs and line breaks)
    after a blank line are skipped in bulk, not yielded: readers take one blank line as
    they take several, and a file of millions of them (a decompression bomb) costs
    milliseconds, not minutes.
    """
    lineno = 0
    peek = getattr(stream, "peek", None)
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            blank = not line.strip()
            while (rest := stream.readline(_MB)) and not rest.endswith(b"\n"):
                blank = blank and not rest.strip()
            blank = blank and not rest.strip()
            yield lineno, (b"" if blank else None)
            if blank and peek is not None:
                lineno += _skip_blank_lines(stream, peek)
            continue
        line = line.rstrip(b"\r\n")
        yield lineno, line
        if peek is not None and not line.strip():
            lineno += _skip_blank_lines(stream, peek)


def _skip_blank_lines(stream: io.BufferedIOBase, peek: Callable[[int], bytes]) -> int:
    """Consume the whole blank lines at the stream's position; return how many."""
    skipped = 0
    while True:
        ahead = peek(_CAPPED_BUFFER)
        m = _BLANK_RUN.match(ahead)
        if m is None:
            return skipped
        skipped += ahead.count(b"\n", 0, m.end())
        stream.read(m.end())
        if m.end() < len(ahead):
            return skipped


def max_record_bytes(max_mb: float) -> int:
    """The size limit for one record of a stream, in bytes."""
    return int(max_mb * _MB)


def open_source(path: Path, max_decompressed_mb: float | None = None) -> Source:
    """Check that ``path`` is a readable regular file and describe it as a :class:`Source`
    (a gzip file may decompress to ``max_decompressed_mb`` at most)."""
    label = str(path)
    if not path.exists():
        raise InputError(label, "no such file")
    if not path.is_file():
        raise InputError(label, "not a regular file")
    try:
        with path.open("rb") as stream:
            magic = stream.read(2)
    except PermissionError:
        raise InputError(label, "permission denied") from None
    except OSError as exc:
        raise InputError(label, f"cannot be read ({exc.strerror or exc})") from None
    name = path.name.lower()
    gzipped = magic == _GZIP_MAGIC
    if gzipped and name.endswith(".gz"):
        name = name[:-3]
    elif name.endswith(".gz"):
        raise InputError(label, "named .gz but is not gzip-compressed")
    cap = int(max_decompressed_mb * _MB) if max_decompressed_mb is not None else None
    return Source(path, name, gzipped, cap)


def too_large(label: str, size: int, max_mb: float, *, decompressed: bool = False) -> InputError:
    """The error for a single document over the size limit."""
    limit = f"the {max_mb:g} MB limit for a single document (set EVIMAP_MAX_FILE_MB)"
    if decompressed:
        return InputError(label, f"file decompresses to more than {limit}")
    return InputError(label, f"file is {size / _MB:.1f} MB, over {limit}")


@contextmanager
def gzip_errors(source: Source) -> Iterator[None]:
    """Turn corrupt or truncated gzip data into :class:`InputError`."""
    try:
        yield
    except gzip.BadGzipFile as exc:
        raise InputError(source.label, f"corrupt gzip data ({exc})") from None
    except EOFError:
        raise InputError(source.label, "truncated gzip data (ends before its end marker)") \
            from None
    except zlib.error as exc:
        raise InputError(source.label, f"corrupt gzip data ({exc})") from None


class LineRecord(Protocol):
    """A record of a line-based stream as its splitter gathered it."""

    @property
    def first_line(self) -> int: ...

    @property
    def too_long(self) -> bool: ...


R = TypeVar("R", bound=LineRecord)


def read_line_records(source: Source, max_mb: float,
                      records: Callable[[Iterator[tuple[int, bytes | None]], int], Iterator[R]],
                      parse: Callable[[R, int], RawDocument]
                      ) -> Iterator[RawDocument | InputError]:
    """The documents of a line-based record stream (PubTator, MEDLINE): ``records`` splits
    the size-limited lines into records, ``parse(record, index)`` reads one. A record over
    the limit, or one ``parse`` rejects with :class:`RecordError`, is yielded as
    ``InputError("file:line", reason)`` and the stream goes on."""
    limit = max_record_bytes(max_mb)
    with gzip_errors(source), source.open() as stream:
        for index, record in enumerate(records(iter_lines(stream, limit), limit)):
            where = f"{source.label}:{record.first_line}"
            if record.too_long:
                yield InputError(where, f"record over the {max_mb:g} MB limit "
                                        "(set EVIMAP_MAX_FILE_MB)")
                continue
            try:
                yield parse(record, index)
            except RecordError as exc:
                yield InputError(where, str(exc))
