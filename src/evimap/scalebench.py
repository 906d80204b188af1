"""Scale benchmark pieces (issue 12): a baseline-style corpus, a grown store, lookup latency.

Three functions, each usable alone:

- :func:`build_corpus` writes real abstracts from the reference data (BioRED, BC5CDR, NCBI
  Disease, the LBD PubMed records, Evidence Inference) as PubMed baseline files
  ``pubmed26nXXXX.xml.gz``, repeated under new PMIDs up to the size asked for;
- :func:`grow_store` replicates the documents, works, segments, mentions, claims and evidence
  of an ingested store in DuckDB SQL until it holds a target number of claims, then rebuilds
  the statements with :func:`evimap.assemble.rebuild`;
- :func:`lookup_latency` times the library lookups a user makes (``evidence``,
  ``statement``, ``list_statements``) on a store as it is.

Until ``evimap bench scale`` wires them, run them like this (on 2 busy cores: the corpus 5 s,
the ingest of its first 2,000 documents 45 s, growing to a million claims 2.5-3.5 minutes of
which the statement rebuild and the claims' lookup table are 45 s, the lookups 30 s)::

    .venv/bin/python -c "
    import json; from pathlib import Path; from evimap.scalebench import build_corpus
    print(json.dumps(build_corpus(Path('../shared/data'), Path('/tmp/scale-corpus'))))"
    .venv/bin/evimap --db /tmp/scale.duckdb ingest --jobs 2 /tmp/scale-corpus/pubmed26n0001.xml.gz
    .venv/bin/python -c "
    import json; from pathlib import Path; from evimap.api import Evimap
    from evimap.scalebench import grow_store, lookup_latency
    print(json.dumps(grow_store(Path('/tmp/scale.duckdb'), 1_000_000)))
    with Evimap('/tmp/scale.duckdb', create=False) as ev:
        print(json.dumps(lookup_latency(ev)))"

What the copies are. A corpus copy is a real record under PMID ``90000000 + k`` with the
keyword ``evimap-scalebench copy R of PMID P``: same title and abstract (so the ingest finds it
an exact copy and puts it in the original's work), a different document (its keyword line
differs). A grown store's replica of a document is a new document in a new work (its content
hash is replaced too, so no two replicas are copies of each other); claim ids follow the
store's rule (a hash of document, offsets, subject, predicate, object, negation), statement
keys are kept, so statements gather the replicas' claims. Document and work ids of replicas
are hashes of the original id and the round, not of their content, and the dedup indexes
(``minhash``, ``lsh_bands``, ``shingle_sketch``, ``copy_pairs``) are not replicated: a grown
store is for reading, not for more ingest.
"""

from __future__ import annotations

import gzip
import math
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from .assemble import rebuild
from .errors import EvimapError, InputError
from .model import RawDocument
from .read import read_file
from .read.decode import clean_fragment
from .settings import Settings, load_settings
from .store import open_store

if TYPE_CHECKING:
    from .api import Evimap

__all__ = ["COPY_MARKER", "COPY_PMID_BASE", "EI_PMID_BASE", "SOURCES", "CorpusRecord",
           "build_corpus", "copy_record", "corpus_records", "grow_store",
           "lookup_latency", "real_records"]

#: The sources read, in the order their records are interleaved (the first source holding
#: a PMID keeps it): PubTator corpora first, then PubMed XML, then Evidence Inference.
SOURCES: tuple[str, ...] = ("bc5cdr", "biored", "ncbi_disease", "lbd", "evidence_inference")
_PUBTATOR_FILES: dict[str, tuple[str, ...]] = {
    "bc5cdr": ("bc5cdr/CDR_TrainingSet.PubTator.txt", "bc5cdr/CDR_DevelopmentSet.PubTator.txt"),
    "biored": ("biored/Train.PubTator", "biored/Dev.PubTator"),
    "ncbi_disease": ("ncbi-disease/NCBItrainset_corpus.txt",),
}
_LBD_FILES = ("lbd/fish_oil.xml.gz", "lbd/raynaud.xml.gz")
_EVIDENCE_INFERENCE = "evidence-inference/abstracts"
#: Evidence Inference abstracts have a PMC id and no PMID: theirs is this plus the PMC number.
EI_PMID_BASE = 80_000_000
#: Copy ``k`` (0, 1, ...) of a real record has PMID ``COPY_PMID_BASE + k``.
COPY_PMID_BASE = 90_000_000
#: The keyword that marks a copy: ``evimap-scalebench copy 2 of PMID 227508``.
COPY_MARKER = "evimap-scalebench copy"
#: Baseline file names: ``pubmed26n0001.xml.gz``, ...
FILE_PATTERN = "pubmed26n{:04d}.xml.gz"
_DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN"'
            ' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')
