"""The sentence-level pair model: candidates, features, training and its claims on real pages."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from evimap.claims import document_view
from evimap.claims.pairs import (
    LEXICAL_PREFIXES,
    META_FILE,
    MODEL_DIR,
    MODEL_FILE,
    candidates,
    load_pairs,
    unlexical,
)
from evimap.claims.train_pairs import label_candidates, train_pairs
from evimap.model import RawDocument
from evimap.pipeline import load_resources, process
from test_claims import document, profile


def _view(parts):
    text, segments, sents, mentions = document(parts)
    return document_view(text, segments, sents, mentions, profile(), {})


def test_a_sentence_without_an_intervention_takes_the_title_s():
    view = _view([("title", "Ketamine for migraine"),
                  ("body", "Migraine days fell by half in most patients.")])
    pairs = {(c.subject.name, c.subject_from, c.object.name) for c in candidates(view)
             if c.unit == 1}
    assert pairs == {("Ketamine", "title", "Migraine Disorders")}


def test_a_pronoun_subject_is_its_antecedent():
    view = _view([("title", "Ketamine for migraine"),
                  ("body", "It cut migraine days by half in most patients.")])
    pairs = {(c.subject.name, c.subject_from, c.object.name) for c in candidates(view)
             if c.unit == 1}
    assert pairs == {("Ketamine", "coreference", "Migraine Disorders")}


def test_a_sentence_with_an_intervention_and_no_condition_takes_the_topic_condition():
    view = _view([("title", "Migraine treatments"),
                  ("body", "Ketamine helps migraine. Ketamine reduced migraine pain."),
                  ("body", "Ketamine was effective in most patients.")])
    last = [c for c in candidates(view) if c.unit == len(view.doc.units) - 1]
    assert [(c.subject.name, c.object.name, c.object_from) for c in last] == [
        ("Ketamine", "Migraine Disorders", "topic")]


def test_gold_labels_pick_the_candidate_with_the_gold_subject():
    view = _view([("body", "Ketamine and milnacipran were given; milnacipran relieved "
                           "fibromyalgia.")])
    found = [(c, []) for c in candidates(view)]
    gold = [{"intervention": "milnacipran", "relation": "treats", "target": "fibromyalgia",
             "quote": "Ketamine and milnacipran were given; milnacipran relieved fibromyalgia."}]

    class _NoSynonyms:
        def synonyms(self, ui):
            return []
    labelled = label_candidates(view, _NoSynonyms(), gold, found)  # type: ignore[arg-type]
    assert {(c.subject.name, label) for c, _, label in labelled} == {
        ("Ketamine", "NONE"), ("Milnacipran", "treats")}


def test_unlexical_drops_only_the_words():
    feats = ["bias", "w=reduc", "gapw=reduc", "btw:treat", "s_prev=with", "cue:hedge"]
    assert unlexical(feats) == ["bias", "btw:treat", "cue:hedge"]
    assert all(f.startswith(LEXICAL_PREFIXES) for f in set(feats) - set(unlexical(feats)))


@pytest.fixture(scope="module")
def full_resources(settings):
    return load_resources(settings)


def test_training_rebuilds_the_shipped_model(settings, full_resources, tmp_path: Path):
    result = train_pairs(settings, dataclasses.replace(full_resources, pairs=None), tmp_path)
    shipped = json.loads((MODEL_DIR / META_FILE).read_text(encoding="utf-8"))
    assert result["chosen"] == shipped["chosen"]
    assert (tmp_path / MODEL_FILE).read_bytes() == (MODEL_DIR / MODEL_FILE).read_bytes()
    assert all(int(f[:3]) <= 40 for f in result["trained_on"])   # 041-060 are never read
    assert result["held_out_scores"]["cv"]["f1"] > 0.3


def test_pair_claims_on_a_real_trial_abstract(data_dir, full_resources):
    """The Petasites (butterbur) trial: the studied extract prevents migraine, placebo is
    never a subject, and every pair claim says what found it."""
    text = (data_dir / "pages-dev" / "docs" / "005.txt").read_text(encoding="utf-8")
    done = process(RawDocument("005.txt", 0, "text", text), full_resources)
    subjects = {c.subject.name for c in done.claims}
    assert not any("placebo" in s.lower() for s in subjects)
    assert ("Petasites", "Migraine Disorders") in {
        (c.subject.name, c.object.name) for c in done.claims
        if c.predicate in ("treats", "prevents")}
    for c in done.claims:
        if c.evidence.extractor.startswith("pairs/"):
            assert c.evidence.rule == "pair_model" and 0 < c.qualifiers["p"] <= 1


def test_shipped_model_loads_with_its_setting():
    model = load_pairs()
    assert 0 < model.threshold < 1
    assert model.meta["chosen"].split("@")[0] in ("lexical", "classes")
