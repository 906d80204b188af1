"""Typed chemical-disease relations: a learned document-level pair classifier.

For each (chemical concept, disease concept) pair of a document the model says whether the
document presents the chemical as treating (or preventing) the disease, causing it (an
adverse effect), being associated with it, having no effect on it, or none of these
(``NONE``). It is trained by ``evimap train relations`` (``train_relation.py``) on BioRED
Train, BC5CDR Training's CID pairs and Evidence Inference's trial results; see
``models/MODEL_CARD.md``.

* candidates: every (chemical MeSH ID, disease MeSH ID) of the document's mentions (as in
  :mod:`evimap.claims.cid`: concept IDs and composite parts, ``-1`` skipped);
* features (:func:`pair_features`): for every sentence the two share, the closest pair of
  mentions read sentence-level (order, distance, words and crude lemmas between and around,
  cue classes between and in the sentence: cause, treatment, reduction, increase,
  association, risk, protection, comparison ("compared with", "versus", "placebo",
  "control group"), no difference, negation, hedging; patterns "X-induced Y", "Y induced by
  X", "X for Y", "patients with Y ... X"; whether the chemical is the comparator; the
  sentence's section: title, background, methods, results, conclusion), aggregated over
  the document (union of the sentence features, how many shared sentences carry each cue
  class), plus document features (co-occurrence count and distance, title, conclusion,
  mention counts and ranks: the most-mentioned chemical is usually the studied
  intervention; the rule claims for the pair; the disease's MeSH tree branch);
* model: CRFsuite on one-item sequences (= multinomial logistic regression), labels
  :data:`LABELS`;
* decision (:class:`RelationRule`): a pair is a relation when 1 - P(NONE) reaches the
  threshold and at least ``relative`` times the document's best pair; its predicate is the
  most probable of the other labels.

Predicates map to BioRED's types as :data:`BIORED_TYPES` says: ``treats`` (which includes
*prevents*) -> Negative_Correlation, ``causes_adverse_effect`` -> Positive_Correlation,
``associated_with`` -> Association; ``no_effect`` has no BioRED type.

The claim stage calls :func:`relation_claims` (same style as
:func:`evimap.claims.cid.cid_claims`) with the model :func:`load_relation` returns.
Everything is a pure function of the document and the loaded :class:`RelationModel`.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..entities.crf import CrfTagger
from ..entities.lexicon import Lexicon
from ..errors import ConfigError
from ..model import Claim, Concept, Evidence, Mention, Segment, Sentence, SourceProfile
from . import modality
from .cid import (
    CidDocument,
    MeshFacts,
    Occurrence,
    Pair,
    cid_document,
    ligand_ids,
    nearest_gap,
    read_mesh_facts,
    surroundings,
)
from .features import ADJACENT, DOCUMENT_PAIRS, WORD, bucket, cue_groups

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "relation.crfsuite"
META_FILE = "relation.json"
EXTRACTOR = "relation/1"
VIA = "relation_model"

TREATS, CAUSES, ASSOCIATED, NO_EFFECT, NONE = (
    "treats", "causes_adverse_effect", "associated_with", "no_effect", "NONE")
#: The model's labels; every label but NONE is a claim predicate.
LABELS: tuple[str, ...] = (TREATS, CAUSES, ASSOCIATED, NO_EFFECT, NONE)
#: Our predicates as BioRED relation types (``prevents`` is a kind of treats).
BIORED_TYPES: Mapping[str, str] = {
    TREATS: "Negative_Correlation", "prevents": "Negative_Correlation",
    CAUSES: "Positive_Correlation", ASSOCIATED: "Association",
}

# --- cue classes (compiled once) ---------------------------------------------------------------



CUES = cue_groups(
    cause=r"induc|caus|produc|provok|evok|elicit|precipitat|trigger|lead to|led to|result",
    treat=r"treat|therap|management|efficac|effective|indicat|reliev|relief|benefi|cure|"
          r"remission|respon",
    reduce=r"reduc|decreas|lower|attenuat|inhibit|suppress|amelior|alleviat|improv|"
           r"revers|abolish|diminish|protect|prevent|block|counteract|restor|rescu",
    increase=r"increas|elevat|enhanc|exacerbat|worsen|aggravat|promot|accelerat|"
             r"higher|augment",
    assoc=r"associat|correlat|relat|link|predict|marker|level|concentration",
    risk=r"risk|incidence|odds|hazard",
    toxic=r"toxic|adverse|side[- ]effect|complication|overdos|poison|intoxica|abuse|misuse",
    after=r"after\b|following\b|receiv|administ|exposure|treated with|use of\b|dose",
    compare=r"compared (?:with|to)|versus\b|vs\b|placebo|control group|controls\b|than\b|"
            r"comparator|randomi[sz]ed to",
    nodiff=r"no (?:significant|statistically significant|clear)? ?(?:difference|effect|"
           r"change|benefit|improvement)|not (?:significantly )?(?:different|differ|alter|"
           r"affect|change|reduce|improve|influence)|did not|similar|comparable|"
           r"non-?significant|ineffective|failed to",
    signif=r"significant|p ?[<=]",
    animal=r"rats?\b|mice\b|mouse\b|animals?\b|model\b|in vitro|cells?\b",
    patients=r"patients?\b|subjects\b|participants\b|children\b|women\b|men\b|cases?\b",
)
_INDUCED = re.compile(r"^[\s-]*(?:induced|associated|related|evoked|provoked|caused|"
                      r"dependent|mediated|exposed)\b", re.I)
_BY = re.compile(r"\b(?:induced|caused|produced|provoked|evoked|elicited|precipitated|"
                 r"triggered|exacerbated|aggravated) by(?: \w+){0,3}\s*$", re.I)
_FOR = re.compile(r"\b(?:for|against|in the (?:treatment|management|prevention) of|"
                  r"to (?:treat|prevent)|in)\s+(?:\w+\s+){0,2}$", re.I)
_WITH = re.compile(r"\b(?:treated|treatment|therapy|managed|receiving|received|given)\s+"
                   r"(?:with|by)\s+(?:\w+\s+){0,2}$", re.I)
_PATIENTS_WITH = re.compile(r"\b(?:patients?|subjects|children|adults|individuals|people|"
                            r"women|men|cases|rats|mice) (?:\w+ ){0,2}with\s*$", re.I)
_COMPARATOR = re.compile(r"(?:compared (?:with|to)|versus|vs\.?|than|or|and|with|to)\s+"
                         r"(?:the\s+|a\s+)?(?:\w+[- ]?){0,2}$", re.I)
_COMPARATOR_STRONG = re.compile(r"(?:compared (?:with|to)|versus|vs\.?|than)\s+"
                                r"(?:the\s+|a\s+)?(?:\w+[- ]?){0,2}$", re.I)
_SECTION = re.compile(r"\s*(?:ABSTRACT\.)?([A-Z][A-Za-z ]{2,30}?)\s*:")
_SECTIONS: Mapping[str, str] = {
    "background": "background", "introduction": "background", "objective": "background",
    "objectives": "background", "aim": "background", "aims": "background",
    "purpose": "background", "context": "background", "rationale": "background",
    "methods": "methods", "method": "methods", "design": "methods",
    "materials and methods": "methods", "patients and methods": "methods",
    "setting": "methods", "participants": "methods", "interventions": "methods",
    "measurements": "methods", "patients": "methods", "main outcome measures": "methods",
    "results": "results", "findings": "results", "case report": "results",
    "case": "results", "observations": "results",
    "conclusion": "conclusion", "conclusions": "conclusion",
    "interpretation": "conclusion", "discussion": "conclusion",
}
#: MeSH descriptor of placebos: never the intervention of a relation.
PLACEBO = "D010919"
#: Between-words kept as lexical features when the mentions are this close (in words).
_LEXICAL_GAP = 6
_STOP = frozenset({"the", "a", "an", "of", "and", "in", "with", "to", "was", "were", "is",
                   "are", "be", "by", "on", "at", "as", "for", "or"})


def _lemma(word: str) -> str:
    """A crude lemma: common inflections cut (``reduced``, ``reduces``, ``reducing``)."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[:-len(suffix)]
    return word




