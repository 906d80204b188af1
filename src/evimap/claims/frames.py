"""Study frames: a sentence that introduces a specific study ("a case series featured in...",
"the retrospective analysis undertaken by...", "In another prospective cohort, open-label
study...") opens a frame that runs over the following sentences of its paragraph until the
next study mention, and on into the next paragraph when that one carries the study on ("The
study...", "Among the sixty-one participants..."). A frame is one piece of evidence: it
yields ONE claim per (intervention, condition), with the frame's design, size, outcomes and
dose, quoting its key sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from evimap.model import Concept, Mention

from . import modality
from .document import Document
from .engine import Hit
from .rules import CONDITION, GENERIC_CONCEPTS, INTERVENTION

_STUDY_NOUN = (r"(?:study|trial|case series|case report|analysis|meta-analysis|review|cohort|"
               r"survey|experiment|investigation)")
#: Up to five words between the determiner and the study noun, none a new phrase's start.
_STUDY_WORDS = r"(?:(?!(?:the|this|that|of|in|for|with|to)\b)[\w-]+,?\s+){0,5}?"
_INTRODUCER = (r"(?:undertaken|conducted|published|featured|performed|led|carried out|"
               r"reported|presented|appearing|run|done)")

#: Sentences that introduce one specific study.
OPENER = re.compile(
    rf"(?<!this was )(?<!it was )(?<!is )\b(?:an?|one|another)\s+{_STUDY_WORDS}"
    rf"{_STUDY_NOUN}\b"
    rf"|\bthe\s+(?:[\w-]+\s+){{0,3}}?{_STUDY_NOUN}\s+{_INTRODUCER}\b"
    r"|\baccording to (?:the )?(?:findings|results|data|a study|research|a report) "
    r"(?:in|from|published)\b"
    r"|\bpresented (?:findings|results|data) (?:from|of) (?:his|her|their|a|the) "
    r"(?:research|study|trial|work)\b", re.I)

#: References to research in general, which end a frame without opening one.
CLOSER = re.compile(
    r"\b(?:research|studies|data|evidence|experts?) (?:shows?|suggests?|indicates?|has shown|"
    r"have shown|demonstrates?)\b|\b(?:in general|in summary|in conclusion)\b|^overall\b"
    r"|\baccording to\b", re.I)

#: A first sentence that carries the previous paragraph's study on.
CONTINUATION = re.compile(
    r"^(?:\w+, )?(?:the|this|these|those) (?:study|studies|trial|analysis|researchers|"
    r"investigators|authors|participants|patients|subjects|findings|results|data)\b"
    r"|^(?:among|of) the\b|^(?:patients|participants|subjects|responders)\b", re.I)

_LABEL_END = (r"(?=,|;|\.(?:\s|$)|$|\s(?:reported|found|showed|explored|examined|investigated|"
              r"demonstrated|indicated|suggested|revealed|highlighting|that)\b)")
_STUDY_LABEL = re.compile(
    rf"(?:\b(?:an?|one|another|the)\s+{_STUDY_WORDS}{_STUDY_NOUN}\b"
    rf"(?:,?\s+{_INTRODUCER}\s+(?:in|by)\s+.+?{_LABEL_END})?"
    rf"|\b(?:findings|results|data) (?:in|from|of) .+?{_LABEL_END})", re.I)

_INTERVENTION_AFTER = re.compile(
    r"(?:'s|’s)?\s*(?:[\w-]+\s+){0,2}?(?:treatments?|therapy|therapies|infusions?|injections?|"
    r"doses?|spray|sessions?|tablets?|administration|supplementation|was effective|were "
    r"effective|proves? effective|is effective|may be beneficial|was associated with)\b", re.I)
_INTERVENTION_BEFORE = re.compile(
    r"\b(?:underwent|undergoing|received|receiving|given|administered|treated with|treatment "
    r"with|doses? of|taking|took|IV|intravenous|oral|intranasal|subanesthetic|low-dose)\s+$",
    re.I)
_POPULATION = re.compile(
    r"\b(?:individuals|patients|people|those|subjects|participants|adults|children)\s+"
    r"(?:with|suffering from|who (?:endure|suffer from|have|experience))\s+$", re.I)

#: A condition named as a side effect ("dizziness and headache were the most common side
#: effects") is not what the study treated.
_SIDE_EFFECT_AFTER = re.compile(r"[^.;]{0,60}?\b(?:side[- ]effects?|adverse)", re.I)

#: Predicates of a treatment finding, which a frame states once per pair.
TREATMENT_PREDICATES = frozenset({"treats", "prevents", "no_effect"})

#: Conditions too unspecific to stand for a study's population when a specific one exists.
WEAK_CONDITIONS = frozenset({"D010146"})    # Pain


@dataclass(frozen=True, slots=True)
class Frame:
    """Consecutive units reporting one study; ``units[0]`` introduces it."""

    units: tuple[int, ...]
    study: str

    @property
    def intro(self) -> int:
        return self.units[0]


@dataclass(frozen=True, slots=True)
class FrameClaim:
    """What a frame says about one (intervention, condition) pair."""

    subject: Concept
    predicate: str
    object: Concept
    key: int                        # the unit quoted
    object_mention: Mention | None  # None when the condition came from a heading or title
    hedged: bool
    hypothetical: bool
    via: str                        # study_frame, heading or title (where the condition came)


def find_frames(doc: Document) -> list[Frame]:
    """The study frames of a document (never in titles, headings or comments)."""
    frames: list[Frame] = []
    current: list[int] = []
    for unit in doc.units:
        sentence = doc.sentence(unit.index)
        readable = unit.kind in ("abstract", "body") and not unit.heading
        opens = readable and bool(OPENER.search(sentence))
        if current and (opens or not readable or CLOSER.search(sentence)
                        or not _continues(doc, current[-1], unit.index, sentence)):
            frames.append(_frame(doc, current))
            current = []
        if opens:
            current = [unit.index]
        elif current:
            current.append(unit.index)
    if current:
        frames.append(_frame(doc, current))
    return frames


def _continues(doc: Document, last: int, unit: int, sentence: str) -> bool:
    """Same paragraph, or the next paragraph of the same kind taking the study on."""
    a, b = doc.units[last], doc.units[unit]
    if a.paragraph == b.paragraph:
        return True
    return (b.paragraph == a.paragraph + 1 and a.kind == b.kind
            and bool(CONTINUATION.search(sentence)))


def _frame(doc: Document, units: Sequence[int]) -> Frame:
    intro = doc.sentence(units[0])
    label = _STUDY_LABEL.search(intro)
    return Frame(tuple(units), " ".join(label.group(0).split()) if label else "")


# --- what a frame claims ----------------------------------------------------------------------

def frame_claims(doc: Document, frame: Frame,
                 hits: Mapping[int, Sequence[Hit]]) -> list[FrameClaim]:
    """One claim per (intervention, condition) the frame reports an effect for."""
    results = [u for u in frame.units if modality.efficacy(doc.sentence(u))]
    treats = [h for u in frame.units for h in hits.get(u, ())
              if h.predicate in TREATMENT_PREDICATES]
    if not results and not treats:
        return []
    interventions = _interventions(doc, frame, treats)
    conditions, via = _conditions(doc, frame, results, treats)
    result = results[-1] if results else frame.intro
    result_text = doc.sentence(result)
    outcome = modality.efficacy(result_text)
    hedged = modality.hedged(result_text) or any(
        modality.has_caveat(doc.sentence(u)) for u in frame.units)
    hypothetical = not results and modality.hypothetical(doc.sentence(frame.intro))
    claims = []
    for subject in interventions:
        for obj, mention in conditions:
            predicate = _predicate(treats, subject, obj, outcome)
            key = _key_unit(doc, frame, subject, obj, results)
            claims.append(FrameClaim(subject, predicate, obj, key, mention, hedged,
                                     hypothetical, via))
    return claims


def _interventions(doc: Document, frame: Frame, treats: Sequence[Hit]) -> list[Concept]:
    """Subjects of the frame's treatment hits and interventions named as administered."""
    found: dict[str, Concept] = {h.subject.id: h.subject for h in treats}
    for unit in frame.units:
        for m in doc.mentions[unit]:
            if m.concept.type in INTERVENTION and m.concept.id not in GENERIC_CONCEPTS \
                    and _administered(doc.text, m):
                found.setdefault(m.concept.id, m.concept)
    return list(found.values())


