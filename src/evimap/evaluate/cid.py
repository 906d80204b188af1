"""Chemical-induced disease relations scored on a PubTator gold standard (BC5CDR).

As the BioCreative V CDR task scored them: per document, the set of (chemical MeSH ID,
disease MeSH ID) pairs, deduplicated, micro P/R/F1 over all documents.

Two settings. End-to-end (default): our own entities and IDs, from the same stages
``evimap ingest`` runs. Gold entities: the file's own mentions and IDs, so the score is the
relation classifier's alone. End-to-end predictions carry MeSH 2023 descriptors while the
gold uses 2015 IDs: the main score reads our pairs in BC5CDR's vocabulary, as a participant
would have submitted them (:func:`evimap.evaluate.ner.bc5cdr_vocabulary`: a descriptor
becomes the C-number the curators gave the same words in the training annotations);
``as_stored`` scores the descriptors untranslated, and ``mesh2023`` scores them against the
gold with its C-numbers mapped to today's descriptor (:func:`evimap.evaluate.ner.current_id`,
gold side only). ``cooccurrence`` is the reference baseline: every pair sharing a sentence.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..claims import extract_claims
from ..claims.cid import (
    Candidates,
    CidClassifier,
    CidDocument,
    DecisionRule,
    Pair,
    cid_document,
)
from ..clean import segment
from ..errors import ConfigError
from ..model import Concept, Mention, RawDocument, Segment
from ..pipeline import Resources, process, sentences_of
from ..settings import Settings
from ..sources import profile_source
from .ner import bc5cdr_vocabulary, current_id, gold_documents, prf

#: The extractors whose claims the CID features read (as ``evimap ingest`` gives them to it).
CID_FEATURE_EXTRACTORS = ("rules", "frames")

#: BC5CDR mention type -> evimap entity type
_TYPES = {"Chemical": "chemical", "Disease": "disease"}


def gold_mentions(raw: RawDocument, segments: Sequence[Segment]) -> list[Mention]:
    """The file's chemical and disease annotations as mentions (composites keep every ID)."""
    out = []
    for g in raw.gold_mentions:
        if g.type not in _TYPES or not g.ids:
            continue
        index = next((i for i, s in enumerate(segments) if s.start <= g.start < s.end), -1)
        out.append(Mention(g.start, g.end, g.text, Concept(g.ids[0], g.text, _TYPES[g.type]),
                           index, source="gold", ids=g.ids if len(g.ids) > 1 else ()))
    return out


def gold_view(raw: RawDocument) -> CidDocument:
    """The CID view of a document with its gold entities (and rule claims over them)."""
    segments = segment(raw)
    sents = sentences_of(raw.text, segments)
    mentions = gold_mentions(raw, segments)
    claims = extract_claims(raw.text, segments, sents, mentions,
                            profile_source(raw, segments), raw.metadata,
                            only=CID_FEATURE_EXTRACTORS)
    return cid_document(raw.text, segments, sents, mentions, claims)


def predicted_view(raw: RawDocument, resources: Resources,
                   is_chemical: Callable[[Concept], bool]) -> tuple[CidDocument, list[Mention]]:
    """The CID view of a document with our own entities, as ``evimap ingest`` finds them,
    and those entities."""
    done = process(raw, dataclasses.replace(resources, extractors=CID_FEATURE_EXTRACTORS))
    return cid_document(raw.text, done.segments, done.sentences, done.mentions, done.claims,
                        is_chemical), done.mentions


def gold_pairs(raw: RawDocument,
               current: Callable[[str, str], str | None] | None = None) -> set[Pair]:
    """The document's CID pairs; with ``current``, gold C-numbers mapped to today's IDs."""
    pairs = {(chem, dis) for rel, chem, dis in raw.gold_relations if rel == "CID"}
    if current is None:
        return pairs
    names = {i: g.text for g in raw.gold_mentions for i in g.ids}
    return {(current(names.get(c, ""), c) or c, current(names.get(d, ""), d) or d)
            for c, d in pairs}


