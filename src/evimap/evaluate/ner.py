"""Entity recognition scored on a PubTator gold standard (BC5CDR, NCBI Disease, BioRED).

A predicted mention is correct when its (start, end, type) equals a gold one, over
title + " " + abstract (strict, micro-averaged, as the literature reports BC5CDR). Types map
chemical -> Chemical, disease -> Disease, and mechanism -> Chemical for ligands
(neurotransmitters, which BC5CDR annotates as chemicals; receptors, enzymes and processes are
not annotated there). Document-level ID scores use the set of (document, type, MeSH ID)
triples, as BC5CDR's normalisation task scores them.

Two vocabularies. evimap reads MeSH 2023 and stores today's descriptors; BC5CDR's curators
used MeSH 2015, where many drugs now promoted to descriptors (topiramate, quetiapine,
olanzapine, ...) were supplementary concepts (C-numbers). ``ids`` scores our IDs as a
BC5CDR participant would have submitted them: in the 2015 vocabulary, which for a concept
means the C-number the curators gave the same words in the *training* annotations
(:func:`bc5cdr_vocabulary`; nothing is read from the file being scored). ``ids_as_stored``
scores the descriptors exactly as evimap stores them, and ``ids_mesh2023`` scores them
against the gold with its C-numbers mapped to today's descriptors (gold side only).

Other corpora's mention types are scored as the class they name
(:func:`evimap.read.pubtator.entity_class`: NCBI Disease's four disease types and BioRED's
``DiseaseOrPhenotypicFeature`` as Disease, BioRED's ``ChemicalEntity`` as Chemical); other
types (genes, variants, species, cell lines) are ignored. Gold IDs that are not MeSH (OMIM,
gene numbers) cannot be predicted: the ID scores count MeSH IDs only (``D...``, ``C...``),
so a mention normalised to OMIM alone adds nothing to them. ``documents`` restricts the
score to some documents (a held-out fold: :func:`fold_filter`).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..clean import segment
from ..entities import Lexicon, NerModel, recognise
from ..entities.ner import name_key
from ..errors import EvimapError, InputError
from ..model import Concept, Mention, RawDocument
from ..pipeline import Resources, sentences_of
from ..read import read_file
from ..read.pubtator import ENTITY_CLASSES
from ..settings import Settings

GOLD_TYPES = ("Chemical", "Disease")
#: Annotation types scored as one of :data:`GOLD_TYPES` (NCBI Disease's four disease types,
#: BioRED's ChemicalEntity and DiseaseOrPhenotypicFeature); other types are not scored.
GOLD_ALIASES: Mapping[str, str] = ENTITY_CLASSES
#: A MeSH descriptor or supplementary concept ID (the only gold IDs scored).
_MESH_ID = re.compile(r"^[CD]\d{6,9}$")
_DIRECT: Mapping[str, str] = {"chemical": "Chemical", "disease": "Disease"}


def gold_type(lexicon: Lexicon) -> Callable[[Concept], str | None]:
    """The BC5CDR type a predicted concept counts as (None: not scored)."""
    def mapped(concept: Concept) -> str | None:
        if concept.type in _DIRECT:
            return _DIRECT[concept.type]
        if concept.type == "mechanism" and lexicon.category(concept.id) == "ligand":
            return "Chemical"
        return None
    return mapped


def recognise_raw(raw: RawDocument, resources: Resources) -> list[Mention]:
    """Mentions of one document, by the same stages ``evimap ingest`` runs."""
    segments = segment(raw)
    return recognise(raw.text, segments, sentences_of(raw.text, segments), resources.lexicon,
                     resources.ner)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


#: Today's descriptor -> the ID to submit in BC5CDR's vocabulary, for one document.
Vocabulary = Callable[[Sequence[Mention]], dict[str, str]]


def bc5cdr_vocabulary(ner: NerModel | None) -> Vocabulary:
    """How a document's predicted descriptors read in BC5CDR's 2015 vocabulary: a concept
    gets the supplementary concept (C-number) that the curators gave the same words in the
    training annotations ("topiramate": C052342 then, D000077236 in MeSH 2023), wherever
    the document names it (its short forms too); every other ID stays as it is."""
    def mapping(mentions: Sequence[Mention]) -> dict[str, str]:
        out: dict[str, str] = {}
        if ner is None:
            return out
        for m in mentions:
            if not m.concept.id.startswith("D") or m.ids:
                continue
            old = ner.names.get(name_key(m.text), ())
            if len(old) == 1 and old[0].startswith("C"):
                out.setdefault(m.concept.id, old[0])
        return out
    return mapping


def score(docs: Iterable[RawDocument], predict: Callable[[RawDocument], list[Mention]],
          type_of: Callable[[Concept], str | None],
          current: Callable[[str, str], str | None] | None = None,
          vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """Strict mention P/R/F1 per type and micro, document-level ID P/R/F1 per type.

    ``vocabulary``, when given, translates each document's predicted IDs into the gold's
    vocabulary for ``ids`` (``ids_as_stored`` keeps them untranslated).
    ``current(gold_text, gold_id)``, when given, also scores the stored IDs against the gold
    updated to today's MeSH (``ids_mesh2023``): a supplementary concept of 2015 that MeSH
    has since made a descriptor counts as that descriptor.
    """
    spans = {t: [0, 0, 0] for t in GOLD_TYPES}
    ids = {t: [0, 0, 0] for t in GOLD_TYPES}
    stored = {t: [0, 0, 0] for t in GOLD_TYPES}
    updated = {t: [0, 0, 0] for t in GOLD_TYPES}
    n_docs, seconds = 0, 0.0
    for raw in docs:
        n_docs += 1
        golds = [(g, kind) for g in raw.gold_mentions
                 if (kind := GOLD_ALIASES.get(g.type, g.type)) in GOLD_TYPES]
        gold = {(g.start, g.end, t) for g, t in golds}
        gold_ids = {(t, i) for g, t in golds for i in g.ids if _MESH_ID.match(i)}
        gold_now = {(t, (current(g.text, i) if current else None) or i)
                    for g, t in golds for i in g.ids if _MESH_ID.match(i)}
        started = time.perf_counter()
        mentions = predict(raw)
        seconds += time.perf_counter() - started
        pred: set[tuple[int, int, str]] = set()
        pred_ids: set[tuple[str, str]] = set()
        for m in mentions:
            t = type_of(m.concept)
            if t is not None:
                pred.add((m.start, m.end, t))
                pred_ids.update((t, i) for i in (m.ids or (m.concept.id,))
                                if i != "-1" and not i.startswith("DB"))  # MeSH IDs only
        old = vocabulary(mentions) if vocabulary is not None else {}
        submitted = {(t, old.get(i, i)) for t, i in pred_ids}
        for t in GOLD_TYPES:
            _add(spans[t], {x for x in gold if x[2] == t}, {x for x in pred if x[2] == t})
            _add(ids[t], {x for x in gold_ids if x[0] == t},
                 {x for x in submitted if x[0] == t})
            _add(stored[t], {x for x in gold_ids if x[0] == t},
                 {x for x in pred_ids if x[0] == t})
            _add(updated[t], {x for x in gold_now if x[0] == t},
                 {x for x in pred_ids if x[0] == t})
    mentions_out: dict[str, Any] = {t: prf(*c) for t, c in spans.items()}
    mentions_out["micro"] = prf(*(sum(c[i] for c in spans.values()) for i in range(3)))
    out: dict[str, Any] = {"mentions": mentions_out,
                           "ids": {t: prf(*c) for t, c in ids.items()}}
    if vocabulary is not None:
        out["ids_as_stored"] = {t: prf(*c) for t, c in stored.items()}
    if current is not None:
        out["ids_mesh2023"] = {t: prf(*c) for t, c in updated.items()}
    return {**out, "docs": n_docs, "seconds": round(seconds, 3),
            "docs_per_second": round(n_docs / seconds, 1) if seconds else None}


def _add(counts: list[int], gold: set[Any], pred: set[Any]) -> None:
    counts[0] += len(gold & pred)
    counts[1] += len(pred - gold)
    counts[2] += len(gold - pred)


def gold_documents(path: Path, settings: Settings) -> list[RawDocument]:
    """The annotated documents of a PubTator file; a record that cannot be read (no title
    line) is reported on stderr and skipped, odd lines inside a record are the reader's
    warnings."""
    docs = []
    for item in read_file(path, settings):
        if isinstance(item, InputError):
            print(f"warning: {item} (record skipped)", file=sys.stderr)
            continue
        docs.append(item)
    if not any(d.gold_mentions for d in docs):
        raise EvimapError(f"{path}: no gold annotations found (expected a PubTator file)")
    return docs


def parse_fold(spec: str) -> tuple[int, int]:
    """``"4/5"`` -> (4, 5): the documents whose record number (0-based position in the file)
    is 4 modulo 5; raises ValueError for anything else."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not m or not 0 <= int(m.group(1)) < int(m.group(2)):
        raise ValueError(f"fold {spec!r}: expected I/N with 0 <= I < N, e.g. 4/5")
    return int(m.group(1)), int(m.group(2))


