"""Issue 13, points 1 and 2, on real data (the seeds and BC5CDR Development records): the map
answers the reader's question (benefit and harm apart, conditions as columns, a key, the
pair's statements and contradictions one click away), and a belief a clinician would accept,
explained (packaged priors, copies once per work, a review outweighs an advert quoting a
study, the belief in words, contradictions side by side); the same in the HTML report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from evimap.api import Evimap
from evimap.assemble import belief
from evimap.cli import cli
from evimap.errors import ConfigError
from evimap.pipeline import Resources, load_resources
from evimap.serve import create_app
from evimap.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
KETAMINE, MIGRAINE = "D007649", "D008881"
#: BC5CDR Development records: the first ones, and those with contested statements
#: (dexmedetomidine: treats vs no effect on myocardial infarction; ribavirin: treats and
#: does not treat adenovirus disease).
N_FIRST = 30
CONTESTED = ("dexmedetomidine and cardiac protection", "ribavirin")


def _store(tmp_path_factory: pytest.TempPathFactory, settings: Settings,
           resources: Resources, name: str, paths: list[str]) -> Evimap:
    db = tmp_path_factory.mktemp(name) / f"{name}.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    assert not ev.ingest(paths).errors
    return ev


@pytest.fixture(scope="module")
def full(settings: Settings, lexicon: object) -> Resources:
    """Every claim extractor's model, as ``evimap ingest`` loads them (after the session's
    lexicon is compiled into its cache)."""
    return load_resources(settings)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory, settings: Settings, seeds_dir: Path,
          full: Resources) -> Iterator[Evimap]:
    ev = _store(tmp_path_factory, settings, full, "seeds", [str(seeds_dir)])
    yield ev
    ev.close()


@pytest.fixture(scope="module")
def cdr(tmp_path_factory: pytest.TempPathFactory, settings: Settings, data_dir: Path,
        full: Resources) -> Iterator[Evimap]:
    records = (data_dir / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text(
        encoding="utf-8").strip().split("\n\n")
    chosen = records[:N_FIRST] + [r for r in records[N_FIRST:]
                                  if any(k in r.split("\n", 2)[0].lower() for k in CONTESTED)]
    path = tmp_path_factory.mktemp("cdr-input") / "cdr.PubTator.txt"
    path.write_text("\n\n".join(chosen) + "\n\n", encoding="utf-8")
    ev = _store(tmp_path_factory, settings, full, "cdr", [str(path)])
    yield ev
    ev.close()


def _client(ev: Evimap, settings: Settings) -> TestClient:
    return TestClient(create_app(replace(settings, db=ev.store.path), ev))


def _ketamine_migraine(ev: Evimap) -> dict:
    (st,) = ev.list_statements(subject=KETAMINE, object=MIGRAINE, predicate="treats").items
    return ev.statement(st["key"])


# --- point 2: the belief model --------------------------------------------------------------------

def test_priors_are_packaged_data_and_a_missing_one_is_refused(tmp_path):
    p = belief.priors()
    assert set(p.source_error) >= {"peer_reviewed", "review", "commercial",
                                   "forum_or_comments"}
    assert p.source_error["peer_reviewed"] < p.source_error["news"] < \
        p.source_error["commercial"] < p.source_error["forum_or_comments"]
    table = belief.PRIORS_PATH.read_text(encoding="utf-8")
    assert "\tcommercial\t" in table
    broken = tmp_path / "priors.tsv"
    broken.write_text("\n".join(line for line in table.splitlines()
                                if "\tcommercial\t" not in line), encoding="utf-8")
    with pytest.raises(ConfigError, match="no source prior for commercial"):
        belief.load_priors(broken)
    assert (ROOT / "docs" / "belief.md").read_text(encoding="utf-8") == belief.markdown(), \
        "docs/belief.md is stale: run `evimap vocab belief --markdown > docs/belief.md`"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The belief model"):]
    for kind, err in p.source_error.items():
        assert f"{kind} {err:.2f}" in section, kind


def test_the_review_outweighs_the_clinic_advert_on_ketamine_for_migraine(seeds):
    st = _ketamine_migraine(seeds)
    works = st["explanation"]["works"]
    assert st["n_works"] == len(works) == 2
    review, advert = works          # strongest first
    assert review["source_kind"] in ("peer_reviewed", "review")
    assert review["title"].startswith("Glutamate and Its Receptors as Therapeutic Targets")
    assert advert["source_kind"] == "commercial" and advert["second_hand"]
    assert review["weight"] > 2 * advert["weight"]
    assert st["belief"] == pytest.approx(belief.combine([review["weight"], advert["weight"]]))


def test_copies_count_once_and_are_shown_once_with_their_sources(seeds):
    st = _ketamine_migraine(seeds)
    works = seeds.statement_works(st["key"]).items
    (review,) = [w for w in works if len(w["sources"]) > 1]
    assert sorted(Path(d["path"]).name[:3] for d in review["sources"]) == ["000", "001"]
    # the review's sentence is in both copies: one claim, its two copies listed
    (claim,) = review["claims"]
    assert len(claim["copies"]) == 2 and "topiramate" in claim["sentence"]
    assert claim["evidence_type"] == "expert_opinion"   # the work's design, whichever copy
    n_claims = len(seeds.list_claims(statement=st["key"], limit=500).items)
    assert sum(len(w["claims"]) for w in works) == n_claims - 1


def test_the_statement_page_says_what_its_belief_means(seeds, settings):
    st = _ketamine_migraine(seeds)
    text = st["belief_text"]
    assert st["band"] == "weak" and text.startswith(f"Belief {st['belief']:.2f}")
    assert "2 independent work(s)" in text and "commercial page" in text
    assert "not the chance that a treatment will work" in text
    with _client(seeds, settings) as c:
        html = c.get(f"/statements/{st['key']}").text
    assert '<p class="belief-text">Belief' in html
    assert "2 copies, counted once" in html and "the same sentence in 2 copies" in html
    assert html.count('id="work-') == 2


def test_contradicting_statements_are_shown_side_by_side(cdr, settings):
    (treats,) = cdr.list_statements(subject="dexmedetomidine", predicate="treats").items
    st = cdr.statement(treats["key"])
    assert st["contested"] and "contradict" in st["belief_text"]
    assert [r["predicate"] for r in st["contradictions"]] == ["no_effect"]
    assert st["contradictions"][0]["quote"]["sentence"]
    # a negated claim (ribavirin did not treat ...) against the same claim asserted
    ribavirin = cdr.list_statements(subject="ribavirin", predicate="treats", limit=50).items
    asserted = {s["object"]["id"]: s["key"] for s in ribavirin if not s["negated"]}
    (negated,) = [s for s in ribavirin if s["negated"] and s["object"]["id"] in asserted]
    assert negated["contested"]
    assert [r["key"] for r in cdr.contradictions(negated["key"])] == \
        [asserted[negated["object"]["id"]]]
    with _client(cdr, settings) as c:
        html = c.get(f"/statements/{treats['key']}").text
        api = c.get(f"/api/statements/{treats['key']}/contradictions").json()
    assert api["total"] == 1 and api["items"][0]["predicate"] == "no_effect"
    side = html[html.index('<div class="side-by-side">'):]
    assert '<div class="side this">' in side and '<div class="side rival">' in side
    assert "no effect" in side[:side.index("</section>")]


# --- point 1: the map answers the reader's question --------------------------------------------

def _condition(ev: Evimap, concept_id: str) -> bool:
    """In MeSH's disease branch (C) or mental disorders (F03), or a disease mention MeSH
    2023 has no tree for (BC5CDR's "-1" and retired IDs); never a chemical or drug class (D,
    e.g. D27 pharmacologic actions: MAO inhibitors, triptans)."""
    c = ev.concept(concept_id)
    trees = c["trees"]
    return (c["type"] == "disease" and not any(t.startswith("D") for t in trees)
            and (not trees or any(t.startswith(("C", "F03")) for t in trees)))


def test_benefit_and_harm_views_of_bc5cdr(cdr):
    benefit = cdr.evidence_map()                     # the default view
    harm = cdr.evidence_map(view="harm")
    assert benefit["view"] == "benefit" and benefit["cells"] and harm["cells"]
    predicates = {p for c in benefit["cells"] for p in c["predicates"]}
    assert "treats" in predicates and "causes_adverse_effect" not in predicates
    assert predicates <= {"treats", "prevents", "no_effect", "approved_for"}
    assert {p for c in harm["cells"] for p in c["predicates"]} == {"causes_adverse_effect"}
    for view in (benefit, harm):
        assert all(_condition(cdr, col["id"]) for col in view["cols"])
        assert {r["type"] for r in view["rows"]} <= {"chemical", "procedure"}
    # contrary evidence (no effect) stays in the benefit view, marked on the pair's cell
    everything = cdr.evidence_map(rows=200, cols=200)
    (dex,) = [c for c in everything["cells"]
              if (c["subject_id"], c["object_id"]) == ("D020927", "D009203")]
    assert dex["predicates"] == ["no_effect", "treats"] and dex["contested"]
    assert dex["belief_against"] > dex["belief"] > 0
    treats = cdr.list_statements(subject="D020927", object="D009203", predicate="treats")
    assert dex["key"] == treats.items[0]["key"]          # the bubble opens the claim in favour


def test_drug_classes_are_never_columns(seeds, settings):
    harm = seeds.evidence_map(view="harm")
    names = {c["name"] for c in harm["cols"]}
    assert "Nausea" in names and "Monoamine Oxidase Inhibitors" not in names
    assert "Tryptamines" not in names
    listed = {(s["predicate"], s["object"]["name"]) for s in harm["elsewhere"]}
    assert ("contraindicated_with", "Monoamine Oxidase Inhibitors") in listed
    benefit = seeds.evidence_map()
    assert "Nausea" not in {c["name"] for c in benefit["cols"]}   # milnacipran's side effect
    (cell,) = [c for c in benefit["cells"] if (c["subject_id"], c["object_id"]) ==
               (KETAMINE, MIGRAINE)]
    assert cell["n_works"] == 2 and cell["predicates"] == ["treats"]
    with _client(seeds, settings) as c:
        page = c.get("/", params={"view": "harm"}).text
        assert c.get("/api/map", params={"view": "harm"}).json()["cells"]
        assert c.get("/api/map", params={"view": "nonsense"}).status_code == 422
    assert 'class="view active" data-view="harm"' in page
    svg = page[page.index('<svg class="map"'):page.index("</svg>")]
    assert "Nausea" in svg and "Monoamine" not in svg
    assert "Monoamine Oxidase Inhibitors" in page[page.index('class="statements elsewhere"'):]


def test_the_map_has_a_key_and_opens_the_pair(seeds, settings):
    with _client(seeds, settings) as c:
        page = c.get("/").text
        legend = page[page.index('id="map-legend"'):]
        assert re.search(r"1 work<", legend) and "2 works" in legend
        for band in ("very weak", "weak", "limited", "moderate", "strong"):
            assert band in legend
        assert "contrary evidence" in legend
        key = _ketamine_migraine(seeds)["key"]
        assert f'href="/statements/{key}"' in page
        assert "Ketamine" in c.get(f"/statements/{key}").text


# --- the HTML report ------------------------------------------------------------------------------

def test_report_about_a_topic_with_benefit_and_harm_maps(seeds, tmp_path):
    out = tmp_path / "ketamine.html"
    result = CliRunner().invoke(cli, ["--db", seeds.store.path, "report", "--about", "ketamine",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Evidence report: ketamine" in html
    assert 'id="map-benefit"' in html and 'id="map-harm"' in html
    assert "Milnacipran" not in html                 # limited to the topic
    assert "2 copies, counted once" in html and "Belief 0.2" in html
    assert "<script" not in html


def test_report_maps_of_bc5cdr_keep_benefit_and_harm_apart(cdr, tmp_path):
    from evimap.report import build_context

    ctx = build_context(cdr)
    maps = {m["view"]: m for m in ctx["maps"]}
    benefit = {p for c in maps["benefit"]["cells"].values() for p in c["predicates"]}
    harm = {p for c in maps["harm"]["cells"].values() for p in c["predicates"]}
    assert benefit and "causes_adverse_effect" not in benefit
    assert "causes_adverse_effect" in harm and not harm & {"treats", "no_effect"}
    for m in maps.values():
        assert all(_condition(cdr, cid) for cid, _ in m["cols"])
    html = cdr.report(tmp_path / "cdr.html").read_text(encoding="utf-8")
    assert '<div class="side rival">' in html


def test_a_statement_page_holds_what_its_parts_give(cdr: Evimap):
    """``statement_page`` (BC5CDR records, some contested) reads the rows its parts share
    once; what it gives is what the library's calls give asked one by one, and each shown
    claim's context holds it."""
    keys = [s["key"] for s in cdr.list_statements(limit=500).items]
    contested = mentioned = 0
    for key in keys:
        view = cdr.statement_page(key, limit=3)
        st = cdr.statement(key)
        assert view.statement == st
        assert view.works == cdr.statement_works(key, limit=3)
        rivals = {r["key"] for r in st["contradictions"]}
        pair = cdr.list_statements(subject=st["subject"]["id"], object=st["object"]["id"],
                                   limit=20)
        assert view.others == [{k: v for k, v in s.items() if k != "sources"}
                               for s in pair.items if s["key"] != key and s["key"] not in rivals]
        assert view.quote == (cdr.top_quotes([key]).get(key) if rivals else None)
        assert view.wrong == []         # nothing curated in this store
        contested += bool(rivals)
        claims = [c for w in view.works.items for c in w["claims"]]
        assert set(view.contexts) == {c["id"] for c in claims}
        for c in claims:
            context = view.contexts[c["id"]]
            segment, mentions = context["segment"], context["mentions"]
            assert segment["start"] <= c["start"] < c["end"] <= segment["end"]
            assert c["sentence"] in segment["text"]
            assert [m["start"] for m in mentions] == sorted(m["start"] for m in mentions)
            for m in mentions:
                assert c["start"] <= m["start"] < m["end"] <= c["end"]
                assert m["concept_id"] == c["subject" if m["role"] == "subj" else "object"]["id"]
            mentioned += bool(mentions)
    assert contested and mentioned


