"""Stage 1, read: files in many formats to :class:`~evimap.model.RawDocument` records.

Public API:

- :func:`expand_paths`: files, folders and glob patterns to a sorted list of files, with an
  :class:`~evimap.errors.InputError` (not an exception) for each argument that matches nothing;
- :func:`read_file`: the documents of one file. A problem with the whole file raises
  ``InputError(path, reason)`` (while iterating); in record streams (PubMed XML, MEDLINE
  text, PubTator, BioC, JSONL) a bad record is *yielded* as ``InputError("file:line",
  reason)`` and the stream goes on;
- :data:`FORMATS`: the supported formats and their extensions (any of them may be ``.gz``);
- :func:`to_original` / :func:`from_original`: map text offsets through ``offset_map``.

A file's sidecar ``FILE.meta.json`` (the page's address and other metadata a scraper knew,
see :mod:`.sidecar`) is merged into the metadata of its documents.

Every reader is a pure function of the file's bytes and the settings.
"""

from __future__ import annotations

import errno
import glob
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings
from .bioc import read_bioc
from .decode import from_original, to_original
from .html import read_html
from .jats import read_jats
from .jsonl import read_jsonl
from .medline import read_medline
from .pdf import read_pdf
from .plaintext import read_text
from .pubmed import read_pubmed
from .pubtator import read_pubtator
from .sidecar import is_sidecar, read_sidecar
from .sniff import COMPRESSION_EXTENSIONS, FORMATS, FormatInfo, not_a_document, sniff_format
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
    "pdf": read_pdf,
    "medline": read_medline,
    "bioc": read_bioc,
}
#: The folder of a page saved "complete" (``Page.html`` + ``Page_files/``), by browser
#: language: the page is read, its assets are not.
_SAVED_PAGE_SUFFIXES = ("_files", "-files", "_archivos", "_arquivos", "_fichiers",
                        "-Dateien", "_bestanden", "_file")
_PAGE_EXTENSIONS = (".html", ".htm", ".xhtml", ".shtml", ".mhtml")


def read_file(path: Path, settings: Settings) -> Iterator[RawDocument | InputError]:
    """The documents in one file, its format sniffed from its name, then its content.

    Raises :class:`InputError` (when iteration starts, or mid-stream for a stream that
    breaks) for a problem with the whole file; yields :class:`InputError` for a bad record.
    """
    source = open_source(Path(path), settings.max_decompressed_mb)
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

    Folders are listed in sorted order without hidden files and folders (``.git``), files
    that are never documents (scripts, style sheets, images, fonts, media: see
    :data:`~.sniff.NOT_DOCUMENTS`) and the asset folder of a page saved "complete"
    (``Page_files/`` beside ``Page.html``). A file named explicitly is always listed (and
    one that is not a document is then an error when read). A path that matches nothing
    gives an :class:`InputError` in the second list; each file appears once, in the order
    first named.
    """
    files: list[Path] = []
    errors: list[InputError] = []
    seen: set[Path] = set()
    for arg in paths:
        unreadable: list[OSError] = []
        try:
            found = _expand_one(arg, unreadable)
        except OSError as exc:
            errors.append(InputError(arg, _os_reason(exc)))
            continue
        errors += [InputError(e.filename or arg, f"cannot read this folder "
                              f"({_os_reason(e)})") for e in unreadable]
        if not found and not unreadable:
            errors.append(InputError(arg, _nothing_found(arg)))
        for file in found:
            try:
                str(file).encode("utf-8")
            except UnicodeEncodeError:
                shown = os.fsencode(file).decode("utf-8", "backslashreplace")
                errors.append(InputError(shown, "the file name is not valid UTF-8 (rename "
                                         "the file)"))
                continue
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, errors


def _os_reason(exc: OSError) -> str:
    """An operating-system error in words ("permission denied")."""
    return (exc.strerror or str(exc)).lower()


def _expand_one(arg: str, unreadable: list[OSError]) -> list[Path]:
    """The files ``arg`` names; folders that cannot be listed go to ``unreadable``. Raises
    :class:`OSError` when ``arg`` itself cannot be examined (a folder above it unreadable)."""
    path = Path(arg)
    if _exists_strictly(path) and path.is_file():
        return [path]
    if path.is_dir():
        return _folder_files(path, unreadable)
    if _is_pattern(arg):
        matches = sorted(Path(m) for m in glob.glob(arg, recursive=True))
        return [f for m in matches
                for f in ([m] if m.is_file() else [] if _is_saved_page_assets(m)
                          else _folder_files(m, unreadable))]
    return []


def _exists_strictly(path: Path) -> bool:
    """Whether ``path`` exists; an error other than its absence (a folder on the way that
    cannot be read) is raised, not taken as absence."""
    try:
        path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return False                # reported as a loop by _nothing_found
        raise
    return True


def _is_pattern(arg: str) -> bool:
    return any(c in arg for c in "*?[")


def _folder_files(folder: Path, unreadable: list[OSError] | None = None) -> list[Path]:
    """Regular files under ``folder``, sorted, without hidden files or folders, sidecars
    (``*.meta.json``, read with the file they describe), files that are never documents
    and saved pages' asset folders; folders that cannot be listed go to ``unreadable``."""
    found = []
    onerror = unreadable.append if unreadable is not None else None
    for root, dirs, names in os.walk(folder, onerror=onerror):
        here = Path(root)
        dirs[:] = [d for d in dirs
                   if not d.startswith(".") and not _is_saved_page_assets(here / d)]
        for name in names:
            path = here / name
            if (not name.startswith(".") and path.is_file() and not is_sidecar(path)
                    and not not_a_document(name)):
                found.append(path)
    return sorted(found)


def _is_saved_page_assets(folder: Path) -> bool:
    """``Page_files/`` beside ``Page.html``: a browser's "Save page as, complete" assets."""
    for suffix in _SAVED_PAGE_SUFFIXES:
        if folder.name.endswith(suffix) and len(folder.name) > len(suffix):
            stem = folder.name[:-len(suffix)]
            if any((folder.parent / f"{stem}{ext}").is_file() for ext in _PAGE_EXTENSIONS):
                return True
    return False


def _nothing_found(arg: str) -> str:
    path = Path(arg)
    if path.is_dir():
        return "folder holds no files (hidden files are skipped)"
    if _is_pattern(arg):
        return "no files match this pattern"
    if path.exists():
        return "not a regular file"
    if path.is_symlink():
        try:
            path.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "a loop of symbolic links"
        return "a symbolic link to nothing (its target is missing)"
    return "no such file or directory"