def _administered(text: str, m: Mention) -> bool:
    return bool(_INTERVENTION_AFTER.match(text, m.end)
                or _INTERVENTION_BEFORE.search(text[max(0, m.start - 30):m.start]))


def _conditions(doc: Document, frame: Frame, results: Sequence[int], treats: Sequence[Hit]
                ) -> tuple[list[tuple[Concept, Mention | None]], str]:
    """Conditions of the frame's intro and result sentences, specific ones first; else the
    section heading's, else the title's; else the unspecific ones."""
    found: dict[str, tuple[Concept, Mention | None]] = {
        h.object.id: (h.object, h.object_mention) for h in treats}
    # the intro names the population; result sentences only when no rule found the pair
    for unit in dict.fromkeys((frame.intro, *(() if treats else results))):
        for m in doc.mentions[unit]:
            if (m.concept.type in CONDITION and m.concept.id not in GENERIC_CONCEPTS
                    and not _SIDE_EFFECT_AFTER.match(doc.text, m.end)):
                found.setdefault(m.concept.id, (m.concept, m))
    specific = [c for c in found.values() if c[0].id not in WEAK_CONDITIONS]
    if specific:
        return specific, "study_frame"
    context = doc.context(frame.intro, CONDITION)
    if context is not None and context[0].concept.id not in WEAK_CONDITIONS:
        return [(context[0].concept, None)], context[1]
    return list(found.values()), "study_frame"


def _predicate(treats: Iterable[Hit], subject: Concept, obj: Concept,
               outcome: str | None) -> str:
    for hit in treats:
        if hit.subject.id == subject.id and hit.object.id == obj.id:
            return hit.predicate
    return "no_effect" if outcome == "negative" else "treats"


def _key_unit(doc: Document, frame: Frame, subject: Concept, obj: Concept,
              results: Sequence[int]) -> int:
    """The sentence that best states the finding: an effect, the condition, the
    intervention, figures; later sentences win ties (results follow methods)."""
    def score(unit: int) -> tuple[int, int]:
        ids = {m.concept.id for m in doc.mentions[unit]}
        sentence = doc.sentence(unit)
        points = (2 * (unit in results) + 2 * (obj.id in ids) + (subject.id in ids)
                  + bool(re.search(r"\d+(?:\.\d+)?\s?%", sentence)))
        return points, unit
    return max(frame.units, key=score)
