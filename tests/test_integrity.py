"""Store integrity (issue 15): nothing lost, nothing stale, no orphan processes, bad paths
reported one by one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import psutil

from evimap.api import Evimap
from evimap.read import expand_paths
from evimap.settings import Settings
from evimap.store import SCHEMA_VERSION, open_store

EVIMAP = [sys.executable, "-m", "evimap.cli"]


def test_the_current_content_of_a_path_wins_after_a_revert(tmp_path, settings, resources,
                                                           seed_paths):
    """Ingest A, edit it to B and ingest, revert to A and ingest: the store holds A."""
    page = tmp_path / "page.txt"
    a = seed_paths["003"].read_text(encoding="utf-8")
    b = seed_paths["002"].read_text(encoding="utf-8")
    db = tmp_path / "s.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        texts = []
        for content in (a, b, a):
            page.write_text(content, encoding="utf-8")
            report = ev.ingest([str(page)])
            assert report.files[0].status == "added", report.files[0]
            texts.append([r["text"] for r in ev.store.rows("SELECT text FROM documents")])
        assert texts[0] == texts[2] != texts[1]
        (row,) = ev.store.rows("SELECT status FROM files")
        assert row["status"] == "ok"
        again = ev.ingest([str(page)])
        assert again.files[0].status == "unchanged"


def test_a_store_cut_short_while_being_created_is_made_again(tmp_path):
    """A kill between creating the tables and recording the version left a store every
    later run refused ("schema version None"): with nothing in it, it is created again."""
    from evimap.store import _schema_sql

    db = tmp_path / "half.duckdb"
    con = duckdb.connect(str(db))
    sql_text = "\n".join(line.split("--")[0] for line in _schema_sql().splitlines())
    statements = [s for s in sql_text.split(";") if "CREATE" in s]
    for sql in statements[:4]:              # meta, files, works, documents; then the kill
        con.execute(sql)
    con.close()
    store = open_store(db)
    assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(
        SCHEMA_VERSION)
    assert store.counts()["documents"] == 0
    store.close()


def test_workers_die_with_their_parent(tmp_path, settings: Settings, data_dir: Path):
    """`evimap ingest --jobs 2` killed with SIGKILL: its worker processes end too."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted((data_dir / "pages-dev" / "docs").glob("*.txt"))[:30]:
        shutil.copy(p, folder / p.name)
    env = {**os.environ, "EVIMAP_CACHE_DIR": str(settings.cache_dir),
           "EVIMAP_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.Popen([*EVIMAP, "--db", str(tmp_path / "s.duckdb"), "ingest",
                             str(folder), "--jobs", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = [c for c in parent.children(recursive=True) if c.is_running()]
        time.sleep(0.1)
    assert len(workers) >= 2, "the workers never started"
    time.sleep(1.0)                     # let them reach their initialiser
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    for p in alive:
        p.kill()
    assert not alive, f"{len(alive)} worker(s) outlived their parent"


def test_a_file_of_bad_records_keeps_a_bounded_error_list(tmp_path, settings, resources):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(f"{{not json {i}\n" for i in range(1000))
                   + json.dumps({"text": "Aspirin reduced stroke risk in adults."}) + "\n",
                   encoding="utf-8")
    db = tmp_path / "s.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        (result,) = ev.ingest([str(bad)]).files
    assert result.added == 1 and result.status == "partial"
    assert len(result.errors) == 101
    assert result.errors[-1].endswith("900 more bad record(s) not listed")


def test_odd_paths_are_reported_one_by_one(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Aspirin for stroke.", encoding="utf-8")
    fd = os.open(os.fsencode(folder) + b"/bad-\xff-name.txt", os.O_CREAT | os.O_WRONLY)
    os.write(fd, b"Aspirin for stroke, again.")
    os.close(fd)
    (tmp_path / "loop_a").symlink_to(tmp_path / "loop_b")
    (tmp_path / "loop_b").symlink_to(tmp_path / "loop_a")
    (tmp_path / "dangling").symlink_to(tmp_path / "missing.txt")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("x", encoding="utf-8")
    real_scandir, real_stat = os.scandir, Path.stat

    def scandir(path=".", *a, **kw):        # a folder that cannot be listed (tests run as root)
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path, *a, **kw)

    def stat(self, *a, **kw):
        if str(self).startswith(str(locked) + os.sep):
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *a, **kw)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "stat", stat)
    files, errors = expand_paths([str(folder), str(tmp_path / "loop_a"),
                                  str(tmp_path / "dangling"), str(locked),
                                  str(locked / "inside.txt")])
    assert [f.name for f in files] == ["good.txt"]
    reasons = [str(e) for e in errors]
    assert any("bad-\\xff-name.txt" in r and "not valid UTF-8" in r for r in reasons)
    assert any("loop_a" in r and "loop of symbolic links" in r for r in reasons)
    assert any("dangling" in r and "target is missing" in r for r in reasons)
    assert any(r.startswith(str(locked)) and "cannot read this folder (permission denied)"
               in r for r in reasons)
    assert any("inside.txt" in r and "permission denied" in r for r in reasons)
