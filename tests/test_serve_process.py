"""The real server process (`evimap serve` on a free loopback port, in a subprocess) against
other sites and beside other processes: a rebound DNS name and cross-site requests are
refused, the UI's own forms and API clients with the session's token are not; CLI reads and
notebooks work while it holds the store, CLI writes get one line; a busy port is one line;
uploads keep their names; the load benchmark answers JSON."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from evimap.api import Evimap
from evimap.settings import Settings

PAGE = (b"Magnesium for migraine\n\nIntravenous magnesium reduced migraine pain in a small "
        b"open-label study of 30 patients.\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(settings: Settings, db: Path, *args: str, timeout: float = 120
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evimap.cli", "--db", str(db), "--data-dir",
                           settings.data_dir, "--cache-dir", settings.cache_dir, *args],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def store(tmp_path_factory, settings: Settings, seeds_dir: Path, resources) -> Path:
    db = tmp_path_factory.mktemp("process") / "seeds.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    assert not ev.ingest([str(seeds_dir)]).errors
    ev.close()
    return db


@pytest.fixture(scope="module")
def served(store: Path, settings: Settings) -> Iterator[str]:
    """``evimap serve`` over the store in a process of its own (uploads up to 1 MB); its
    base URL."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "evimap.cli", "--db", str(store),
                             "--data-dir", settings.data_dir, "--cache-dir", settings.cache_dir,
                             "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "EVIMAP_MAX_UPLOAD_MB": "1"})
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    assert line.startswith(f"serving {store} at http://127.0.0.1:{port}/"), proc.stderr.read()
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def _raw(base: str, method: str, path: str, headers: dict[str, str]
         ) -> tuple[int, dict[str, str], str]:
    """A request with exactly these headers (``Host`` included): what a rebound browser
    sends."""
    port = int(base.rsplit(":", 1)[1])
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        con.request(method, path, headers=headers)
        r = con.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        con.close()


def _documents(base: str) -> int:
    return int(httpx.get(base + "/api/stats", timeout=60).json()["documents"])


# --- other sites ---------------------------------------------------------------------------------

def test_a_rebound_host_name_is_refused(served):
    port = served.rsplit(":", 1)[1]
    status, _, body = _raw(served, "GET", "/api/stats", {"Host": f"attacker.example:{port}"})
    assert status == 400 and json.loads(body)["error"]["code"] == "bad_host"
    assert "documents" not in body
    status, _, body = _raw(served, "GET", "/", {"Host": "attacker.example"})
    assert status == 400 and "answers only to" in body and 'class="map"' not in body
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST"):
        assert _raw(served, "GET", "/api/stats", {"Host": host})[0] == 200, host


