"""Sentence-level claims: every (intervention, condition or mechanism) pair of a sentence, typed
by a learned model.

Where the rule table needs its exact trigger words, this model reads general evidence for
every candidate pair of a sentence and says which claim (if any) the sentence makes:

* candidates (:func:`candidates`): in each content sentence, every intervention mention
  (chemical, procedure) paired with every condition or mechanism mention; a sentence that
  names no intervention takes the section's or title's (:meth:`Document.context`), else the
  document's topic intervention (the most mentioned one, title mentions counting triple;
  never in a reader's comment), so "Side effects include nausea and dizziness" has a
  subject ("It cut migraine days" has one already: the pronoun's antecedent); a sentence
  with no condition takes the topic condition; classes too broad to be what a claim is
  about (MeSH D08.811 Enzymes, two levels deep) are no candidates;
* features (:func:`pair_features`): cue classes read from the vocabulary tables
  (:mod:`evimap.vocab`: efficacy, no effect, negation, hedges, hypotheticals) and a few word
  classes (side effects, approval, mechanism, association, prevention, contraindication,
  comparison), words between the two mentions, order and distance, where the subject came
  from, the segment (title, abstract, body, reader comment; first person, questions), the
  comparator position ("compared with X", "X or placebo"), the entity types and the
  condition's MeSH branch, and what the rules and study frames said about the pair;
* model: CRFsuite on one-item sequences (= multinomial logistic regression) with labels
  :data:`LABELS`; a pair becomes a claim when its best label other than ``NONE`` reaches the
  threshold stored with the model.

Trained by ``evimap train pairs`` (``train_pairs.py``) on pages-dev 001-040 (041-060 are
never read); see ``models/MODEL_CARD.md``. The claim stage runs it on web pages (every
source kind but research literature, which the relation model reads). Everything here is a
pure function of the document view and the loaded :class:`PairModel`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import vocab
from ..entities.crf import CrfTagger
from ..errors import ConfigError
from ..model import Claim, Concept, Mention
from . import modality
from .features import WORD, bucket, pairwise_readable
from .rules import GENERIC_CONCEPTS, INTERVENTION

if TYPE_CHECKING:
    from .extract import DocumentView

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "pairs.crfsuite"
META_FILE = "pairs.json"
VIA = "pair_model"
OTHER = "NONE"
#: The predicates the model decides between (``prevents`` is its own label: pages say it).
LABELS: tuple[str, ...] = ("treats", "prevents", "no_effect", "causes_adverse_effect",
                           "targets", "associated_with", "approved_for",
                           "contraindicated_with", OTHER)
OBJECT_TYPES = frozenset({"disease", "mechanism"})
_MAX_OBJECTS = 8
#: Features that are the words themselves (between and around the mentions), beside their
#: classes; a model trained without them (``lexical: false``) generalises across topics.
LEXICAL_PREFIXES = ("w=", "gapw=", "wf=", "wl=", "s_prev=", "s_next=", "o_prev=")


def unlexical(features: list[str]) -> list[str]:
    """The features less the words themselves."""
    return [f for f in features if not f.startswith(LEXICAL_PREFIXES)]


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")", re.I)


#: Word classes read in the sentence and between the mentions (prefixes, case-insensitive).
WORD_CLASSES: Mapping[str, re.Pattern[str]] = {
    "harm": _rx(r"side[- ]effects?", "adverse", "caus", "induc", "toxic", "risk", "complication",
                "withdrawal", "rebound", "overuse", "worsen", "trigger", "provok", "danger",
                "warning", "harm", "injur", "damage"),
    "approval": _rx("approv", "FDA", "indicat", "licens", "authori[sz]", "clearance"),
    "mechanism": _rx("inhibit", "block", "antagon", "agonist", "receptor", "reuptake",
                     "modulat", "bind", "activat", "enzyme", "pathway", "mechanism",
                     "release", "neurotransmit", "levels?\\b", "concentration"),
    "association": _rx("associat", "linked", "correlat", "deficien", "low levels",
                       "high levels", "elevated", "lower levels", "higher levels", "found in"),
    "prevention": _rx("prevent", "prophyla", "frequency", "preventive", "preventative",
                      "reduce the risk", "lower the risk", "protect"),
    "contra": _rx("should not", "contraindicat", "avoid", "do not (?:take|use)", "not recommended",
                  "caution", "interact"),
    "compare": _rx("compared", "versus", r"vs\b", "placebo", "control group", "than"),
    "treat": _rx("treat", "therap", "effective", "efficac", "relie", "help", "improv", "benefi",
                 "reduc", "manag", "respon", "alleviat", "ease", "cure", "remission", "control"),
    "study": _rx("study", "trial", "patients", "participants", "randomi", "placebo",
                 "significant", "analysis", r"p\s*[<=]"),
    "first_person": _rx(r"i\b", r"i'm\b", r"i’m\b", r"my\b", r"me\b", r"i've\b", r"i’ve\b"),
    "ask": _rx(r"anyone\b", r"has anyone", r"does anyone", r"should i\b", r"can i\b"),
}
#: Cue kinds of the vocabulary tables read as features.
CUE_KINDS = ("efficacy", "no_efficacy", "no_difference", "negation", "hedge", "hypothetical",
             "caveat", "off_label")
_CUES = {kind: vocab.cue_regex(kind) for kind in CUE_KINDS}
_COMPARATOR_BEFORE = re.compile(
    r"(?:compared (?:with|to)|versus|vs\.?|than|or|over|and placebo|instead of)\s+"
    r"(?:\w+\s+){0,2}$", re.I)
_PLACEBO = re.compile(r"\bplacebo\b", re.I)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One (subject, object) pair of one sentence."""

    unit: int                       # the sentence (unit index of the document view)
    subject: Concept
    subject_mention: Mention | None     # None: the subject came from elsewhere
    subject_from: str               # mention, coreference, heading, title, topic
    object: Concept
    object_mention: Mention | None
    object_from: str                # mention, topic


