"""Copies of one paper are one work, whatever the ingest order: containment next to Jaccard,
works as connected components with content-derived ids, on real pages and real abstracts."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from evimap import dedup
from evimap.api import Evimap
from evimap.settings import Settings
from evimap.store import SCHEMA_VERSION, open_store, works

RULE = dedup.CopyRule()
TUNE = [f"{i:03d}.txt" for i in range(1, 41)]      # thresholds were set on these pages only


def _gold(data_dir: Path) -> dict[str, dict]:
    lines = (data_dir / "pages-dev" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return {g["file"]: g for g in map(json.loads, lines)}


def _group(gold: dict[str, dict], name: str) -> str:
    while gold[name]["duplicate_of"]:
        name = gold[name]["duplicate_of"]
    return name


def _store(tmp: Path, settings: Settings, resources, name: str = "s") -> Evimap:
    db = tmp / f"{name}.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    return ev


def _work_of(ev: Evimap) -> dict[str, str]:
    """File name -> work id."""
    return {Path(d["path"]).name: d["work_id"] for d in ev.docs()}


@pytest.fixture(scope="module")
def tune_pages(tmp_path_factory, settings: Settings, data_dir: Path, resources):
    """Pages-dev 001-040 ingested as plain text files."""
    folder = tmp_path_factory.mktemp("pages")
    for name in TUNE:
        shutil.copy(data_dir / "pages-dev" / "docs" / name, folder / name)
    ev = _store(tmp_path_factory.mktemp("store"), settings, resources)
    assert not ev.ingest([str(folder)]).errors
    yield ev
    ev.close()


def test_copy_rule_on_shingle_sets():
    base = set(range(0, 400, 2))                    # 200 shingles
    assert RULE.compare(base, base | set(range(1, 1000, 2)))[0]     # held in a long page
    short = set(range(0, 80, 2))                    # 40 shingles: too short to be a copy
    assert not RULE.compare(short, short | set(range(1, 1000, 2)))[0]
    ok, c, j = RULE.compare(base, set(range(0, 220, 2)) | set(range(1, 201, 2)))
    assert not ok and c == pytest.approx(0.55) and j < RULE.jaccard     # half is not a copy
    assert dedup.containment({1, 2}, {2, 3, 4}) == 0.5
    assert dedup.jaccard({1, 2}, {2, 3}) == pytest.approx(1 / 3)
    assert not dedup.exact_eligible(1)              # "Erratum" twice is not one paper
    assert dedup.work_id("abc") == dedup.work_id(dedup.work_key(["b", "abc"]))


def test_sketch_is_a_consistent_sample():
    words = [f"w{i}" for i in range(400)]
    whole = dedup.shingle_hashes(" ".join(words))
    part = dedup.shingle_hashes(" ".join(words[:120]))
    assert set(dedup.sketch(part)) <= set(dedup.sketch(whole))
    assert 0.05 < len(dedup.sketch(whole)) / len(whole) < 0.25
    # a short text held in a long one is a sketch candidate though Jaccard is low
    shared = len(set(dedup.sketch(part)) & set(dedup.sketch(whole)))
    assert RULE.sketch_candidate(shared, len(dedup.sketch(part)), len(dedup.sketch(whole)))
    assert dedup.jaccard(part, whole) < 0.4


def test_containment_of_pages_dev_copy_pairs(tune_pages, data_dir):
    """Every gold copy pair of 001-040 holds at least 0.8 of the smaller text in the larger;
    no other pair of those pages reaches 0.2 (the threshold, 0.6, sits in between)."""
    gold = _gold(data_dir)
    docs = {Path(d["path"]).name: d["id"] for d in tune_pages.docs()}
    shingles = works.fetch_shingles(tune_pages.store, docs.values())
    copies, others = [], []
    for a, b in itertools.combinations(TUNE, 2):
        c = dedup.containment(shingles[docs[a]], shingles[docs[b]])
        (copies if _group(gold, a) == _group(gold, b) else others).append((c, a, b))
    assert len(copies) == 6
    assert min(copies)[0] >= 0.8, min(copies)
    assert max(others)[0] < 0.2, max(others)
    for _c, a, b in copies:
        assert RULE.compare(shingles[docs[a]], shingles[docs[b]])[0], (a, b)


def test_pages_dev_copies_are_one_work_and_nothing_else_is(tune_pages, data_dir):
    gold = _gold(data_dir)
    work = _work_of(tune_pages)
    for a, b in itertools.combinations(TUNE, 2):
        assert (work[a] == work[b]) == (_group(gold, a) == _group(gold, b)), (a, b)
    # near copies are stored pairs; exact copies (003 and 025) share their content hash
    name = {d["id"]: Path(d["path"]).name for d in tune_pages.docs()}
    pairs = tune_pages.store.rows("SELECT * FROM copy_pairs")
    assert len(pairs) >= 4
    for p in pairs:
        assert _group(gold, name[p["doc_a"]]) == _group(gold, name[p["doc_b"]])
        assert p["containment"] >= RULE.containment


def _ingest_in_order(ev: Evimap, files: list[Path]) -> None:
    for f in files:
        report = ev.ingest([str(f)])
        assert not report.errors


def test_any_order_of_pages_dev_copies_gives_the_same_work(tmp_path, settings, data_dir,
                                                          resources):
    """031 (a journal page), 038 (a mirror) and 056 (an institute's page) of one paper."""
    names = ["031.txt", "038.txt", "056.txt"]
    for name in names:
        shutil.copy(data_dir / "pages-dev" / "docs" / name, tmp_path / name)
    seen = set()
    for n, order in enumerate(itertools.permutations(names)):
        ev = _store(tmp_path, settings, resources, f"order{n}")
        try:
            _ingest_in_order(ev, [tmp_path / name for name in order])
            work = _work_of(ev)
            assert len(set(work.values())) == 1, order
            assert ev.store.counts()["works"] == 1
            seen.add(tuple(sorted(work.items())))
        finally:
            ev.close()
    assert len(seen) == 1


def _chain(data_dir: Path) -> dict[str, str]:
    """Three windows over a real trial abstract: A = words 0-60%, B = 20-80%, C = 40-100%.
    A and B (and B and C) share two thirds of a window; A and C only a third: B links them."""
    text = (data_dir / "evidence-inference" / "abstracts" / "PMC101395.abst").read_text(
        encoding="utf-8")
    words = re.sub(r"(TITLE|ABSTRACT\.[A-Z]+):", " ", text).split()
    n = len(words)
    cut = {"A": (0, 0.6), "B": (0.2, 0.8), "C": (0.4, 1.0)}
    return {k: " ".join(words[int(a * n):int(b * n)]) for k, (a, b) in cut.items()}


def test_a_chain_of_near_copies_is_one_work_in_any_order(tmp_path, settings, data_dir,
                                                         resources):
    chain = _chain(data_dir)
    a, b, c = (dedup.shingle_hashes(chain[k]) for k in "ABC")
    assert RULE.compare(a, b)[0] and RULE.compare(b, c)[0] and not RULE.compare(a, c)[0]
    files = {}
    for key, text in chain.items():
        files[key] = tmp_path / f"{key}.txt"
        files[key].write_text(text + "\n", encoding="utf-8")
    results = set()
    for n, order in enumerate(itertools.permutations("ABC")):     # ABC, ACB, BAC, ...
        ev = _store(tmp_path, settings, resources, f"chain{n}")
        try:
            _ingest_in_order(ev, [files[k] for k in order])
            work = _work_of(ev)
            assert len(set(work.values())) == 1, order
            (row,) = ev.store.rows("SELECT id, title, content_hash FROM works")
            claims = ev.store.rows("SELECT DISTINCT work_id FROM claims")
            assert all(r["work_id"] == row["id"] for r in claims)
            results.add((tuple(sorted(work.items())), tuple(sorted(row.items()))))
        finally:
            ev.close()
    assert len(results) == 1
    # the id comes from the group's content: the smallest member content hash
    (work,) = {w for w in dict(next(iter(results))[0]).values()}
    smallest = min(dedup.content_hash(t) for t in chain.values())
    assert work == dedup.work_id(smallest)


def test_a_chain_in_one_batch_is_one_work_in_any_order(tmp_path, settings, data_dir,
                                                       resources):
    """The same chain as records of one PubTator file: linked within one batch."""
    chain = _chain(data_dir)
    ids = set()
    for n, order in enumerate(itertools.permutations("ABC")):
        path = tmp_path / f"batch{n}.pubtator"
        path.write_text("".join(f"{900 + i}|t|Copy {k}\n{900 + i}|a|{chain[k]}\n\n"
                                for i, k in enumerate(order)), encoding="utf-8")
        ev = _store(tmp_path, settings, resources, f"batch{n}")
        try:
            assert not ev.ingest([str(path)]).errors
            ids.add(tuple(sorted({d["work_id"] for d in ev.docs()})))
        finally:
            ev.close()
    assert len(ids) == 1 and len(next(iter(ids))) == 1


def _abstract(data_dir: Path, pmc: str) -> str:
    text = (data_dir / "evidence-inference" / "abstracts" / f"{pmc}.abst").read_text(
        encoding="utf-8")
    return " ".join(re.sub(r"(TITLE|ABSTRACT\.[A-Z]+):", " ", text).split())


def test_a_digest_of_two_abstracts_joins_neither(tmp_path, settings, data_dir, resources):
    """A page pasting two papers' abstracts holds each, but is a copy of neither: it must not
    make the two papers one work, in any order; a clinic page pasting one abstract joins it."""
    one, two = _abstract(data_dir, "PMC101395"), _abstract(data_dir, "PMC102323")
    texts = {"S1": one, "S2": two, "A": f"Research digest of the week.\n\n{one}\n\n{two}",
             "C": "Our clinic offers the newest pain care. Book a visit with our team today "
                  f"and ask about this study.\n\n{one}"}
    for key, text in texts.items():
        (tmp_path / f"{key}.txt").write_text(text + "\n", encoding="utf-8")
    results = set()
    for n, order in enumerate(itertools.permutations(["A", "S1", "S2"])):
        ev = _store(tmp_path, settings, resources, f"digest{n}")
        try:
            _ingest_in_order(ev, [tmp_path / f"{k}.txt" for k in (*order, "C")])
            work = _work_of(ev)
            assert work["S1.txt"] == work["C.txt"], order
            assert len({work["S1.txt"], work["S2.txt"], work["A.txt"]}) == 3, order
            results.add(tuple(sorted(work.items())))
        finally:
            ev.close()
    assert len(results) == 1


def test_removing_the_link_splits_the_work_as_if_never_joined(tmp_path, settings, data_dir,
                                                              resources):
    chain = _chain(data_dir)
    for key, text in chain.items():
        (tmp_path / f"{key}.txt").write_text(text + "\n", encoding="utf-8")
    ev = _store(tmp_path, settings, resources, "split")
    try:
        _ingest_in_order(ev, [tmp_path / f"{k}.txt" for k in "ABC"])
        before = _work_of(ev)
        assert len(set(before.values())) == 1
        # re-ingesting changes nothing
        _ingest_in_order(ev, [tmp_path / f"{k}.txt" for k in "CBA"])
        assert _work_of(ev) == before
        # B is rewritten as another text: its old copy is removed, A and C fall apart
        (tmp_path / "B.txt").write_text("An unrelated note on something else entirely.\n",
                                        encoding="utf-8")
        _ingest_in_order(ev, [tmp_path / "B.txt"])
        after = _work_of(ev)
        assert len(set(after.values())) == 3
        for key in "AC":
            assert after[f"{key}.txt"] == dedup.work_id(dedup.content_hash(chain[key]))
        assert ev.store.counts()["works"] == 3
        assert not ev.store.rows("SELECT * FROM copy_pairs")
    finally:
        ev.close()


def test_a_version_3_store_is_regrouped_in_place(tmp_path, settings, data_dir, resources):
    """A store of schema version 3 (works by first match, no sketch) is upgraded: sketches
    and copy pairs computed, the chain made one work with its content-derived id, and every
    document and claim kept."""
    chain = _chain(data_dir)
    for key, text in chain.items():
        (tmp_path / f"{key}.txt").write_text(text + "\n", encoding="utf-8")
    fresh = _store(tmp_path, settings, resources, "fresh")
    _ingest_in_order(fresh, [tmp_path / f"{k}.txt" for k in "ACB"])
    expected = _work_of(fresh)
    counts = fresh.store.counts()
    fresh.close()
    path = tmp_path / "fresh.duckdb"
    con = duckdb.connect(str(path))
    # what version 3 stored: A and C apart (B joined one of them), no sketch, no pairs
    for key in "AC":
        old = dedup.work_id(dedup.content_hash(chain[key]))
        con.execute("UPDATE documents SET work_id = ? WHERE path LIKE ?", [old, f"%{key}.txt"])
        con.execute("UPDATE claims SET work_id = ? WHERE doc_id IN (SELECT id FROM documents "
                    "WHERE path LIKE ?)", [old, f"%{key}.txt"])
        con.execute("INSERT INTO works SELECT ?, 'old', 'h', now() WHERE ? NOT IN "
                    "(SELECT id FROM works)", [old, old])
    con.execute("DROP TABLE shingle_sketch")
    con.execute("DROP TABLE copy_pairs")
    con.execute("ALTER TABLE minhash DROP COLUMN n_sketch")
    con.execute("ALTER TABLE minhash DROP COLUMN n_shingles")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    store = open_store(str(path))
    try:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(
            SCHEMA_VERSION)
        assert store.counts() == counts
        work = {Path(r["path"]).name: r["work_id"]
                for r in store.rows("SELECT path, work_id FROM documents")}
        assert work == expected
        assert store.scalar("SELECT count(*) FROM copy_pairs") == 2
        assert store.scalar("SELECT count(*) FROM shingle_sketch") > 0
        assert store.scalar("SELECT count(*) FROM minhash WHERE n_shingles IS NULL") == 0
        assert {r["work_id"] for r in store.rows("SELECT work_id FROM claims")} <= set(
            work.values())
    finally:
        store.close()