#: Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, surrogates, FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EI_HEADING = re.compile(r"^ABSTRACT(?:\.([^:]*))?:+\s*(.*)$")
_INITIALS = re.compile(r"^[A-Z]{1,4}$")
#: A MeSH UI, which :meth:`evimap.api.Evimap.resolve` looks up directly.
_MESH_ID = re.compile(r"^[CD]\d{6,9}$")


@dataclass(frozen=True)
class CorpusRecord:
    """One abstract of the corpus as it is written (and as the PubMed reader reads it back:
    its title, and each section as ``"LABEL: text"`` or ``text``)."""

    source: str
    pmid: str
    title: str
    sections: tuple[tuple[str, str], ...]       # (label or "", text)
    year: int | None = None
    journal: str = ""
    authors: tuple[str, ...] = ()               # "Last Initials" or a collective name
    publication_types: tuple[str, ...] = ()
    pmcid: str = ""
    keywords: tuple[str, ...] = ()
    copy_of: str = ""                           # the real PMID a copy repeats

    @property
    def abstract_blocks(self) -> list[str]:
        """The abstract paragraphs the PubMed reader makes of the sections."""
        return [f"{label}: {text}" if label else text for label, text in self.sections]


# --- the corpus ----------------------------------------------------------------------------

def build_corpus(data_dir: Path, out_dir: Path, n_docs: int = 20000, per_file: int = 2000,
                 *, per_source: int | None = None, settings: Settings | None = None
                 ) -> dict[str, Any]:
    """Write ``n_docs`` abstracts as PubMed baseline files ``out_dir/pubmed26nXXXX.xml.gz``.

    The real records of :data:`SOURCES` come first, interleaved source by source, each PMID
    once; when they number fewer than ``n_docs`` they are repeated in the same order as
    copies (see the module docstring). ``per_source`` caps the records taken from each source
    (tests). Records that fail to read, lack a title or an abstract, or repeat a PMID are
    skipped and counted. The files are the same bytes on every run (gzip mtime 0, no name).
    Returns the counts per source, the files written and the seconds taken.
    """
    if n_docs < 1 or per_file < 1:
        raise EvimapError("n_docs and per_file must be at least 1")
    started = time.perf_counter()
    settings = settings or load_settings(data_dir=str(data_dir))
    records, sources = real_records(Path(data_dir), settings, per_source)
    if not records:
        raise EvimapError(f"{data_dir}: no abstracts found in {', '.join(SOURCES)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    n_bytes = 0
    chunk: list[CorpusRecord] = []
    for record in corpus_records(records, n_docs):
        chunk.append(record)
        if len(chunk) == per_file:
            n_bytes += _write_file(out_dir / FILE_PATTERN.format(len(files) + 1), chunk)
            files.append(FILE_PATTERN.format(len(files) + 1))
            chunk = []
    if chunk:
        n_bytes += _write_file(out_dir / FILE_PATTERN.format(len(files) + 1), chunk)
        files.append(FILE_PATTERN.format(len(files) + 1))
    return {"out_dir": str(out_dir), "n_docs": n_docs, "real": len(records),
            "copies": max(0, n_docs - len(records)), "files": files, "bytes": n_bytes,
            "sources": sources, "seconds": round(time.perf_counter() - started, 2)}


def corpus_records(real: Sequence[CorpusRecord], n_docs: int) -> Iterator[CorpusRecord]:
    """The first ``n_docs`` records of the corpus: ``real`` in order, then copies of it."""
    for k in range(n_docs):
        if k < len(real):
            yield real[k]
        else:
            c = k - len(real)
            yield copy_record(real[c % len(real)], c, c // len(real) + 1)


def copy_record(record: CorpusRecord, k: int, round_: int) -> CorpusRecord:
    """Copy ``k`` of a real record, made in round ``round_`` (1 for the first pass)."""
    marker = f"{COPY_MARKER} {round_} of PMID {record.pmid}"
    return replace(record, pmid=str(COPY_PMID_BASE + k), keywords=(*record.keywords, marker),
                   copy_of=record.pmid)


def real_records(data_dir: Path, settings: Settings, per_source: int | None = None
                 ) -> tuple[list[CorpusRecord], dict[str, dict[str, int]]]:
    """The real records of every source, interleaved, each PMID once, and counts per source
    (``read``, ``used``, ``skipped_error``, ``skipped_no_abstract``, ``duplicate_pmid``,
    ``missing_files``)."""
    per: dict[str, list[CorpusRecord]] = {}
    counts: dict[str, Counts] = {}
    for name in SOURCES:
        counts[name] = Counts()
        found: list[CorpusRecord] = []
        for record in _source_records(name, data_dir, settings, counts[name]):
            if per_source is not None and len(found) >= per_source:
                break
            found.append(record)
        per[name] = found
    out: list[CorpusRecord] = []
    seen: set[str] = set()
    for i in range(max(len(v) for v in per.values())):
        for name in SOURCES:
            if i < len(per[name]):
                record = per[name][i]
                if record.pmid in seen:
                    counts[name].duplicate_pmid += 1
                    continue
                seen.add(record.pmid)
                counts[name].used += 1
                out.append(record)
    return out, {name: vars(c) for name, c in counts.items()}


class Counts:
    """What happened to the records of one source."""

    def __init__(self) -> None:
        self.read = 0
        self.used = 0
        self.skipped_error = 0
        self.skipped_no_abstract = 0
        self.duplicate_pmid = 0
        self.missing_files = 0


def _source_records(name: str, data_dir: Path, settings: Settings, counts: Counts
                    ) -> Iterator[CorpusRecord]:
    if name in _PUBTATOR_FILES:
        return _pubtator_records(data_dir, name, _PUBTATOR_FILES[name], settings, counts)
    if name == "lbd":
        return _pubmed_records(data_dir, _LBD_FILES, settings, counts)
    return _ei_records(data_dir, settings, counts)


def _documents(paths: Sequence[Path], settings: Settings, counts: Counts
               ) -> Iterator[RawDocument]:
    """The documents of the files that exist; errors (a file, a record) are counted."""
    for path in paths:
        if not path.is_file():
            counts.missing_files += 1
            continue
        try:
            for doc in read_file(path, settings):
                if isinstance(doc, InputError):
                    counts.skipped_error += 1
                else:
                    counts.read += 1
                    yield doc
        except InputError:
            counts.skipped_error += 1


def _pubtator_records(data_dir: Path, source: str, files: Sequence[str],
                      settings: Settings, counts: Counts) -> Iterator[CorpusRecord]:
    for doc in _documents([data_dir / f for f in files], settings, counts):
        abstract = [doc.text[b.start:b.end] for b in doc.blocks if b.hint == "abstract"]
        record = _record(counts, source, doc.metadata.get("pmid", ""), doc.title or "",
                         [("", a) for a in abstract])
        if record is not None:
            yield record


def _pubmed_records(data_dir: Path, files: Sequence[str], settings: Settings,
                    counts: Counts) -> Iterator[CorpusRecord]:
    for doc in _documents([data_dir / f for f in files], settings, counts):
        sections = []
        for b in doc.blocks:
            if b.hint == "abstract":
                text = doc.text[b.start:b.end]
                if b.label and text.startswith(f"{b.label}: "):
                    text = text[len(b.label) + 2:]
                sections.append((b.label, text))
        m = doc.metadata
        record = _record(counts, "lbd", m.get("pmid", ""), doc.title or "", sections,
                         year=m.get("year"), journal=m.get("journal", ""),
                         authors=tuple(m.get("authors", ())),
                         publication_types=tuple(m.get("publication_types", ())),
                         pmcid=m.get("pmcid", ""))
        if record is not None:
            yield record


def _ei_records(data_dir: Path, settings: Settings, counts: Counts
                ) -> Iterator[CorpusRecord]:
    """Evidence Inference ``.abst`` files (read as text by evimap): "TITLE:" then sections
    headed "ABSTRACT.RESULTS:" (sometimes "::")."""
    folder = data_dir / _EVIDENCE_INFERENCE
    paths = sorted(folder.glob("PMC*.abst"), key=lambda p: int(p.stem[3:] or 0))
    if not paths:
        counts.missing_files += 1
    for doc in _documents(paths, settings, counts):
        pmcid = Path(doc.path).stem
        title, sections = _ei_sections(doc.text)
        record = _record(counts, "evidence_inference", str(EI_PMID_BASE + int(pmcid[3:])),
                         title, sections, pmcid=pmcid)
        if record is not None:
            yield record


def _ei_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    title: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if line == "TITLE:":
            current = title
        elif m := _EI_HEADING.match(line):
            label = (m.group(1) or "").strip().upper()
            sections.append(("" if label == "ABSTRACT" else label, [m.group(2)]))
            current = sections[-1][1]
        elif not line:
            if current is title and title:      # the title ends at a blank line; text
                sections.append(("", []))       # after it without a heading is the abstract
                current = sections[-1][1]
        elif current is not None:
            current.append(line)
    return " ".join(title), [(label, " ".join(parts)) for label, parts in sections]


def _record(counts: Counts, source: str, pmid: str, title: str,
            sections: Sequence[tuple[str, str]], **extra: Any) -> CorpusRecord | None:
    """A record with its texts as the PubMed reader will give them back, or None (counted)
    without a PMID, a title or an abstract."""
    title = _clean(title)
    sections = [(_clean(label), t) for label, text in sections if (t := _clean(text))]
    if not pmid or not title or not sections:
        counts.skipped_no_abstract += 1
        return None
    extra["journal"] = _clean(extra.get("journal", ""))
    return CorpusRecord(source, pmid, title, tuple(sections), **extra)


def _clean(text: str) -> str:
    return clean_fragment(_NOT_XML.sub("", text))


def _write_file(path: Path, records: Sequence[CorpusRecord]) -> int:
    root = etree.Element("PubmedArticleSet")
    for record in records:
        root.append(article_xml(record))
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=True,
                          doctype=_DOCTYPE, pretty_print=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                compresslevel=6, mtime=0) as out:
        out.write(body)
    return path.stat().st_size


def article_xml(record: CorpusRecord) -> etree._Element:
    """One ``PubmedArticle`` element, in the baseline's element order."""
    article_el = etree.Element("PubmedArticle")
    citation = etree.SubElement(article_el, "MedlineCitation", Status="MEDLINE", Owner="NLM")
    _sub(citation, "PMID", record.pmid, Version="1")
    article = etree.SubElement(citation, "Article", PubModel="Print")
    journal = etree.SubElement(article, "Journal")
    issue = etree.SubElement(journal, "JournalIssue", CitedMedium="Print")
    pub_date = etree.SubElement(issue, "PubDate")
    if record.year:
        _sub(pub_date, "Year", str(record.year))
    if record.journal:
        _sub(journal, "Title", record.journal)
    _sub(article, "ArticleTitle", record.title)
    abstract = etree.SubElement(article, "Abstract")
    for label, text in record.sections:
        section = _sub(abstract, "AbstractText", text)
        if label:
            section.set("Label", label)
    if record.authors:
        authors = etree.SubElement(article, "AuthorList", CompleteYN="Y")
        for name in record.authors:
            author = etree.SubElement(authors, "Author", ValidYN="Y")
            last, _, initials = name.rpartition(" ")
            if last and _INITIALS.match(initials):
                _sub(author, "LastName", last)
                _sub(author, "Initials", initials)
            else:
                _sub(author, "CollectiveName", name)
    if record.publication_types:
        types = etree.SubElement(article, "PublicationTypeList")
        for kind in record.publication_types:
            _sub(types, "PublicationType", kind)
    if record.keywords:
        keywords = etree.SubElement(citation, "KeywordList", Owner="NOTNLM")
        for keyword in record.keywords:
            _sub(keywords, "Keyword", keyword, MajorTopicYN="N")
    data = etree.SubElement(article_el, "PubmedData")
    ids = etree.SubElement(data, "ArticleIdList")
    _sub(ids, "ArticleId", record.pmid, IdType="pubmed")
    if record.pmcid:
        _sub(ids, "ArticleId", record.pmcid, IdType="pmc")
    return article_el


def _sub(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    element.text = text
    return element


# --- growing a store -----------------------------------------------------------------------

def _replica(column: str) -> str:
    """SQL for the id of round ``g.r``'s replica of ``column`` (16 hex digits, like
    :func:`evimap.model.stable_id`); ``$1`` salts it with the store's size at the start."""
    return f"substr(sha256(concat_ws(chr(31), 'scalebench', $1, g.r, {column})), 1, 16)"


#: One statement per step, columns named (a column added later stays null in replicas);
#: each reads the rows present before growing began. ``scale_docs``
#: maps each stored document and round (``$2`` rounds) to its replica's document and work
#: ids, hashed once per document rather than once per mention; ``scale_claims`` does the
#: same for claims, whose ids follow the store's rule: ``stable_id(doc, start, end,
#: subject, predicate, object, negated)``.
_GROW_SQL: tuple[tuple[str, str], ...] = (
    ("scale_docs", f"""
        CREATE TEMP TABLE scale_docs AS
        SELECT d.id AS old_id, g.r AS r, {_replica('d.id')} AS new_id,
               {_replica('d.work_id')} AS new_work
        FROM documents d, generate_series(1, $2) AS g(r)"""),
    ("works", f"""
        INSERT INTO works (id, title, content_hash, created_at)
        SELECT {_replica('w.id')}, w.title, {_replica('w.content_hash')}, w.created_at
        FROM works w, generate_series(1, $2) AS g(r)
        WHERE w.id IN (SELECT work_id FROM documents)"""),
    ("documents", f"""
        INSERT INTO documents (id, work_id, path, record, format, title, text, metadata,
               offset_map, source_kind, credibility, signals, kind_scores, design,
               content_hash, near_dup_of, similarity, n_comments, ingested_at)
        SELECT g.new_id, g.new_work, d.path, d.record, d.format,
               d.title, d.text,
               json_merge_patch(coalesce(d.metadata, '{{}}'), json_object('scalebench',
                   json_object('replica_of', d.id, 'round', g.r))),
               d.offset_map, d.source_kind, d.credibility, d.signals, d.kind_scores, d.design,
               {_replica('d.content_hash')},
               CASE WHEN d.near_dup_of IS NULL THEN NULL ELSE {_replica('d.near_dup_of')} END,
               d.similarity, d.n_comments, d.ingested_at
        FROM documents d JOIN scale_docs g ON g.old_id = d.id"""),
    ("segments", """
        INSERT INTO segments (doc_id, idx, kind, label, start_offset, end_offset, text,
               reason, author, date)
        SELECT g.new_id, x.idx, x.kind, x.label, x.start_offset,
               x.end_offset, x.text, x.reason, x.author, x.date
        FROM segments x JOIN scale_docs g ON g.old_id = x.doc_id"""),
    ("mentions", """
        INSERT INTO mentions (doc_id, idx, segment_idx, start_offset, end_offset, text,
               concept_id, type, source, negated, hedged, hypothetical)
        SELECT g.new_id, m.idx, m.segment_idx, m.start_offset,
               m.end_offset, m.text, m.concept_id, m.type, m.source, m.negated, m.hedged,
               m.hypothetical
        FROM mentions m JOIN scale_docs g ON g.old_id = m.doc_id"""),
    ("scale_claims", """
        CREATE TEMP TABLE scale_claims AS
        SELECT c.id AS old_id, g.new_id AS doc_id, g.new_work AS work_id,
               substr(sha256(concat_ws(chr(31), g.new_id, c.start_offset, c.end_offset,
                   c.subject_id, c.predicate, c.object_id,
                   CASE WHEN c.negated THEN 'True' ELSE 'False' END)), 1, 16) AS new_id
        FROM claims c JOIN scale_docs g ON g.old_id = c.doc_id"""),
    ("claims", """
        INSERT INTO claims (id, statement_key, doc_id, work_id, subject_id, predicate,
               object_id, negated, hedged, hypothetical, qualifiers, segment_idx,
               segment_kind, sentence, start_offset, end_offset)
        SELECT n.new_id, c.statement_key, n.doc_id, n.work_id,
               c.subject_id, c.predicate, c.object_id, c.negated, c.hedged, c.hypothetical,
               c.qualifiers, c.segment_idx, c.segment_kind, c.sentence, c.start_offset,
               c.end_offset
        FROM claims c JOIN scale_claims n ON n.old_id = c.id"""),
    ("evidence", """
        INSERT INTO evidence (claim_id, design, n, outcomes, dose, population,
               asserted_by, study, extractor, rule)
        SELECT n.new_id, e.design, e.n, e.outcomes, e.dose,
               e.population, e.asserted_by, e.study, e.extractor, e.rule
        FROM evidence e JOIN scale_claims n ON n.old_id = e.claim_id"""),
)


def grow_store(db_path: Path, target_claims: int = 1_000_000, *, rebuild_statements: bool = True
               ) -> dict[str, Any]:
    """Grow an ingested store to at least ``target_claims`` claims by whole rounds of
    replicas of every document (see the module docstring), then rebuild its statements.

    All in DuckDB SQL, one transaction for the replicas; returns the rounds made, the
    counts before and after, and the seconds of each table's insert and of the rebuild.
    """
    store = open_store(db_path, create=False)
    try:
        before = store.counts()
        if before["claims"] == 0:
            raise EvimapError(f"{db_path}: no claims to replicate; ingest documents first")
        rounds = max(0, math.ceil(target_claims / before["claims"]) - 1)
        seconds: dict[str, float] = {}
        if rounds:
            params = {"$1": before["documents"], "$2": rounds}
            store.con.execute("SET enable_progress_bar = false")
            with store.transaction():
                for name, sql in _GROW_SQL:
                    t = time.perf_counter()
                    store.con.execute(sql, [v for k, v in params.items() if k in sql])
                    seconds[name] = round(time.perf_counter() - t, 3)
                store.con.execute("DROP TABLE scale_claims")
                store.con.execute("DROP TABLE scale_docs")
                t = time.perf_counter()
            seconds["commit"] = round(time.perf_counter() - t, 3)
        statements: int | None = None
        if rebuild_statements and rounds:
            t = time.perf_counter()
            statements = rebuild(store)
            seconds["rebuild_statements"] = round(time.perf_counter() - t, 3)
        after = store.counts()
        sums = store.con.execute("SELECT sum(n_claims), max(n_works) FROM statements"
                                 ).fetchone()
    finally:
        store.close()
    assert sums is not None
    return {"db": str(db_path), "target_claims": target_claims, "rounds": rounds,
            "before": before, "after": after, "statements": statements,
            "statement_claims": int(sums[0] or 0), "max_works_per_statement": sums[1],
            "seconds": seconds, "total_seconds": round(sum(seconds.values()), 3)}


# --- lookup latency ------------------------------------------------------------------------

def lookup_latency(ev: Evimap, n: int = 200, seed: int = 0) -> dict[str, Any]:
    """Milliseconds (p50, p95, max) of ``n`` lookups of each kind on ``ev``'s store as it is:
    ``evidence(intervention)`` and ``evidence(intervention, condition)`` for subjects and
    subject-object pairs that claims hold, ``statement(key)`` and
    ``list_statements(subject=...)`` for keys and subjects of stored statements. Concepts
    are passed by MeSH ID where they have one (the fast path of ``resolve``), else by name.
    Choices are drawn with ``random.Random(seed)``.
    """
    rng = random.Random(seed)
    store = ev.store
    names = {r["id"]: r["name"] for r in store.rows("SELECT id, name FROM concepts")}
    subjects = [r[0] for r in store.con.execute(
        "SELECT DISTINCT subject_id FROM claims ORDER BY 1").fetchall()]
    pairs = [(r[0], r[1]) for r in store.con.execute(
        "SELECT DISTINCT subject_id, object_id FROM claims ORDER BY 1, 2").fetchall()]
    keys = [r[0] for r in store.con.execute(
        "SELECT key FROM statements ORDER BY key").fetchall()]
    st_subjects = [r[0] for r in store.con.execute(
        "SELECT DISTINCT subject_id FROM statements ORDER BY 1").fetchall()]

    def term(cid: str) -> str:
        return cid if _MESH_ID.match(cid) else names.get(cid, cid)

    kinds: dict[str, tuple[list[Any], Callable[[Any], int]]] = {
        "evidence_intervention": (subjects, lambda s: len(ev.evidence(term(s)))),
        "evidence_intervention_condition": (
            pairs, lambda p: len(ev.evidence(term(p[0]), term(p[1])))),
        "statement": (keys, lambda k: len(ev.statement(k)["explanation"]["works"])),
        "list_statements_subject": (
            st_subjects, lambda s: ev.list_statements(subject=term(s)).total),
    }
    out: dict[str, Any] = {"n": n, "seed": seed, "claims": int(store.scalar(
        "SELECT count(*) FROM claims")), "statements": len(keys)}
    for kind, (choices, call) in kinds.items():
        if not choices:
            out[kind] = None
            continue
        picks = [rng.choice(choices) for _ in range(n)]
        call(picks[0])                                     # warm: not counted
        times: list[float] = []
        sizes: list[int] = []
        for pick in picks:
            t = time.perf_counter()
            sizes.append(call(pick))
            times.append((time.perf_counter() - t) * 1000)
        out[kind] = {**_percentiles(times), "choices": len(choices),
                     "rows_mean": round(sum(sizes) / len(sizes), 1), "rows_max": max(sizes)}
    return out



def _percentiles(ms: Sequence[float]) -> dict[str, float]:
    xs = sorted(ms)

    def rank(q: float) -> float:
        return round(xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))], 2)

    return {"p50_ms": rank(0.5), "p95_ms": rank(0.95), "max_ms": round(xs[-1], 2)}

