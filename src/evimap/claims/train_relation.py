"""``evimap train relations``: rebuild the shipped typed relation model.

Examples (one per candidate pair, features from :func:`evimap.claims.relation.pair_features`):

* BioRED Train, twice: with the file's own chemicals and diseases, and with our own entities
  (as ``evimap ingest`` finds them; pairs keyed by MeSH ID, so the gold relations label
  them); a relation line gives the label (Negative_Correlation -> treats,
  Positive_Correlation -> causes_adverse_effect, Association -> associated_with; when a pair
  has several, in that order), a pair with no relation line is ``NONE``; pairs whose only
  relations are other types (Bind, Cotreatment, ...) are left out;
* Evidence Inference 2.0 (train and validation splits; our own entities): for a prompt whose
  evidence sentence lies in the abstract and names the intervention (a chemical) and the
  outcome (a disease), that pair labelled by the finding: no significant difference ->
  ``no_effect``, significantly decreased -> ``treats``, significantly increased ->
  ``causes_adverse_effect`` (outcomes that are good news, such as relief or remission, left
  out); no other pair of those abstracts is used;
* BC5CDR Training's CID pairs as ``causes_adverse_effect`` only with ``bc5cdr=True``: they
  cost 2-3 points of typed F1 in cross-validation (see the model card), so the shipped
  model leaves them out.

The decision rule (:class:`evimap.claims.relation.RelationRule`) is chosen on five-fold
cross-validation over BioRED Train (held-out folds scored with our own entities, the setting
of ``evimap ingest``): the threshold, then the fraction of the document's best pair, with
the best typed micro F1. BioRED Dev is never read here. Writes ``relation.crfsuite`` and
``relation.json`` (the rule, the data, the held-out scores).
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..entities import load_lexicon, load_ner
from ..entities.crf import CrfTagger, train
from ..evaluate.cid import gold_pairs
from ..evaluate.cid import gold_view as cid_gold_view
from ..evaluate.ner import gold_documents
from ..evaluate.relations import (
    as_triples,
    gold_triples,
    gold_view,
    predicted_view,
    score_triples,
)
from ..model import Block, Concept, RawDocument
from ..pipeline import Resources
from ..read.decode import normalise_text
from ..settings import Settings
from .cid import CidDocument, MeshFacts, Pair, ligand_ids, read_mesh_facts
from .relation import (
    ASSOCIATED,
    CAUSES,
    META_FILE,
    MODEL_FILE,
    NO_EFFECT,
    NONE,
    TREATS,
    RelationModel,
    RelationRule,
    pair_features,
)

BIORED_TRAIN = ("biored", "Train.PubTator")
BC5CDR_TRAINING = ("bc5cdr", "CDR_TrainingSet.PubTator.txt")
EVIDENCE_INFERENCE = ("evidence-inference",)
#: BioRED types -> labels, in the order a pair with several takes them.
FROM_BIORED: tuple[tuple[str, str], ...] = (
    ("Negative_Correlation", TREATS), ("Positive_Correlation", CAUSES),
    ("Association", ASSOCIATED))
FROM_EVIDENCE = {"no significant difference": NO_EFFECT, "significantly decreased": TREATS,
                 "significantly increased": CAUSES, "significantly increase": CAUSES}
#: Outcomes whose increase is good news (an increase is then no adverse effect).
_GOOD_OUTCOME = re.compile(r"relie|remission|free|improv|response|recover|resolution|cure|"
                           r"success|satisf|heal", re.I)
#: L-BFGS settings (L1, L2) and iterations.
C1, C2, ITERATIONS = 0.0, 3.0, 200
FOLDS = 5
THRESHOLDS = tuple(i / 100 for i in range(5, 91))
RELATIVES = tuple(i / 10 for i in range(0, 9))

#: A view, its labelled pairs (None: every other pair is NONE, else they are left out).
Labelled = tuple[CidDocument, dict[Pair, str], bool]


def _labels(doc: CidDocument, raw: RawDocument) -> dict[Pair, str]:
    """Every candidate pair of a BioRED view with its label from the gold relation lines;
    pairs whose only relations are of other types are left out."""
    triples = gold_triples(raw)
    labels: dict[Pair, str] = {}
    for bio_type, label in reversed(FROM_BIORED):
        labels.update({(c, d): label for c, d, t in triples if t == bio_type})
    other = {(c, d) for c, d, _ in triples} - set(labels)
    return {p: labels.get(p, NONE) for p in doc.pairs() if p not in other}


#: A BioRED Train document: gold-entity view, our-entity view, the document.
BioredDocument = tuple[Labelled, Labelled, RawDocument]


def biored_views(path: Path, settings: Settings, resources: Resources
                 ) -> list[BioredDocument]:
    """BioRED documents with gold entities and with our own, every pair labelled."""
    ligands = ligand_ids(resources.lexicon)
    out = []
    for raw in gold_documents(path, settings):
        gold = gold_view(raw)
        ours = predicted_view(raw, resources, _chemical_test(ligands))
        out.append(((gold, _labels(gold, raw), True), (ours, _labels(ours, raw), True), raw))
    return out


def _chemical_test(ligands: frozenset[str]) -> Callable[[Concept], bool]:
    def is_chemical(concept: Concept) -> bool:
        return concept.type == "chemical" or (concept.type == "mechanism"
                                              and concept.id in ligands)
    return is_chemical


def bc5cdr_views(path: Path, settings: Settings) -> list[Labelled]:
    """BC5CDR documents with gold entities and their CID pairs only."""
    out = []
    for raw in gold_documents(path, settings):
        view = cid_gold_view(raw)
        pairs = set(view.pairs())
        out.append((view, {p: CAUSES for p in gold_pairs(raw) if p in pairs}, False))
    return out


def _abstract(path: Path) -> tuple[str, str]:
    """Title and abstract text of an Evidence Inference ``.abst`` file (section labels kept
    as "RESULTS: ...")."""
    title, parts, current = "", [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line == "TITLE:":
            current = "title"
            continue
        m = re.match(r"ABSTRACT(?:\.([^:]+))?:\s*(.*)$", line)
        if m:
            current = "abstract"
            label = (m.group(1) or "").strip()
            parts.append(f"{label.upper()}: {m.group(2)}".strip() if label else m.group(2))
            continue
        if current == "title":
            title = f"{title} {line}".strip()
        elif current == "abstract":
            parts.append(line)
    return title, " ".join(p for p in parts if p)


def evidence_views(folder: Path, resources: Resources) -> list[Labelled]:
    """Evidence Inference abstracts with our own entities and the pairs its findings label
    (only those)."""
    prompts = {r["PromptID"]: r for r in csv.DictReader(
        (folder / "prompts_merged.csv").open(encoding="utf-8"))}
    by_doc: dict[str, list[dict[str, str]]] = {}
    with (folder / "v2_annotations.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Label"] in FROM_EVIDENCE and row["Valid Label"] == "True":
                by_doc.setdefault(row["PMCID"], []).append(row)
    is_chemical = _chemical_test(ligand_ids(resources.lexicon))
    out = []
    for pmcid in sorted(by_doc, key=int):
        path = folder / "abstracts" / f"PMC{pmcid}.abst"
        if not path.is_file():
            continue
        title, abstract = _abstract(path)
        text, offset_map = normalise_text(f"{title} {abstract}")
        raw = RawDocument(path=str(path), record=0, format="pubtator", text=text,
                          title=text[:len(title)],
                          blocks=[Block(0, len(title), "title"),
                                  Block(len(title) + 1, len(text), "abstract")],
                          offset_map=offset_map)
        view = predicted_view(raw, resources, is_chemical)
        squashed = " ".join(text.split()).lower()
        votes: dict[Pair, Counter[str]] = {}
        for row in by_doc[pmcid]:
            prompt = prompts.get(row["PromptID"])
            evidence = " ".join(row["Annotations"].split()).lower()
            if prompt is None or len(evidence) < 20 or evidence[:60] not in squashed:
                continue
            label = FROM_EVIDENCE[row["Label"]]
            outcome = prompt["Outcome"].lower()
            if label == CAUSES and _GOOD_OUTCOME.search(outcome):
                continue
            intervention = prompt["Intervention"].lower()
            for index, (s, e) in enumerate(view.sentences):
                said = " ".join(text[s:e].split()).lower()
                if not said or (said[:60] not in evidence and evidence[:60] not in said):
                    continue
                chems = {o.id for o in view.chemicals if o.sentence == index
                         and text[o.start:o.end].lower() in intervention}
                dis = {o.id for o in view.diseases if o.sentence == index
                       and text[o.start:o.end].lower() in outcome}
                for pair in ((c, d) for c in chems for d in dis):
                    votes.setdefault(pair, Counter())[label] += 1
        labels = {p: v.most_common(1)[0][0] for p, v in votes.items()}
        if labels:
            out.append((view, labels, False))
    return out


def examples(views: Sequence[Labelled], mesh: MeshFacts
             ) -> Iterator[tuple[list[list[str]], list[str]]]:
    """One-item CRFsuite sequences: a pair's features and its label."""
    for doc, labels, complete in views:
        for pair, feats in pair_features(doc, mesh).items():
            label = labels.get(pair, NONE if complete else None)
            if label is not None:
                yield [feats], [label]


