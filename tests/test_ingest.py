"""End to end: ingest the seeds into a store, dedup, idempotence, bad input, CLI contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from evimap.api import Evimap
from evimap.settings import Settings

EVIMAP = [sys.executable, "-m", "evimap.cli"]


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory, settings: Settings, seeds_dir: Path, resources):
    db = tmp_path_factory.mktemp("store") / "seeds.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    report = ev.ingest([str(seeds_dir)])
    assert not report.errors
    yield ev
    ev.close()


def _doc(ev: Evimap, prefix: str) -> dict:
    (doc,) = [d for d in ev.docs() if Path(d["path"]).name.startswith(prefix)]
    return doc


def test_seeds_make_four_works_from_five_sources(seeds_store):
    docs = seeds_store.docs()
    assert len(docs) == 5
    assert len({d["work_id"] for d in docs}) == 4
    a, b = _doc(seeds_store, "000"), _doc(seeds_store, "001")
    assert a["work_id"] == b["work_id"]
    assert b["near_dup_of"] == a["id"] or a["near_dup_of"] == b["id"]


def test_source_kinds_of_the_seeds(seeds_store):
    kinds = {Path(d["path"]).name[:3]: d["source_kind"] for d in seeds_store.docs()}
    assert kinds["000"] == "review"
    assert kinds["001"] in ("peer_reviewed", "review")
    assert kinds["002"] == "news"
    assert kinds["003"] == "patient_education"
    assert kinds["004"] == "commercial"
    cred = {Path(d["path"]).name[:3]: d["credibility"] for d in seeds_store.docs()}
    assert all(0.0 <= c <= 1.0 for c in cred.values())
    assert cred["001"] > cred["003"] > cred["004"]
    signals = {s["name"] for s in _doc(seeds_store, "004")["signals"]}
    assert "call_to_action" in signals
    assert "disclosure" in {s["name"] for s in _doc(seeds_store, "001")["signals"]}


def test_docs_json_contract(seeds_store):
    for d in seeds_store.docs():
        for key in ("id", "path", "work_id", "title", "source_kind", "credibility",
                    "n_comments", "segments"):
            assert key in d
        for s in d["segments"]:
            assert {"kind", "text", "start", "end"} <= s.keys()
            if s["kind"] == "comment":
                assert "author" in s and "date" in s
    news = _doc(seeds_store, "002")
    assert news["n_comments"] == 8
    comments = [s for s in news["segments"] if s["kind"] == "comment"]
    assert {s["source_kind"] for s in comments} == {"forum_or_comments"}
    assert all(s["author"] and s["date"] for s in comments)


def test_reingest_changes_nothing(seeds_store, seeds_dir):
    before = seeds_store.store.counts()
    report = seeds_store.ingest([str(seeds_dir)])
    assert report.added == 0 and not report.errors
    assert {f.status for f in report.files} == {"unchanged"}
    assert seeds_store.store.counts() == before


def test_exact_copy_elsewhere_is_the_same_source(seeds_store, seed_paths, tmp_path):
    before = seeds_store.store.counts()
    copy = tmp_path / "copy_of_003.txt"
    shutil.copy(seed_paths["003"], copy)
    report = seeds_store.ingest([str(copy)])
    assert report.added == 0 and report.files[0].known == 1
    assert seeds_store.store.counts() == before
    aliases = seeds_store.store.rows("SELECT path FROM document_paths")
    assert str(copy) in {r["path"] for r in aliases}


def test_bad_inputs_are_reported_and_nothing_is_lost(seeds_store, seed_paths, tmp_path):
    before = seeds_store.store.counts()
    bad = tmp_path / "batch"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "broken_utf8.txt").write_bytes("naïve café ".encode() * 20 + b"\xc3\x28 end")
    (bad / "malformed.xml").write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation>",
                                       encoding="utf-8")
    with (bad / "huge.txt").open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB (sparse)
    good = bad / "zz_good.txt"
    good.write_text("Magnesium for migraine\n\nIntravenous magnesium reduced migraine pain "
                    "in a small open-label study of 30 patients.\n", encoding="utf-8")
    report = seeds_store.ingest([str(bad)])
    by_name = {Path(f.path).name: f for f in report.files}
    for name in ("binary.txt", "empty.txt", "broken_utf8.txt", "malformed.xml", "huge.txt"):
        assert by_name[name].status == "error", name
        assert by_name[name].errors and name in by_name[name].errors[0]
    assert by_name["zz_good.txt"].status == "added"
    after = seeds_store.store.counts()
    assert after["documents"] == before["documents"] + 1
    assert after["works"] == before["works"] + 1
    # the seeds are all still there, once each
    paths = [d["path"] for d in seeds_store.docs()]
    assert len(paths) == len(set(paths))
    errors = seeds_store.store.rows("SELECT path, error FROM files WHERE status = 'error'")
    assert len(errors) == 5 and all(e["error"] for e in errors)


def _run(args: list[str], db: Path, cache: str, **kw) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EVIMAP_DB": str(db), "EVIMAP_CACHE_DIR": cache}
    return subprocess.run([*EVIMAP, *args], capture_output=True, text=True, env=env,
                          timeout=300, **kw)


def test_cli_end_to_end(tmp_path, seeds_dir, settings, lexicon):
    db = tmp_path / "cli.duckdb"
    r = _run(["ingest", str(seeds_dir)], db, settings.cache_dir)
    assert r.returncode == 0, r.stderr
    assert "5 document(s) added" in r.stdout
    r = _run(["claims", "--about", "ketamine", "--json"], db, settings.cache_dir)
    assert r.returncode == 0, r.stderr
    claims = json.loads(r.stdout)
    assert claims
    for c in claims:
        for key in ("id", "subject", "object", "predicate", "negated", "hedged",
                    "evidence_type", "n", "doc_id", "path", "segment_kind", "sentence",
                    "start", "end"):
            assert key in c
        assert {"id", "name", "type"} <= c["subject"].keys()
        assert "D007649" in (c["subject"]["id"], c["object"]["id"])
    r = _run(["evidence", "Provigil", "--json"], db, settings.cache_dir)
    assert r.returncode in (0,), r.stderr
    out = tmp_path / "report.html"
    r = _run(["report", "--out", str(out)], db, settings.cache_dir)
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "Ketamine" in html and "Migraine Disorders" in html
    assert "<script" not in html


def test_cli_user_errors_are_one_line(tmp_path, settings):
    missing = tmp_path / "nowhere.duckdb"
    r = _run(["docs"], missing, settings.cache_dir)
    assert r.returncode == 1
    assert r.stderr.startswith("error: no evimap store")
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = _run(["ingest", str(tmp_path / "no-such-file.txt")], tmp_path / "x.duckdb",
             settings.cache_dir)
    assert r.returncode == 1
    assert "no-such-file.txt" in r.stderr and "Traceback" not in r.stderr
    r = _run(["--mesh-dir", str(tmp_path), "--cache-dir", str(tmp_path / "c"), "vocab",
              "build"], tmp_path / "y.duckdb", str(tmp_path / "c"))
    assert r.returncode == 1 and "MeSH files not found" in r.stderr


def test_discovery_on_the_seeds_goes_through_glutamate(seeds_store):
    hyps = seeds_store.discover("ketamine")
    fibro = [h for h in hyps if h["target"]["id"] == "D005356"]
    assert fibro, [h["target"]["name"] for h in hyps]
    (glutamate,) = [lk for lk in fibro[0]["links"] if lk["concept"]["id"] == "D018698"]
    # ketamine blocks glutamate, which is elevated in fibromyalgia: a candidate treatment
    assert glutamate["effect"] == "lowers" and fibro[0]["effect"] == "lowers"
    assert glutamate["claims"]["source"] and glutamate["claims"]["target"]
    # the statement graph alone finds it too
    walk = seeds_store.discover("ketamine", graph="claims")
    fibro = [h for h in walk if h["target"]["id"] == "D005356"]
    bridges = {e["object"]["id"] for p in fibro[0]["paths"] for e in p} | {
        e["subject"]["id"] for p in fibro[0]["paths"] for e in p}
    assert "D018698" in bridges  # glutamate links the two literatures
    closed = seeds_store.discover("milnacipran", "migraine")
    assert closed and closed[0]["n_links"] >= 1 and closed[0]["known"]
    assert seeds_store.discover("milnacipran", "migraine", graph="claims")[0]["n_paths"] >= 1


def test_report_escapes_scraped_markup(tmp_path, settings, resources):
    page = tmp_path / "hostile.txt"
    page.write_text(
        "Magnesium for migraine <script>alert('x')</script>\n\n"
        "Magnesium was effective in the treatment of migraine <img src=x onerror=alert(1)> "
        "in a small open-label study of 30 patients.\n", encoding="utf-8")
    db = tmp_path / "hostile.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        ev.ingest([str(page)])
        assert ev.claims(about="magnesium")
        html = ev.report(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_copies_of_a_work_share_its_design(seeds_store):
    from evimap import assemble

    (st,) = [s for s in seeds_store.statements(about="topiramate")
             if s["predicate"] == "treats" and s["object"]["id"] == "D008881"]
    pubmed_copy = _doc(seeds_store, "001")
    assert pubmed_copy["design"] == "unspecified"      # this copy says nothing of its design
    # ... but its claims count as the review its other copy (000, "REVIEW") says it is
    expected = assemble.claim_weight("expert_opinion", pubmed_copy["credibility"], False,
                                     False, None, source_kind=pubmed_copy["source_kind"])
    assert st["belief"] == pytest.approx(expected, abs=1e-3)
    assert st["n_works"] == 1


def test_absent_modules_are_remembered_and_installed_ones_left_alone():
    """DuckDB probes ``import pandas`` per bound parameter; a module that is not installed
    is remembered as absent (import fails at once), an installed one is never touched."""
    import sys

    from evimap.store.absent import remember_absent
    missing = "evimap_no_such_module_for_this_test"
    try:
        assert remember_absent((missing, "json")) == [missing]
        assert sys.modules[missing] is None
        with pytest.raises(ImportError):
            __import__(missing)
        assert sys.modules["json"] is not None
    finally:
        sys.modules.pop(missing, None)


def _snapshot(ev: Evimap) -> dict[str, object]:
    """What a store holds, independent of ingest order and timing."""
    q = ev.store.rows
    return {
        "documents": sorted((r["id"], r["path"], r["work_id"]) for r in q(
            "SELECT id, path, work_id FROM documents")),
        "aliases": sorted((r["doc_id"], r["path"]) for r in q(
            "SELECT doc_id, path FROM document_paths")),
        "claims": sorted(r["id"] for r in q("SELECT id FROM claims")),
        "mentions": q("SELECT count(*) AS n FROM mentions")[0]["n"],
        "files": sorted((r["path"], r["status"], r["n_docs"]) for r in q(
            "SELECT path, status, n_docs FROM files")),
    }


def test_files_stored_in_groups_equal_files_stored_one_by_one(
        tmp_path, settings, resources, data_dir, monkeypatch):
    """Small new files share one transaction per group (evimap.pipeline.GROUP_FILES); the
    store must end up exactly as when every file has its own: the same documents, works,
    claims, aliases and file records, a copy inside the group known once, a file of more
    than CHUNK records streamed alone, an unreadable one recorded and the rest kept."""
    from evimap import pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    pages = sorted((data_dir / "pages-dev" / "docs").glob("*.txt"))[:6]
    for p in pages:
        shutil.copy(p, folder / p.name)
    shutil.copy(pages[0], folder / "zz_copy_of_first.txt")         # a copy in the same group
    (folder / "m_bad.xml").write_text("<PubmedArticleSet><PubmedArticle>", encoding="utf-8")
    records = (data_dir / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text(
        encoding="utf-8").split("\n\n")[:3]
    (folder / "c_three.pubtator").write_text("\n\n".join(records) + "\n", encoding="utf-8")
    monkeypatch.setattr(pipeline, "CHUNK", 2)       # the three-record file goes alone

    def ingest(group_files: int, name: str) -> Evimap:
        monkeypatch.setattr(pipeline, "GROUP_FILES", group_files)
        db = tmp_path / f"{name}.duckdb"
        ev = Evimap(db, replace(settings, db=str(db)))
        ev._resources = resources
        report = ev.ingest([str(folder)])
        by_name = {Path(f.path).name: f for f in report.files}
        assert by_name["m_bad.xml"].status == "error" and by_name["m_bad.xml"].errors
        assert by_name["zz_copy_of_first.txt"].status == "unchanged"
        assert by_name["zz_copy_of_first.txt"].known == 1
        assert by_name["c_three.pubtator"].added == 3
        assert [Path(f.path).name for f in report.files] == sorted(by_name)
        return ev

    grouped, single = ingest(64, "grouped"), ingest(1, "single")
    want = _snapshot(single)
    assert len(want["documents"]) == 6 + 3           # type: ignore[arg-type]
    assert want["aliases"] and want["claims"]
    got = _snapshot(grouped)
    # file paths differ only by store; documents, claims and works are content-derived
    assert got == want
    # a changed file among unchanged ones: its old document is replaced, nothing else moves
    edited = folder / pages[1].name
    edited.write_text(pages[1].read_text(encoding="utf-8") + "\nAspirin reduced stroke "
                      "risk in a trial of 400 adults.\n", encoding="utf-8")
    report = grouped.ingest([str(folder)])
    assert {Path(f.path).name: f.status for f in report.files if f.status != "unchanged"} == {
        pages[1].name: "added", "m_bad.xml": "error"}
    assert len(_snapshot(grouped)["documents"]) == 6 + 3     # type: ignore[arg-type]
    grouped.close()
    single.close()


def _pubmed_records(data_dir: Path, n: int) -> tuple[str, list[str]]:
    """The head of the fish oil PubMed file with ``n`` records, and their text pieces."""
    import gzip
    import re

    xml = gzip.decompress((data_dir / "lbd" / "fish_oil.xml.gz").read_bytes()).decode("utf-8")
    starts = [m.start() for m in re.finditer(r"<PubmedArticle>", xml)]
    end = xml.index("</PubmedArticleSet>")
    head, body = xml[:starts[0]], [xml[a:b] for a, b in zip(starts, [*starts[1:], end],
                                                             strict=True)]
    return head, body[:n]


def test_a_stage_failing_on_one_record_skips_it_alone(tmp_path, settings, resources,
                                                      data_dir, monkeypatch):
    """An unexpected error in a stage skips that record, with the record, the stage and the
    reason in the report; the file's other records and the batch go on."""
    from evimap import pipeline

    head, records = _pubmed_records(data_dir, 6)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "six.xml").write_text(head + "".join(records) + "</PubmedArticleSet>",
                                             encoding="utf-8")
    shutil.copy(next(iter(sorted((data_dir / "seeds").iterdir()))), tmp_path / "in" / "a.txt")
    real = pipeline.recognise
    calls = {"n": 0}

    def broken(text, *args, **kw):
        calls["n"] += 1
        if calls["n"] == 4:                 # the page first, then six.xml's third record
            raise ZeroDivisionError("an injected bug")
        return real(text, *args, **kw)

    monkeypatch.setattr(pipeline, "recognise", broken)
    db = tmp_path / "s.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        report = ev.ingest([str(tmp_path / "in")])
        (bad,) = report.errors
        assert "the entities stage failed on this record (ZeroDivisionError: an injected bug)"\
            in bad and "record skipped" in bad
        assert report.added == 6            # five records of six, and the page
        assert "six.xml (record 3)" in bad
        statuses = {Path(f.path).name: f.status for f in report.files}
        assert statuses == {"a.txt": "added", "six.xml": "partial"}