# --- the document ------------------------------------------------------------------------------

def sections(doc: CidDocument) -> list[str]:
    """Each sentence's section: ``title``, ``background``, ``methods``, ``results``,
    ``conclusion``, or ``body`` (no heading seen); the last two sentences of an abstract
    without headings count as its conclusion."""
    out: list[str] = []
    current = "body"
    headed = False
    for i, (s, e) in enumerate(doc.sentences):
        if i in doc.title:
            out.append("title")
            continue
        m = _SECTION.match(doc.text, s, e)
        if m:
            kind = _SECTIONS.get(m.group(1).strip().lower())
            if kind:
                current, headed = kind, True
        out.append(current)
    if not headed:
        body = [i for i, k in enumerate(out) if k == "body"]
        for i in body[-2:]:
            out[i] = "conclusion"
    return out


@lru_cache(maxsize=8192)
def _cue_names(text: str) -> tuple[str, ...]:
    """The :data:`CUES` classes found in ``text``, in table order (a sentence is read once
    for all its mention pairs)."""
    return tuple(name for name, rx in CUES.items() if rx.search(text))


def _mention_features(doc: CidDocument, c: Occurrence, d: Occurrence, index: int,
                      section: str) -> set[str]:
    """Features of one chemical and one disease mention sharing sentence ``index``."""
    text = doc.text
    s, e = doc.sentences[index]
    first, second = (c, d) if c.start <= d.start else (d, c)
    between = text[first.end:second.start] if first.end <= second.start else ""
    order = "CD" if first is c else "DC"
    words = WORD.findall(between.lower())
    f = {f"order={order}", f"gap={bucket(len(words), (0, 2, 5, 10, 20))}",
         f"sec={section}", f"sec|order={section}|{order}"}
    for name in _cue_names(between):
        f.add(f"btw:{name}")
        f.add(f"btw:{name}|{order}")
    for name in _cue_names(text[s:e]):
        f.add(f"sent:{name}")
        f.add(f"sec|{name}={section}")
    if ADJACENT.match(between):
        f.add(f"adjacent:{order}")
    if order == "CD" and _INDUCED.match(between):
        f.add("pat:C_induced_D")
    if order == "DC" and _BY.search(between):
        f.add("pat:D_by_C")
    before_first = text[max(s, first.start - 40):first.start]
    if order == "CD" and len(words) <= 6 and _FOR.search(text[c.end:d.start]):
        f.add("pat:C_for_D")
    if order == "DC" and _WITH.search(between):
        f.add("pat:D_treated_with_C")
    if order == "DC" and _PATIENTS_WITH.search(before_first):
        f.add("pat:patients_with_D_C")
    if _WITH.search(text[max(s, c.start - 40):c.start]):
        f.add("c_treated_with")
    c_before = text[max(s, c.start - 30):c.start]
    if _COMPARATOR_STRONG.search(c_before):
        f.add("c_comparator")
    elif _COMPARATOR.search(c_before) and CUES["compare"].search(text, s, e):
        f.add("c_maybe_comparator")
    if len(words) <= _LEXICAL_GAP:
        f |= {f"bw={_lemma(w)}" for w in words if w not in _STOP}
        f |= {f"bw|{order}={_lemma(w)}" for w in words if w not in _STOP}
    f |= surroundings(doc, c, d, index, _lemma)
    if modality.NO_EFFICACY.search(text, s, e):
        f.add("sent:no_efficacy")
    return f