def _fit(views: Sequence[Labelled], mesh: MeshFacts, out: Path,
         iterations: int = ITERATIONS, c2: float = C2) -> RelationModel:
    model = train(examples(views, mesh), out, max_iterations=iterations, c1=C1, c2=c2)
    return RelationModel(CrfTagger(model), RelationRule(0.5), mesh)


Scored = tuple[dict[Pair, dict[str, float]], RawDocument]


def cross_validated(train_docs: Sequence[BioredDocument], extra: Sequence[Labelled],
                    mesh: MeshFacts, iterations: int = ITERATIONS, c2: float = C2
                    ) -> tuple[list[Scored], list[Scored]]:
    """Held-out probabilities of every BioRED Train document, with our entities and with
    the gold ones: fold k (documents k, k + FOLDS, ...) scored by a model trained on the
    other folds and the extra data."""
    ours: dict[int, Scored] = {}
    gold: dict[int, Scored] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(FOLDS):
            rest = [v for i, (g, o, _) in enumerate(train_docs) if i % FOLDS != k
                    for v in (g, o)]
            model = _fit([*rest, *extra], mesh, Path(tmp) / f"fold{k}.crfsuite",
                         iterations, c2)
            for i in range(k, len(train_docs), FOLDS):
                (g_view, _, _), (o_view, _, _), raw = train_docs[i]
                ours[i] = (model.probabilities(o_view), raw)
                gold[i] = (model.probabilities(g_view), raw)
    order = range(len(train_docs))
    return [ours[i] for i in order], [gold[i] for i in order]


