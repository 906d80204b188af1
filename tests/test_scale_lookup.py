"""Issue 12 at scale: statements assembled out of core in SQL give the beliefs the in-memory
assembly gives, and the claims' lookup table answers every listing as the joins do.

The store is synthetic (no ingest, so it is quick): random claims over concepts with MeSH
trees (narrower statements supporting broader ones), rival predicates (contested), copies of
a work, comments, ties between equally strong claims, and a claim a reader marked wrong.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evimap import assemble
from evimap.api import Evimap
from evimap.cli import cli
from evimap.model import stable_id
from evimap.store import MIGRATIONS, SCHEMA_VERSION, lookup, open_store

#: id -> (name, type, MeSH tree numbers): X1 is under X, Y1 under Y.
CONCEPTS = {"D000001": ("Drug X", "chemical", ["D01.100"]),
            "D000002": ("Drug X1", "chemical", ["D01.100.200"]),
            "D000003": ("Condition Y", "disease", ["C01.300"]),
            "D000004": ("Condition Y1", "disease", ["C01.300.400"]),
            "D000005": ("Drug Z", "chemical", [])}
PREDICATES = ("treats", "no_effect", "causes_adverse_effect")
DESIGNS = ("RCT", "cohort", "case_series", "unspecified", "meta_analysis", "animal")
KINDS = ("peer_reviewed", "review", "news", "commercial", "forum_or_comments")


def _build(path: Path, seed: int = 3, n_docs: int = 40, n_claims: int = 400) -> None:
    """A store of random documents and claims (inserted in random order)."""
    rng = random.Random(seed)
    store = open_store(path)
    with store.transaction():
        store.insert_rows("concepts", [[c, n, t, trees] for c, (n, t, trees)
                                       in CONCEPTS.items()])
        docs = []
        for i in range(n_docs):
            work = f"w{i // 2 if i < 10 else i:04d}"          # the first ten: pairs of copies
            docs.append((f"d{i:04d}", work))
        works = sorted({w for _, w in docs})
        store.insert_rows("works", [[w, f"Title of {w}", f"h{w}", None] for w in works])
        store.insert_rows("documents", [
            [d, w, f"/corpus/{rng.randint(0, 9)}/{d}.txt", 0, "text", f"Doc {d}", "text",
             json.dumps({"pmid": str(1000 + i // 3)} if i % 4 else {}), None,
             rng.choice(KINDS), rng.choice((0.2, 0.5, 0.5, 0.8)), "[]", "{}",
             rng.choice((*DESIGNS, None)), f"h{d}", None, None, 0, None]
            for i, (d, w) in enumerate(docs)])
        claims: list[list[Any]] = []
        evidence: list[list[Any]] = []
        seen: set[str] = set()
        for _ in range(n_claims):
            d, w = rng.choice(docs)
            s = rng.choice(["D000001", "D000002", "D000005"])
            o = rng.choice(["D000003", "D000004"])
            p = rng.choice(PREDICATES)
            neg = rng.random() < 0.2
            start = rng.randint(0, 50) * 10
            cid = stable_id(d, start, start + 9, s, p, o, neg)
            if cid in seen:
                continue
            seen.add(cid)
            claims.append([cid, stable_id(s, p, o, neg), d, w, s, p, o, neg,
                           rng.random() < 0.2, rng.random() < 0.1, "{}", 0,
                           rng.choice(("abstract", "abstract", "comment")), f"sentence {cid}",
                           start, start + 9])
            evidence.append([cid, rng.choice(DESIGNS), rng.choice((None, 12, 120)), [],
                             None, None, rng.choice(("authors", "quoted_study")), None,
                             "test", "rule"])
        order = list(range(len(claims)))
        rng.shuffle(order)
        store.insert_rows("claims", [claims[i] for i in order])
        store.insert_rows("evidence", [evidence[i] for i in order])
        if _has_table(store, "curation"):
            wrong = rng.sample(claims, 5)
            store.con.execute(
                "INSERT INTO curation SELECT unnest(CAST(? AS JSON)::VARCHAR[]), 'wrong', NULL, "
                "now()", [json.dumps([c[0] for c in wrong])])
    store.close()


def _has_table(store: Any, name: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = ?", [name]))


def _in_memory(store: Any) -> dict[str, list[Any]]:
    """The statements the in-memory assembly makes of the claims read in stored order."""
    trees = {r["id"]: list(r["trees"] or ()) for r in
             store.rows("SELECT id, trees FROM concepts WHERE len(trees) > 0")}
    rows = store.rows(assemble.CLAIM_ROWS_SQL + " ORDER BY seq")
    return {s.key: s.row() for s in assemble.assemble(rows, trees)}


def _stored(store: Any) -> dict[str, list[Any]]:
    return {r[0]: list(r) for r in store.con.execute("SELECT * FROM statements").fetchall()}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "synthetic.duckdb"
    _build(path)
    store = open_store(path)
    assemble.rebuild(store)
    store.close()
    return path


def test_sql_assembly_equals_the_in_memory_one(db: Path) -> None:
    store = open_store(db)
    try:
        want = _in_memory(store)
        got = _stored(store)
        assert got == want
        explanations = [json.loads(r[10]) for r in got.values()]
        # the store exercises what the SQL reproduces
        assert any(e["supported_by"] for e in explanations)
        assert any(e["support"] for e in explanations)
        assert any(r[9] for r in got.values())                       # contested
        if _has_table(store, "curation"):
            assert any(e.get("excluded") for e in explanations)
        # rows in the order the in-memory assembly wrote them (belief, then key)
        keys = [r[0] for r in store.con.execute("SELECT key FROM statements").fetchall()]
        assert keys == sorted(want, key=lambda k: (-want[k][8], k))
    finally:
        store.close()


def test_sql_assembly_in_small_parts(db: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of a few (statement, work) rows each give the same statements."""
    copy = tmp_path / "parts.duckdb"
    copy.write_bytes(db.read_bytes())
    monkeypatch.setattr(assemble, "BATCH_WORKS", 7)
    store = open_store(copy)
    try:
        want = _stored(store)
        assert assemble.rebuild(store) == len(want)
        assert _stored(store) == want
        temp = store.con.execute("SELECT table_name FROM information_schema.tables WHERE "
                                 "table_name LIKE 'asm_%'").fetchall()
        assert temp == []
    finally:
        store.close()