#: Sentence feature families counted per pair (how many shared sentences carry them).
_COUNTED = ("btw:cause", "btw:treat", "btw:reduce", "btw:increase", "btw:assoc",
            "sent:nodiff", "pat:C_induced_D", "pat:D_by_C", "pat:C_for_D",
            "pat:D_treated_with_C", "c_comparator", "sent:toxic", "sent:treat")


def _document_features(doc: CidDocument, mesh: MeshFacts) -> Callable[[Pair], list[str]]:
    """A function from a pair to its features (document statistics computed once)."""
    chem_at: dict[str, list[Occurrence]] = defaultdict(list)
    dis_at: dict[str, list[Occurrence]] = defaultdict(list)
    for o in doc.chemicals:
        chem_at[o.id].append(o)
    for o in doc.diseases:
        dis_at[o.id].append(o)
    chem_count = Counter({ui: len(v) for ui, v in chem_at.items()})
    dis_count = Counter({ui: len(v) for ui, v in dis_at.items()})
    chem_rank = {ui: i + 1 for i, ui in enumerate(
        sorted(chem_at, key=lambda u: (-chem_count[u], chem_at[u][0].start)))}
    dis_rank = {ui: i + 1 for i, ui in enumerate(
        sorted(dis_at, key=lambda u: (-dis_count[u], dis_at[u][0].start)))}
    kinds = sections(doc)
    n = max(len(doc.sentences), 1)
    chem_by_sent: dict[tuple[str, int], list[Occurrence]] = defaultdict(list)
    dis_by_sent: dict[tuple[str, int], list[Occurrence]] = defaultdict(list)
    for o in doc.chemicals:
        chem_by_sent[(o.id, o.sentence)].append(o)
    for o in doc.diseases:
        dis_by_sent[(o.id, o.sentence)].append(o)
    trees = mesh.trees
    readable = doc.pairwise
    cache: dict[tuple[str, str, int], set[str]] = {}

    def sentence_features(c_ui: str, d_ui: str, index: int) -> set[str]:
        key = (c_ui, d_ui, index)
        if key not in cache:
            chem, dis = chem_by_sent[(c_ui, index)], dis_by_sent[(d_ui, index)]
            c, d = min(((a, b) for a in chem for b in dis),
                       key=lambda p: (max(p[0].start, p[1].start) - min(p[0].end, p[1].end),
                                      p[0].start))
            cache[key] = _mention_features(doc, c, d, index, kinds[index])
        return cache[key]

    def features(pair: Pair) -> list[str]:
        c_ui, d_ui = pair
        chem, dis = chem_at[c_ui], dis_at[d_ui]
        cs, ds = {o.sentence for o in chem}, {o.sentence for o in dis}
        shared = sorted(cs & ds)
        read = [i for i in shared if i in readable]   # sentences whose pairs are read
        distance = nearest_gap(cs, ds)
        c_title, d_title = bool(cs & doc.title), bool(ds & doc.title)
        rc, rd = min(chem_rank[c_ui], 3), min(dis_rank[d_ui], 3)
        cooc = bucket(len(shared), (0, 1, 2, 4))
        f = {"bias", f"cooc={cooc}", f"sdist={bucket(distance, (0, 1, 2, 4))}",
             f"c_title={c_title}", f"d_title={d_title}", f"rank={rc}{rd}",
             f"c_rank={rc}", f"d_rank={rd}", f"title|rank={c_title}{d_title}|{rc}{rd}",
             f"c_freq={bucket(chem_count[c_ui], (1, 2, 4, 8))}",
             f"d_freq={bucket(dis_count[d_ui], (1, 2, 4, 8))}",
             f"n_chem={bucket(len(chem_at), (1, 2, 4))}",
             f"n_dis={bucket(len(dis_at), (1, 2, 4, 8))}",
             f"c_first={bucket(4 * min(cs) // n, (0, 1, 2))}",
             f"d_first={bucket(4 * min(ds) // n, (0, 1, 2))}",
             f"cooc|rank={cooc}|{rc}{rd}"}
        if c_ui == PLACEBO:
            f.add("c_placebo")
        rules = doc.rules.get(pair, frozenset())
        f |= {f"rule={p}" for p in rules}
        f |= {f"c_sec={kinds[i]}" for i in cs} | {f"d_sec={kinds[i]}" for i in ds}
        for t in trees.get(d_ui, ("none",)):
            f.add(f"d_branch={t[:3]}")
        counts: Counter[str] = Counter()
        union: set[str] = set()
        for index in read:
            s_feats = sentence_features(c_ui, d_ui, index)
            union |= s_feats
            counts.update(x for x in _COUNTED if x in s_feats)
            if kinds[index] in ("title", "conclusion"):
                f |= {f"{kinds[index][0]}:{x}" for x in s_feats
                      if x.startswith(("pat:", "btw:", "sent:", "c_"))}
        f |= {f"s:{x}" for x in union}
        f |= {f"n:{x}={bucket(v, (1, 2))}" for x, v in counts.items()}
        if read and all("c_comparator" in sentence_features(c_ui, d_ui, i) for i in read):
            f.add("always_comparator")
        return sorted(f)

    return features


