"""The quality gate: Development-set scores must not fall below the floors in eval/floors.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evimap.evaluate.ner import evaluate_ner

FLOORS = json.loads((Path(__file__).resolve().parents[1] / "eval" / "floors.json").read_text())


@pytest.fixture(scope="module")
def ner_scores(settings, resources, data_dir):
    return evaluate_ner(data_dir / FLOORS["ner"]["file"], settings, resources)


@pytest.mark.parametrize("kind", ["Chemical", "Disease", "micro"])
def test_ner_mention_f1_floor(ner_scores, kind):
    assert ner_scores["mentions"][kind]["f1"] >= FLOORS["ner"]["mentions"][kind], ner_scores


@pytest.mark.parametrize("section", ["ids", "ids_as_stored", "ids_mesh2023"])
@pytest.mark.parametrize("kind", ["Chemical", "Disease"])
def test_ner_id_f1_floor(ner_scores, section, kind):
    assert ner_scores[section][kind]["f1"] >= FLOORS["ner"][section][kind], ner_scores[section]


@pytest.fixture(scope="module")
def ner_other_scores(settings, resources, data_dir):
    """Mentions on the other corpora's held-out parts: NCBI Disease's fold 4/5 (never
    trained on) and BioRED Dev."""
    from evimap.evaluate.ner import fold_filter
    return {key: evaluate_ner(data_dir / FLOORS[key]["file"], settings, resources,
                              fold_filter(FLOORS[key]["fold"]) if "fold" in FLOORS[key]
                              else None)
            for key in ("ner_ncbi", "ner_biored")}


@pytest.mark.parametrize(("key", "kind"), [("ner_ncbi", "Disease"), ("ner_biored", "Chemical"),
                                           ("ner_biored", "Disease")])
def test_ner_other_corpora_mention_f1_floor(ner_other_scores, key, kind):
    scores = ner_other_scores[key]
    assert scores["docs"] == FLOORS[key]["docs"]
    assert scores["mentions"][kind]["f1"] >= FLOORS[key]["mentions"][kind], scores["mentions"]


def test_ner_json_shape(ner_scores):
    assert ner_scores["docs"] == 500
    for section, kinds in (("mentions", ("Chemical", "Disease", "micro")),
                           ("ids", ("Chemical", "Disease")),
                           ("ids_as_stored", ("Chemical", "Disease")),
                           ("ids_mesh2023", ("Chemical", "Disease"))):
        for kind in kinds:
            assert set(ner_scores[section][kind]) == {"p", "r", "f1", "tp", "fp", "fn"}
    assert ner_scores["docs_per_second"] > 0


#: pages-dev figures with a floor: name in floors.json -> (section, key) of a score block
PAGES_FIGURES = {"claims_f1": ("claims", "f1"), "claims_p": ("claims", "p"),
                 "claims_r": ("claims", "r"),
                 "source_kind_accuracy": ("source_kinds", "accuracy"),
                 "content_kept": ("content_kept", "share"),
                 "boilerplate_dropped": ("boilerplate_dropped", "share"),
                 "comments_exact": ("comments", "share"),
                 "design_on_matched": ("claims", "on_matched", "design")}


@pytest.fixture(scope="module")
def pages_scores(settings, lexicon, data_dir):
    """``evimap eval pages pages-dev --split``, run once (every model the CLI loads)."""
    from evimap.evaluate.pages import evaluate_pages
    from evimap.pipeline import load_resources

    return evaluate_pages(data_dir / FLOORS["pages"]["dir"], settings,
                          load_resources(settings), split=True)


@pytest.mark.parametrize("half", ["tune", "held_out"])
@pytest.mark.parametrize("figure", sorted(PAGES_FIGURES))
def test_pages_floor(pages_scores, half, figure):
    section, *keys = PAGES_FIGURES[figure]
    value = pages_scores[half][section]
    for key in keys:
        value = value[key]
    assert value >= FLOORS["pages"][half][figure], pages_scores[half][section]


def test_pages_copies_floor(pages_scores):
    """Every gold copy pair joined into one work, and no false merge (all pairs are in
    001-040; the held-out half has none)."""
    dup, floor = pages_scores["all"]["duplicates"], FLOORS["pages"]["all"]
    assert dup["recall"] >= floor["copies_recall"], dup
    assert dup["false_merges"] <= floor["false_merges_max"], dup


def test_pages_json_shape(pages_scores):
    assert [pages_scores[k]["files"] for k in ("all", "tune", "held_out")] == [60, 40, 20]
    claims = pages_scores["all"]["claims"]
    assert claims["gold"] == 696 and claims["predicted"] > 0
    assert claims["by_extractor"] and all(set(e) == {"predicted", "matched", "p"}
                                          for e in claims["by_extractor"].values())
    assert sum(e["predicted"] for e in claims["by_extractor"].values()) == claims["predicted"]
    assert set(claims["on_matched"]) == {"design", "n", "hedged", "negated"}
    assert pages_scores["all"]["duplicates"]["gold_pairs"] == 10
    assert pages_scores["seconds"] < 60


@pytest.fixture(scope="module")
def relation_scores(settings, lexicon, resources, data_dir):
    """``evimap eval relations`` on BioRED Dev, end to end and with gold entities."""
    from evimap.claims.relation import load_relation
    from evimap.evaluate.relations import evaluate_relations

    model = load_relation(settings.mesh_path, lexicon)
    path = data_dir / FLOORS["relations"]["file"]
    return {"end_to_end": evaluate_relations(path, settings, resources, model),
            "gold_entities": evaluate_relations(path, settings, resources, model,
                                                gold_entities=True)}


def test_relations_floor(relation_scores):
    floors = FLOORS["relations"]
    e2e, gold = relation_scores["end_to_end"], relation_scores["gold_entities"]
    assert e2e["typed"]["micro"]["f1"] >= floors["end_to_end"]["typed_f1"], e2e["typed"]
    assert (e2e["typed"]["Negative_Correlation"]["r"]
            >= floors["end_to_end"]["negative_correlation_r"]), e2e["typed"]
    assert gold["typed"]["micro"]["f1"] >= floors["gold_entities"]["typed_f1"], gold["typed"]


def test_relations_json_shape(relation_scores):
    e2e = relation_scores["end_to_end"]
    assert e2e["docs"] == 100 and e2e["gold_by_type"] == {
        "Positive_Correlation": 101, "Negative_Correlation": 89, "Association": 46}
    assert set(e2e["typed"]) == {"Positive_Correlation", "Negative_Correlation",
                                 "Association", "micro"}
    assert {"untyped", "mesh2023", "cooccurrence", "model_docs_per_second"} <= set(e2e)
    assert e2e["typed"]["micro"]["tp"] + e2e["typed"]["micro"]["fn"] == 236


@pytest.fixture(scope="module")
def pico_scores(settings, resources, data_dir):
    """``evimap eval pico pico-corpus --split``, held-out part only."""
    from evimap.evaluate.pico import evaluate_pico

    return evaluate_pico(data_dir / FLOORS["pico"]["dir"], settings, resources, split=True,
                         parts=["held_out"])


def test_pico_floor(pico_scores):
    held, floors = pico_scores["held_out"], FLOORS["pico"]["held_out"]
    assert held["docs"] == 161
    assert held["sample_size"]["exact"] >= floors["sample_size_exact"], held["sample_size"]
    spans = held["intervention_spans"]
    assert spans["strict"]["f1"] >= floors["intervention_strict_f1"], spans
    assert spans["overlap"]["f1"] >= floors["intervention_overlap_f1"], spans


def test_design_floor(settings, resources, data_dir):
    """``evimap eval design``: RCT share on Evidence Inference, non-RCT share of BC5CDR
    Development non-trials."""
    from evimap.evaluate.design import evaluate_design

    scores = evaluate_design(data_dir, settings, resources, split=True)
    splits = scores["evidence_inference_splits"]
    assert splits["train"]["docs"] + splits["validation"]["docs"] == \
        scores["evidence_inference"]["docs"]
    assert splits["validation"]["rct_share"] >= \
        FLOORS["design"]["evidence_inference_validation_rct_share"], splits["validation"]
    assert scores["evidence_inference"]["rct_share"] >= \
        FLOORS["design"]["evidence_inference_rct_share"], scores["evidence_inference"]
    assert scores["bc5cdr_dev"]["non_rct_share"] >= \
        FLOORS["design"]["bc5cdr_non_trial_non_rct_share"], scores["bc5cdr_dev"]


@pytest.mark.parametrize("folder", sorted(FLOORS["html"]["sets"]))
def test_html_floor(folder):
    """Article bodies from HTML: evimap at its floor and never below trafilatura alone."""
    from evimap.evaluate.html import evaluate_html

    scores = evaluate_html(Path(__file__).resolve().parents[1] / folder)
    assert scores["evimap"]["f1"] >= FLOORS["html"]["sets"][folder]["evimap_f1"], scores["evimap"]
    assert scores["evimap"]["f1"] >= scores["trafilatura"]["f1"], scores


def test_discovery_rank_ceilings(lbd_store):
    """``evimap eval discovery``: Swanson's linking concepts rank within their ceilings in
    closed discovery, Raynaud's disease within its ceiling in open discovery (fish oil)."""
    from evimap.evaluate.discovery import evaluate, load_cases

    floors = FLOORS["discovery"]
    assert lbd_store.store.path  # the LBD records of FLOORS["discovery"]["dir"]
    scores = evaluate(lbd_store, load_cases()[floors["case"]], floors["measure"])
    ranks = {lk["name"]: lk["rank"] for lk in scores["closed"]["links"]}
    assert set(ranks) == set(floors["closed_max_rank"])
    for name, ceiling in floors["closed_max_rank"].items():
        assert ranks[name] is not None and ranks[name] <= ceiling, scores["closed"]
    target = scores["open"]["target_rank"]
    assert target is not None and target <= floors["open_max_rank"], scores["open"]
