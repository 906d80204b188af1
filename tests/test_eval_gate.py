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


def test_ner_json_shape(ner_scores):
    assert ner_scores["docs"] == 500
    for section, kinds in (("mentions", ("Chemical", "Disease", "micro")),
                           ("ids", ("Chemical", "Disease")),
                           ("ids_as_stored", ("Chemical", "Disease")),
                           ("ids_mesh2023", ("Chemical", "Disease"))):
        for kind in kinds:
            assert set(ner_scores[section][kind]) == {"p", "r", "f1", "tp", "fp", "fn"}
    assert ner_scores["docs_per_second"] > 0