def pair_features(doc: CidDocument, mesh: MeshFacts) -> dict[Pair, list[str]]:
    """CRFsuite features of every candidate pair of the document."""
    if doc.pair_count() > DOCUMENT_PAIRS:
        return {}
    features = _document_features(doc, mesh)
    return {pair: features(pair) for pair in doc.pairs()}


# --- the model ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RelationRule:
    """Which pairs are relations: 1 - P(NONE) >= ``threshold`` and >= ``relative`` x the
    document's best pair; the predicate is the most probable other label."""

    threshold: float
    relative: float = 0.0

    def select(self, probabilities: Mapping[Pair, Mapping[str, float]]
               ) -> dict[Pair, tuple[str, float]]:
        scores = {p: 1.0 - v.get(NONE, 0.0) for p, v in probabilities.items()}
        best = max(scores.values(), default=0.0)
        floor = max(self.threshold, self.relative * best)
        out = {}
        for pair, score in scores.items():
            if score >= floor and score > 0:
                label = max((x for x in LABELS if x != NONE),
                            key=lambda x: probabilities[pair].get(x, 0.0))
                out[pair] = (label, score)
        return out

    def as_json(self) -> dict[str, float]:
        return {"threshold": self.threshold, "relative": self.relative}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RelationRule:
        return cls(float(data["threshold"]), float(data.get("relative", 0.0)))