#: A chemical or mechanism this high in MeSH (D08.811 Enzymes, D12.776 Proteins) names a
#: whole class of molecules, too broad to be what a claim is about.
GENERIC_DEPTH = 2


def _specific(concept: Concept) -> bool:
    if concept.id in GENERIC_CONCEPTS:
        return False
    trees = concept.trees
    return not (trees and all(t.startswith("D") and t.count(".") + 1 <= GENERIC_DEPTH
                              for t in trees))


def _stem(word: str) -> str:
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _topics(view: DocumentView) -> tuple[Concept | None, Concept | None]:
    """The document's most mentioned intervention and condition (title mentions triple),
    outside reader comments."""
    doc = view.doc
    interventions: Counter[str] = Counter()
    conditions: Counter[str] = Counter()
    concepts: dict[str, Concept] = {}
    for unit, mentions in zip(doc.units, doc.mentions, strict=True):
        if unit.kind == "comment":
            continue
        weight = 3 if unit.kind == "title" else 1
        for m in mentions:
            if m.concept.id in GENERIC_CONCEPTS or m.concept.id == "-1":
                continue
            concepts.setdefault(m.concept.id, m.concept)
            if m.concept.type in INTERVENTION:
                interventions[m.concept.id] += weight
            elif m.concept.type == "disease":
                conditions[m.concept.id] += weight

    def top(counts: Counter[str]) -> Concept | None:
        best = counts.most_common(1)
        return concepts[best[0][0]] if best and best[0][1] >= 2 else None
    return top(interventions), top(conditions)


def candidates(view: DocumentView) -> list[Candidate]:
    """Every candidate pair of every content sentence, in text order."""
    doc = view.doc
    topic_subject, topic_object = _topics(view)
    out: list[Candidate] = []
    for unit in doc.units:
        if not pairwise_readable(unit.start, unit.end, len(doc.mentions[unit.index])):
            continue                # a list or table: no statement to read pairwise
        mentions = [m for m in doc.mentions[unit.index] if _specific(m.concept)]
        subjects: list[tuple[Concept, Mention | None, str]] = [
            (m.concept, m, "coreference" if m.source == "coreference" else "mention")
            for m in mentions if m.concept.type in INTERVENTION]
        # the section's, title's or document's intervention stands for a sentence that
        # names none
        implicit: tuple[Concept, Mention | None, str] | None = None
        context = doc.context(unit.index)
        if context is not None:
            implicit = (context[0].concept, None, context[1])
        elif topic_subject is not None and unit.kind != "comment":
            # a reader's sentence is about what the reader names, never the page's topic
            implicit = (topic_subject, None, "topic")
        if implicit is not None and not subjects:
            subjects.append(implicit)
        objects: list[tuple[Concept, Mention | None, str]] = [
            (m.concept, m, "mention") for m in mentions if m.concept.type in OBJECT_TYPES]
        if not objects and topic_object is not None:
            objects = [(topic_object, None, "topic")]
        seen: set[tuple[str, str, int]] = set()
        for subject, s_mention, s_from in subjects:
            for obj, o_mention, o_from in objects[:_MAX_OBJECTS]:
                if obj.id == subject.id:
                    continue
                key = (subject.id, obj.id, o_mention.start if o_mention else -1)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Candidate(unit.index, subject, s_mention, s_from, obj, o_mention,
                                     o_from))
    return out


