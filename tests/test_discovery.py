"""Literature-based discovery: the concept index, measures, filters, directions and time
slices as functions and on a small built store; Swanson's fish oil - Raynaud case on the
real records (../shared/data/lbd); the CLI, the JSON API and the web page over it."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from evimap.api import Evimap
from evimap.cli import cli
from evimap.discover import explain, index, rank
from evimap.discover.answer import answer
from evimap.errors import EvimapError
from evimap.evaluate.discovery import CLOSED_TOP, OPEN_TOP, evaluate, load_cases
from evimap.serve import create_app
from evimap.store import SCHEMA_VERSION, Store, open_store

FISH_OIL, RAYNAUD = "D005395", "D011928"
BLOOD_VISCOSITY, PLATELET_AGGREGATION, VASOCONSTRICTION = "D001809", "D010974", "D014661"


# --- measures, filters, directions as functions ------------------------------------------------

def test_measures_are_stated_and_selectable():
    assert set(rank.MEASURES) == {"jaccard", "count", "mi", "ltc", "amw"}
    assert rank.DEFAULT_MEASURE == "jaccard"
    m = rank.MEASURES
    assert rank.link_weight(m["jaccard"], 2, 4, 6, 100) == pytest.approx(2 / 8)
    assert rank.link_weight(m["count"], 2, 4, 6, 100) == 2
    assert rank.link_weight(m["mi"], 2, 4, 6, 100) == pytest.approx(3.0589, abs=1e-4)
    assert rank.link_weight(m["jaccard"], 0, 4, 6, 100) == 0
    assert rank.aggregate(m["jaccard"], [0.2, 0.1]) == pytest.approx(0.3)
    assert rank.aggregate(m["amw"], [2.0, -1.0]) == pytest.approx(0.5)
    assert rank.aggregate(m["mi"], [2.0, -1.0]) == pytest.approx(2.0)
    # linking-term count: three links beat two, however strong
    assert rank.aggregate(m["ltc"], [0.01] * 3) > rank.aggregate(m["ltc"], [0.9, 0.9])
    with pytest.raises(EvimapError, match="unknown measure"):
        rank.Options(measure="cosine")


def test_semantic_filters_and_generic_concepts():
    stop = rank.generic_ids()
    blood_viscosity = rank.Concept(BLOOD_VISCOSITY, "Blood Viscosity", "phenomenon",
                                   ("G09.188.370.124",))
    vascular = rank.Concept("D014652", "Vascular Diseases", "disease", ("C14.907",))
    capsules = rank.Concept("D002214", "Capsules", "chemical", ("D26.255.150",))
    death = rank.Concept("D003643", "Death", "disease", ("C23.550.260",))
    assert rank.specific(blood_viscosity, ("C", "D", "G"), stop)
    assert not rank.specific(blood_viscosity, ("C", "D"), stop)      # branch not chosen
    assert rank.specific(blood_viscosity, ("G09.188",), stop)        # a tree number works
    assert not rank.specific(vascular, ("C",), stop)                  # two levels: generic
    assert not rank.specific(capsules, ("D",), stop)                  # a dosage form
    assert not rank.specific(death, ("C",), stop)                     # on the stop list
    raynaud = rank.Concept(RAYNAUD, "Raynaud Disease", "disease", ("C14.907.617.812",))
    crest = rank.Concept("D017675", "CREST Syndrome", "disease", ("C14.907.617.812.500",))
    assert rank.related(raynaud, crest) and rank.related(crest, raynaud)
    assert not rank.related(raynaud, blood_viscosity)


def test_directions_compose_into_candidate_treatments():
    assert explain.effect("treats") == "lowers"
    assert explain.effect("causes_adverse_effect") == "raises"
    assert explain.effect("targets", "antagonist") == "lowers"
    assert explain.effect("targets", "agonist") == "raises"
    assert explain.effect("targets", "modulator") is None
    assert explain.effect("associated_with") is None
    assert explain.compose("lowers", "raises") == "lowers"      # A lowers B, B causes C
    assert explain.compose("raises", "lowers") == "lowers"      # A raises B, B relieves C
    assert explain.compose("lowers", "lowers") == "raises"
    assert explain.compose("lowers", None) is None


# --- a small built store ------------------------------------------------------------------------

#: Concepts of the built store: A magnesium, C migraine, two linking concepts with equal
#: counts (serotonin, prostaglandins) and a filler.
CONCEPTS = {"D008274": ("Magnesium", "chemical", ["D01.268.552.437"]),
            "D008881": ("Migraine Disorders", "disease", ["C10.228.140.546.399.750"]),
            "D012701": ("Serotonin", "mechanism", ["D02.092.211.215.801.852"]),
            "D011453": ("Prostaglandins", "chemical", ["D10.251.355.255.550"]),
            "D003920": ("Diabetes Mellitus", "disease", ["C18.452.394.750"])}
#: work -> (year, concepts); serotonin's link to migraine is published in 1990
WORKS = {"w1": (1980, ["D008274", "D012701"]), "w2": (1980, ["D008274", "D011453"]),
         "w3": (1990, ["D012701", "D008881"]), "w4": (1980, ["D011453", "D008881"]),
         "w5": (1980, ["D003920"]), "w6": (1980, ["D003920", "D008881"])}


@pytest.fixture
def built(tmp_path):
    """A store holding only what discovery reads: documents, the concept index, claims."""
    store = open_store(tmp_path / "built.duckdb")
    con = store.con
    for w, (year, cids) in WORKS.items():
        con.execute("INSERT INTO documents (id, work_id, path, record, format, title, text, "
                    "metadata, source_kind, credibility, content_hash, n_comments) VALUES "
                    "(?, ?, 'built.xml', 0, 'pubmed_xml', ?, 'text', ?, 'peer_reviewed', 0.8, "
                    "?, 0)", [w, w, f"work {w}", json.dumps({"year": year}), w])
        con.execute("INSERT INTO index_documents VALUES (?, ?)", [w, year])
        for cid in cids:
            con.execute("INSERT INTO index_terms VALUES (?, ?, 'mention', true)", [w, cid])
    for cid, (name, type_, trees) in CONCEPTS.items():
        con.execute("INSERT INTO index_concepts VALUES (?, ?, ?, ?)", [cid, name, type_, trees])
        con.execute("INSERT INTO concepts VALUES (?, ?, ?, ?)", [cid, name, type_, trees])
    con.execute("INSERT INTO meta VALUES ('index_version', ?)", [str(index.INDEX_VERSION)])
    yield store
    store.close()


def _claim(store: Store, key: str, work: str, subject: str, predicate: str, obj: str,
           action: str | None = None) -> None:
    store.con.execute(
        "INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, false, false, false, ?, 0, 'title', "
        "?, 0, 4)", [key, key, work, work, subject, predicate, obj,
                     json.dumps({"action": action} if action else {}),
                     f"{subject} {predicate} {obj}"])
    store.con.execute("INSERT INTO statements VALUES (?, ?, ?, ?, false, 1, 1, 'RCT', 0.6, "
                      "false, NULL)", [key, subject, predicate, obj])


def test_a_directed_path_ranks_as_a_candidate_treatment(built):
    opts = rank.Options()
    (h,) = answer(built, ["D008274"], ["D008881"], opts)
    # equal counts: the tie goes by name
    assert [lk["concept"]["name"] for lk in h["links"]] == ["Prostaglandins", "Serotonin"]
    assert h["works"] == {"source": 2, "target": 3, "both": 0} and not h["known"]
    # magnesium blocks serotonin, serotonin brings migraine on: magnesium may lower migraine
    _claim(built, "s1", "w1", "D008274", "targets", "D012701", "antagonist")
    _claim(built, "s2", "w3", "D012701", "causes_adverse_effect", "D008881")
    (h,) = answer(built, ["D008274"], ["D008881"], opts)
    first, second = h["links"]
    assert first["concept"]["name"] == "Serotonin" and first["effect"] == "lowers"
    assert first["score"] == pytest.approx(second["score"] * rank.TREATMENT_BOOST)
    assert h["effect"] == "lowers"
    (a_b,) = first["claims"]["source"]
    assert a_b["predicate"] == "targets" and a_b["effect"] == "lowers"
    assert a_b["quotes"][0]["sentence"] == "D008274 targets D012701"
    assert first["claims"]["target"][0]["effect"] == "raises"


def test_open_discovery_novelty_and_time_slices(built):
    (h,) = answer(built, ["D008274"], None, rank.Options())
    assert h["target"]["name"] == "Migraine Disorders" and h["n_links"] == 2
    assert h["works"]["both"] == 0 and not h["known"]
    # a work where magnesium and migraine already meet: known, left out by default
    built.con.execute("INSERT INTO index_terms VALUES ('w6', 'D008274', 'mention', false)")
    assert all(x["target"]["id"] != "D008881"
               for x in answer(built, ["D008274"], None, rank.Options()))
    (known,) = [x for x in answer(built, ["D008274"], None, rank.Options(include_known=True))
                if x["target"]["id"] == "D008881"]
    assert known["known"] and known["works"]["both"] == 1


def test_before_uses_only_earlier_works(built):
    (h,) = answer(built, ["D008274"], ["D008881"], rank.Options(before=1985))
    # serotonin met migraine only in 1990
    assert [lk["concept"]["name"] for lk in h["links"]] == ["Prostaglandins"]
    assert h["works"]["target"] == 2
    assert h["before"] == 1985


# --- the concept index --------------------------------------------------------------------------

def test_index_follows_ingest_and_removal(tmp_path, settings, resources):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(
        "Blood viscosity in Raynaud's phenomenon\n\nWhole blood viscosity and platelet "
        "aggregability were raised in ten patients with Raynaud's phenomenon.\n",
        encoding="utf-8")
    (tmp_path / "docs" / "b.txt").write_text(
        "Fish oil and vascular reactivity\n\nDietary fish oil lowered vascular reactivity "
        "to norepinephrine in rats.\n", encoding="utf-8")
    db = tmp_path / "i.duckdb"
    with Evimap(db, replace(settings, db=str(db))) as ev:
        ev._resources = resources
        report = ev.ingest([str(tmp_path / "docs")])
        assert report.details["discovery_index"]["indexed"] == 2
        assert not index.is_stale(ev.store)
        terms = {(r["path"][-5:], r["concept_id"]) for r in ev.store.rows(
            "SELECT d.path, t.concept_id FROM index_terms t JOIN documents d "
            "ON d.id = t.doc_id")}
        # phenomena the entity stage does not tag, and phrases MeSH lacks
        assert {("a.txt", BLOOD_VISCOSITY), ("a.txt", PLATELET_AGGREGATION),
                ("b.txt", FISH_OIL), ("b.txt", VASOCONSTRICTION)} <= terms, terms
        names = dict(ev.store.con.execute("SELECT id, type FROM index_concepts").fetchall())
        assert names[BLOOD_VISCOSITY] == "phenomenon"
        doc_b = ev.store.scalar("SELECT id FROM documents WHERE path LIKE '%b.txt'")
        ev.store.remove_documents([doc_b])
        assert index.is_stale(ev.store)
        assert ev.refresh_index() == {"indexed": 0, "dropped": 1, "terms": 0,
                                      "seconds": pytest.approx(0, abs=5)}
        assert ev.reindex()["indexed"] == 1
        assert ev.store.scalar("SELECT count(DISTINCT doc_id) FROM index_terms") == 1


def test_a_version_4_store_gains_the_index(tmp_path):
    db = tmp_path / "v4.duckdb"
    store = open_store(db)
    for sql in ("DROP VIEW cooccurrence", "DROP TABLE index_terms",
                "DROP TABLE index_documents", "DROP TABLE index_concepts",
                "UPDATE meta SET value = '4' WHERE key = 'schema_version'"):
        store.con.execute(sql)
    store.close()
    with open_store(db) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(
            SCHEMA_VERSION)
        assert store.scalar("SELECT count(*) FROM cooccurrence") == 0
        assert store.rows("SELECT * FROM index_terms") == []


# --- Swanson's fish oil - Raynaud on the real records ---------------------------------------------

@pytest.fixture(scope="module")
def swanson(lbd_store):
    return evaluate(lbd_store, load_cases()["fish-oil-raynaud"])


def test_swanson_linking_concepts_rank_high_in_closed_discovery(swanson):
    ranks = {lk["name"]: lk["rank"] for lk in swanson["closed"]["links"]}
    assert all(r is not None and r <= CLOSED_TOP for r in ranks.values()), swanson["closed"]
    assert swanson["closed"]["works_both"] == 0          # the literatures never met
    assert swanson["targets"]["met"]


def test_raynaud_ranks_high_in_open_discovery_from_fish_oil(swanson):
    rank_ = swanson["open"]["target_rank"]
    assert rank_ is not None and rank_ <= OPEN_TOP, swanson["open"]


def test_closed_discovery_explains_its_links(lbd_store):
    (h,) = lbd_store.discover("fish oil", "Raynaud's disease", limit=30)
    assert (h["source"]["id"], h["target"]["id"]) == (FISH_OIL, RAYNAUD)
    stop = rank.generic_ids()
    for lk in h["links"]:
        w = lk["works"]
        assert 0 < w["with_source"] <= w["link"] and 0 < w["with_target"] <= w["link"]
        c = rank.Concept(lk["concept"]["id"], lk["concept"]["name"], lk["concept"]["type"],
                         tuple(lk["concept"]["trees"]))
        assert rank.specific(c, ("C", "D", "G"), stop)
    by_id = {lk["concept"]["id"]: lk for lk in h["links"]}
    assert by_id[BLOOD_VISCOSITY]["works"]["with_target"] >= 10
    # claims explain some links, with a direction and a quote from a stored document
    explained = [st for lk in h["links"] for side in ("source", "target")
                 for st in lk["claims"][side]]
    assert explained
    docs = {r[0] for r in lbd_store.store.con.execute("SELECT id FROM documents").fetchall()}
    assert all(q["doc_id"] in docs for st in explained for q in st["quotes"])
    assert any(st["effect"] for st in explained)


def test_the_index_reads_titles_apart(lbd_store):
    rows = lbd_store.store.rows(
        "SELECT t.concept_id, t.in_title, t.source FROM index_terms t JOIN documents d "
        "ON d.id = t.doc_id WHERE d.title = 'Vascular reactivity and high dietary "
        "eicosapentaenoic acid.'")
    found = {r["concept_id"]: r for r in rows}
    assert found[VASOCONSTRICTION]["in_title"]                  # the phrase, in the title
    assert found[VASOCONSTRICTION]["source"] == "dictionary"
    assert found[FISH_OIL]["in_title"] is False                 # "menhaden fish oil" below
    assert not lbd_store.store.scalar(
        "SELECT count(*) FROM documents d ANTI JOIN index_documents i ON i.doc_id = d.id")


def test_time_slice_on_the_real_records(lbd_store):
    (all_years,) = lbd_store.discover(FISH_OIL, RAYNAUD, limit=5)
    (early,) = lbd_store.discover(FISH_OIL, RAYNAUD, limit=5, before=1980)
    assert early["works"]["source"] < all_years["works"]["source"]
    docs = lbd_store.discovery_documents([FISH_OIL], before=1980, limit=500)
    assert docs and all(d["year"] < 1980 for d in docs)
    assert len(docs) == early["works"]["source"]


def test_evidence_behind_a_link(lbd_store):
    docs = lbd_store.discovery_documents([FISH_OIL, BLOOD_VISCOSITY])
    assert docs and all(d["pmid"] for d in docs)
    titles = " ".join(d["title"].lower() for d in docs)
    assert "viscosity" in titles


def test_discovery_answers_fast(lbd_store):
    started = time.perf_counter()
    lbd_store.discover(FISH_OIL, RAYNAUD)
    lbd_store.discover(FISH_OIL)
    assert time.perf_counter() - started < 2.0


def test_cli_discover_and_eval(lbd_store, data_dir):
    runner = CliRunner()
    db = lbd_store.store.path
    r = runner.invoke(cli, ["--db", db, "discover", "fish oil", "raynaud disease", "--json",
                            "--limit", "5", "--measure", "count"])
    assert r.exit_code == 0, r.output
    (h,) = json.loads(r.output)
    assert h["mode"] == "closed" and h["measure"] == "count" and len(h["links"]) == 5
    r = runner.invoke(cli, ["--db", db, "discover", "fish oil", "--before", "1986",
                            "--via", "G", "--limit", "3"])
    assert r.exit_code == 0, r.output
    assert "Fish Oils -> Raynaud Disease" in r.output
    r = runner.invoke(cli, ["--db", db, "eval", "discovery", str(data_dir / "lbd"),
                            "--store", db, "--json"])
    assert r.exit_code == 0, r.output
    scores = json.loads(r.output)
    assert scores["ingest"]["documents_added"] == 0 and scores["targets"]["met"]
    assert set(scores["by_measure"]) == set(rank.MEASURES)


# --- the JSON API and the web page ----------------------------------------------------------------

@pytest.fixture(scope="module")
def client(lbd_store, settings):
    with TestClient(create_app(replace(settings, db=lbd_store.store.path), lbd_store)) as c:
        yield c


def test_api_discover(client):
    r = client.get("/api/discover", params={"source": "fish oil", "target": "raynaud disease",
                                            "limit": 5, "via": "G"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 1 and len(body["items"][0]["links"]) == 5
    assert all(any(t.startswith("G") for t in lk["concept"]["trees"])
               for lk in body["items"][0]["links"])
    r = client.get("/api/discover", params={"source": "fish oil", "limit": 3,
                                            "measure": "ltc"})
    assert [h["rank"] for h in r.json()["items"]] == [1, 2, 3]
    assert client.get("/api/discover", params={"source": "fish oil",
                                               "measure": "bogus"}).status_code == 400
    assert client.get("/api/discover", params={"source": "no such thing"}).status_code == 404
    r = client.get("/api/discover/documents",
                   params=[("concept", FISH_OIL), ("concept", PLATELET_AGGREGATION)])
    assert r.status_code == 200 and r.json()["items"]


def test_discover_page_escapes_and_links_to_evidence(client):
    r = client.get("/discover", params={"source": "fish oil", "target": "raynaud disease"})
    assert r.status_code == 200
    assert "Blood Viscosity" in r.text and "/discover/documents?concept=" in r.text
    r = client.get("/discover", params={"source": "<script>alert(1)</script>"})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)" in r.text
    r = client.get("/discover/documents", params=[("concept", FISH_OIL),
                                                  ("concept", BLOOD_VISCOSITY)])
    assert r.status_code == 200 and "doc-link" in r.text


def test_cases_are_well_formed():
    cases = load_cases()
    assert {"fish-oil-raynaud", "magnesium-migraine"} <= set(cases)
    for case in cases.values():
        assert case["files"] and case["a"] != case["c"] and case["links"]
        assert all(lk["ids"] for lk in case["links"])


def test_index_lexicon_is_cached(settings):
    path = index.index_lexicon_path(settings)
    lex = index.load_index_lexicon(settings)
    assert path.is_file()
    assert lex.lookup("vascular reactivity").id == VASOCONSTRICTION  # type: ignore[union-attr]
    assert lex.lookup("blood viscosity").type == "phenomenon"  # type: ignore[union-attr]


def test_unknown_graph_is_refused(lbd_store):
    with pytest.raises(EvimapError, match="unknown graph"):
        lbd_store.discover("fish oil", graph="bogus")