def rule_scores(rule: RelationRule, scored: Sequence[Scored]) -> dict[str, Any]:
    return score_triples((as_triples(rule.select(p)), gold_triples(raw)) for p, raw in scored)


def best_rule(scored: Sequence[Scored]) -> tuple[RelationRule, dict[str, Any]]:
    """The threshold with the best typed micro F1, then the fraction of the document's best
    pair at that threshold (the plain rule on ties)."""
    def merit(rule: RelationRule) -> float:
        return float(rule_scores(rule, scored)["typed"]["micro"]["f1"])
    threshold = max(THRESHOLDS, key=lambda t: merit(RelationRule(t)))
    rule = max((RelationRule(threshold, r) for r in RELATIVES), key=merit)
    return rule, rule_scores(rule, scored)


def load_training(settings: Settings, bc5cdr: bool = False, evidence: bool = True
                  ) -> tuple[list[BioredDocument], list[Labelled], dict[str, int]]:
    """BioRED Train views and the extra views (Evidence Inference; BC5CDR's CID pairs only
    when asked: they cost typed F1 in cross-validation, see the model card)."""
    lexicon = load_lexicon(settings)
    resources = Resources(lexicon, load_ner(settings))
    train_docs = biored_views(settings.data_path(*BIORED_TRAIN), settings, resources)
    extra: list[Labelled] = []
    counts = {"biored_documents": len(train_docs),
              "biored_pairs_gold_entities": sum(len(g[1]) for g, _, _ in train_docs),
              "biored_pairs_our_entities": sum(len(o[1]) for _, o, _ in train_docs)}
    if bc5cdr:
        views = bc5cdr_views(settings.data_path(*BC5CDR_TRAINING), settings)
        extra += views
        counts["bc5cdr_cid_pairs"] = sum(len(v[1]) for v in views)
    if evidence:
        views = evidence_views(settings.data_path(*EVIDENCE_INFERENCE), resources)
        extra += views
        counts["evidence_inference_documents"] = len(views)
        counts.update({f"evidence_inference_{k}": v for k, v in sorted(Counter(
            label for v in views for label in v[1].values()).items())})
    return train_docs, extra, counts


def train_relation(settings: Settings, out: Path, iterations: int = ITERATIONS
                   ) -> dict[str, Any]:
    """Train into ``out`` and choose the decision rule on cross-validation over BioRED Train
    (held-out folds, our own entities: the setting of ``evimap ingest``); returns what was
    done and the held-out scores."""
    started = time.perf_counter()
    mesh = read_mesh_facts(settings.mesh_path)
    train_docs, extra, counts = load_training(settings)
    ours, gold = cross_validated(train_docs, extra, mesh, iterations)
    rule, scores = best_rule(ours)
    out.mkdir(parents=True, exist_ok=True)
    views = [v for g, o, _ in train_docs for v in (g, o)] + extra
    _fit(views, mesh, out / MODEL_FILE, iterations)
    labels = Counter(label for v in views for label in v[1].values())
    result = {**rule.as_json(), **counts, "labels": dict(sorted(labels.items())),
              "biored_train_cross_validation": {"end_to_end": scores,
                                                "gold_entities": rule_scores(rule, gold)},
              "iterations": iterations, "c1": C1, "c2": C2, "folds": FOLDS}
    (out / META_FILE).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return {**result, "seconds": round(time.perf_counter() - started, 1),
            "model_bytes": (out / MODEL_FILE).stat().st_size, "out": str(out)}
