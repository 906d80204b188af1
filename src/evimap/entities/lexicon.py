"""The MeSH lexicon: every usable term -> one descriptor, compiled once and cached.

Sources, in order of authority: the curated ``supplement.tsv`` (shorthand MeSH lacks; a row
with UI ``-`` blocks a MeSH term that is ambiguous in running text, such as "aura"),
MeSH terms (preferred, entry, permuted and trade-name terms, plus un-inverted variants:
"Receptors, N-Methyl-D-Aspartate" -> "N-Methyl-D-Aspartate Receptors"), then brand names
and synonyms from ``drug-named-entity-recognition`` whose generic name resolves to a
descriptor here. Entity types come from MeSH trees (:mod:`evimap.entities.mesh`).

Each lookup key (:mod:`evimap.entities.keys`) maps to exactly one descriptor, chosen at
compile time by this priority: source (supplement > MeSH > brand), a term written as the
text is over one reached by the plural rule, descriptor preferred term > concept preferred
term > entry term, disease/chemical over mechanism/procedure, then the descriptor UI.

Precision filters: a term needs a letter; case-insensitive single words need four
characters; short all-caps terms are case-sensitive; terms in ``stoplist.tsv`` (derived
from BC5CDR Training by :mod:`evimap.entities.stoplist`) are dropped.

The compiled lexicon is a :mod:`marshal` file in ``settings.cache_dir`` named by a hash of
the sources' sizes and modification times, the packaged TSVs and :data:`LEXICON_VERSION`,
so a changed source compiles a new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from evimap.model import Concept
from evimap.settings import Settings

from . import brands, mesh
from .keys import exact_key, folded_key, is_case_sensitive, prepare, token_spans, word_form

#: Bump when the compiled format or the compile rules change.
LEXICON_VERSION = 10

SOURCES: tuple[str, ...] = ("supplement", "mesh", "brand", "drugbank")
SUPPLEMENT_FILE = "supplement.tsv"
#: UI of a supplement row that blocks a term instead of adding it.
BLOCKED = "-"
STOPLIST_FILE = "stoplist.tsv"
#: Terms longer than this (systematic chemical names) never match running text.
MAX_TERM_TOKENS = 12
MAX_SYNONYMS = 8

_QUALIFIED = re.compile(r"^(.+?) \(([^()]+)\)$")

#: (concept index, source index)
Entry = tuple[int, int]
#: (source rank, inflected, term rank, type rank, ui)
_Rank = tuple[int, bool, int, int, str]

log = logging.getLogger(__name__)


class Lexicon:
    """A compiled lexicon: lookup tables for the matcher and concept lookups for callers."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self._concepts: list[tuple[str, str, str, str]] = payload["concepts"]
        self._index: dict[str, int] = {c[0]: i for i, c in enumerate(self._concepts)}
        #: key -> entry, case-insensitive and case-sensitive; first word -> longest key (tokens)
        self.folded: dict[str, Entry] = payload["folded"]
        self.exact: dict[str, Entry] = payload["exact"]
        self.folded_span: dict[str, int] = payload["folded_span"]
        self.exact_span: dict[str, int] = payload["exact_span"]
        self._synonyms: dict[str, list[str]] = payload["synonyms"]
        self._trees: dict[str, list[str]] = payload.get("trees", {})
        self._prefixes: tuple[frozenset[str], frozenset[str]] | None = None

    def __len__(self) -> int:
        return len(self.folded) + len(self.exact)

    @property
    def prefixes(self) -> tuple[frozenset[str], frozenset[str]]:
        """The proper word prefixes of the (folded, exact) keys ("acute kidney" of "acute
        kidney injury"): the matcher stops lengthening a candidate whose words start no key.
        Derived from the keys on first use."""
        if self._prefixes is None:
            self._prefixes = (_proper_prefixes(self.folded), _proper_prefixes(self.exact))
        return self._prefixes

    @property
    def concept_count(self) -> int:
        return len(self._concepts)

    def concept_at(self, index: int) -> Concept:
        """A fresh :class:`Concept` for a concept index of an entry."""
        ui, name, type_, _ = self._concepts[index]
        return Concept(ui, name, type_, tuple(self._trees.get(ui, ())))

    def concept(self, ui: str) -> Concept:
        """The concept of a descriptor UI; :class:`KeyError` when it is not in the lexicon."""
        try:
            return self.concept_at(self._index[ui])
        except KeyError:
            raise KeyError(f"{ui} is not a concept of the lexicon") from None

    def category(self, ui: str) -> str:
        """Finer class of a concept: ligand, receptor, channel, transporter, enzyme, process
        for mechanisms; the type itself otherwise."""
        return self._concepts[self._index[ui]][3]

    def synonyms(self, ui: str) -> list[str]:
        """A few names of a concept, the preferred name first."""
        return list(self._synonyms.get(ui, []))

    def entry(self, name: str) -> Entry | None:
        """The entry a name resolves to (case-sensitive abbreviations first)."""
        text = prepare(name.strip())
        toks = [text[s:e] for s, e in token_spans(text)]
        if not toks:
            return None
        found = self.exact.get(exact_key(toks))
        if found is None:
            found = self.folded.get(folded_key([word_form(t) for t in toks]))
        return found

    def lookup(self, name: str) -> Concept | None:
        """The concept a name or synonym denotes (``ketamine``, ``Provigil``, ``D007649``)."""
        if name.strip() in self._index:
            return self.concept(name.strip())
        found = self.entry(name)
        return None if found is None else self.concept_at(found[0])

    def source(self, entry: Entry) -> str:
        return SOURCES[entry[1]]


