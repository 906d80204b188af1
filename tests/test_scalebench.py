"""Scale benchmark pieces: the baseline-style corpus, a grown store, lookup latency."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from evimap.api import Evimap
from evimap.errors import InputError
from evimap.model import RawDocument, stable_id
from evimap.pipeline import Resources
from evimap.read import read_file
from evimap.scalebench import (
    COPY_MARKER,
    COPY_PMID_BASE,
    SOURCES,
    build_corpus,
    corpus_records,
    grow_store,
    lookup_latency,
    real_records,
)
from evimap.settings import Settings

N_DOCS, PER_FILE, PER_SOURCE = 300, 100, 40


def _read_back(folder: Path, settings: Settings) -> list[RawDocument]:
    docs = []
    for path in sorted(folder.glob("pubmed26n*.xml.gz")):
        for doc in read_file(path, settings):
            assert not isinstance(doc, InputError), doc
            docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, data_dir: Path, settings: Settings
           ) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("corpus")
    return out, build_corpus(data_dir, out, N_DOCS, PER_FILE, per_source=PER_SOURCE,
                             settings=settings)


def test_corpus_reads_back_with_the_same_titles_and_abstracts(
        corpus: tuple[Path, dict[str, Any]], data_dir: Path, settings: Settings) -> None:
    out, report = corpus
    assert report["files"] == ["pubmed26n0001.xml.gz", "pubmed26n0002.xml.gz",
                               "pubmed26n0003.xml.gz"]
    real, counts = real_records(data_dir, settings, PER_SOURCE)
    assert set(counts) == set(SOURCES)
    assert all(c["used"] > 0 for c in counts.values())
    assert report["real"] == len(real) == sum(c["used"] for c in counts.values())
    assert report["copies"] == N_DOCS - len(real) > 0
    expected = list(corpus_records(real, N_DOCS))
    docs = _read_back(out, settings)
    assert len(docs) == N_DOCS
    assert len({d.metadata["pmid"] for d in docs}) == N_DOCS
    for doc, record in zip(docs, expected, strict=True):
        assert doc.metadata["pmid"] == record.pmid
        assert doc.title == record.title
        abstract = [doc.text[b.start:b.end] for b in doc.blocks if b.hint == "abstract"]
        assert abstract == record.abstract_blocks
    # every source is in the corpus, and structured abstracts keep their labels
    assert {r.source for r in expected} == set(SOURCES)
    assert any(label for r in expected for label, _ in r.sections)


def test_copies_are_marked_and_numbered(corpus: tuple[Path, dict[str, Any]],
                                        settings: Settings) -> None:
    out, _ = corpus
    docs = _read_back(out, settings)
    originals = {d.metadata["pmid"]: d for d in docs if "keywords" not in d.metadata}
    copies = [d for d in docs if d.metadata["pmid"].startswith("9000")]
    assert copies and len(originals) + len(copies) == N_DOCS
    for k, doc in enumerate(copies):
        assert doc.metadata["pmid"] == str(COPY_PMID_BASE + k)
        (marker,) = doc.metadata["keywords"]
        assert marker.startswith(f"{COPY_MARKER} 1 of PMID ")
        original = originals[marker.rsplit(" ", 1)[1]]
        assert doc.title == original.title
        assert doc.text != original.text          # a different document of the same work


def test_corpus_is_the_same_bytes_every_run(corpus: tuple[Path, dict[str, Any]], data_dir: Path,
                                            settings: Settings, tmp_path: Path) -> None:
    out, _ = corpus
    build_corpus(data_dir, tmp_path, N_DOCS, PER_FILE, per_source=PER_SOURCE,
                 settings=settings)
    for path in sorted(out.glob("*.xml.gz")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()


def test_metadata_where_known(corpus: tuple[Path, dict[str, Any]], settings: Settings) -> None:
    out, _ = corpus
    docs = _read_back(out, settings)
    lbd = [d for d in docs if d.metadata.get("year")]
    assert lbd and all(1900 < d.metadata["year"] < 1987 for d in lbd)
    assert any(d.metadata.get("pmcid", "").startswith("PMC") for d in docs)


# --- growing a store --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory, data_dir: Path, settings: Settings,
                resources: Resources) -> Path:
    """A store of the first 20 BC5CDR development records, as `evimap ingest` makes it."""
    folder = tmp_path_factory.mktemp("grow")
    text = (data_dir / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text("utf-8")
    records = text.strip().split("\n\n")[:20]
    source = folder / "bc5cdr-20.PubTator.txt"
    source.write_text("\n\n".join(records) + "\n", encoding="utf-8")
    db = folder / "small.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        report = ev.ingest([str(source)])
        assert not report.errors and report.added == 20
    return db


def test_grow_store_replicates_every_table(small_store: Path, settings: Settings) -> None:
    with Evimap(small_store, replace(settings, db=str(small_store)), create=False) as ev:
        before = ev.store.counts()
    assert before["claims"] > 0
    report = grow_store(small_store, target_claims=5 * before["claims"])
    assert report["rounds"] == 4
    after = report["after"]
    for table in ("works", "documents", "segments", "mentions", "claims"):
        assert after[table] == 5 * before[table], table
    assert after["statements"] == before["statements"] == report["statements"]
    assert report["statement_claims"] == after["claims"]
    with Evimap(small_store, replace(settings, db=str(small_store)), create=False) as ev:
        con = ev.store.con
        # every claim has its evidence, document and work; replicas are their own works
        assert con.execute("SELECT count(*) FROM evidence").fetchone() == (after["claims"],)
        assert con.execute(
            "SELECT count(*) FROM claims c JOIN evidence e ON e.claim_id = c.id "
            "JOIN documents d ON d.id = c.doc_id AND d.work_id = c.work_id "
            "JOIN works w ON w.id = c.work_id").fetchone() == (after["claims"],)
        assert con.execute("SELECT count(DISTINCT content_hash) FROM documents"
                           ).fetchone() == (after["works"],)
        # statements gather the replicas' claims, one work per replica
        rows = con.execute("SELECT s.n_claims, s.n_works, count(c.id), "
                           "count(DISTINCT c.work_id) FROM statements s "
                           "JOIN claims c ON c.statement_key = s.key "
                           "GROUP BY s.key, s.n_claims, s.n_works").fetchall()
        assert all(r[0] == r[2] and r[1] == r[3] for r in rows)
        assert all(r[0] % 5 == 0 for r in rows)
        # claim ids follow the store's rule
        for cid, doc, start, end, subj, pred, obj, neg in con.execute(
                "SELECT id, doc_id, start_offset, end_offset, subject_id, predicate, "
                "object_id, negated FROM claims USING SAMPLE 20 ROWS").fetchall():
            assert cid == stable_id(doc, start, end, subj, pred, obj, neg)
        latency = lookup_latency(ev, n=5, seed=1)
    for kind in ("evidence_intervention", "evidence_intervention_condition", "statement",
                 "list_statements_subject"):
        figures = latency[kind]
        assert 0 <= figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
        assert figures["rows_max"] >= 1 and figures["choices"] >= 1
    assert latency["claims"] == after["claims"]


def test_grow_store_at_its_target_changes_nothing(small_store: Path) -> None:
    report = grow_store(small_store, target_claims=1)
    assert report["rounds"] == 0 and report["before"] == report["after"]
