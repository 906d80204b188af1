"""The chemical-induced disease classifier: features on real BC5CDR abstracts, its claims,
and the quality gate (Development-set F1 floors in eval/floors.json)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from evimap.claims.cid import (
    HARM,
    META_FILE,
    MODEL_DIR,
    MODEL_FILE,
    VIA,
    Candidates,
    CidClassifier,
    DecisionRule,
    load_cid,
    pair_features,
    positive,
    reports_harm,
)
from evimap.claims.train_cid import train_cid
from evimap.evaluate.cid import (
    best_rule,
    evaluate_cid,
    gold_documents,
    gold_pairs,
    gold_view,
    rule_scores,
)
from evimap.model import RawDocument
from evimap.pipeline import Resources, process

FLOORS = json.loads((Path(__file__).resolve().parents[1] / "eval" / "floors.json").read_text())
LITHIUM_CARBONATE, CYANOSIS, TRICUSPID = "D016651", "D003490", "D014262"


@pytest.fixture(scope="module")
def cid(settings: Any, lexicon: Any) -> CidClassifier:
    return load_cid(settings.mesh_path, lexicon)


@pytest.fixture(scope="module")
def cid_resources(resources: Resources, cid: CidClassifier) -> Resources:
    return dataclasses.replace(resources, cid=cid)


@pytest.fixture(scope="module")
def dev_path(data_dir: Path) -> Path:
    return data_dir / FLOORS["cid"]["file"]


@pytest.fixture(scope="module")
def dev_docs(dev_path: Path, settings: Any) -> dict[str, RawDocument]:
    return {d.metadata["pmid"]: d for d in gold_documents(dev_path, settings)}


def test_candidates_and_features_of_a_real_abstract(dev_docs: dict[str, RawDocument],
                                                    cid: CidClassifier) -> None:
    raw = dev_docs["6794356"]   # "Tricuspid valve regurgitation and lithium carbonate toxicity"
    doc = gold_view(raw)
    features = pair_features(doc, cid.mesh)
    chemicals = {o.id for o in doc.chemicals}
    assert set(features) == {(c, d.id) for c in chemicals for d in doc.diseases}
    title_pair = set(features[(LITHIUM_CARBONATE, TRICUSPID)])
    assert {"c_title=True", "d_title=True", "cooc_title", "s:order=DC", "c_rank=1",
            "d_branch=C14", "d_id=D014262"} <= title_pair
    # "It also causes neurologic depression, cyanosis, ...": the rules resolve "It"
    caused = set(features[(LITHIUM_CARBONATE, CYANOSIS)])
    assert "rule=causes_adverse_effect" in caused and "rule_cae|cooc=<=1" not in title_pair
    assert {"cooc=<=0", "sdist=<=1"} <= caused           # "It" is no gold mention
    probabilities = cid.probabilities(doc)
    assert probabilities == cid.probabilities(doc)      # deterministic
    assert probabilities[(LITHIUM_CARBONATE, CYANOSIS)] >= cid.rule.threshold
    assert set(cid.predict(doc)) & gold_pairs(raw)


def test_composite_mentions_and_unnormalised_ones(dev_docs: dict[str, RawDocument],
                                                  cid: CidClassifier) -> None:
    raw = dev_docs["3703509"]   # "Hyperglycemic acidotic coma" names three diseases
    doc = gold_view(raw)
    diseases = {o.id for o in doc.diseases}
    assert {"D006943", "D000140", "D003128"} <= diseases
    assert "-1" not in diseases
    assert gold_pairs(raw) <= set(doc.pairs())


def test_x_induced_y_pattern(dev_docs: dict[str, RawDocument], cid: CidClassifier) -> None:
    found = 0
    for raw in list(dev_docs.values())[:60]:
        doc = gold_view(raw)
        for pair, feats in pair_features(doc, cid.mesh).items():
            if "s:pat:C_induced_D" in feats:
                found += 1
                shared = ({o.sentence for o in doc.chemicals if o.id == pair[0]}
                          & {o.sentence for o in doc.diseases if o.id == pair[1]})
                assert any(re.search(r"-?(?:induced|associated|related|evoked|provoked|"
                                     r"caused|dependent|mediated)\b",
                                     doc.text[slice(*doc.sentences[i])], re.I)
                           for i in shared)
    assert found >= 10


def test_decision_rule_is_relative_to_the_documents_best_pair() -> None:
    probabilities = {("C1", "D1"): 0.9, ("C1", "D2"): 0.4, ("C2", "D1"): 0.2}
    assert positive(probabilities, 0.15) == probabilities
    assert positive(probabilities, 0.15, 0.5) == {("C1", "D1"): 0.9}
    assert positive(probabilities, 0.15, 0.4) == {("C1", "D1"): 0.9, ("C1", "D2"): 0.4}
    assert positive({("C2", "D1"): 0.2}, 0.15, 0.5) == {("C2", "D1"): 0.2}
    assert positive({("C2", "D1"): 0.1}, 0.15, 0.5) == {}
    assert positive({}, 0.15, 0.5) == {}
    rule = DecisionRule(0.3, 0.5, 0.1)
    weak = {("C2", "D1"): 0.2, ("C2", "D2"): 0.08}
    assert rule.select(Candidates(weak, harm=True)) == {("C2", "D1"): 0.2}
    assert rule.select(Candidates(weak, harm=False)) == {}
    assert DecisionRule(0.3).select(Candidates(weak, harm=True)) == {}


def test_harm_words(dev_docs: dict[str, RawDocument]) -> None:
    lithium = gold_view(dev_docs["6794356"])    # "... lithium carbonate toxicity"
    assert reports_harm(lithium)
    assert HARM.search("cocaine-induced seizures") and HARM.search("side effects")
    assert not HARM.search("Mutations in the gene cause the disease.")
    # BC5CDR's abstracts were chosen for drug-induced conditions: most use these words
    share = sum(reports_harm(gold_view(raw)) for raw in dev_docs.values()) / len(dev_docs)
    assert 0.6 < share < 0.9


def test_shipped_rule_on_development(dev_docs: dict[str, RawDocument],
                                     cid: CidClassifier) -> None:
    scored = [(cid.candidates(gold_view(raw)), gold_pairs(raw)) for raw in dev_docs.values()]
    rule = cid.rule
    assert rule.relative > 0 and rule.harm_threshold is not None
    assert rule.harm_threshold < rule.threshold
    # the threshold is the best plain one on Development ...
    plain, plain_scores = best_rule(scored)
    assert plain == DecisionRule(rule.threshold)
    # ... and the rest of the rule earns its place there
    assert rule_scores(rule, scored)["f1"] > plain_scores["f1"] + 0.01
    # predict() applies it: a pair above the threshold but far below the document's best
    # is left out, a pair below the threshold is kept in a document that reports harm
    dropped = kept = 0
    for (candidates, _), raw in zip(scored, dev_docs.values(), strict=True):
        predicted = cid.predict(gold_view(raw))
        best = max(candidates.probabilities.values(), default=0.0)
        floor = rule.harm_threshold if candidates.harm else rule.threshold
        for pair, p in candidates.probabilities.items():
            assert (pair in predicted) == (p >= floor and p >= rule.relative * best)
            dropped += rule.threshold <= p < rule.relative * best
            kept += pair in predicted and p < rule.threshold
    assert dropped >= 5 and kept >= 5


def test_training_rebuilds_the_shipped_model(settings: Any, tmp_path: Path) -> None:
    result = train_cid(settings, tmp_path)
    assert (tmp_path / MODEL_FILE).read_bytes() == (MODEL_DIR / MODEL_FILE).read_bytes()
    shipped = json.loads((MODEL_DIR / META_FILE).read_text())
    written = json.loads((tmp_path / META_FILE).read_text())
    assert written == shipped
    assert {k: result[k] for k in ("threshold", "harm_threshold", "relative")} == {
        k: shipped[k] for k in ("threshold", "harm_threshold", "relative")}
    # the rule was chosen with held-out predictions on Training as well
    held_out = written["training_cross_validation"]
    assert held_out["tp"] + held_out["fn"] == 1038      # BC5CDR Training's CID pairs


def test_claims_from_the_classifier(dev_docs: dict[str, RawDocument],
                                    cid_resources: Resources, resources: Resources) -> None:
    raw = dev_docs["6794356"]
    with_cid = process(raw, cid_resources).claims
    without = process(raw, resources).claims
    assert not any(c.qualifiers.get("via") == VIA for c in without)
    extra = [c for c in with_cid if c.qualifiers.get("via") == VIA]
    assert extra and len(with_cid) == len(without) + len(extra)
    rule_keys = {(c.subject.id, c.object.id, c.start) for c in without
                 if c.predicate == "causes_adverse_effect"}
    assert cid_resources.cid is not None
    rule = cid_resources.cid.rule
    threshold = min(rule.threshold, rule.harm_threshold or rule.threshold)
    for claim in extra:
        assert claim.predicate == "causes_adverse_effect"
        assert claim.sentence == raw.text[claim.start:claim.end]
        assert claim.qualifiers["probability"] >= threshold
        assert (claim.subject.id, claim.object.id, claim.start) not in rule_keys
        assert claim.subject.type == "chemical" and claim.object.type == "disease"
        assert claim.evidence.extractor.startswith("cid/")


# --- the quality gate ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def end_to_end(dev_path: Path, settings: Any, cid_resources: Resources) -> dict[str, Any]:
    return evaluate_cid(dev_path, settings, cid_resources)


@pytest.fixture(scope="module")
def with_gold_entities(dev_path: Path, settings: Any,
                       cid_resources: Resources) -> dict[str, Any]:
    return evaluate_cid(dev_path, settings, cid_resources, gold_entities=True)


def test_cid_end_to_end_floor(end_to_end: dict[str, Any]) -> None:
    floors = FLOORS["cid"]["end_to_end"]
    assert end_to_end["f1"] >= floors["f1"], end_to_end
    assert end_to_end["mesh2023"]["f1"] >= floors["mesh2023_f1"], end_to_end
    assert end_to_end["as_stored"]["f1"] >= floors["as_stored_f1"], end_to_end


def test_cid_gold_entities_floor(with_gold_entities: dict[str, Any]) -> None:
    assert with_gold_entities["f1"] >= FLOORS["cid"]["gold_entities"]["f1"], with_gold_entities
    assert with_gold_entities["f1"] > with_gold_entities["cooccurrence"]["f1"] + 0.1


def test_cid_json_shape(end_to_end: dict[str, Any]) -> None:
    assert {"p", "r", "f1", "tp", "fp", "fn", "docs", "seconds"} <= set(end_to_end)
    assert end_to_end["docs"] == 500
    assert end_to_end["tp"] + end_to_end["fn"] == 1012      # BC5CDR Development's CID pairs
    stored = end_to_end["as_stored"]
    assert stored["tp"] + stored["fn"] == 1012
    # the vocabulary only renames predicted concepts: as many pairs either way
    assert stored["tp"] + stored["fp"] == end_to_end["tp"] + end_to_end["fp"]