def _proper_prefixes(keys: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for key in keys:
        if " " in key:
            words = key.split(" ")
            out.update(" ".join(words[:k]) for k in range(1, len(words)))
    return frozenset(out)


# --- compiling ------------------------------------------------------------------------------

class _Compiler:
    """Collects candidate (term, descriptor) pairs and keeps the best one per key."""

    def __init__(self, types: dict[str, tuple[str, str]], blocked: set[str]) -> None:
        self.types = types
        self.blocked = {_folded(name) for name in blocked}
        self.best: dict[tuple[bool, str], tuple[_Rank, str, int]] = {}

    def add(self, term: str, ui: str, source: str, rank: int) -> None:
        if ui not in self.types or not _usable(term):
            return
        text = prepare(term)
        toks = [text[s:e] for s, e in token_spans(text)]
        if not toks or len(toks) > MAX_TERM_TOKENS:
            return
        if is_case_sensitive(term):
            key, inflected, cs = exact_key(toks), False, True
        else:
            words = [word_form(t) for t in toks]
            key, cs = folded_key(words), False
            inflected = key != " ".join(words)
            if key in self.blocked:
                return
        type_rank = 0 if self.types[ui][0] in ("disease", "chemical") else 1
        candidate: _Rank = (SOURCES.index(source), inflected, rank, type_rank, ui)
        current = self.best.get((cs, key))
        if current is None or candidate < current[0]:
            self.best[(cs, key)] = (candidate, ui, SOURCES.index(source))

    def resolve(self, name: str) -> str | None:
        """The descriptor a (generic drug) name resolves to among MeSH terms added so far."""
        found = self.best.get((False, _folded(name)))
        return found[1] if found else None


def _folded(name: str) -> str:
    """The case-insensitive key of a name."""
    text = prepare(name)
    return folded_key([word_form(text[s:e]) for s, e in token_spans(text)])


def _usable(term: str) -> bool:
    """Whether a term can be matched with fair precision."""
    letters = sum(ch.isalpha() for ch in term)
    if letters == 0:
        return False
    if is_case_sensitive(term):
        return len(term) >= 2
    return letters >= 3 and (" " in term.strip() or len(term.strip()) >= 4)


def variants(term: str) -> Iterator[str]:
    """A MeSH term and the forms it takes in running text."""
    yield term
    if term.count(", ") == 1:
        head, modifier = term.split(", ")
        if not modifier.startswith("("):
            yield f"{modifier} {head}"
    qualified = _QUALIFIED.match(term)
    if qualified and is_case_sensitive(qualified.group(1)):
        yield qualified.group(1)          # "MS (Multiple Sclerosis)" -> "MS"


def read_package_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a TSV shipped in this package (header line, '#' comments allowed)."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        return []
    header = lines[0].split("\t")
    return [dict(zip(header, ln.split("\t"), strict=False)) for ln in lines[1:]]


def read_stoplist() -> set[tuple[bool, str]]:
    """(case-sensitive, key) pairs dropped from the lexicon."""
    return {(row["cs"] == "1", row["key"]) for row in read_package_tsv(STOPLIST_FILE)}


def compile_lexicon(mesh_dir: Path, stoplist: Iterable[tuple[bool, str]] | None = None,
                    with_brands: bool = True) -> Lexicon:
    """Compile the lexicon in memory (``stoplist`` None: the packaged one)."""
    return Lexicon(compile_payload(mesh_dir, stoplist, with_brands))


def compile_payload(mesh_dir: Path, stoplist: Iterable[tuple[bool, str]] | None = None,
                    with_brands: bool = True) -> dict[str, Any]:
    """The marshal-able tables of the lexicon (see :func:`compile_lexicon`)."""
    data = mesh.read_mesh(mesh_dir)
    ligand_uis = mesh.ligands(data)
    types: dict[str, tuple[str, str]] = {}
    for ui in data.names:
        typed = mesh.classify(ui, data, ligand_uis)
        if typed:
            types[ui] = typed
    supplement = read_package_tsv(SUPPLEMENT_FILE)
    blocked = {row["term"] for row in supplement if row["ui"] == BLOCKED}
    supplement = [row for row in supplement if row["ui"] != BLOCKED]
    for row in supplement:
        types.setdefault(row["ui"], (row["type"], row["type"]))
    compiler = _Compiler(types, blocked)
    for row in supplement:
        compiler.add(row["term"], row["ui"], "supplement", 0)
    for term_row in data.terms:
        for variant in variants(term_row.term):
            compiler.add(variant, term_row.ui, "mesh", term_row.rank)
    brand_synonyms: dict[str, list[str]] = defaultdict(list)
    if with_brands:
        for variant, generic in brands.brand_names():
            resolved = compiler.resolve(generic)
            if resolved and types[resolved][0] in ("chemical", "mechanism"):
                compiler.add(variant, resolved, "brand", 2)
                brand_synonyms[resolved].append(variant)
        _add_drugbank(compiler, types, data.names)
    stop = read_stoplist() if stoplist is None else set(stoplist)
    return _payload(data, types, compiler, stop, brand_synonyms)


def extend_payload(payload: dict[str, Any], data: mesh.MeshData,
                   types: dict[str, tuple[str, str]],
                   terms: Iterable[tuple[str, str]] = (),
                   stoplist: Iterable[tuple[bool, str]] | None = None) -> dict[str, Any]:
    """A compiled lexicon's tables (``payload``, left unchanged) with the MeSH terms of more
    descriptors (``types``: UI -> (type, category); those already in the lexicon are left
    out) and more ``(term, UI)`` pairs for them, ranked as supplement rows, added on the keys
    the lexicon does not hold; the stop list applies to them too. Discovery's concept index
    reads the result (:mod:`evimap.discover.index`)."""
    known = {c[0] for c in payload["concepts"]}
    types = {ui: t for ui, t in types.items() if ui not in known}
    compiler = _Compiler(types, set())
    for term, ui in terms:
        compiler.add(term, ui, "supplement", 0)
    for term_row in data.terms:
        if term_row.ui in types:
            for variant in variants(term_row.term):
                compiler.add(variant, term_row.ui, "mesh", term_row.rank)
    stop = read_stoplist() if stoplist is None else set(stoplist)
    out = {**payload, "concepts": list(payload["concepts"]), "folded": dict(payload["folded"]),
           "exact": dict(payload["exact"]), "folded_span": dict(payload["folded_span"]),
           "exact_span": dict(payload["exact_span"]), "synonyms": dict(payload["synonyms"]),
           "trees": dict(payload.get("trees", {}))}
    index: dict[str, int] = {}
    for (cs, key), (_, ui, source) in sorted(compiler.best.items()):
        table, span = (out["exact"], out["exact_span"]) if cs else (out["folded"],
                                                                    out["folded_span"])
        if (cs, key) in stop or key in table:
            continue
        if ui not in index:
            index[ui] = len(out["concepts"])
            out["concepts"].append((ui, data.names.get(ui, ui), *types[ui]))
            out["trees"][ui] = sorted(data.trees.get(ui, []))
        table[key] = (index[ui], source)
        words = key.split(" ")
        span[words[0]] = max(span.get(words[0], 0), len(words))
    out["synonyms"].update(_synonyms(data, {ui: types[ui] for ui in index}, {}))
    return out


#: Shortest DrugBank generic name matched in text (shorter ones are mostly abbreviations).
MIN_DRUGBANK_NAME = 5


def _add_drugbank(compiler: _Compiler, types: dict[str, tuple[str, str]],
                  names: dict[str, str]) -> None:
    """Drugs MeSH's descriptors lack (biologics, recent drugs: erenumab, galcanezumab), as
    concepts identified by their DrugBank ID, with their brand names; a generic whose name
    or any variant MeSH already resolves is MeSH's."""
    for db_id, name, variants in brands.drugbank_generics():
        if len(name) < MIN_DRUGBANK_NAME:
            continue
        known = next((ui for v in [name, *variants] for ui in [compiler.resolve(v)] if ui), None)
        if known is not None:
            # MeSH has the drug under another name (ubidecarenone is Ubiquinone): its
            # variants (CoQ10) name the MeSH concept
            if types[known][0] == "chemical":
                for variant in variants:
                    if len(variant) >= MIN_DRUGBANK_NAME:
                        compiler.add(variant, known, "drugbank", 3)
            continue
        types[db_id] = ("chemical", "chemical")
        names[db_id] = name
        for variant in variants:
            if len(variant) >= MIN_DRUGBANK_NAME:
                compiler.add(variant, db_id, "drugbank", 3)


def _payload(data: mesh.MeshData, types: dict[str, tuple[str, str]], compiler: _Compiler,
             stop: set[tuple[bool, str]], brand_synonyms: dict[str, list[str]]
             ) -> dict[str, Any]:
    """The marshal-able tables of a compiled lexicon."""
    uis = sorted(types)
    index = {ui: i for i, ui in enumerate(uis)}
    concepts = [(ui, data.names.get(ui, ui), types[ui][0], types[ui][1]) for ui in uis]
    folded: dict[str, Entry] = {}
    exact: dict[str, Entry] = {}
    folded_span: dict[str, int] = {}
    exact_span: dict[str, int] = {}
    for (cs, key), (_, ui, source) in sorted(compiler.best.items()):
        if (cs, key) in stop:
            continue
        table, span = (exact, exact_span) if cs else (folded, folded_span)
        table[key] = (index[ui], source)
        words = key.split(" ")
        span[words[0]] = max(span.get(words[0], 0), len(words))
    return {
        "version": LEXICON_VERSION, "concepts": concepts, "folded": folded, "exact": exact,
        "folded_span": folded_span, "exact_span": exact_span,
        "synonyms": _synonyms(data, types, brand_synonyms),
        "trees": {ui: sorted(data.trees[ui]) for ui in uis if data.trees.get(ui)},
    }


def _synonyms(data: mesh.MeshData, types: dict[str, tuple[str, str]],
              brand_synonyms: dict[str, list[str]]) -> dict[str, list[str]]:
    """A few readable names per concept: preferred, then short entry terms, then brands."""
    by_ui: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for row in data.terms:
        if row.ui in types and not row.permuted and ", " not in row.term:
            by_ui[row.ui].append((row.rank, len(row.term), row.term))
    out: dict[str, list[str]] = {}
    for ui in types:
        names = [data.names.get(ui, ui)]
        seen = {names[0].lower()}
        for _, _, term in sorted(by_ui.get(ui, [])):
            if term.lower() not in seen and len(names) < MAX_SYNONYMS:
                names.append(term)
                seen.add(term.lower())
        for brand in brand_synonyms.get(ui, [])[:2]:
            if brand not in seen:
                names.append(brand.title())
                seen.add(brand)
        out[ui] = names
    return out


# --- cache ----------------------------------------------------------------------------------

def _fingerprint(mesh_dir: Path) -> str:
    """Hash of everything a compiled lexicon depends on: the bytes of its sources (so a
    copy of the data, with new times, finds the same build), not where they are."""
    h = hashlib.sha256(f"{LEXICON_VERSION}|{sys.version_info[:2]}".encode())
    files = [*mesh.source_files(mesh_dir)]
    drug_dict = brands.dictionary_path()
    if drug_dict is not None:
        files.append(drug_dict)
    for path in files:
        h.update(f"|{path.name}:".encode())
        with path.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):  # type: ignore[misc]
                h.update(chunk)
    for name in (SUPPLEMENT_FILE, STOPLIST_FILE):
        h.update(resources.files(__package__).joinpath(name).read_bytes())
    return h.hexdigest()[:16]