@dataclass
class RelationModel:
    """The trained classifier, its decision rule, the MeSH facts and which mechanism
    concepts count as chemicals (ligands such as dopamine)."""

    tagger: CrfTagger
    rule: RelationRule
    mesh: MeshFacts
    ligands: frozenset[str] = frozenset()

    def is_chemical(self, concept: Concept) -> bool:
        return concept.type == "chemical" or (concept.type == "mechanism"
                                              and concept.id in self.ligands)

    def probabilities(self, doc: CidDocument) -> dict[Pair, dict[str, float]]:
        """P(label) of every candidate pair (placebo never a subject)."""
        out = {}
        for pair, feats in pair_features(doc, self.mesh).items():
            if pair[0] == PLACEBO:
                continue
            self.tagger.tag([feats])
            out[pair] = {label: self._marginal(label) for label in LABELS}
        return out

    def _marginal(self, label: str) -> float:
        try:
            return self.tagger.marginal(label, 0)
        except RuntimeError:        # a label the model was not trained with
            return 0.0

    def predict(self, doc: CidDocument) -> dict[Pair, tuple[str, float]]:
        """The pairs the decision rule selects: (predicate, 1 - P(NONE))."""
        return self.rule.select(self.probabilities(doc))


def load_relation(mesh_dir: Path, lexicon: Lexicon | None = None,
                  model_dir: Path = MODEL_DIR, mesh: MeshFacts | None = None
                  ) -> RelationModel:
    """The shipped relation model (or the one in ``model_dir``), read once per process;
    ``mesh`` shares MeSH facts already read (the CID classifier's), the lexicon says which
    mechanism concepts are ligands."""
    model, meta = model_dir / MODEL_FILE, model_dir / META_FILE
    if not model.is_file() or not meta.is_file():
        raise ConfigError(f"relation model missing in {model_dir} (expected {MODEL_FILE} "
                          f"and {META_FILE}); rebuild it with `evimap train relations`")
    rule = RelationRule.from_json(json.loads(meta.read_text(encoding="utf-8")))
    return RelationModel(CrfTagger(model), rule,
                         mesh if mesh is not None else read_mesh_facts(mesh_dir),
                         ligand_ids(lexicon) if lexicon is not None else frozenset())


# --- claims ------------------------------------------------------------------------------------

_STRENGTH: Mapping[str, tuple[str, ...]] = {
    TREATS: ("pat:C_for_D", "pat:D_treated_with_C", "btw:treat", "btw:reduce"),
    CAUSES: ("pat:C_induced_D", "pat:D_by_C", "btw:cause", "btw:increase", "btw:toxic"),
    ASSOCIATED: ("btw:assoc", "btw:risk"),
    NO_EFFECT: ("sent:nodiff", "sent:no_efficacy"),
}