def cooccurring(doc: CidDocument) -> set[Pair]:
    """The baseline: every pair whose concepts share a sentence."""
    chem = {(o.id, o.sentence) for o in doc.chemicals}
    dis = {(o.id, o.sentence) for o in doc.diseases}
    return {(c, d) for c, cs in chem for d, ds in dis if cs == ds}


def score_pairs(results: Iterable[tuple[set[Pair], set[Pair]]]) -> dict[str, float]:
    """Micro P/R/F1 of (predicted, gold) pair sets, one per document."""
    tp = fp = fn = 0
    for predicted, gold in results:
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    return prf(tp, fp, fn)


#: The decision rules :func:`best_rule` tries: thresholds and fractions of the best pair.
THRESHOLDS = tuple(i / 100 for i in range(5, 96))
RELATIVES = tuple(i / 20 for i in range(0, 17))

#: One document's candidates and its gold pairs.
ScoredDocument = tuple[Candidates, set[Pair]]


def rule_scores(rule: DecisionRule, scored: Iterable[ScoredDocument]) -> dict[str, float]:
    """Micro P/R/F1 of ``rule`` on scored documents."""
    return score_pairs((set(rule.select(candidates)), gold) for candidates, gold in scored)


def best_rule(development: Sequence[ScoredDocument],
              cross_validation: Sequence[ScoredDocument] | None = None,
              thresholds: Sequence[float] = THRESHOLDS, relatives: Sequence[float] = (0.0,)
              ) -> tuple[DecisionRule, dict[str, float]]:
    """The decision rule for a classifier, in two steps: the plain threshold with the best
    F1 on ``development`` (lowest on ties); then the threshold for documents that report
    harm (not above the plain one) and the fraction of the document's best pair with the
    best mean F1 on ``development`` and ``cross_validation`` (held-out predictions on the
    training documents; ``development`` alone without them), the plain rule on ties.
    Returns the rule and its ``development`` scores."""
    threshold = max(thresholds, key=lambda t: rule_scores(DecisionRule(t), development)["f1"])

    def merit(rule: DecisionRule) -> float:
        dev = rule_scores(rule, development)["f1"]
        if cross_validation is None:
            return dev
        return (dev + rule_scores(rule, cross_validation)["f1"]) / 2

    lower = sorted((t for t in thresholds if t <= threshold), reverse=True)
    rules = [DecisionRule(threshold)] + [DecisionRule(threshold, r, low)
                                         for r in relatives for low in lower]
    best = max(rules, key=merit)
    return best, rule_scores(best, development)


def evaluate_cid(path: Path, settings: Settings, resources: Resources,
                 gold_entities: bool = False) -> dict[str, Any]:
    """Score the CID classifier on a PubTator file (model loading excluded from timing)."""
    if resources.cid is None:
        raise ConfigError("no CID model loaded (evimap train cid rebuilds it)")
    classifier: CidClassifier = resources.cid
    current = current_id(resources.lexicon)
    docs = gold_documents(path, settings)
    vocabulary = bc5cdr_vocabulary(resources.ner)
    submitted, stored, updated, baseline = [], [], [], []
    started = time.perf_counter()
    for raw in docs:
        old: dict[str, str] = {}
        if gold_entities:
            view = gold_view(raw)
        else:
            view, mentions = predicted_view(raw, resources, classifier.is_chemical)
            old = vocabulary(mentions)
        predicted = set(classifier.predict(view))
        gold = gold_pairs(raw)
        submitted.append(({(old.get(c, c), old.get(d, d)) for c, d in predicted}, gold))
        stored.append((predicted, gold))
        updated.append((predicted, gold_pairs(raw, current)))
        baseline.append((cooccurring(view), gold))
    seconds = time.perf_counter() - started
    out: dict[str, Any] = {**score_pairs(submitted), "docs": len(docs),
                           "seconds": round(seconds, 2),
                           "entities": "gold" if gold_entities else "predicted",
                           **classifier.rule.as_json()}
    if not gold_entities:
        out["as_stored"] = score_pairs(stored)
        out["mesh2023"] = score_pairs(updated)
    out["cooccurrence"] = score_pairs(baseline)
    return out
