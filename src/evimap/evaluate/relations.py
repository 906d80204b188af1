"""Typed chemical-disease relations scored on a BioRED-format PubTator file.

Gold: per document, the relation lines ``PMID type ID1 ID2 novelty`` whose two IDs are a
chemical and a disease of that document (by the document's own mention lines, in either
order), as (chemical ID, disease ID, type). Scored:

* ``typed``: (chemical, disease, type) triples for Positive_Correlation,
  Negative_Correlation and Association, P/R/F1 per type and micro over the three;
* ``untyped``: (chemical, disease) pairs, whatever the type (every gold chemical-disease
  relation line, Bind, Cotreatment, ... included);
* ``cooccurrence``: the untyped baseline, every pair sharing a sentence.

Our predicates read as BioRED types through :data:`evimap.claims.relation.BIORED_TYPES`:
treats/prevents -> Negative_Correlation, causes_adverse_effect -> Positive_Correlation,
associated_with -> Association; ``no_effect`` pairs have no BioRED type and are counted
(``no_effect_pairs``), not scored.

Two settings. End-to-end (default): our own entities and IDs, from the stages ``evimap
ingest`` runs (MeSH 2023 descriptors); ``mesh2023`` also scores them against the gold with
its supplementary C-numbers mapped to today's descriptors by name (gold side only, as
``evimap eval cid`` does). Gold entities: the file's own chemical and disease mentions and
IDs, so the score is the relation model's alone. ``model_seconds`` times the relation model
alone (features and classifier), ``seconds`` everything but loading.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..claims import extract_claims
from ..claims.cid import CidDocument, cid_document
from ..claims.relation import BIORED_TYPES, RelationModel
from ..clean import segment
from ..entities import recognise
from ..errors import ConfigError
from ..model import Concept, Mention, RawDocument, Segment
from ..pipeline import Resources, sentences_of
from ..settings import Settings
from ..sources import profile_source
from .cid import cooccurring
from .ner import current_id, gold_documents, prf

#: The BioRED types scored typed, in report order.
SCORED_TYPES: tuple[str, ...] = ("Positive_Correlation", "Negative_Correlation", "Association")
#: Mention types as written in PubTator files -> evimap's entity type.
ENTITY_TYPES: Mapping[str, str] = {
    "Chemical": "chemical", "ChemicalEntity": "chemical",
    "Disease": "disease", "DiseaseOrPhenotypicFeature": "disease",
    "SpecificDisease": "disease", "DiseaseClass": "disease",
    "CompositeMention": "disease", "Modifier": "disease",
}

#: (chemical ID, disease ID, BioRED type)
Triple = tuple[str, str, str]


def typed_ids(raw: RawDocument) -> tuple[set[str], set[str]]:
    """The document's chemical IDs and disease IDs, by its own mention lines."""
    chemicals: set[str] = set()
    diseases: set[str] = set()
    for g in raw.gold_mentions:
        kind = ENTITY_TYPES.get(g.type)
        target = chemicals if kind == "chemical" else diseases if kind == "disease" else None
        if target is not None:
            target.update(i for i in g.ids if i not in ("-1", ""))
    return chemicals, diseases


def gold_triples(raw: RawDocument,
                 current: Callable[[str, str], str | None] | None = None) -> set[Triple]:
    """Every chemical-disease relation of the document as (chemical, disease, type), any
    type; with ``current``, gold C-numbers mapped to today's descriptors."""
    chemicals, diseases = typed_ids(raw)
    out = set()
    for rel, a, b in raw.gold_relations:
        if a in chemicals and b in diseases:
            out.add((a, b, rel))
        elif b in chemicals and a in diseases:
            out.add((b, a, rel))
    if current is None:
        return out
    names = {i: g.text for g in raw.gold_mentions for i in g.ids}
    return {(current(names.get(c, ""), c) or c, current(names.get(d, ""), d) or d, t)
            for c, d, t in out}


def gold_mentions(raw: RawDocument, segments: Sequence[Segment]) -> list[Mention]:
    """The file's chemical and disease annotations as mentions (lists keep every ID)."""
    out = []
    starts = [s.start for s in segments]
    for g in raw.gold_mentions:
        kind = ENTITY_TYPES.get(g.type)
        if kind is None or not g.ids:
            continue
        index = next((i for i, s in enumerate(segments) if s.start <= g.start < s.end),
                     max(0, len(starts) - 1))
        out.append(Mention(g.start, g.end, g.text, Concept(g.ids[0], g.text, kind), index,
                           source="gold", ids=g.ids if len(g.ids) > 1 else ()))
    return out


def gold_view(raw: RawDocument) -> CidDocument:
    """The relation view of a document with its gold chemicals and diseases (and the rule
    claims over them)."""
    segments = segment(raw)
    sents = sentences_of(raw.text, segments)
    mentions = gold_mentions(raw, segments)
    claims = extract_claims(raw.text, segments, sents, mentions,
                            profile_source(raw, segments), raw.metadata)
    return cid_document(raw.text, segments, sents, mentions, claims)