def _between(view: DocumentView, cand: Candidate) -> tuple[str, bool]:
    """The text between the two mentions (the sentence when either is implicit) and
    whether the subject comes first."""
    unit = view.doc.units[cand.unit]
    s, o = cand.subject_mention, cand.object_mention
    if s is None or o is None:
        return view.text[unit.start:unit.end], s is None
    if s.start <= o.start:
        return view.text[s.end:o.start], True
    return view.text[o.end:s.start], False


def pair_features(view: DocumentView, cand: Candidate,
                  prior: Mapping[tuple[int, str, str], set[str]],
                  document: Mapping[tuple[str, str], set[str]],
                  topics: tuple[Concept | None, Concept | None]) -> list[str]:
    """The features of one candidate (see the module docstring)."""
    unit = view.doc.units[cand.unit]
    sentence = view.text[unit.start:unit.end]
    between, subject_first = _between(view, cand)
    words = [_stem(w) for w in WORD.findall(between.lower())]
    f = ["bias", f"kind={unit.kind}", f"heading={unit.heading}", f"s_from={cand.subject_from}",
         f"o_from={cand.object_from}", f"s_type={cand.subject.type}",
         f"o_type={cand.object.type}", f"first={'s' if subject_first else 'o'}",
         f"o_branch={_branch(cand.object)}"]
    f.append(f"gap={bucket(len(words), (0, 2, 5, 10, 20))}")
    if len(words) <= 6:
        f += [f"w={w}" for w in words]
        f.append("gapw=" + "_".join(words[:4]))
    else:
        f += [f"wf={w}" for w in words[:3]]
        f += [f"wl={w}" for w in words[-3:]]
    words_between, cues_between = _classes(between)
    words_in, cues_in = _classes(sentence)
    f += [f"btw:{name}" for name in words_between]
    f += [f"sent:{name}" for name in words_in]
    f += [f"btw_cue:{name}" for name in cues_between]
    f += [f"cue:{name}" for name in cues_in]
    if sentence.rstrip().endswith("?"):
        f.append("question")
    if cand.subject_mention is not None:
        s = cand.subject_mention
        left = view.text[max(unit.start, s.start - 40):s.start]
        if _COMPARATOR_BEFORE.search(left):
            f.append("s_after_comparator")
        prev = WORD.findall(left.lower())[-1:]
        f += [f"s_prev={w}" for w in prev]
        after = WORD.findall(view.text[s.end:min(unit.end, s.end + 30)].lower())[:2]
        f += [f"s_next={_stem(w)}" for w in after]
        f.append(f"s_source={s.source}")
    if _PLACEBO.search(cand.subject.name):
        f.append("s_placebo")
    if cand.object_mention is not None:
        o = cand.object_mention
        f += [f"o_prev={_stem(w)}" for w in
              WORD.findall(view.text[max(unit.start, o.start - 30):o.start].lower())[-2:]]
    topic_s, topic_o = topics
    f.append(f"s_topic={topic_s is not None and topic_s.id == cand.subject.id}")
    f.append(f"o_topic={topic_o is not None and topic_o.id == cand.object.id}")
    n_subjects = len({m.concept.id for m in view.doc.mentions[cand.unit]
                      if m.concept.type in INTERVENTION})
    f.append(f"n_subj={min(n_subjects, 3)}")
    n_objects = len({m.concept.id for m in view.doc.mentions[cand.unit]
                     if m.concept.type in OBJECT_TYPES})
    f.append(f"n_obj={bucket(n_objects, (0, 1, 2, 4))}")
    if "," in between and len(words) <= 12:
        f.append("btw_list")
    f += [f"prior={p}" for p in sorted(prior.get((cand.unit, cand.subject.id, cand.object.id),
                                                 ()))]
    f += [f"doc={p}" for p in sorted(document.get((cand.subject.id, cand.object.id), ()))]
    if not any(x.startswith("prior=") for x in f):
        f.append("prior=none")
    if "sent:first_person" in f and unit.kind == "comment":
        f.append("comment_first_person")
    return f


