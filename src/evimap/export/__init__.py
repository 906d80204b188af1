"""Exports researchers use: the store's claims, statements, documents and mentions as files
other tools read.

* ``jsonl``, ``csv``, ``parquet`` (:mod:`.tabular`): claims (the default), statements,
  documents or mentions, one row each; parquet to a file only.
* ``graphml``, ``cytoscape`` (:mod:`.graph`): the statement graph, concepts as nodes and
  statements as edges.
* ``bioc``, ``pubtator`` (:mod:`.corpus`): documents with their entity mentions and, as
  relations, their claims; bioc to a file only.

Every row carries the source identifiers (PMID, DOI, PMCID, URL) its document's reader found
(:mod:`evimap.identifiers`). What is exported is chosen by a :class:`Selection` (concepts
already resolved by the library API), and a file is written atomically: to a temporary file
beside it, then renamed, so a reader never sees half an export. A request that cannot be
answered (an unknown format, parquet to stdout, a filter that does not apply) is an
:class:`~evimap.errors.EvimapError` before anything is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .. import vocab
from ..errors import EvimapError
from ..store import Store

#: What can be exported, in the order the help lists it.
WHATS = ("claims", "statements", "documents", "mentions")

#: The filters (Evimap.export's keyword arguments) and what each one filters.
FILTERS: dict[str, tuple[str, ...]] = {
    "about": WHATS,
    "subject": ("claims", "statements"),
    "object": ("claims", "statements"),
    "predicate": ("claims", "statements"),
    "design": ("claims", "statements"),
    "min_belief": ("statements",),
}


@dataclass(frozen=True)
class Format:
    """One export format: what it can export (the first is the default), whether it may go
    to a text stream, and a line of description."""

    name: str
    whats: tuple[str, ...]
    text: bool
    description: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("jsonl", WHATS, True, "one JSON object per line"),
    Format("csv", WHATS, True, "comma-separated values with a header line"),
    Format("parquet", WHATS, False, "Apache Parquet, written by DuckDB"),
    Format("graphml", ("statements",), True, "the statement graph as GraphML"),
    Format("cytoscape", ("statements",), True, "the statement graph as cytoscape.js JSON"),
    Format("bioc", ("documents",), False, "documents, mentions and relations as BioC XML"),
    Format("pubtator", ("documents",), True, "documents, mentions and relations as PubTator"),
)}


@dataclass(frozen=True)
class Selection:
    """Which rows to export; concept filters are MeSH IDs (a term may name several).

    ``about``: claims and statements with the concept as subject or object, documents that
    mention it, mentions of it; ``design``: the evidence design of a claim, the best design
    of a statement; ``min_belief``: statements at least this strong."""

    about: tuple[str, ...] | None = None
    subject: tuple[str, ...] | None = None
    object: tuple[str, ...] | None = None
    predicate: str | None = None
    design: str | None = None
    min_belief: float | None = None


@dataclass(frozen=True)
class Request:
    """A checked export request: the format and what it exports."""

    format: Format
    what: str


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: ``count`` rows (edges for a graph, documents for a corpus),
    ``nodes`` concepts for a graph, to ``path`` (None: the stream)."""

    format: str
    what: str
    count: int
    path: str | None
    nodes: int | None = None

    def summary(self) -> str:
        noun = self.what[:-1]
        text = f"{self.count} {noun}(s)"
        if self.nodes is not None:
            text += f" between {self.nodes} concept(s)"
        return text + (f" written to {self.path}" if self.path else "") + f" ({self.format})"

    def to_json(self) -> dict[str, object]:
        return {"format": self.format, "what": self.what, "count": self.count,
                "nodes": self.nodes, "path": self.path}


def plan(format: str, what: str | None = None, *, to_file: bool,
         filters: Iterable[str] = (), predicate: str | None = None,
         design: str | None = None) -> Request:
    """Check a request before anything is read or written; raises :class:`EvimapError`
    with one line saying what to change. ``filters`` names the filters given."""
    fmt = FORMATS.get((format or "").strip().lower())
    if fmt is None:
        raise EvimapError(f"unknown export format {format!r}; choose one of "
                          f"{', '.join(FORMATS)}")
    chosen = (what or fmt.whats[0]).strip().lower()
    if chosen not in WHATS:
        raise EvimapError(f"cannot export {what!r}; choose one of {', '.join(WHATS)}")
    if chosen not in fmt.whats:
        raise EvimapError(f"{fmt.name} exports {' or '.join(fmt.whats)} only, not {chosen} "
                          f"(use jsonl, csv or parquet for {chosen})")
    if not to_file and not fmt.text:
        raise EvimapError(f"{fmt.name} is written to a file only: give --out FILE")
    for name in filters:
        if chosen not in FILTERS[name]:
            flag = "--" + name.replace("_", "-")
            raise EvimapError(f"{flag} filters {' and '.join(FILTERS[name])}, not {chosen}")
    if predicate and predicate not in vocab.predicate_names():
        raise EvimapError(f"unknown predicate {predicate!r}; one of "
                          f"{', '.join(vocab.predicate_names())}")
    if design and design not in vocab.design_names():
        raise EvimapError(f"unknown design {design!r}; one of "
                          f"{', '.join(vocab.design_names())}")
    return Request(fmt, chosen)


def export(store: Store, request: Request, selection: Selection, out: Path | None = None,
           stream: TextIO | None = None) -> ExportResult:
    """Write ``request``'s rows of the store, as ``selection`` filters them, to the file
    ``out`` (atomically) or to ``stream``."""
    from . import corpus, graph, tabular

    name, what = request.format.name, request.what
    if out is None and stream is None:
        raise EvimapError("give an output file or a text stream to export to")
    nodes: int | None = None
    if name in ("parquet", "bioc"):
        assert out is not None              # plan() refuses these without a file
        write_file = tabular.write_parquet if name == "parquet" else corpus.write_bioc
        count = write_atomic(out, lambda tmp: write_file(store, what, selection, tmp))
    else:
        write_text: Callable[[Store, str, Selection, TextIO], tuple[int, int | None]] = {
            "jsonl": tabular.write_jsonl, "csv": tabular.write_csv,
            "graphml": graph.write_graphml, "cytoscape": graph.write_cytoscape,
            "pubtator": corpus.write_pubtator}[name]
        if out is None:
            assert stream is not None
            count, nodes = write_text(store, what, selection, stream)
        else:
            counts: list[int | None] = []

            def to_file(tmp: Path) -> int:
                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    n, k = write_text(store, what, selection, fh)
                counts.append(k)
                return n

            count = write_atomic(out, to_file)
            nodes = counts[0]
    return ExportResult(name, what, count, str(out) if out is not None else None, nodes)


def write_atomic(path: Path, write: Callable[[Path], int]) -> int:
    """Call ``write`` on a temporary file beside ``path``, then rename it to ``path``: the
    file appears whole or not at all (a failed write leaves no temporary file behind)."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise EvimapError(f"folder does not exist: {folder}")
    if path.is_dir():
        raise EvimapError(f"{path} is a folder; give a file name")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        result = write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result


def _umask() -> int:
    """The process's umask (read by setting it, then restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
