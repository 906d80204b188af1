"""``evimap train cid``: rebuild the shipped CID classifier from BC5CDR Training.

Every candidate pair of every Training abstract, with the gold entities, is one example
(label ``CID`` when the gold relations list it, else ``NONE``); CRFsuite learns a
maximum-entropy model over one-item sequences. The decision rule (probability threshold and
fraction of the document's best pair, :func:`evimap.claims.cid.positive`) is then chosen on
the Development set (gold entities), never trained on. Writes ``cid.crfsuite`` and
``cid.json`` (the rule and what was done) into the output folder.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..entities.crf import CrfTagger, train
from ..evaluate.cid import RELATIVES, best_rule, gold_pairs, gold_view
from ..evaluate.ner import gold_documents
from ..settings import Settings
from .cid import (
    LABEL,
    META_FILE,
    MODEL_FILE,
    OTHER,
    CidClassifier,
    CidDocument,
    MeshFacts,
    Pair,
    pair_features,
    read_mesh_facts,
)

TRAINING_FILE = ("bc5cdr", "CDR_TrainingSet.PubTator.txt")
DEVELOPMENT_FILE = ("bc5cdr", "CDR_DevelopmentSet.PubTator.txt")
#: L-BFGS settings (L1, L2 regularisation) chosen on Development.
C1, C2 = 0.0, 3.0

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
    model = train(examples(train_views, mesh), out / MODEL_FILE,
                  max_iterations=iterations, c1=C1, c2=C2)
    classifier = CidClassifier(CrfTagger(model), 0.5, mesh)
    # scored as predict() decides: less the pairs the document says the chemical treats
    dev = [(classifier.candidates(doc), gold)
           for doc, gold in labelled_views(dev_path, settings)]
    threshold, relative, scores = best_rule(dev, relatives=RELATIVES)
    result = {"threshold": threshold, "relative": relative, "training_file": train_path.name,
              "training_documents": len(train_views),
              "training_pairs": sum(len(d.pairs()) for d, _ in train_views),
              "development_file": dev_path.name, "development_gold_entities": scores,
              "iterations": iterations, "c1": C1, "c2": C2}
    (out / META_FILE).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return {**result, "seconds": round(time.perf_counter() - started, 1),
            "model_bytes": model.stat().st_size, "out": str(out)}
