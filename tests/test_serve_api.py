"""The HTTP API and the web UI, in process (FastAPI's TestClient) over a store built from the
seeds and one hostile page: endpoints, pagination, filters, errors, uploads, safety."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import evimap
from evimap.api import Evimap
from evimap.errors import EvimapError
from evimap.serve import check_binding, create_app
from evimap.settings import Settings


@pytest.fixture(scope="module")
def ev(tmp_path_factory, settings: Settings, seeds_dir: Path, hostile_page: Path, resources):
    db = tmp_path_factory.mktemp("serve") / "seeds.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    report = ev.ingest([str(seeds_dir), str(hostile_page)])
    assert not report.errors
    yield ev
    ev.close()


@pytest.fixture(scope="module")
def client(ev: Evimap, settings: Settings):
    with TestClient(create_app(replace(settings, db=ev.store.path), ev)) as c:
        yield c


@pytest.fixture
def empty_store(tmp_path, settings: Settings, resources):
    """A store of its own, for tests that write to it."""
    db = tmp_path / "uploads.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    yield ev
    ev.close()


def _csrf(c: TestClient) -> dict[str, str]:
    """The header a request that changes the store carries (the session cookie stays in
    the client)."""
    return {"X-CSRF-Token": c.get("/api/csrf").json()["csrf_token"]}


def _error(r, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    assert body["error"]["code"] == code
    return str(body["error"]["message"])


# --- the JSON API -------------------------------------------------------------------------------

def test_openapi_schema_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/documents", "/api/documents/{doc_id}", "/api/documents/{doc_id}/segments",
              "/api/works", "/api/works/{work_id}", "/api/concepts",
              "/api/concepts/autocomplete", "/api/concepts/{concept_id}", "/api/claims",
              "/api/statements", "/api/statements/{key}", "/api/statements/{key}/evidence",
              "/api/evidence", "/api/map", "/api/ingest", "/api/report", "/api/stats"):
        assert p in paths, p
    assert "multipart/form-data" in paths["/api/ingest"]["post"]["requestBody"]["content"]
    assert not any(p.startswith("/statements") for p in paths)   # the UI is not API


def test_documents_are_paginated(client, ev):
    total = ev.store.counts()["documents"]
    first = client.get("/api/documents", params={"limit": 2}).json()
    second = client.get("/api/documents", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == total == 6
    assert (first["limit"], first["offset"], len(first["items"])) == (2, 0, 2)
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}
    last = client.get("/api/documents", params={"limit": 2, "offset": 6}).json()
    assert last["items"] == [] and last["total"] == total


def test_documents_search_and_one_document(client):
    found = client.get("/api/documents", params={"q": "FIBROMYALGIA"}).json()
    assert found["total"] >= 1
    doc = client.get(f"/api/documents/{found['items'][0]['id']}").json()
    assert {"text", "metadata", "signals", "work_sources", "paths"} <= set(doc)


def test_segments_keep_comments_and_dropped_boilerplate_apart(client):
    news = client.get("/api/documents", params={"q": "Tied to Fibromyalgia"}).json()["items"][0]
    segs = client.get(f"/api/documents/{news['id']}/segments", params={"limit": 500}).json()
    kinds = {s["kind"] for s in segs["items"]}
    assert {"title", "body", "comment", "boilerplate"} <= kinds
    comments = client.get(f"/api/documents/{news['id']}/segments",
                          params={"kind": "comment"}).json()
    assert comments["total"] == 8 and all(s["author"] and s["date"] for s in comments["items"])
    assert all(s["reason"] for s in segs["items"] if s["kind"] == "boilerplate")
    assert [s["idx"] for s in segs["items"]] == sorted(s["idx"] for s in segs["items"])


def test_works_count_copies_once(client):
    works = client.get("/api/works").json()
    assert works["total"] == 5
    (review,) = [w for w in works["items"] if w["n_sources"] == 2]
    assert len(client.get(f"/api/works/{review['id']}").json()["documents"]) == 2


def test_concepts_by_name_synonym_and_autocomplete(client):
    by_name = client.get("/api/concepts", params={"q": "ketam"}).json()["items"]
    assert by_name[0]["id"] == "D007649"
    by_synonym = client.get("/api/concepts", params={"q": "Ketalar"}).json()["items"]
    assert [c["id"] for c in by_synonym] == ["D007649"]      # a brand name never seen in text
    typed = client.get("/api/concepts/autocomplete", params={"q": "mil"}).json()["items"]
    assert typed and typed[0]["name"] == "Milnacipran"
    diseases = client.get("/api/concepts", params={"type": "disease", "limit": 500}).json()
    assert diseases["total"] > 5 and {c["type"] for c in diseases["items"]} == {"disease"}


def test_concept_has_synonyms_and_neighbours(client):
    c = client.get("/api/concepts/D007649").json()
    assert c["name"] == "Ketamine" and "Ketalar" in c["synonyms"]
    assert c["counts"]["statements"] >= 1
    assert any(n["id"] == "D008881" and n["outgoing"] for n in c["neighbours"])


def test_neighbours_are_each_concepts_strongest_statement(ev: Evimap):
    """A concept's neighbours, against the statements listing: each other concept once with
    its strongest statement (ties: the smaller key), strongest first, then by name."""
    from collections import Counter

    ends = Counter(c for st in ev.list_statements(limit=500).items
                   for c in (st["subject"]["id"], st["object"]["id"]))
    for concept, _ in ends.most_common(4):
        listed = ev.list_statements(about=concept, limit=500).items
        best: dict[str, dict] = {}
        for st in sorted(listed, key=lambda x: (-x["belief"], x["key"])):
            outgoing = st["subject"]["id"] == concept
            other = st["object"] if outgoing else st["subject"]
            if other["id"] != concept:
                best.setdefault(other["id"], {
                    "id": other["id"], "name": other["name"], "key": st["key"],
                    "predicate": st["predicate"], "belief": st["belief"],
                    "outgoing": outgoing})
        want = sorted(best.values(), key=lambda n: (-n["belief"], n["name"], n["id"]))
        for limit in (12, 2):
            got = [{k: n[k] for k in ("id", "name", "key", "predicate", "belief", "outgoing")}
                   for n in ev.neighbours(concept, limit)]
            assert got == want[:limit]
        assert len(want) >= 2


def test_statements_filtered_and_paginated(client):
    page = client.get("/api/statements", params={"subject": "ketamine",
                                                 "predicate": "treats"}).json()
    assert page["total"] >= 1
    assert all(s["subject"]["name"] == "Ketamine" and s["predicate"] == "treats"
               for s in page["items"])
    beliefs = [s["belief"] for s in client.get("/api/statements").json()["items"]]
    assert beliefs == sorted(beliefs, reverse=True)
    by_design = client.get("/api/statements", params={"design": "cohort"}).json()["items"]
    assert by_design and {s["best_design"] for s in by_design} == {"cohort"}
    by_object = client.get("/api/statements", params={"object": "D008881"}).json()["items"]
    assert by_object and {s["object"]["id"] for s in by_object} == {"D008881"}


def test_statement_explains_its_belief_and_pages_its_evidence(client):
    (st,) = client.get("/api/statements", params={
        "subject": "ketamine", "object": "migraine", "predicate": "treats"}).json()["items"]
    full = client.get(f"/api/statements/{st['key']}").json()
    works = full["explanation"]["works"]
    assert len(works) == st["n_works"] == 2 and all(w["weight"] > 0 and w["title"]
                                                    for w in works)
    evidence = client.get(f"/api/statements/{st['key']}/evidence", params={"limit": 5}).json()
    assert evidence["total"] == st["n_claims"] and len(evidence["items"]) == 5
    assert {c["statement_key"] for c in evidence["items"]} == {st["key"]}
    beyond = client.get(f"/api/statements/{st['key']}/evidence", params={"offset": 10_000})
    assert beyond.status_code == 200 and beyond.json()["items"] == []
    assert beyond.json()["total"] == st["n_claims"]
    _error(client.get("/api/statements/0123456789abcdef/evidence"), 404, "not_found")


def test_claims_and_evidence_for_a_pair(client):
    claims = client.get("/api/claims", params={"about": "milnacipran", "limit": 3}).json()
    assert claims["total"] > 3 and len(claims["items"]) == 3
    ev = client.get("/api/evidence", params={"intervention": "ketamine",
                                             "condition": "migraine"}).json()
    assert ev["total"] >= 10
    assert {(c["subject"]["name"], c["object"]["name"]) for c in ev["items"]} == {
        ("Ketamine", "Migraine Disorders")}
    assert any(c["n"] == 61 for c in ev["items"])


def test_evidence_map_cells(client):
    m = client.get("/api/map").json()
    assert m["rows"] and m["cols"] and m["cells"]
    assert {r["type"] for r in m["rows"]} <= {"chemical", "procedure"}
    assert {c["type"] for c in m["cols"]} == {"disease"}
    (cell,) = [c for c in m["cells"] if (c["subject_id"], c["object_id"]) ==
               ("D007649", "D008881")]
    assert cell["n_works"] == 2 and cell["best_design"] == "case_series"
    small = client.get("/api/map", params={"rows": 2, "cols": 2}).json()
    assert len(small["rows"]) <= 2 and len(small["cols"]) <= 2


def test_report_download(client):
    r = client.get("/api/report")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "Evidence report" in r.text and "<script" not in r.text


# --- errors ------------------------------------------------------------------------------------

def test_errors_are_json_with_a_stable_shape(client):
    assert "abcdef" in _error(client.get("/api/documents/abcdef"), 404, "not_found")
    assert "no concept" in _error(client.get("/api/statements", params={"subject": "zzzqqq"}),
                                  404, "not_found")
    assert "limit" in _error(client.get("/api/claims", params={"limit": 0}), 422,
                             "invalid_parameter")
    _error(client.get("/api/statements/NOT-A-KEY"), 422, "invalid_parameter")
    _error(client.get("/api/nothing/here"), 404, "not_found")
    _error(client.delete("/api/documents", headers=_csrf(client)), 405, "method_not_allowed")
    _error(client.post("/api/ingest"), 403, "csrf")
    _error(client.post("/api/ingest", headers=_csrf(client)), 422, "invalid_parameter")


def test_html_errors_are_pages(client):
    r = client.get("/documents/abcdef")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "no document" in r.text


@pytest.mark.parametrize("url", [
    "/api/documents/..%2F..%2Fetc%2Fpasswd", "/documents/..%2F..%2Fetc%2Fpasswd",
    "/static/../pyproject.toml", "/static/..%2F..%2F..%2Fpyproject.toml",
    "/static/%2e%2e/%2e%2e/settings.py", "/concepts/..%2Fsettings.py"])
def test_no_directory_traversal(client, url):
    r = client.get(url)
    assert r.status_code in (404, 422)
    assert "root:" not in r.text and "[project]" not in r.text and "SETTINGS" not in r.text


PAGED = ["/api/documents", "/api/documents/{doc}/segments", "/api/works", "/api/concepts",
         "/api/claims", "/api/statements", "/api/statements/{key}/evidence",
         "/api/statements/{key}/works", "/api/evidence?intervention=ketamine",
         "/statements", "/statements/{key}", "/documents", "/documents/{doc}", "/concepts"]


def test_an_offset_beyond_bigint_is_422_on_every_paged_route(client):
    key = client.get("/api/statements", params={"limit": 1}).json()["items"][0]["key"]
    doc = client.get("/api/documents", params={"limit": 1}).json()["items"][0]["id"]
    for url in PAGED:
        url = url.format(key=key, doc=doc)
        joiner = "&" if "?" in url else "?"
        r = client.get(f"{url}{joiner}offset={2**63}")
        assert r.status_code == 422, (url, r.status_code)
        if url.startswith("/api/"):
            assert r.json()["error"]["code"] == "invalid_parameter"
        assert client.get(f"{url}{joiner}offset={2**63 - 1}").status_code == 200, url


def test_answers_are_cached_until_the_store_changes(empty_store, settings):
    with TestClient(create_app(settings, empty_store)) as c:
        first, again = c.get("/api/stats"), c.get("/api/stats")
        assert first.headers["x-evimap-cache"] == "miss"
        assert again.headers["x-evimap-cache"] == "hit"
        assert first.json() == again.json() and first.json()["documents"] == 0
        page = ("note.txt", b"Magnesium for migraine\n\nIntravenous magnesium reduced migraine "
                b"pain in a small open-label study of 30 patients.\n")
        assert c.post("/api/ingest", files=[("files", page)], headers=_csrf(c)).status_code == 200
        after = c.get("/api/stats")
        assert after.headers["x-evimap-cache"] == "miss" and after.json()["documents"] == 1
        # a page with a form is kept with a stand-in for the token: each session gets its own
        mine = re.search(r'name="csrf_token" value="(\w+)"', c.get("/ingest").text)
        with TestClient(create_app(settings, empty_store)) as other:
            theirs = re.search(r'name="csrf_token" value="(\w+)"', other.get("/ingest").text)
        assert mine and theirs and mine.group(1) != theirs.group(1)
        kept = c.get("/ingest")
        assert kept.headers["x-evimap-cache"] == "hit" and mine.group(1) in kept.text


# --- uploads -----------------------------------------------------------------------------------

def test_upload_ingests_and_reports_each_file(empty_store, settings):
    leftovers = set(Path(tempfile.gettempdir()).glob("evimap-upload-*"))
    with TestClient(create_app(settings, empty_store)) as c:
        good = ("../../magnesium.txt", b"Magnesium for migraine\n\nIntravenous magnesium "
                b"reduced migraine pain in a small open-label study of 30 patients.\n")
        bad = ("broken.xml", b"<PubmedArticleSet><PubmedArticle><MedlineCitation>")
        r = c.post("/api/ingest", files=[("files", good), ("files", bad)], headers=_csrf(c))
        assert r.status_code == 200, r.text
        body = r.json()
        by_name = {f["name"]: f for f in body["files"]}
        assert by_name["../../magnesium.txt"]["status"] == "added"
        assert by_name["broken.xml"]["status"] == "error"
        assert by_name["broken.xml"]["errors"][0].startswith("broken.xml:")
        assert body["summary"]["documents_added"] == 1 and body["store"]["documents"] == 1
        again = c.post("/api/ingest", files=[("files", good)], headers=_csrf(c)).json()
        assert again["summary"]["documents_added"] == 0
        assert again["summary"]["documents_known"] == 1
    # stored under the name it was uploaded with, never the deleted temporary path
    assert empty_store.store.rows("SELECT path FROM documents") == [{"path": "magnesium.txt"}]
    files = empty_store.store.rows("SELECT path, status FROM files ORDER BY path")
    assert files == [{"path": "broken.xml", "status": "error"},
                     {"path": "magnesium.txt", "status": "ok"}]
    claims = empty_store.list_claims(limit=5).items
    assert claims and {c["path"] for c in claims} == {"magnesium.txt"}
    assert set(Path(tempfile.gettempdir()).glob("evimap-upload-*")) == leftovers


def test_upload_size_is_limited(empty_store, settings):
    small = replace(settings, max_upload_mb=0.001)   # about 1 KB
    with TestClient(create_app(small, empty_store)) as c:
        r = c.post("/api/ingest", files=[("files", ("big.txt", b"x" * 5000))],
                   headers=_csrf(c))
        _error(r, 413, "too_large")
    assert empty_store.store.counts()["documents"] == 0


# --- the web UI ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/?objects=mechanisms&colour=design", "/statements",
                                 "/statements?subject=ketamine&predicate=treats",
                                 "/documents", "/documents?q=ketamine", "/concepts",
                                 "/concepts?q=ket", "/concepts/D007649", "/search?q=ketamine",
                                 "/search", "/ingest"])
def test_pages_render_without_inline_script(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    scripts = re.findall(r"<script[^>]*>", r.text)
    assert scripts == ['<script src="/static/evimap.js" defer>']
    assert " style=" not in r.text             # no inline styles either: CSP style-src 'self'


def test_map_page_links_bubbles_to_statements(client):
    html = client.get("/").text
    assert '<svg class="map"' in html
    keys = re.findall(r'<a class="cell[a-z ]*" href="/statements/([0-9a-f]+)"', html)
    assert keys and client.get(f"/statements/{keys[0]}").status_code == 200


def test_statement_page_shows_why_and_the_sentence_in_its_paragraph(client):
    (st,) = client.get("/api/statements", params={
        "subject": "ketamine", "object": "migraine", "predicate": "treats"}).json()["items"]
    html = client.get(f"/statements/{st['key']}").text
    assert "Why this belief" in html and "supported_by" in html
    # each sentence once per work: the review's two copies show their sentence once
    works = client.get(f"/api/statements/{st['key']}/works").json()["items"]
    assert html.count('<mark class="sentence">') == sum(len(w["claims"]) for w in works) \
        == st["n_claims"] - 1
    assert '<mark class="subj">' in html and "case series" in html


def test_document_page_distinguishes_kept_dropped_and_comments(client):
    news = client.get("/api/documents", params={"q": "Tied to Fibromyalgia"}).json()["items"][0]
    claim = client.get("/api/claims", params={"doc": news["id"], "limit": 1}).json()["items"][0]
    html = client.get(f"/documents/{news['id']}", params={"claim": claim["id"]}).text
    assert html.count('class="seg comment"') == 8
    assert 'class="seg boilerplate"' in html and 'class="reason"' in html
    assert 'class="seg kept body"' in html
    assert re.search(r'<a class="ent (chemical|mechanism)" href="/concepts/', html)
    assert '<mark class="sentence" id="focus">' in html


def test_concept_page_draws_the_neighbour_graph(client):
    html = client.get("/concepts/D007649").text
    assert '<svg class="graph"' in html and "Ketalar" in html and "D007649" in html
    assert re.search(r'<a class="edge" href="/statements/[0-9a-f]+">', html)


def test_scraped_markup_is_shown_escaped(client):
    (doc,) = client.get("/api/documents", params={"q": "pwned"}).json()["items"]
    for url in (f"/documents/{doc['id']}", "/documents?q=pwned", "/search?q=magnesium"):
        html = client.get(url).text
        assert "<script>document.title" not in html and "<img src=x" not in html, url
    html = client.get(f"/documents/{doc['id']}").text
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html


# --- binding and token -----------------------------------------------------------------------

def test_only_loopback_may_go_without_a_token():
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        check_binding(host, "")
    check_binding("0.0.0.0", "s3cret")
    for host in ("0.0.0.0", "192.168.1.5", "example.org", "::"):
        with pytest.raises(EvimapError, match="--token"):
            check_binding(host, "")


def test_cli_refuses_a_public_address_without_token(ev):
    r = subprocess.run([sys.executable, "-m", "evimap.cli", "--db", ev.store.path, "serve",
                        "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.startswith("error: binding to 0.0.0.0") and r.stderr.count("\n") == 1


def test_token_is_required_on_every_request(ev, settings):
    app = create_app(replace(settings, token="s3cret"), ev)
    with TestClient(app) as c:
        r = c.get("/api/stats")
        _error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"
        _error(c.get("/api/stats", headers={"Authorization": "Bearer nope"}), 401,
               "unauthorized")
        assert c.get("/static/evimap.css").status_code == 401
        assert c.get("/").status_code == 401 and "token" in c.get("/").text
        assert c.get("/api/stats", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        r = c.get("/", params={"token": "s3cret"})
        assert r.status_code == 200 and "evimap_token" in r.headers["set-cookie"]
        assert "httponly" in r.headers["set-cookie"].lower()
        # the browser keeps the cookie, so the UI's own links work
        assert c.get("/statements").status_code == 200


def test_a_statements_pair_lists_what_the_listing_gives(ev: Evimap):
    """The statement page's other statements of its pair (read with the statement, one
    query) are the listing's for that subject and object, the statement and its rivals left
    out."""
    statements = ev.list_statements(limit=500).items
    assert statements
    for st in statements:
        view = ev.statement_page(st["key"], limit=1)
        rivals = {r["key"] for r in view.statement["contradictions"]}
        listed = ev.list_statements(subject=st["subject"]["id"], object=st["object"]["id"],
                                    limit=20)
        want = [s for s in listed.items if s["key"] != st["key"] and s["key"] not in rivals]
        assert [s["key"] for s in view.others] == [s["key"] for s in want]
        assert all({**s, "sources": None} == {**t, "sources": None}
                   for s, t in zip(view.others, want, strict=True))


def test_a_store_held_for_reading_remembers_until_it_is_written(tmp_path, settings: Settings,
                                                                 seeds_dir: Path, resources):
    db = tmp_path / "memo.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as writer:
        writer._resources = resources
        writer.ingest([str(next(seeds_dir.glob("*.txt")))])
    calls: list[int] = []

    def count() -> int:
        calls.append(1)
        return int(shared.store.scalar("SELECT count(*) FROM documents"))

    shared = Evimap(db, replace(settings, db=str(db)), create=False, shared=True)
    try:
        shared._resources = resources
        assert shared.store.memo("n", count) == shared.store.memo("n", count) == 1
        assert len(calls) == 1                      # remembered while nothing changed
        shared.ingest([str(p) for p in sorted(seeds_dir.glob("*.txt"))[1:3]])
        assert shared.store.memo("n", count) == 3  # a write ends what was remembered
        assert len(calls) == 2
    finally:
        shared.close()
    with Evimap(db, replace(settings, db=str(db))) as alone:   # held for writing: no memo
        for _ in range(2):
            alone.store.memo("n", lambda: calls.append(1) or 0)
    assert len(calls) == 4


def test_a_store_held_for_reading_recalls_a_copy_until_it_is_written(
        tmp_path, settings: Settings, seeds_dir: Path, resources, monkeypatch):
    """``Store.recall``: remembered while the store is unchanged, each call getting a copy
    of its own; the least recently used dropped past ``RECALL_BYTES``; nothing remembered
    by a store held for writing. A statement is recalled so (its JSON, then its page)."""
    import pickle

    import evimap.store as store_module

    db = tmp_path / "recall.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as writer:
        writer._resources = resources
        writer.ingest([str(p) for p in sorted(seeds_dir.glob("*.txt"))[:2]])
        calls: list[str] = []
        writer.store.recall("a", lambda: calls.append("a") or [1])
        writer.store.recall("a", lambda: calls.append("a") or [1])
        assert calls == ["a", "a"]              # held for writing: computed every time
    shared = Evimap(db, replace(settings, db=str(db)), create=False, shared=True)
    try:
        shared._resources = resources
        calls.clear()

        def docs(tag: str) -> list[int]:
            calls.append(tag)
            return [int(shared.store.scalar("SELECT count(*) FROM documents"))]

        first = shared.store.recall("a", lambda: docs("a"))
        first.append(99)                        # the caller's own copy
        assert shared.store.recall("a", lambda: docs("a")) == [2] and calls == ["a"]
        size = len(pickle.dumps([2], protocol=pickle.HIGHEST_PROTOCOL))
        monkeypatch.setattr(store_module, "RECALL_BYTES", 8 * size)   # room for eight
        for tag in "bcdefgh":
            shared.store.recall(tag, lambda t=tag: docs(t))
        shared.store.recall("a", lambda: docs("a"))
        assert calls == ["a", *"bcdefgh"]           # eight kept: "a" still there
        shared.store.recall("i", lambda: docs("i"))
        shared.store.recall("b", lambda: docs("b"))
        assert calls == ["a", *"bcdefghi", "b"]     # "b", least recently used, was dropped
        monkeypatch.undo()
        shared.ingest([str(sorted(seeds_dir.glob("*.txt"))[2])])
        assert shared.store.recall("a", lambda: docs("a")) == [3]   # a write ends it
        key = shared.list_statements(limit=1).items[0]["key"]
        st = shared.statement(key)
        st["belief"] = -1.0                     # changing the answer changes no later one
        page = shared.statement_page(key)
        assert page.statement["belief"] == shared.statement(key)["belief"] >= 0
    finally:
        shared.close()


def test_the_listings_kept_in_order_page_as_the_query_does(
        tmp_path, settings: Settings, seeds_dir: Path, resources, monkeypatch):
    """A store held for reading keeps the keys of the unfiltered statement and claim
    listings in order (their first ``LISTING_KEPT``) and pages from them; past them, and on
    a store held for writing, the query pages: the same pages either way."""
    import evimap.api as api_module

    db = tmp_path / "listing.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as writer:
        writer._resources = resources
        writer.ingest([str(p) for p in sorted(seeds_dir.glob("*.txt"))])
        total = writer.list_statements(limit=1).total
        assert total >= 8
        queried = [writer.list_statements(limit=3, offset=o).to_json()
                   for o in range(0, total + 3, 3)]
        filtered = writer.list_statements(predicate="treats", limit=50).to_json()
        n_claims = writer.list_claims(limit=1).total
        claims = [writer.list_claims(limit=7, offset=o).to_json()
                  for o in range(0, n_claims + 7, 7)]
    monkeypatch.setattr(api_module, "LISTING_KEPT", 4)
    with Evimap(db, replace(settings, db=str(db)), read_only=True) as reader:
        kept = [reader.list_statements(limit=3, offset=o).to_json()
                for o in range(0, total + 3, 3)]
        assert reader.store.memo("listing statements", list)[1] == total
        assert len(reader.store.memo("listing statements", list)[0]) == 4
        assert reader.list_statements(predicate="treats", limit=50).to_json() == filtered
        monkeypatch.setattr(api_module, "LISTING_KEPT", 30)
        assert [reader.list_claims(limit=7, offset=o).to_json()
                for o in range(0, n_claims + 7, 7)] == claims
        assert len(reader.store.memo("listing claims", list)[0]) == min(30, n_claims)
    assert n_claims > 30
    assert kept == queried
    keys = [s["key"] for p in kept for s in p["items"]]
    assert len(keys) == len(set(keys)) == total     # every statement once, strongest first
    beliefs = [s["belief"] for p in kept for s in p["items"]]
    assert beliefs == sorted(beliefs, reverse=True)


def test_a_server_of_its_own_store_loads_the_lexicon_ahead_of_need(tmp_path,
                                                                     settings: Settings):
    """``evimap serve`` (an app over a store it opens) loads the lexicon and models while it
    serves its first requests, not in the first request that needs them (a concept's
    synonyms); an app over a caller's Evimap leaves that to the caller."""
    import threading

    db = tmp_path / "own.duckdb"
    Evimap(db, replace(settings, db=str(db))).close()
    app = create_app(replace(settings, db=str(db)))
    with TestClient(app) as c:
        assert c.get("/api/stats").json()["documents"] == 0
        for thread in threading.enumerate():
            if thread.name == "evimap-warm":
                thread.join(timeout=300)
        loaded = app.state.evimap.ev._resources
        assert loaded is not None and loaded.lexicon.synonyms("D008881")
        health = c.get("/api/health")           # what a probe (and bench serve) waits for
        assert health.json() == {"status": "ok", "version": evimap.__version__,
                                 "resources": "ready"}
        assert "x-evimap-cache" not in health.headers   # its state, never a kept answer
    caller = Evimap(db, replace(settings, db=str(db)), create=False)
    try:
        with TestClient(create_app(replace(settings, db=str(db)), caller)) as c:
            assert c.get("/api/stats").status_code == 200
            assert "evimap-warm" not in {t.name for t in threading.enumerate()}
            assert caller._resources is None
            assert c.get("/api/health").json()["resources"] == "on_demand"
    finally:
        caller.close()
