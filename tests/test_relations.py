"""The typed relation model and its BioRED scorer, on real BioRED Dev abstracts (offline,
deterministic)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evimap.claims import extract_claims
from evimap.claims.relation import (
    BIORED_TYPES,
    EXTRACTOR,
    META_FILE,
    MODEL_DIR,
    PLACEBO,
    VIA,
    RelationModel,
    load_relation,
    relation_claims,
)
from evimap.clean import segment
from evimap.entities import recognise
from evimap.evaluate.ner import gold_documents
from evimap.evaluate.relations import (
    SCORED_TYPES,
    fold_filter,
    gold_triples,
    gold_view,
    score_triples,
)
from evimap.model import Claim, RawDocument
from evimap.pipeline import Resources, sentences_of
from evimap.sources import profile_source

DEV = ("biored", "Dev.PubTator")
CHEMICAL, DISEASE = "ChemicalEntity", "DiseaseOrPhenotypicFeature"


@pytest.fixture(scope="module")
def dev_path(data_dir: Path) -> Path:
    return data_dir.joinpath(*DEV)


@pytest.fixture(scope="module")
def subset(dev_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 25 records of BioRED Dev, as written."""
    records = dev_path.read_text(encoding="utf-8").split("\n\n")[:25]
    path = tmp_path_factory.mktemp("biored") / "subset.PubTator"
    path.write_text("\n\n".join(records) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dev_docs(dev_path: Path, settings: Any) -> dict[str, RawDocument]:
    return {d.metadata["pmid"]: d for d in gold_documents(dev_path, settings)}


@pytest.fixture(scope="module")
def model(settings: Any, lexicon: Any) -> RelationModel:
    return load_relation(settings.mesh_path, lexicon)


def _claims(raw: RawDocument, resources: Resources, model: RelationModel) -> list[Claim]:
    segments = segment(raw)
    sents = sentences_of(raw.text, segments)
    mentions = recognise(raw.text, segments, sents, resources.lexicon, resources.ner)
    profile = profile_source(raw, segments)
    prior = extract_claims(raw.text, segments, sents, mentions, profile, raw.metadata)
    return relation_claims(model, raw.text, segments, sents, mentions, profile, prior)


def test_gold_pairs_are_read_from_the_relation_lines(subset: Path, settings: Any) -> None:
    # counted straight from the file's lines: relation lines whose IDs are a chemical and a
    # disease of the same document (mention ID columns may list several IDs with commas)
    expected: dict[str, set[tuple[str, str, str]]] = {}
    for record in subset.read_text(encoding="utf-8").split("\n\n"):
        lines = [line.split("\t") for line in record.splitlines() if "\t" in line]
        chem = {i for c in lines if len(c) == 6 and c[4] == CHEMICAL for i in c[5].split(",")}
        dis = {i for c in lines if len(c) == 6 and c[4] == DISEASE for i in c[5].split(",")}
        pmid = record.split("|", 1)[0].strip()
        expected[pmid] = ({(c[2], c[3], c[1]) for c in lines if len(c) == 5
                           and c[2] in chem and c[3] in dis}
                          | {(c[3], c[2], c[1]) for c in lines if len(c) == 5
                             and c[3] in chem and c[2] in dis})
    docs = gold_documents(subset, settings)
    assert len(docs) == 25
    found = {raw.metadata["pmid"]: gold_triples(raw) for raw in docs}
    assert found == expected
    assert sum(len(v) for v in found.values()) >= 30


def test_scorer_gives_one_on_gold_fed_back(dev_docs: dict[str, RawDocument]) -> None:
    results = [(gold_triples(raw), gold_triples(raw)) for raw in dev_docs.values()]
    scores = score_triples(results)
    assert scores["typed"]["micro"]["f1"] == 1.0 and scores["untyped"]["f1"] == 1.0
    assert all(scores["typed"][t]["f1"] == 1.0 for t in SCORED_TYPES)
    # BioRED Dev: 101 Positive_Correlation, 89 Negative_Correlation, 46 Association pairs
    assert [scores["typed"][t]["tp"] for t in SCORED_TYPES] == [101, 89, 46]
    empty = score_triples([(set(), g) for _, g in results])
    assert empty["typed"]["micro"]["f1"] == 0.0 and empty["typed"]["micro"]["fn"] == 236


def test_model_files_and_mapping() -> None:
    meta = json.loads((MODEL_DIR / META_FILE).read_text())
    assert 0 < meta["threshold"] < 1
    assert meta["labels"]["treats"] > 100 and meta["labels"]["no_effect"] > 0
    assert BIORED_TYPES["treats"] == BIORED_TYPES["prevents"] == "Negative_Correlation"
    assert BIORED_TYPES["causes_adverse_effect"] == "Positive_Correlation"
    assert "no_effect" not in BIORED_TYPES


def test_treats_from_a_real_sentence(dev_docs: dict[str, RawDocument], resources: Resources,
                                     model: RelationModel) -> None:
    raw = dev_docs["25080425"]  # "betaine pretreatment attenuated ... myocardial ischemia"
    claims = _claims(raw, resources, model)
    assert claims == _claims(raw, resources, model)        # deterministic
    treats = [c for c in claims if c.predicate == "treats"
              and c.subject.name == "Betaine" and c.object.id == "D017202"]
    assert treats, [(c.subject.name, c.predicate, c.object.name) for c in claims]
    claim = treats[0]
    assert claim.sentence == raw.text[claim.start:claim.end]
    assert "betaine" in claim.sentence.lower() and "ischemia" in claim.sentence.lower()
    assert claim.qualifiers["via"] == VIA and 0 < claim.qualifiers["p"] <= 1
    assert claim.evidence.extractor == EXTRACTOR and not claim.negated
    assert claim.subject.type == "chemical" and claim.object.type == "disease"
    # the gold says the same: betaine - myocardial ischemia is a Negative_Correlation
    assert ("D001622", "D017202", "Negative_Correlation") in gold_triples(raw)


def test_placebo_is_never_the_subject(dev_docs: dict[str, RawDocument],
                                      resources: Resources, model: RelationModel) -> None:
    raw = dev_docs["17042884"]  # quetiapine "compared to placebo", "than with placebo"
    assert "compared to placebo" in raw.text and "than with placebo" in raw.text
    view = gold_view(raw)
    assert view.pairs()
    claims = _claims(raw, resources, model)
    assert claims and all(c.subject.id != PLACEBO for c in claims)
    assert all(pair[0] != PLACEBO for pair in model.probabilities(view))


def test_folds() -> None:
    keep = fold_filter("4/5")
    raw = RawDocument(path="x", record=9, format="pubtator", text="t")
    assert keep(raw) and not fold_filter("0/5")(raw)
    with pytest.raises(ValueError):
        fold_filter("5/5")
