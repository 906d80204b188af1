"""The Dask engine (evimap.cluster): the same store as the embedded ingest, resumable."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from evimap.api import Evimap
from evimap.cluster import ClusterOptions, count_records
from evimap.read import read_file
from evimap.settings import Settings
from evimap.store import parts as P

EVIMAP = [sys.executable, "-m", "evimap.cli"]
#: pages-dev files holding copies of each other (gold duplicate_of): 010 of 001, 015 and
#: 025 of 003, 020 of 005
PAGES = ("001", "010", "003", "015", "025", "005", "020", "002")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """Web pages with copies, the seeds, a PubMed file to split, PubTator records and a
    broken file."""
    folder = tmp_path_factory.mktemp("corpus")
    for name in PAGES:
        shutil.copy(data_dir / "pages-dev" / "docs" / f"{name}.txt", folder / f"p{name}.txt")
    for seed in sorted((data_dir / "seeds").iterdir()):
        shutil.copy(seed, folder / seed.name)
    shutil.copy(data_dir / "lbd" / "fish_oil.xml.gz", folder / "fish_oil.xml.gz")
    records = (data_dir / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text(
        encoding="utf-8").split("\n\n")[:12]
    (folder / "cdr.pubtator").write_text("\n\n".join(records) + "\n", encoding="utf-8")
    (folder / "broken.xml").write_text("<PubmedArticleSet><PubmedArticle>", encoding="utf-8")
    return folder


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """A store's content, independent of ingest order and timing."""
    con = duckdb.connect(str(db), read_only=True)

    def q(sql: str) -> list[tuple[object, ...]]:
        return sorted(con.execute(sql).fetchall(), key=repr)

    out = {
        "documents": q("SELECT id, work_id, path, record, source_kind, design, content_hash, "
                       "title, n_comments FROM documents"),
        "works": q("SELECT id, title, content_hash FROM works"),
        "copy_pairs": q("SELECT doc_a, doc_b, part FROM copy_pairs"),
        "segments": q("SELECT doc_id, idx, kind, label, start_offset, end_offset FROM segments"),
        "mentions": q("SELECT doc_id, idx, concept_id, start_offset FROM mentions"),
        "concepts": q("SELECT id, name, type FROM concepts"),
        "claims": q("SELECT id, statement_key, doc_id, work_id FROM claims"),
        "evidence": q("SELECT claim_id, design, n, extractor FROM evidence"),
        "statements": q("SELECT key, n_claims, n_works, best_design, round(belief, 9), "
                        "contested FROM statements"),
        "files": q("SELECT path, sha256, status, n_docs FROM files"),
        "document_paths": q("SELECT doc_id, path FROM document_paths"),
        "sketch": q("SELECT doc_id, count(*) FROM shingle_sketch GROUP BY doc_id"),
    }
    con.close()
    return out


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, corpus: Path, settings: Settings, lexicon):
    """The embedded ingest of the corpus, with every extractor's model (as the workers)."""
    db = tmp_path_factory.mktemp("embedded") / "store.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        report = ev.ingest([str(corpus)])
    assert report.added == 8 + 5 + 153 + 12
    return snapshot(db)


def test_count_records_agrees_with_the_reader(data_dir: Path, settings: Settings) -> None:
    for path in (data_dir / "lbd" / "fish_oil.xml.gz", data_dir / "formats" /
                 "pubmed-29768149.xml"):
        assert count_records(path) == sum(1 for _ in read_file(path, settings))
    assert count_records(data_dir / "seeds" / sorted(os.listdir(data_dir / "seeds"))[0]) is None


def test_two_workers_give_the_embedded_store(tmp_path, corpus, settings, embedded,
                                             monkeypatch) -> None:
    from evimap import cluster

    monkeypatch.setattr(cluster, "MERGE_DOCS", 3)   # many merge batches: copies across them
    db = tmp_path / "cluster.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        report = ev.ingest_cluster([str(corpus)], ClusterOptions(workers=2, range_size=40))
        by_name = {Path(f.path).name: f for f in report.files}
        assert by_name["broken.xml"].status == "error" and by_name["broken.xml"].errors
        assert by_name["fish_oil.xml.gz"].added == 153
        assert report.statements == len(embedded["statements"])
    got = snapshot(db)
    assert got["works"] and len(got["works"]) < len(got["documents"])   # copies joined
    for table, rows in embedded.items():
        assert got[table] == rows, table
    parts = sorted((tmp_path / "cluster.duckdb.parts").iterdir())
    assert len(parts) == 15 + 4               # one per file, fish oil in four ranges
    assert all(P.is_complete(p) for p in parts)
    # parts can be queried in place
    n = duckdb.sql(f"SELECT count(*) FROM read_parquet('{tmp_path}/cluster.duckdb.parts/*/"
                   "claims.parquet')").fetchone()
    assert n is not None and n[0] == len(embedded["claims"])
    # a repeated run changes nothing
    with Evimap(db, replace(settings, db=str(db))) as ev:
        again = ev.ingest_cluster([str(corpus)], ClusterOptions(workers=1))
        assert again.added == 0
        assert {f.status for f in again.files} <= {"unchanged", "error"}
    assert snapshot(db) == got


def test_a_killed_run_resumes_losing_and_duplicating_nothing(tmp_path, corpus, settings,
                                                             embedded) -> None:
    db = tmp_path / "killed.duckdb"
    env = {**os.environ, "EVIMAP_CACHE_DIR": str(settings.cache_dir),
           "EVIMAP_DATA_DIR": str(settings.data_dir)}
    args = [*EVIMAP, "--db", str(db), "ingest", str(corpus), "--workers", "2",
            "--range-size", "10"]
    proc = subprocess.Popen(args, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = tmp_path / "killed.duckdb.parts"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if root.is_dir() and sum(P.is_complete(p) for p in root.iterdir()) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    done = sum(P.is_complete(p) for p in root.iterdir())
    assert 3 <= done < 15 + 16                  # killed part-way
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not [p for p in root.iterdir() if p.name.startswith(".")]   # no half parts left
    got = snapshot(db)
    for table, rows in embedded.items():
        assert got[table] == rows, table
