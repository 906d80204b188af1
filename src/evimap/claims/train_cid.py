"""``evimap train cid``: rebuild the shipped CID classifier from BC5CDR Training.

Every candidate pair of every Training abstract, with the gold entities, is one example
(label ``CID`` when the gold relations list it, else ``NONE``); CRFsuite learns a
maximum-entropy model over one-item sequences. The decision rule
(:class:`evimap.claims.cid.DecisionRule`) is then chosen with
:func:`evimap.evaluate.cid.best_rule`: the threshold on the Development set (gold entities,
never trained on), the rest on Development and on five-fold cross-validation over Training.
Writes ``cid.crfsuite`` and ``cid.json`` (the rule and what was done) into the output
folder.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..entities.crf import CrfTagger, train
from ..evaluate.cid import RELATIVES, ScoredDocument, best_rule, gold_pairs, gold_view, rule_scores
from ..evaluate.ner import gold_documents
from ..settings import Settings
from .cid import (
    LABEL,
    META_FILE,
    MODEL_FILE,
    OTHER,
    CidClassifier,
    CidDocument,
    DecisionRule,
    MeshFacts,
    Pair,
    pair_features,
    read_mesh_facts,
)

TRAINING_FILE = ("bc5cdr", "CDR_TrainingSet.PubTator.txt")
DEVELOPMENT_FILE = ("bc5cdr", "CDR_DevelopmentSet.PubTator.txt")
#: L-BFGS settings (L1, L2 regularisation) chosen on Development.
C1, C2 = 0.0, 3.0
#: Folds of the cross-validation over Training that helps choose the decision rule.
FOLDS = 5

Labelled = tuple[CidDocument, set[Pair]]


def labelled_views(path: Path, settings: Settings) -> list[Labelled]:
    """Each annotated document of a PubTator file with gold entities, and its CID pairs."""
    return [(gold_view(raw), gold_pairs(raw)) for raw in gold_documents(path, settings)]


def examples(views: Sequence[Labelled], mesh: MeshFacts
             ) -> Iterator[tuple[list[list[str]], list[str]]]:
    """One-item CRFsuite sequences: a pair's features and its label."""
    for doc, gold in views:
        for pair, feats in pair_features(doc, mesh).items():
            yield [feats], [LABEL if pair in gold else OTHER]


def _fit(views: Sequence[Labelled], mesh: MeshFacts, out: Path, iterations: int
         ) -> CidClassifier:
    model = train(examples(views, mesh), out, max_iterations=iterations, c1=C1, c2=C2)
    return CidClassifier(CrfTagger(model), DecisionRule(0.5), mesh)


def cross_validated(views: Sequence[Labelled], mesh: MeshFacts, iterations: int
                    ) -> list[ScoredDocument]:
    """Held-out candidates of every training document: fold k (documents k, k + FOLDS,
    ...) scored by a model trained on the other folds."""
    held_out: dict[int, ScoredDocument] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(FOLDS):
            rest = [v for i, v in enumerate(views) if i % FOLDS != k]
            classifier = _fit(rest, mesh, Path(tmp) / f"fold{k}.crfsuite", iterations)
            for i in range(k, len(views), FOLDS):
                doc, gold = views[i]
                held_out[i] = (classifier.candidates(doc), gold)
    return [held_out[i] for i in range(len(views))]


def train_cid(settings: Settings, out: Path, iterations: int = 200,
              training: Path | None = None, development: Path | None = None
              ) -> dict[str, Any]:
    """Train into ``out`` and choose the decision rule; returns what was done and the
    scores."""
    started = time.perf_counter()
    mesh = read_mesh_facts(settings.mesh_path)
    train_path = training or settings.data_path(*TRAINING_FILE)
    dev_path = development or settings.data_path(*DEVELOPMENT_FILE)
    train_views = labelled_views(train_path, settings)
    out.mkdir(parents=True, exist_ok=True)
    classifier = _fit(train_views, mesh, out / MODEL_FILE, iterations)
    # scored as predict() decides: less the pairs the document says the chemical treats
    dev = [(classifier.candidates(doc), gold)
           for doc, gold in labelled_views(dev_path, settings)]
    held_out = cross_validated(train_views, mesh, iterations)
    rule, scores = best_rule(dev, held_out, relatives=RELATIVES)
    result = {**rule.as_json(), "training_file": train_path.name,
              "training_documents": len(train_views),
              "training_pairs": sum(len(d.pairs()) for d, _ in train_views),
              "development_file": dev_path.name, "development_gold_entities": scores,
              "training_cross_validation": rule_scores(rule, held_out),
              "iterations": iterations, "c1": C1, "c2": C2}
    (out / META_FILE).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return {**result, "seconds": round(time.perf_counter() - started, 1),
            "model_bytes": (out / MODEL_FILE).stat().st_size, "out": str(out)}