def _calls(ev: Evimap) -> list[tuple[str, Any]]:
    con = ev.store.con
    keys = [r[0] for r in con.execute("SELECT key FROM statements ORDER BY key").fetchall()]
    claim = ev.store.scalar("SELECT min(id) FROM claims")
    calls: list[tuple[str, Any]] = []
    for s in ("D000001", "D000002", "D000005"):
        calls.append(("evidence", lambda s=s: list(ev.evidence(s, limit=None))))
        calls.append(("evidence page", lambda s=s: ev.evidence(s, limit=5, offset=2).to_json()))
        calls.append(("evidence pair", lambda s=s: list(ev.evidence(s, "D000003"))))
        calls.append(("list_statements", lambda s=s: ev.list_statements(subject=s).to_json()))
        calls.append(("list_claims", lambda s=s: ev.list_claims(about=s, limit=9).to_json()))
    for k in keys:
        calls.append(("statement", lambda k=k: ev.statement(k)))
        calls.append(("statement_works", lambda k=k: ev.statement_works(k, limit=3).to_json()))
        calls.append(("statement_page", lambda k=k: asdict(ev.statement_page(k, limit=3))))
        calls.append(("statement claims", lambda k=k: ev.list_claims(statement=k).to_json()))
    calls.append(("sources", lambda: ev.statement_sources(keys)))
    calls.append(("quotes", lambda: ev.top_quotes(keys)))
    calls.append(("statements", lambda: ev.statements(about="D000003")))
    calls.append(("claim", lambda: ev.claim(claim)))
    return calls