def test_a_cross_site_request_cannot_change_the_store(served):
    before = _documents(served)
    files = {"files": ("evil.txt", PAGE)}
    with httpx.Client(base_url=served, timeout=120) as c:
        token = c.get("/api/csrf").json()["csrf_token"]   # even with this session's token
        for headers in ({"Origin": "http://attacker.example"},
                        {"Referer": "http://attacker.example/page.html"},
                        {"Origin": "null"},
                        {"Origin": served.replace("127.0.0.1", "localhost")}):
            for url in ("/ingest", "/api/ingest"):
                r = c.post(url, files=files, headers={**headers, "X-CSRF-Token": token})
                assert r.status_code == 403, (url, headers)
                if url.startswith("/api/"):
                    assert r.json()["error"]["code"] == "cross_site"
    # a form posted from elsewhere carries no token of this server's sessions
    for url in ("/ingest", "/api/ingest"):
        r = httpx.post(served + url, files=files, data={"csrf_token": "0" * 40}, timeout=60)
        assert r.status_code == 403, url
        r = httpx.post(served + url, files=files, timeout=60)
        assert r.status_code == 403, url
    claim = httpx.get(served + "/api/claims", params={"limit": 1}).json()["items"][0]
    r = httpx.post(f"{served}/api/claims/{claim['id']}/curation", json={"verdict": "wrong"},
                   headers={"Origin": "http://attacker.example"})
    assert r.status_code == 403
    r = httpx.post(f"{served}/api/claims/{claim['id']}/curation", json={"verdict": "wrong"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    assert _documents(served) == before
    assert httpx.get(f"{served}/api/claims/{claim['id']}").json()["curation"] is None


# --- side by side --------------------------------------------------------------------------------

def test_cli_reads_beside_the_server_and_writes_get_one_line(served, store, settings,
                                                              tmp_path):
    for args in (("statements", "--limit", "3"), ("docs",), ("claims", "--limit", "2"),
                 ("search", "ketamine"), ("export", "-f", "csv", "-w", "statements")):
        r = _cli(settings, store, *args)
        assert r.returncode == 0, (args, r.stderr)
        assert r.stdout.strip() and "Conflicting lock" not in r.stderr, args
    page = tmp_path / "new.txt"
    page.write_bytes(PAGE)
    claim = httpx.get(served + "/api/claims", params={"limit": 1}).json()["items"][0]
    for args in (("ingest", str(page)), ("curate", claim["id"], "--wrong")):
        r = _cli(settings, store, *args)
        assert r.returncode == 1 and r.stderr.count("\n") == 1, (args, r.stderr)
        assert r.stderr.startswith(f"error: the store {store} is open for reading in another "
                                   "process (evimap serve, PID ")
        assert "POST /api/ingest" in r.stderr and "Conflicting lock" not in r.stderr


def test_a_notebook_reads_beside_the_server(served, store):
    from evimap import Evimap as FromPackage

    with FromPackage(store, read_only=True) as ev:
        assert ev.store.counts()["documents"] == _documents(served)
        assert ev.statements(about="ketamine", limit=2)
        with pytest.raises(Exception, match="read-only"):
            ev.curate(ev.list_claims(limit=1).items[0]["id"], "wrong")


def test_a_shared_notebook_lets_the_cli_read_and_still_writes(store, settings, tmp_path):
    db = tmp_path / "notebook.duckdb"
    shutil.copy(store, db)
    with Evimap(db, replace(settings, db=str(db)), shared=True) as ev:
        r = _cli(settings, db, "statements", "--limit", "2")
        assert r.returncode == 0 and r.stdout.strip(), r.stderr
        claim = ev.list_claims(limit=1).items[0]
        done = ev.curate(claim["id"], "wrong", "a misread sentence")
        assert done["curation"]["verdict"] == "wrong"
        assert ev.claim(claim["id"])["curation"]["note"] == "a misread sentence"
        r = _cli(settings, db, "claims", "--json")
        assert r.returncode == 0, r.stderr
        (mine,) = [c for c in json.loads(r.stdout) if c["id"] == claim["id"]]
        assert mine["curation"]["verdict"] == "wrong"


# --- the UI's own requests ------------------------------------------------------------------------

def test_the_uis_form_and_api_clients_with_the_token_may_write(served, store):
    before = _documents(served)
    with httpx.Client(base_url=served, timeout=120) as browser:
        form = browser.get("/ingest")
        assert "evimap_session=" in form.headers["set-cookie"]
        assert "httponly" in form.headers["set-cookie"].lower()
        token = re.search(r'name="csrf_token" value="(\w+)"', form.text)
        assert token
        r = browser.post("/ingest", data={"csrf_token": token.group(1)},
                         files={"files": ("../notes/magnesium note.txt", PAGE)},
                         headers={"Origin": served, "Referer": served + "/ingest"})
        assert r.status_code == 200 and "magnesium note.txt" in r.text
    assert _documents(served) == before + 1
    docs = httpx.get(served + "/api/documents", params={"q": "magnesium note"}).json()
    assert [d["path"] for d in docs["items"]] == ["magnesium note.txt"]
    with httpx.Client(base_url=served, timeout=120) as api:
        token = api.get("/api/csrf").json()["csrf_token"]
        r = api.post("/api/ingest", headers={"X-CSRF-Token": token},
                     files={"files": ("second.txt", PAGE.replace(b"30", b"40"))})
        assert r.status_code == 200 and r.json()["summary"]["documents_added"] == 1
        other = httpx.get(served + "/api/csrf").json()["csrf_token"]   # another session's
        r = api.post("/api/ingest", headers={"X-CSRF-Token": other},
                     files={"files": ("third.txt", PAGE.replace(b"30", b"50"))})
        assert r.status_code == 403
    assert _documents(served) == before + 2


def test_oversized_and_chunked_uploads_are_refused_cleanly(served):
    with httpx.Client(base_url=served, timeout=120) as c:
        token = c.get("/api/csrf").json()["csrf_token"]
        session = c.cookies["evimap_session"]
        big = ("big.txt", b"x" * (1200 * 1024))
        r = c.post("/api/ingest", files={"files": big}, headers={"X-CSRF-Token": token})
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    head = (b'--B\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n")
    chunks = [head, *([b"x" * 65536] * 19), b"\r\n--B--\r\n"]     # 1.2 MB, no length
    port = int(served.rsplit(":", 1)[1])
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        con.request("POST", "/api/ingest", body=iter(chunks), encode_chunked=True, headers={
            "Content-Type": "multipart/form-data; boundary=B", "X-CSRF-Token": token,
            "Cookie": f"evimap_session={session}", "Transfer-Encoding": "chunked"})
        r = con.getresponse()
        assert r.status == 413 and json.loads(r.read())["error"]["code"] == "too_large"
    finally:
        con.close()
    assert httpx.get(served + "/api/stats").status_code == 200


def test_serve_on_a_busy_port_says_so_in_one_line(store, settings):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _cli(settings, store, "serve", "--port", str(port))
    assert r.returncode == 1 and "serving" not in r.stdout
    assert r.stderr == (f"error: port {port} on 127.0.0.1 is already in use (another evimap "
                        "serve?); choose another with --port\n")


def test_bench_serve_reports_latency_percentiles(store, settings, tmp_path):
    from evimap.bench import bench_serve

    db = tmp_path / "bench.duckdb"
    shutil.copy(store, db)
    result = bench_serve(settings, db, clients=8, requests=120, max_seconds=60)
    assert result["requests"] == 120 and result["errors"] == 0
    assert result["store"]["documents"] >= 5 and result["clients"] == 8   # the seeds, at least
    lat = result["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert result["requests_per_second"] > 0
    assert {"map page", "statement", "statements", "stats"} <= set(result["by_kind"])
    assert len(result["machine"]["load_average"]) == 3
    machine = result["machine"]
    assert machine["python_loop_ns_before"] > 0 and machine["python_loop_ns"] > 0
    if Path("/proc/stat").exists():
        assert 0 <= machine["cpu_steal_share"] <= 1 and 0 <= machine["cpu_idle_share"] < 1
    # the load started once the server had loaded its lexicon (its first seconds' cost)
    assert result["resources"] == "ready" and result["ready_seconds"] > 0