def fold_filter(spec: str) -> Callable[[RawDocument], bool]:
    """Whether a document is in fold ``"I/N"`` (record number modulo N is I)."""
    index, folds = parse_fold(spec)
    return lambda raw: raw.record % folds == index


def evaluate_ner(path: Path, settings: Settings, resources: Resources,
                 documents: Callable[[RawDocument], bool] | None = None) -> dict[str, Any]:
    """Score the recogniser on a PubTator file (model loading excluded from the timing);
    ``documents``, when given, says which documents to score."""
    docs = gold_documents(path, settings)
    if documents is not None:
        docs = [d for d in docs if documents(d)]
    return score(docs, lambda raw: recognise_raw(raw, resources),
                 gold_type(resources.lexicon), current_id(resources.lexicon),
                 bc5cdr_vocabulary(resources.ner))


def current_id(lexicon: Lexicon) -> Callable[[str, str], str | None]:
    """Today's descriptor for a 2015 supplementary concept, found by the annotated name
    (only C-numbers are mapped, only through full names of four letters or more)."""
    def mapped(text: str, old: str) -> str | None:
        if not old.startswith("C") or len(text) < 4 or text.isupper():
            return None
        concept = lexicon.lookup(text)
        return concept.id if concept is not None and concept.id.startswith("D") else None
    return mapped
