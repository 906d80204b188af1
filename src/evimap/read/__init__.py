"""Stage 1, read: files in many formats to :class:`~evimap.model.RawDocument` records.

Public API:

- :func:`expand_paths`: files, folders and glob patterns to a sorted list of files, with an
  :class:`~evimap.errors.InputError` (not an exception) for each argument that matches nothing;
- :func:`read_file`: the documents of one file. A problem with the whole file raises
  ``InputError(path, reason)`` (while iterating); in record streams (PubMed XML, PubTator,
  JSONL) a bad record is *yielded* as ``InputError("file:line", reason)`` and the stream goes on;
- :data:`FORMATS`: the supported formats and their extensions (any of them may be ``.gz``);
- :func:`to_original` / :func:`from_original`: map text offsets through ``offset_map``.

A file's sidecar ``FILE.meta.json`` (the page's address and other metadata a scraper knew,
see :mod:`.sidecar`) is merged into the metadata of its documents.

Every reader is a pure function of the file's bytes and the settings.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings
from .decode import from_original, to_original
from .html import read_html
from .jats import read_jats
from .jsonl import read_jsonl
from .plaintext import read_text
from .pubmed import read_pubmed
from .pubtator import read_pubtator
from .sidecar import is_sidecar, read_sidecar
from .sniff import COMPRESSION_EXTENSIONS, FORMATS, FormatInfo, sniff_format
from .source import Source, open_source

__all__ = [
    "COMPRESSION_EXTENSIONS", "FORMATS", "FormatInfo", "expand_paths", "from_original",
    "read_file", "to_original",
]

Reader = Callable[[Source, Settings], Iterator[RawDocument | InputError]]

_READERS: dict[str, Reader] = {
    "text": read_text,
    "html": read_html,
    "pubmed": read_pubmed,
    "jats": read_jats,
    "pubtator": read_pubtator,
    "jsonl": read_jsonl,
}


def read_file(path: Path, settings: Settings) -> Iterator[RawDocument | InputError]:
    """The documents in one file, its format sniffed from its name, then its content.

    Raises :class:`InputError` (when iteration starts, or mid-stream for a stream that
    breaks) for a problem with the whole file; yields :class:`InputError` for a bad record.
    """
    source = open_source(Path(path))
    reader = _READERS[sniff_format(source)]
    try:
        extra = read_sidecar(Path(path))
    except InputError as exc:     # the file is still read, without its sidecar
        extra = {}
        yield exc
    for doc in reader(source, settings):
        if extra and isinstance(doc, RawDocument):
            doc.metadata.update({k: v for k, v in extra.items() if k not in doc.metadata})
        yield doc


def expand_paths(paths: Sequence[str]) -> tuple[list[Path], list[InputError]]:
    """Files named by ``paths``: files as given, folders recursively, glob patterns expanded.

    Folders are listed in sorted order and hidden files and folders (``.git``) are skipped.
    A path that matches nothing gives an :class:`InputError` in the second list; each file
    appears once, in the order first named.
    """
    files: list[Path] = []
    errors: list[InputError] = []
    seen: set[Path] = set()
    for arg in paths:
        found = _expand_one(arg)
        if not found:
            errors.append(InputError(arg, _nothing_found(arg)))
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, errors


def _expand_one(arg: str) -> list[Path]:
    path = Path(arg)
    if path.is_file():
        return [path]
    if path.is_dir():
        return _folder_files(path)
    if _is_pattern(arg):
        matches = sorted(Path(m) for m in glob.glob(arg, recursive=True))
        return [f for m in matches for f in ([m] if m.is_file() else _folder_files(m))]
    return []


def _is_pattern(arg: str) -> bool:
    return any(c in arg for c in "*?[")


def _folder_files(folder: Path) -> list[Path]:
    """Regular files under ``folder``, sorted, without hidden files or folders and without
    sidecars (``*.meta.json``, read with the file they describe)."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not is_sidecar(p)
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _nothing_found(arg: str) -> str:
    path = Path(arg)
    if path.is_dir():
        return "folder holds no files (hidden files are skipped)"
    if _is_pattern(arg):
        return "no files match this pattern"
    if path.exists():
        return "not a regular file"
    return "no such file or directory"
