"""Curation: a reader marks a claim wrong or right (CLI, API, UI); the verdict is stored,
survives a re-ingest (claim ids come from content), leaves a wrong claim out of the belief
and is exported."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evimap.api import Evimap
from evimap.errors import EvimapError, NotFoundError
from evimap.serve import create_app
from evimap.settings import Settings


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory, settings: Settings, seeds_dir: Path, resources) -> Path:
    db = tmp_path_factory.mktemp("curation") / "seeds.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        assert not ev.ingest([str(seeds_dir)]).errors
    return db


@pytest.fixture
def ev(tmp_path, settings: Settings, seeds_store: Path, resources) -> Iterator[Evimap]:
    """A store of the seeds of its own (a copy), for a test that curates."""
    db = tmp_path / "curation.duckdb"
    shutil.copy(seeds_store, db)
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    yield ev
    ev.close()


def _statement_with_works(ev: Evimap, n: int) -> dict:
    return next(s for s in ev.list_statements(limit=500).items if s["n_works"] >= n)


def test_a_wrong_claim_is_left_out_of_the_belief_until_taken_back(ev):
    st = _statement_with_works(ev, 2)
    claims = ev.list_claims(statement=st["key"], limit=500).items
    lone = {c["work_id"] for c in claims}
    # a claim alone in its work, so that its work leaves the statement with it
    target = next(c for c in claims if sum(x["work_id"] == c["work_id"] for x in claims) == 1)
    done = ev.curate(target["id"], "wrong", "  the sentence says the opposite  ")
    assert done["curation"]["verdict"] == "wrong"
    assert done["curation"]["note"] == "the sentence says the opposite"
    assert done["belief_before"] == pytest.approx(st["belief"])
    after = ev.statement(st["key"])
    assert after["belief"] == pytest.approx(done["belief_after"])
    assert after["belief"] < st["belief"]
    assert after["n_claims"] == st["n_claims"] - 1 and after["n_works"] == len(lone) - 1
    assert after["explanation"]["excluded"] == [target["id"]]
    assert "marked wrong" in after["belief_text"]
    assert ev.claim(target["id"])["curation"]["verdict"] == "wrong"
    # right: counted again, and the verdict kept
    ev.curate(target["id"], "right")
    back = ev.statement(st["key"])
    assert back["belief"] == pytest.approx(st["belief"]) and "excluded" not in back["explanation"]
    assert ev.claim(target["id"])["curation"]["verdict"] == "right"
    ev.curate(target["id"], None)
    assert ev.claim(target["id"])["curation"] is None
    with pytest.raises(NotFoundError):
        ev.curate("0123456789abcdef", "wrong")
    with pytest.raises(EvimapError, match="verdict"):
        ev.curate(target["id"], "maybe")


def test_a_verdict_covers_the_same_sentence_in_every_copy_of_its_work(ev):
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for c in ev.list_claims(limit=10_000).items:
        sentence = " ".join(c["sentence"].split()).lower()
        groups.setdefault((c["statement_key"], c["work_id"], sentence), []).append(c)
    copies = next(g for g in groups.values() if len({c["doc_id"] for c in g}) > 1)
    done = ev.curate(copies[0]["id"], "wrong")
    assert sorted(done["copies"]) == sorted(c["id"] for c in copies)
    assert all(ev.claim(c["id"])["curation"]["verdict"] == "wrong" for c in copies)
    works = ev.statement(copies[0]["statement_key"])["explanation"]["works"]
    if not any(len(g) and k[1] == copies[0]["work_id"] and k[0] == copies[0]["statement_key"]
               and g is not copies for k, g in groups.items()):
        assert copies[0]["work_id"] not in {w["work_id"] for w in works}
    ev.curate(copies[-1]["id"], None)
    assert all(ev.claim(c["id"])["curation"] is None for c in copies)


def test_a_statement_whose_claims_are_all_wrong_has_no_belief_and_leaves_the_map(ev, settings):
    cell = ev.evidence_map()["cells"][0]
    key = cell["key"]
    for c in ev.list_claims(statement=key, limit=500).items:
        ev.curate(c["id"], "wrong")
    st = ev.statement(key)
    assert st["belief"] == 0 and st["n_claims"] == 0 and st["n_works"] == 0
    assert not st["contested"]
    assert key not in {c["key"] for c in ev.evidence_map()["cells"]}
    with TestClient(create_app(replace(settings, db=ev.store.path), ev)) as c:
        page = c.get(f"/statements/{key}").text
    assert "Marked wrong, left out of the belief" in page and "Undo" in page


def test_a_verdict_survives_a_reingest(tmp_path, settings: Settings, seed_paths, resources):
    page = tmp_path / "page.txt"
    original = seed_paths["000"].read_bytes()
    page.write_bytes(original)
    db = tmp_path / "reingest.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        ev.ingest([str(page)])
        claim = ev.list_claims(limit=1).items[0]
        ev.curate(claim["id"], "wrong", "misread")
        # the file changes: its document and claims are replaced, the verdict stays stored
        page.write_bytes(original + b"\n\nAn unrelated closing line.\n")
        ev.ingest([str(page)])
        with pytest.raises(NotFoundError):
            ev.claim(claim["id"])
        assert ev.store.scalar("SELECT count(*) FROM curation") == 1
        # and applies again when the same claim is extracted again
        page.write_bytes(original)
        ev.ingest([str(page)])
        again = ev.claim(claim["id"])
        assert again["curation"]["verdict"] == "wrong" and again["curation"]["note"] == "misread"
        st = ev.statement(again["statement_key"])
        assert claim["id"] in st["explanation"]["excluded"]


def test_exports_carry_the_verdict(ev):
    claims = ev.list_claims(limit=2).items
    ev.curate(claims[0]["id"], "wrong", "not what it says")
    ev.curate(claims[1]["id"], "right")
    out = io.StringIO()
    ev.export("jsonl", "claims", stream=out)
    rows = {r["id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    assert rows[claims[0]["id"]]["curation"] == "wrong"
    assert rows[claims[0]["id"]]["curation_note"] == "not what it says"
    assert rows[claims[1]["id"]]["curation"] == "right"
    assert sum(r["curation"] is None for r in rows.values()) == len(rows) - 2
    out = io.StringIO()
    ev.export("csv", "claims", stream=out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {"curation", "curation_note"} <= set(table[0])
    assert {r["id"]: r["curation"] for r in table}[claims[0]["id"]] == "wrong"


def test_the_cli_curates(ev, settings):
    claim = ev.list_claims(limit=1).items[0]
    ev.close()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "evimap.cli", "--db", ev.store.path,
                               "--data-dir", settings.data_dir, "curate", *args],
                              capture_output=True, text=True, timeout=120)

    r = cli(claim["id"], "--wrong", "--note", "a misread negation")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"claim {claim['id']} marked wrong (a misread negation); "
                               f"belief of its statement {claim['statement_key']}: ")
    r = cli(claim["id"], "--right", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["curation"]["verdict"] == "right"
    r = cli(claim["id"])
    assert r.returncode == 2 and "--wrong, --right or --clear" in r.stderr
    r = cli("0123456789abcdef", "--wrong")
    assert r.returncode == 1 and r.stderr.startswith("error: no claim")
    r = cli(claim["id"], "--clear")
    assert r.returncode == 0 and "no longer curated" in r.stdout


def test_the_api_and_the_ui_curate_with_the_sessions_token(ev, settings):
    claim = ev.list_claims(limit=1).items[0]
    url = f"/api/claims/{claim['id']}/curation"
    with TestClient(create_app(replace(settings, db=ev.store.path), ev)) as c:
        assert c.post(url, json={"verdict": "wrong"}).status_code == 403
        token = {"X-CSRF-Token": c.get("/api/csrf").json()["csrf_token"]}
        r = c.post(url, json={"verdict": "wrong", "note": "no"}, headers=token)
        assert r.status_code == 200 and r.json()["curation"]["verdict"] == "wrong"
        assert c.get(f"/api/claims/{claim['id']}").json()["curation"]["note"] == "no"
        assert c.post(url, json={"verdict": "maybe"}, headers=token).status_code == 422
        assert c.post("/api/claims/0123456789abcdef/curation", json={"verdict": "wrong"},
                      headers=token).status_code == 404
        page = c.get(f"/statements/{claim['statement_key']}").text
        assert f'<li id="claim-{claim["id"]}" class="curated wrong">' in page
        assert "marked wrong: no" in page
        # the UI's buttons: a form with the session's token, then back to the claim
        form = {"verdict": "right", "note": "", "csrf_token": token["X-CSRF-Token"]}
        r = c.post(f"/claims/{claim['id']}/curation", data=form, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == f"/statements/{claim['statement_key']}#claim-{claim['id']}"
        assert ev.claim(claim["id"])["curation"]["verdict"] == "right"
        r = c.post(f"/claims/{claim['id']}/curation", data={**form, "csrf_token": "x" * 40})
        assert r.status_code == 403
        assert c.delete(url, headers=token).json()["curation"] is None
    # on a server with a token, curation needs it too
    with TestClient(create_app(replace(settings, db=ev.store.path, token="s3cret"), ev)) as c:
        assert c.post(url, json={"verdict": "wrong"}).status_code == 401
        r = c.post(url, json={"verdict": "wrong"}, headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 200