#: Compiled lexicons kept in a cache folder (several installs or data copies may share it);
#: the least recently used beyond these are removed.
KEEP_BUILDS = 4


def lexicon_path(settings: Settings) -> Path:
    """Where the lexicon compiled from the current sources lives (it may not exist yet)."""
    return Path(settings.cache_dir) / f"lexicon-{_fingerprint(settings.mesh_path)}.marshal"


def build_lexicon(settings: Settings) -> Path:
    """Compile the lexicon into ``settings.cache_dir`` and return the file's path.

    Raises :class:`~evimap.errors.ConfigError` (from ``settings.mesh_path``) when the MeSH
    files are missing. Beyond ``KEEP_BUILDS`` lexicons, the least recently used are removed.
    """
    path = lexicon_path(settings)
    log.info("compiling the MeSH lexicon into %s (once for these sources; about a "
             "minute)...", path.parent)
    payload = compile_payload(settings.mesh_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lexicon-", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        marshal.dump(payload, handle)
    os.replace(tmp, path)
    builds = sorted(path.parent.glob("lexicon-*.marshal"), key=lambda p: p.stat().st_mtime,
                    reverse=True)
    for stale in builds[KEEP_BUILDS:]:
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def load_lexicon(settings: Settings) -> Lexicon:
    """The cached lexicon for the current sources, compiled first when missing or unreadable."""
    path = lexicon_path(settings)
    if path.is_file():
        try:
            payload = marshal.loads(path.read_bytes())
        except (EOFError, ValueError, TypeError):
            payload = None
        if isinstance(payload, dict) and payload.get("version") == LEXICON_VERSION:
            with contextlib.suppress(OSError):     # recently used: kept when others come
                os.utime(path)
            return Lexicon(payload)
    return Lexicon(marshal.loads(build_lexicon(settings).read_bytes()))