@lru_cache(maxsize=4096)
def _classes(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The word classes and vocabulary cue kinds found in ``text`` (a sentence is read once
    for all its candidate pairs)."""
    return (tuple(name for name, rx in WORD_CLASSES.items() if rx.search(text)),
            tuple(name for name, rx in _CUES.items() if rx.search(text)))


def _branch(concept: Concept) -> str:
    trees = concept.trees
    if not trees:
        return concept.type
    return trees[0][:3]




def prior_index(view: DocumentView, prior: Sequence[Claim]
                ) -> tuple[dict[tuple[int, str, str], set[str]], dict[tuple[str, str], set[str]]]:
    """What earlier extractors said: per (sentence, subject, object) and per document pair,
    as ``extractor:predicate`` strings (``!`` marks a negated claim)."""
    by_start = {u.start: u.index for u in view.doc.units}
    per_sentence: dict[tuple[int, str, str], set[str]] = {}
    per_document: dict[tuple[str, str], set[str]] = {}
    for c in prior:
        tag = f"{c.evidence.extractor.split('/')[0]}:{'!' if c.negated else ''}{c.predicate}"
        per_document.setdefault((c.subject.id, c.object.id), set()).add(tag)
        unit = by_start.get(c.start)
        if unit is not None:
            per_sentence.setdefault((unit, c.subject.id, c.object.id), set()).add(tag)
    return per_sentence, per_document


#: The extractors whose claims the model reads as features.
FEATURE_EXTRACTORS = ("rules/", "frames/")


def featurised(view: DocumentView, prior: Sequence[Claim]
               ) -> list[tuple[Candidate, list[str]]]:
    """Every candidate of the document with its features."""
    per_sentence, per_document = prior_index(
        view, [c for c in prior if c.evidence.extractor.startswith(FEATURE_EXTRACTORS)])
    topics = _topics(view)
    return [(c, pair_features(view, c, per_sentence, per_document, topics))
            for c in candidates(view)]


@dataclass
class PairModel:
    """The trained model, its decision threshold and whether it reads the words."""

    tagger: CrfTagger
    threshold: float
    meta: Mapping[str, Any]
    lexical: bool = True

    def scores(self, features: list[str]) -> dict[str, float]:
        return self.scores_many([features])[0]

    def scores_many(self, items: Sequence[list[str]]) -> list[dict[str, float]]:
        """The label probabilities of many candidates, tagged as one sequence: the model
        was trained on one-item sequences, so it has no transition weights and every
        position's marginals are its own."""
        if not items:
            return []
        self.tagger.tag([f if self.lexical else unlexical(f) for f in items])
        return [{label: self.tagger.marginal(label, i) for label in LABELS}
                for i in range(len(items))]

    def decide_many(self, items: Sequence[list[str]]) -> list[tuple[str, float] | None]:
        """For each candidate, the predicate and its probability, or None when no claim
        reaches the threshold."""
        out: list[tuple[str, float] | None] = []
        for scores in self.scores_many(items):
            label, p = max(((k, v) for k, v in scores.items() if k != OTHER),
                           key=lambda kv: kv[1])
            out.append((label, p) if p >= self.threshold else None)
        return out


def load_pairs(model_dir: Path = MODEL_DIR) -> PairModel:
    """The shipped pair model (or the one in ``model_dir``)."""
    model, meta = model_dir / MODEL_FILE, model_dir / META_FILE
    if not model.is_file() or not meta.is_file():
        raise ConfigError(f"pair model missing in {model_dir} (expected {MODEL_FILE} and "
                          f"{META_FILE}; rebuild it with `evimap train pairs`)")
    data = json.loads(meta.read_text(encoding="utf-8"))
    return PairModel(CrfTagger(model), float(data["threshold"]), data,
                     bool(data.get("lexical", True)))


def pair_claims(view: DocumentView, model: PairModel, prior: Sequence[Claim]
                ) -> list[tuple[Candidate, str, float]]:
    """The candidates the model makes claims of, with their predicate and probability."""
    found = featurised(view, prior)
    decisions = model.decide_many([feats for _, feats in found])
    return [(cand, *decided) for (cand, _), decided in zip(found, decisions, strict=True)
            if decided is not None]


def negated_in(view: DocumentView, cand: Candidate) -> bool:
    """Whether the words between the pair negate it."""
    between, _ = _between(view, cand)
    return modality.negated(between) if cand.subject_mention and cand.object_mention else \
        modality.negated(view.text[view.doc.units[cand.unit].start:
                                   view.doc.units[cand.unit].end])