def test_a_claim_about_part_of_a_composite_mention_carries_its_mesh_name(
        tmp_path_factory: pytest.TempPathFactory, settings: Settings, data_dir: Path,
        full: Resources) -> None:
    """BC5CDR Training records whose claims are about a part of a composite mention
    ("colorectal, breast, pancreaticobiliary, gastric, renal cell and head and neck
    cancers"; "compression neuropathy of the radial nerve"): the claim's concept, and so the
    store's, statements' and map's, is named by MeSH ("Breast Neoplasms"), with its tree
    numbers, not by the mention's words. A mention without a concept is not named by the
    words of another."""
    records = (data_dir / "bc5cdr" / "CDR_TrainingSet.PubTator.txt").read_text(
        encoding="utf-8").strip().split("\n\n")
    chosen = [r for r in records if r.split("|", 1)[0] in ("20722491", "3800626", "227508")]
    path = tmp_path_factory.mktemp("composite-input") / "composite.PubTator.txt"
    path.write_text("\n\n".join(chosen) + "\n\n", encoding="utf-8")
    ev = _store(tmp_path_factory, settings, full, "composite", [str(path)])
    try:
        claimed = {c["object"]["id"]: c["object"] for c in ev.claims()} | {
            c["subject"]["id"]: c["subject"] for c in ev.claims()}
        assert {"D001943", "D020425"} <= set(claimed)     # parts of composite mentions
        lexicon = full.lexicon
        for ui, concept in claimed.items():
            try:
                known = lexicon.concept(ui)
            except KeyError:
                continue
            assert concept["name"] == known.name, ui
            stored = ev.store.rows("SELECT name, trees FROM concepts WHERE id = ?", [ui])[0]
            assert (stored["name"], tuple(stored["trees"])) == (known.name, known.trees)
        assert claimed["D001943"]["name"] == "Breast Neoplasms"
        # mentions no concept was found for ("nalozone", misspelt in 227508) share one row,
        # named as such, not by the first of their words that was stored
        unnormalised = [m for d in ev.docs(with_segments=False) for m in ev.mentions(d["id"])
                        if m["concept_id"] == "-1"]
        assert unnormalised and {m["concept_name"] for m in unnormalised} == {
            "(mention without a concept)"}
    finally:
        ev.close()