def telling_sentence(doc: CidDocument, pair: Pair, predicate: str) -> int | None:
    """The shared sentence whose words say ``predicate`` most (then: not the comparator, in
    the conclusion or title, closest mentions); the title when they never share a sentence
    and either is in it; None otherwise."""
    chem = doc.chemicals_of.get(pair[0], ())
    dis = doc.diseases_of.get(pair[1], ())
    shared = sorted({o.sentence for o in chem} & {o.sentence for o in dis} & doc.pairwise)
    if not shared:
        cs, ds = {o.sentence for o in chem}, {o.sentence for o in dis}
        if doc.title and (cs | ds) & doc.title:
            return min(doc.title)
        return None
    kinds = sections(doc)
    cues = _STRENGTH.get(predicate, ())

    def strength(index: int) -> tuple[int, int, int, int]:
        c = [o for o in doc.chemicals_in.get(index, ()) if o.id == pair[0]]
        d = [o for o in doc.diseases_in.get(index, ()) if o.id == pair[1]]
        a, b = min(((x, y) for x in c for y in d),
                   key=lambda p: abs(p[0].start - p[1].start))
        f = _mention_features(doc, a, b, index, kinds[index])
        gap = abs(a.start - b.start)
        return (sum(x in f for x in cues), -int("c_comparator" in f),
                int(kinds[index] in ("conclusion", "title", "results")), -gap)
    return max(shared, key=strength)


def _names(mentions: Iterable[Mention]) -> dict[str, Concept]:
    return {ui: m.concept if m.concept.id == ui else Concept(ui, m.text, m.concept.type)
            for m in mentions for ui in (m.ids or (m.concept.id,))}


def relation_claims(model: RelationModel, text: str, segments: Sequence[Segment],
                    sentences: Sequence[Sentence], mentions: Sequence[Mention],
                    profile: SourceProfile, prior_claims: Sequence[Claim],
                    evidence: Evidence | None = None) -> list[Claim]:
    """Claims for the model's relation pairs (chemical subject, disease object), each
    quoting the sentence that tells it best, negation and hedging read from that sentence
    (:mod:`evimap.claims.modality`); ``qualifiers = {"via": "relation_model", "p": ...}``
    and ``Evidence(extractor="relation/1")`` (``evidence``, when given, lends its design,
    size and assertion). A pair the prior claims already state with the same predicate in
    that sentence is left out. ``profile`` is the source's; the caller decides for which
    sources to call this (the CID classifier runs on authored literature only)."""
    del profile  # the caller's choice of sources; kept for the extractor signature
    doc = cid_document(text, segments, sentences, mentions, prior_claims, model.is_chemical)
    names = _names(mentions)
    claimed = {(c.subject.id, c.predicate, c.object.id, c.start) for c in prior_claims}
    base = evidence or Evidence()
    out = []
    for pair, (predicate, probability) in sorted(model.predict(doc).items()):
        index = telling_sentence(doc, pair, predicate)
        if index is None:
            continue
        sentence = sentences[index]
        if (pair[0], predicate, pair[1], sentence.start) in claimed:
            continue
        said = text[sentence.start:sentence.end]
        chem = [o for o in doc.chemicals_in.get(index, ()) if o.id == pair[0]]
        dis = [o for o in doc.diseases_in.get(index, ()) if o.id == pair[1]]
        negated = hedged = False
        if chem and dis:
            lo = min(min(o.start for o in chem), min(o.start for o in dis)) - sentence.start
            hi = max(max(o.end for o in chem), max(o.end for o in dis)) - sentence.start
            negated = predicate != NO_EFFECT and modality.negated(said[lo:hi])
            hedged = modality.hedged(said, lo, hi)
        else:
            hedged = modality.hedged(said)
        out.append(Claim(
            subject=names[pair[0]], predicate=predicate, object=names[pair[1]],
            sentence=said, start=sentence.start, end=sentence.end, segment=sentence.segment,
            segment_kind=segments[sentence.segment].kind, negated=negated, hedged=hedged,
            hypothetical=modality.hypothetical(said),
            qualifiers={"via": VIA, "p": round(probability, 3)},
            evidence=Evidence(design=base.design, n=base.n, outcomes=list(base.outcomes),
                              dose=base.dose, population=base.population,
                              asserted_by=base.asserted_by, study=base.study,
                              extractor=EXTRACTOR)))
    return out