def test_an_interrupted_file_keeps_its_committed_chunks(tmp_path, settings, resources,
                                                        data_dir, monkeypatch):
    """Records commit a chunk at a time: a file interrupted part-way keeps what was stored,
    and a re-run finishes it without storing anything twice."""
    from evimap import pipeline

    head, records = _pubmed_records(data_dir, 14)
    src = tmp_path / "fourteen.xml"
    src.write_text(head + "".join(records) + "</PubmedArticleSet>", encoding="utf-8")
    monkeypatch.setattr(pipeline, "CHUNK", 4)
    real = pipeline.process
    calls = {"n": 0}

    def stopping(raw, *args, **kw):
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt        # the user presses Ctrl-C (or the job is killed)
        return real(raw, *args, **kw)

    db = tmp_path / "s.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        monkeypatch.setattr(pipeline, "process", stopping)
        with pytest.raises(KeyboardInterrupt):
            ev.ingest([str(src)])
        assert ev.store.counts()["documents"] == 8          # two chunks of four committed
        assert not ev.store.rows("SELECT * FROM files")
        monkeypatch.setattr(pipeline, "process", real)
        report = ev.ingest([str(src)])
        assert (report.files[0].added, report.files[0].known) == (6, 8)
        assert ev.store.counts()["documents"] == 14
        ids = {r["id"] for r in ev.store.rows("SELECT id FROM documents")}
        claims = ev.store.counts()["claims"]
    fresh = tmp_path / "fresh.duckdb"
    with Evimap(fresh, replace(settings, db=str(fresh))) as ev:
        ev._resources = resources
        ev.ingest([str(src)])
        assert {r["id"] for r in ev.store.rows("SELECT id FROM documents")} == ids
        assert ev.store.counts()["claims"] == claims


@pytest.mark.parametrize("chunk", [256, 3])
def test_a_read_error_part_way_keeps_the_records_before_it(tmp_path, settings, resources,
                                                           data_dir, monkeypatch, chunk):
    """A file cut in the middle of its eighth record: the seven before it are stored, the
    file is recorded with the error (a re-run tries it again and stores nothing twice)."""
    from evimap import pipeline

    monkeypatch.setattr(pipeline, "CHUNK", chunk)
    head, records = _pubmed_records(data_dir, 8)
    cut = tmp_path / "cut.xml"
    cut.write_text(head + "".join(records[:7]) + records[7][:200], encoding="utf-8")
    db = tmp_path / "s.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        report = ev.ingest([str(cut)])
        (result,) = report.files
        assert (result.status, result.added) == ("partial", 7)
        assert result.errors and "cut.xml" in result.errors[-1]
        (row,) = ev.store.rows("SELECT status, n_docs, error FROM files")
        assert row["status"] == "error" and row["n_docs"] == 7 and row["error"]
        again = ev.ingest([str(cut)])
        assert (again.files[0].added, again.files[0].known) == (0, 7)
        assert ev.store.counts()["documents"] == 7
