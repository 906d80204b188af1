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
from ..claims.cid import CidClassifier, CidDocument, Pair, cid_document, positive
from ..clean import segment
from ..errors import ConfigError
from ..model import Concept, Mention, RawDocument, Segment
from ..pipeline import Resources, process, sentences_of
from ..settings import Settings
from ..sources import profile_source
from .ner import bc5cdr_vocabulary, current_id, gold_documents, prf

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
                            profile_source(raw, segments), raw.metadata)
    return cid_document(raw.text, segments, sents, mentions, claims)


def predicted_view(raw: RawDocument, resources: Resources,
                   is_chemical: Callable[[Concept], bool]) -> tuple[CidDocument, list[Mention]]:
    """The CID view of a document with our own entities, as ``evimap ingest`` finds them,
    and those entities."""
    done = process(raw, dataclasses.replace(resources, cid=None))
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


def best_rule(scored: Sequence[tuple[dict[Pair, float], set[Pair]]],
              thresholds: Iterable[float] = THRESHOLDS, relatives: Iterable[float] = (0.0,)
              ) -> tuple[float, float, dict[str, float]]:
    """The decision rule (threshold, fraction of the document's best pair; see
    :func:`evimap.claims.cid.positive`) with the best F1 on ``scored``, in two steps: the
    threshold alone first (lowest on ties), then the fraction at that threshold (lowest on
    ties). The fraction thus only ever removes pairs: a lower threshold with a fraction
    scores higher on BC5CDR, whose abstracts were all chosen for a drug-induced condition,
    but proposes pairs in nearly any abstract of other literature."""
    def scores(t: float, r: float) -> dict[str, float]:
        return score_pairs((set(positive(probs, t, r)), gold) for probs, gold in scored)

    best_t: tuple[float, float, dict[str, float]] | None = None
    for t in thresholds:
        s = scores(t, 0.0)
        if best_t is None or s["f1"] > best_t[2]["f1"]:
            best_t = (t, 0.0, s)
    assert best_t is not None
    best = best_t
    for r in relatives:
        s = scores(best_t[0], r)
        if s["f1"] > best[2]["f1"]:
            best = (best_t[0], r, s)
    return best


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
                           "threshold": classifier.threshold, "relative": classifier.relative}
    if not gold_entities:
        out["as_stored"] = score_pairs(stored)
        out["mesh2023"] = score_pairs(updated)
    out["cooccurrence"] = score_pairs(baseline)
    return out