def test_the_lookup_table_answers_as_the_joins(db: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with Evimap(db, create=False) as ev:
        assert lookup.is_fresh(ev.store)
        calls = _calls(ev)
        fast = [json.dumps(f(), sort_keys=True, default=str) for _, f in calls]
        monkeypatch.setattr(lookup, "is_fresh", lambda store: False)
        slow = [json.dumps(f(), sort_keys=True, default=str) for _, f in calls]
    assert [name for (name, _), a, b in zip(calls, fast, slow, strict=True) if a != b] == []
    assert any('"title": "Title of' in x for x in fast)       # statement(): works' titles


def test_a_stale_lookup_table_is_not_used(db: Path, tmp_path: Path) -> None:
    """Claims changed without an assembly: listings read the claims, not the old table."""
    copy = tmp_path / "stale.duckdb"
    copy.write_bytes(db.read_bytes())
    with Evimap(copy, create=False) as ev:
        before = ev.evidence("D000005", limit=None)
        gone = before[0]["id"]
        ev.store.con.execute("DELETE FROM claims WHERE id = ?", [gone])
        assert not lookup.is_fresh(ev.store)
        after = ev.evidence("D000005", limit=None)
        assert [c["id"] for c in after] == [c["id"] for c in before if c["id"] != gone]
        assemble.rebuild(ev.store)
        assert lookup.is_fresh(ev.store)
        assert list(ev.evidence("D000005", limit=None)) == list(after)


def test_evidence_is_paged_with_its_total(db: Path) -> None:
    with Evimap(db, create=False) as ev:
        every = ev.evidence("D000001", limit=None)
        assert every.total == len(every) > 12 and every.limit is None
        page = ev.evidence("D000001", limit=5, offset=7)
        assert page.total == len(every) and page.limit == 5 and page.offset == 7
        assert list(page) == list(every)[7:12]
        assert page.to_json()["items"] == list(page)
        assert len(ev.evidence("D000001")) == min(len(every), 100)
        tail = ev.evidence("D000001", limit=None, offset=len(every) - 2)
        assert list(tail) == list(every)[-2:] and tail.total == len(every)


def test_evidence_command_pages(db: Path) -> None:
    runner = CliRunner()
    with Evimap(db, create=False) as ev:
        total = len(ev.evidence("D000001", limit=None))
    result = runner.invoke(cli, ["--db", str(db), "evidence", "D000001", "--limit", "3",
                                 "--offset", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 3
    assert f"2-4 of {total} piece(s) of evidence" in result.stderr
    result = runner.invoke(cli, ["--db", str(db), "evidence", "D000001", "--limit", "0",
                                 "--json"])
    assert len(json.loads(result.stdout)) == total


def test_assembly_does_not_grow_the_file(tmp_path: Path) -> None:
    """Statements and the lookup table are made again, not emptied: DuckDB keeps the blocks
    of deleted rows, and a store assembled after every ingest would grow each time."""
    path = tmp_path / "grow.duckdb"
    _build(path, seed=5, n_docs=200, n_claims=4000)
    store = open_store(path)
    try:
        used = []
        for _ in range(5):
            assemble.rebuild(store)
            store.con.execute("CHECKPOINT")
            used.append(store.con.execute("CALL pragma_database_size()").fetchall()[0][4])
        assert max(used) <= used[0] + 2, used
    finally:
        store.close()


def test_the_upgrade_fills_the_lookup_table(db: Path, tmp_path: Path) -> None:
    version = next(v for v, steps in MIGRATIONS.items() if lookup.CREATE_SQL in steps)
    copy = tmp_path / "old.duckdb"
    copy.write_bytes(db.read_bytes())
    store = open_store(copy)
    store.con.execute("DROP TABLE claim_lookup")
    store.con.execute("DELETE FROM meta WHERE key = ?", [lookup.META_KEY])
    store.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
    store.close()
    store = open_store(copy)
    try:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(
            SCHEMA_VERSION)
        assert lookup.is_fresh(store)
        assert store.scalar("SELECT count(*) FROM claim_lookup") == store.scalar(
            "SELECT count(*) FROM claims")
    finally:
        store.close()