def predicted_view(raw: RawDocument, resources: Resources,
                   is_chemical: Callable[[Concept], bool]) -> CidDocument:
    """The relation view with our own entities and rule claims, by the stages ``evimap
    ingest`` runs (segments, sentences, the recogniser, the rule claims; no model claims)."""
    segments = segment(raw)
    sents = sentences_of(raw.text, segments)
    mentions = recognise(raw.text, segments, sents, resources.lexicon, resources.ner)
    claims = extract_claims(raw.text, segments, sents, mentions,
                            profile_source(raw, segments), raw.metadata)
    return cid_document(raw.text, segments, sents, mentions, claims, is_chemical)


def as_triples(predicted: Mapping[tuple[str, str], tuple[str, float]]) -> set[Triple]:
    """Predicted pairs with a BioRED type (``no_effect`` has none)."""
    return {(c, d, BIORED_TYPES[label]) for (c, d), (label, _) in predicted.items()
            if label in BIORED_TYPES}


def score_triples(results: Iterable[tuple[set[Triple], set[Triple]]]) -> dict[str, Any]:
    """Typed P/R/F1 per scored type and micro over them, and untyped pair P/R/F1, of
    (predicted, gold) per document."""
    counts = {t: [0, 0, 0] for t in SCORED_TYPES}
    pairs = [0, 0, 0]
    for predicted, gold in results:
        for t in SCORED_TYPES:
            p = {x for x in predicted if x[2] == t}
            g = {x for x in gold if x[2] == t}
            counts[t][0] += len(p & g)
            counts[t][1] += len(p - g)
            counts[t][2] += len(g - p)
        pp = {x[:2] for x in predicted}
        gp = {x[:2] for x in gold}
        pairs[0] += len(pp & gp)
        pairs[1] += len(pp - gp)
        pairs[2] += len(gp - pp)
    typed: dict[str, Any] = {t: prf(*v) for t, v in counts.items()}
    typed["micro"] = prf(*(sum(v[i] for v in counts.values()) for i in range(3)))
    return {"typed": typed, "untyped": prf(*pairs)}


def evaluate_relations(path: Path, settings: Settings, resources: Resources,
                       model: RelationModel, gold_entities: bool = False,
                       keep: Callable[[RawDocument], bool] | None = None) -> dict[str, Any]:
    """Score the relation model on a BioRED-format PubTator file (loading excluded from
    timing); ``keep`` selects documents (a fold)."""
    docs = [d for d in gold_documents(path, settings) if keep is None or keep(d)]
    if not any(d.gold_relations for d in docs):
        raise ConfigError(f"{path}: no relation lines found (expected BioRED's PubTator)")
    current = current_id(resources.lexicon)
    scored, updated, baseline = [], [], []
    no_effect = 0
    model_seconds = 0.0
    started = time.perf_counter()
    for raw in docs:
        view = gold_view(raw) if gold_entities else predicted_view(raw, resources,
                                                                    model.is_chemical)
        t0 = time.perf_counter()
        predicted = model.predict(view)
        model_seconds += time.perf_counter() - t0
        no_effect += sum(label not in BIORED_TYPES for label, _ in predicted.values())
        triples = as_triples(predicted)
        gold = gold_triples(raw)
        scored.append((triples, gold))
        if not gold_entities:
            updated.append((triples, gold_triples(raw, current)))
        baseline.append(({(c, d, "") for c, d in cooccurring(view)}, gold))
    seconds = time.perf_counter() - started
    gold_count = {t: sum(1 for _, g in scored for x in g if x[2] == t) for t in SCORED_TYPES}
    out: dict[str, Any] = {
        **score_triples(scored),
        "entities": "gold" if gold_entities else "predicted",
        "docs": len(docs),
        "gold_pairs": sum(len({x[:2] for x in g}) for _, g in scored),
        "gold_by_type": gold_count,
        "no_effect_pairs": no_effect,
        **model.rule.as_json(),
        "seconds": round(seconds, 2),
        "model_seconds": round(model_seconds, 3),
        "model_docs_per_second": round(len(docs) / model_seconds, 1) if model_seconds else 0.0,
    }
    if not gold_entities:
        out["mesh2023"] = score_triples(updated)
    out["cooccurrence"] = score_triples(baseline)["untyped"]
    return out


def fold_filter(spec: str) -> Callable[[RawDocument], bool]:
    """Whether a document is in fold ``"I/N"``: its record number modulo N is I (raises
    ValueError for anything but ``I/N`` with 0 <= I < N)."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not m or not 0 <= int(m.group(1)) < int(m.group(2)):
        raise ValueError(f"fold {spec!r}: expected I/N with 0 <= I < N, e.g. 4/5")
    index, folds = int(m.group(1)), int(m.group(2))
    return lambda raw: raw.record % folds == index
