"""The study a research report is about: its intervention(s) and comparator(s), condition,
design and size, read once per document (a *study frame*), and the claims its result
sentences make without naming the drug.

A research report (a trial abstract, a cohort study, a case report) states its study in its
title, objective and methods: "Randomized phase III trial of APF530 versus palonosetron in
the prevention of chemotherapy-induced nausea and vomiting", "Patients were randomized to
subcutaneous APF530 or intravenous palonosetron", "A total of 120 patients were enrolled".
Its results then speak of "the treatment group" or "monthly headache days" without naming
the drug again; those sentences are claims of the studied intervention for the studied
condition (:func:`study_claims`, the ``study`` extractor).

- **Is it a report?** A peer-reviewed record, or a text with a structured abstract's
  headings (Methods, Results, ...) or a title whose subtitle names its design ("...: a
  randomized controlled trial"), or one whose opening states its own study's aim or design
  (or that says the study done: "A double-blind trial was performed on ...") and whose
  methods say who was randomized, enrolled or included (:func:`is_report`). Pages with
  reader comments never are.
- **Sections.** Each sentence's section comes from the abstract's labels or headings
  ("ABSTRACT.METHODS:", "RESULTS:"); in an unstructured abstract from its place and words:
  the title, the objective ("To assess ...", "We aimed ..."), methods ("were randomized",
  "we enrolled"), results, conclusions, and background before the objective.
- **Design** (:func:`report_design`): publication types first; else each sentence's design
  cue (``vocab/design_cues.tsv``) votes with the weight of its section: title 3 (every
  sentence of the title segment: "... a difference? A randomised controlled study"),
  objective and methods 2 (also a background sentence that tells the authors' own study:
  "In a randomised double-blind study we ...", "A prospective randomized clinical trial was
  conducted with 38 patients", "Healthy adults participated in a double-blind, crossover
  study"), results and conclusions 1 when they speak of the authors' own study ("we",
  "this study", or a result with its own statistics: "compared to placebo (p < 0.05)"),
  other background, sentences about earlier studies and calls for a later trial ("a
  randomised trial is needed") 0. The strongest design with a weight of 2 or more wins;
  else the design with the most weight; an animal named in the title or objective ("... in
  rats") makes an animal study, randomised or not. "Not randomised", "non-randomised" and a
  "controlled trial" without randomisation read as cohort.
- **Size**: :func:`evidence.sample_size` over the methods and results sentences (a stated
  total first, else the arms summed, else the first count of participants).
- **Interventions and comparators**: spans tagged in the title (else the objective) by a
  CRF trained on the PICO corpus (``models/pico.crfsuite``, ``evimap train pico``), with
  placebo, sham and "X versus Y" read as comparators by rule; each span becomes the
  chemical or procedure concepts mentioned in it.
- **Condition**: the title's (else the objective's) disease mentions outside the
  intervention spans, the one the treatment is *for* ("for", "of", "in the prevention of")
  before the population it is given to ("in women with breast cancer").

Everything here is a pure function of the document view and the (read-only) model.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import vocab
from ..model import Claim, Concept, Evidence, Mention
from . import evidence as ev
from . import modality
from .document import Document
from .rules import CONDITION, GENERIC_CONCEPTS, INTERVENTION

if TYPE_CHECKING:
    from ..entities.crf import CrfTagger

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "pico.crfsuite"
#: The tagger's labels: BIO over the studied intervention and its comparator.
LABELS = ("intervention", "control")

# --- sections -----------------------------------------------------------------------------------

_SECTION_NAMES: tuple[tuple[str, str], ...] = (
    ("background", r"background|introduction|context|rationale|importance"),
    ("objective", r"objectives?|aims?|purposes?|goals?|study objectives?|aims? of the study"),
    ("methods", r"(?:(?:[a-z]+ )?[a-z]+ (?:and|ans|&) )?methods?(?: and (?:results|materials|"
                r"findings|design))?|methodology|design|study design|setting|"
                r"settings?|participants|patients|subjects|interventions?|measurements?|"
                r"main outcome measures?|patients and methods|design,? setting,? and "
                r"participants|trial design|population"),
    ("results", r"results?|findings|main results|outcomes?"),
    ("conclusions", r"conclusions?|interpretation|discussion|significance|implications|"
                    r"relevance|conclusions? and relevance"),
)
_LABEL_RE = re.compile(
    r"^\s*(?:abstract[.:]\s*)?(?P<name>" + "|".join(f"(?:{p})" for _, p in _SECTION_NAMES)
    + r")\s*(?::|\.|$)", re.I)
_SECTION_OF = tuple((name, re.compile(rf"^(?:{p})$", re.I)) for name, p in _SECTION_NAMES)
#: A label inline at a sentence's start: "METHODS: ...", "ABSTRACT.MATERIALS AND METHODS:: ...".
_INLINE_LABEL = re.compile(r"^\s*(?:abstract\.)?([A-Z][A-Za-z ,]{2,40})::?\s", re.I)
#: A title unit that is only the label of the title that follows ("TITLE:").
_TITLE_LABEL = re.compile(r"^\s*title\s*:*\s*$", re.I)

_OBJECTIVE = re.compile(
    r"^(?:(?:the |our )?(?:main |primary )?(?:aim|objective|purpose|goal)s?\b"
    r"|to (?:assess|evaluate|determine|compare|investigate|examine|test|explore|study|observe|"
    r"estimate|describe|report|characteri[sz]e|identify|measure|analy[sz]e)\b)"
    r"|\bwe (?:aimed|sought|hypothesi[sz]ed|set out|wished|wanted|designed)\b"
    r"|\b(?:this|the present|the current|our) (?:study|trial|analysis|report|paper)\b[^.]{0,40}"
    r"\b(?:aims?|aimed|was designed|is designed|evaluate[sd]?|investigate[sd]?|assesse[sd]|"
    r"compare[sd]|examine[sd]|reports?|describes?)\b", re.I)
#: The authors speak of their own study: "we compared", "this multicentre phase III study".
_OWN_REPORT = re.compile(
    r"\bwe (?:\w+ )?(?:compared|determined|studied|investigated|evaluated|assessed|examined|"
    r"tested|conducted|performed|randomly|randomi[sz]ed|enrolled|recruited|report|describe|"
    r"present|analy[sz]ed|undertook|carried out|explored|measured|followed|initiated|"
    r"designed|allocated|assigned)\b"
    r"|\b(?:this|the present|the current|our)\s+(?:[\w-]+,?\s+){0,6}?(?:study|trial|"
    r"analysis|report|series|investigation)\b", re.I)
_METHODS = re.compile(
    r"\brandomly (?:and \w+ |\w+ )?(?:were )?(?:assigned|allocated|divided|enrolled|"
    r"categori[sz]ed|received)\b|\brandomi[sz]ed (?:\d|[a-z-]+ (?:patients|women|"
    r"men|participants|subjects)|(?:in)?to|between)\b"
    r"|\b(?:were|was) (?:\w+ )?(?:randomi[sz]ed|randomly (?:assigned|allocated|divided)|"
    r"enrolled|recruited|included|allocated|assigned|stratified|divided)\b"
    r"|\b(?:study|trial|experiment)\b[^.;]{0,40}\b(?:was|were) (?:conducted|performed|"
    r"carried out|undertaken|done)\b|\bparticipated in (?:a|an|this|the)\b"
    r"|\bwe (?:\w+ )?(?:randomi[sz]ed|enrolled|recruited|included|conducted|performed|"
    r"carried out|studied|analy[sz]ed|reviewed|identified|undertook|used)\b"
    r"|\b(?:a total of|in total)\b|\b(?:primary|secondary) (?:end ?point|outcome)s?\b"
    r"|\b(?:in|for) (?:this|a|an|the present) (?:[\w-]+,? ){0,5}?(?:study|trial)\b", re.I)
_RESULTS = re.compile(
    r"\b(?:significant(?:ly)?|p\s*[<=>]|improved|reduced|decreased|increased|"
    r"(?:did|was|were) not|no (?:significant )?difference|compared with|than)\b", re.I)
_CONCLUSION = re.compile(r"^(?:in conclusion|these (?:data|results|findings)|our "
                         r"(?:data|results|findings)|we conclude|overall)\b", re.I)
_OTHER_STUDIES = re.compile(
    r"\b(?:previous(?:ly)?|prior|earlier|other|recent|several|many|few) (?:\w+ )?"
    r"(?:stud(?:y|ies)|trials?|reports?|research|meta-analys[ie]s|reviews?)\b"
    r"|\b(?:have|has) (?:been )?(?:shown|reported|demonstrated|suggested)\b", re.I)
_OWN_STUDY = re.compile(r"\b(?:we|our|this|the present|the current)\b", re.I)
#: A result the report measured itself: a test statistic or interval.
_STATISTIC = re.compile(r"\bp\s*[<=>≤≥]|\b(?:95|99)\s?%|\bCI\b|\b(?:OR|RR|HR)\s*[=:]", re.I)
#: A call for research: "a randomised trial is needed", "larger trials should confirm".
_CALL_FOR_RESEARCH = re.compile(
    r"\b(?:is|are|be|was|were) (?:\w+ )?(?:needed|warranted|required|necessary|recommended|"
    r"justified|planned|under way|ongoing)\b"
    r"|\b(?:future|further|larger|more|additional|subsequent|definitive|confirmatory|well-"
    r"designed|adequately powered)\b[^.;]{0,60}\b(?:trials?|stud(?:y|ies)|research|RCTs?)\b"
    r"|\b(?:should|could|would|will|might|may) (?:\w+ )?(?:be|confirm|verify|establish|test|"
    r"address|evaluate)\b|\bif (?:a|an|the)\b", re.I)
#: A sentence stating the study done, with its design: "A prospective randomized clinical
#: trial was conducted with 38 patients", "In this randomised crossover study, ...".
_DONE = re.compile(
    r"\b(?:study|trial|experiment|design)\b[^.;]{0,40}\b(?:was|were|is) (?:\w+ )?(?:conducted|"
    r"performed|carried out|undertaken|done|used|employed)\b"
    r"|^(?:in )?(?:this|the present|a|an)\s+(?:[\w-]+,?\s+){0,6}?(?:study|trial)\b"
    r"|\b(?:participated in|completed|enrolled in|took part in) (?:a|an|this|the)\s+"
    r"(?:[\w-]+,?\s+){0,6}?(?:study|trial)\b", re.I)

_STRUCTURED_MIN = 2         # distinct section labels that make an abstract structured
_MAX_REPORT_CHARS = 8000    # a report's content is abstract-sized
_MAX_PLAIN_ABSTRACT = 3500
_RANDOMIZED = re.compile(r"\b(?:were|was) (?:\w+ )?(?:randomi[sz]ed|randomly (?:assigned|"
                         r"allocated))\b|\brandomi[sz]ed (?:\d|[a-z]+ (?:patients|women)|"
                         r"(?:in)?to|between)\b|\brandomly (?:\w+ )?(?:assigned|allocated)\b",
                         re.I)


def section_of(label: str) -> str | None:
    """The section a heading or label names ("ABSTRACT.METHODS:" -> methods), or None."""
    m = _LABEL_RE.match(label)
    if not m:
        return None
    name = m.group("name")
    return next((section for section, rx in _SECTION_OF if rx.match(name)), None)


def sections(doc: Document) -> list[str]:
    """Each unit's section: title, heading, background, objective, methods, results,
    conclusions, or other."""
    out: list[str] = []
    labelled: list[str | None] = []
    for unit in doc.units:
        sentence = doc.sentence(unit.index)
        label = doc.segments[unit.segment].label if 0 <= unit.segment < len(doc.segments) \
            else ""
        found = section_of(label) if label and label != "heading" else None
        heading = doc.section[unit.index] if unit.index < len(doc.section) else None
        if found is None and heading is not None:
            found = section_of(doc.sentence(heading))
        inline = _INLINE_LABEL.match(sentence)
        if inline:
            found = section_of(inline.group(1)) or found
        labelled.append(found)
    titles = _title_units(doc)
    structured = len({s for s in labelled if s}) >= _STRUCTURED_MIN
    current = "background"
    seen_objective = False
    for unit, found in zip(doc.units, labelled, strict=True):
        sentence = doc.sentence(unit.index)
        if unit.index in titles:
            out.append("title")
            continue
        if unit.heading:
            out.append("heading")
            continue
        if structured and found:
            out.append(found)
            continue
        if found:
            current = found
        elif not seen_objective and (_OBJECTIVE.search(sentence)
                                     or _OWN_REPORT.search(sentence)):
            current = "objective"
        elif current in ("background", "objective") and _METHODS.search(sentence):
            current = "methods"
        elif current == "methods" and _RESULTS.search(sentence) and not _METHODS.search(
                sentence):
            current = "results"
        elif current in ("results", "methods") and _CONCLUSION.search(sentence):
            current = "conclusions"
        elif current == "objective":
            current = "methods"
        seen_objective = seen_objective or current != "background"
        out.append(current)
    return out


def _title_unit(doc: Document) -> int | None:
    """The report's title: the title segment's, else the first sentence of the text; the
    sentence after a bare "TITLE:" label."""
    title = doc.title
    if title is None:
        first = next((u for u in doc.units if u.kind in ("abstract", "body")), None)
        title = first.index if first is not None and first.index == 0 else None
    if title is not None and _TITLE_LABEL.match(doc.sentence(title)) \
            and title + 1 < len(doc.units):
        return title + 1
    return title


def _title_units(doc: Document) -> set[int]:
    """The title's sentences: the title unit and the rest of its title segment ("...
    consultations in primary care - does it really make a difference? A randomised
    controlled study"), with a bare "TITLE:" label before it."""
    title = _title_unit(doc)
    if title is None:
        return set()
    head = doc.units[title]
    out = {title} | {u.index for u in doc.units
                     if u.kind == "title" and u.segment == head.segment}
    if title > 0 and _TITLE_LABEL.match(doc.sentence(title - 1)):
        out.add(title - 1)
    return out


#: A title that names its own study's design as its subtitle: "...: a randomized controlled
#: trial", "... - A Pilot Randomised Study" (a running title may follow, glued).
_SUBTITLE = re.compile(r"(?:^|[:?!.;]\s+|\s[-–—]\s+|:)(?P<sub>(?:(?:[\w-]+ ){0,3}(?:results|"
                       r"report|analysis|findings|data) (?:of|from) )?(?:an?|the)\s+"
                       r"[^:?!;]{0,80}?(?:trial|study|RCT)s?)(?:\b|(?=[A-Z]))", re.I)


def titled_design(doc: Document) -> str | None:
    """The design a title's subtitle names ("...: a randomised crossover study"), or None."""
    for index in sorted(_title_units(doc)):
        for m in _SUBTITLE.finditer(doc.sentence(index)):
            design = ev.design_from_text(m.group("sub"))
            if design is not None:
                return design
    return None


# --- is it a research report? -------------------------------------------------------------------

def is_report(doc: Document, kind: str, metadata: Mapping[str, Any]) -> bool:
    """Whether the document reports its authors' own study (see the module docstring)."""
    if any(u.kind == "comment" for u in doc.units):
        return False
    if kind == "peer_reviewed":
        return True
    if sum(u.end - u.start for u in doc.units) > _MAX_REPORT_CHARS:
        return False
    if len(_labelled_sections(doc)) >= _STRUCTURED_MIN or titled_design(doc) is not None:
        return True
    opening = [doc.sentence(u.index) for u in doc.units[:5]]
    own = any(_OBJECTIVE.search(s) or _OWN_REPORT.search(s) for s in opening) or (
        bool(opening) and ev.design_from_text(opening[0]) is not None
        and bool(re.search(r"\b(?:study|trial|analysis|report|series)\b", opening[0], re.I))
    ) or any(_DONE.search(s) and not _OTHER_STUDIES.search(s)
             and ev.design_from_text(s) is not None
             for s in (doc.sentence(u.index) for u in doc.units))
    text = " ".join(doc.sentence(u.index) for u in doc.units)
    methods = any(_METHODS.search(doc.sentence(u.index)) for u in doc.units)
    if own:
        return methods or ev.sample_size(text) is not None
    # an abstract without "we": short, one block, and its methods say who was randomized
    return (len(text) <= _MAX_PLAIN_ABSTRACT and methods
            and not any(u.heading for u in doc.units if u.index not in _title_units(doc))
            and any(_RANDOMIZED.search(doc.sentence(u.index)) for u in doc.units))


def _labelled_sections(doc: Document) -> set[str]:
    found: set[str] = set()
    for unit in doc.units:
        label = doc.segments[unit.segment].label if 0 <= unit.segment < len(doc.segments) \
            else ""
        if label and label != "heading":
            found.add(section_of(label) or "")
        if unit.heading:
            found.add(section_of(doc.sentence(unit.index)) or "")
        inline = _INLINE_LABEL.match(doc.sentence(unit.index))
        if inline:
            found.add(section_of(inline.group(1)) or "")
    return found - {""}


# --- design -------------------------------------------------------------------------------------

_FIRM = 2.0
_SECTION_WEIGHT = {"title": 3.0, "objective": 2.0, "methods": 2.0, "results": 1.0,
                   "conclusions": 1.0, "other": 0.5}


def report_design(doc: Document, secs: Sequence[str], metadata: Mapping[str, Any]) -> str:
    """The report's own design: publication types, else the weighted sentence votes."""
    types = metadata.get("publication_types") or []
    from_types = ev.design_from_publication_types(types if isinstance(types, Sequence)
                                                  else [])
    if from_types:
        return from_types
    votes: dict[str, float] = {}
    subject: set[str] = set()       # the designs the title or objective names
    for unit, section in zip(doc.units, secs, strict=True):
        weight = _SECTION_WEIGHT.get(section, 0.0)
        sentence = doc.sentence(unit.index)
        if section == "background" and (_OWN_REPORT.search(sentence)
                                        or _METHODS.search(sentence) or _DONE.search(sentence)):
            weight = _SECTION_WEIGHT["methods"]     # the authors' study told in background
        if not weight or _OTHER_STUDIES.search(sentence):
            continue
        if section in ("results", "conclusions", "other") and (
                _CALL_FOR_RESEARCH.search(sentence)
                or not (_OWN_STUDY.search(sentence) or _DONE.search(sentence)
                        or (section == "results" and _STATISTIC.search(sentence)))):
            continue        # a later trial called for, or not the authors' own study
        design = ev.design_from_text(sentence)
        if design:
            votes[design] = votes.get(design, 0.0) + weight
            if section in ("title", "objective"):
                subject.add(design)
    if not votes:
        return "unspecified"
    if "animal" in subject:
        return "animal"     # "... in rats": randomised or not, an animal study
    ranks = vocab.designs()
    # a design the title, objective or methods state (or two sentences) wins over a weaker
    # one that has more words: "a prospective, open-label, randomised trial" is an RCT
    firm = [d for d, w in votes.items() if w >= _FIRM]
    if firm:
        return min(firm, key=lambda d: ranks[d].rank)
    return max(votes, key=lambda d: (votes[d], -ranks[d].rank))


# --- the frame ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Arm:
    """One arm as the report names it: the span and the concepts mentioned in it."""

    start: int
    end: int
    text: str
    concepts: tuple[Concept, ...]


@dataclass(frozen=True)
class StudyFrame:
    """What one research report studied."""

    interventions: tuple[Arm, ...]
    comparators: tuple[Arm, ...]
    conditions: tuple[Concept, ...]
    design: str
    n: int | None
    sections: tuple[str, ...] = field(default=())

    @property
    def intervention_concepts(self) -> list[Concept]:
        comparator_ids = {c.id for arm in self.comparators for c in arm.concepts}
        seen: dict[str, Concept] = {}
        for arm in self.interventions:
            for c in arm.concepts:
                if c.id not in comparator_ids and c.id not in _COMPARATOR_IDS:
                    seen.setdefault(c.id, c)
        return list(seen.values())

    @property
    def clear(self) -> bool:
        """One studied intervention (one concept, or one arm whose first concept leads a
        combination: "hydrotherapy and land exercises") and a condition: claims may be read
        from it."""
        concepts = self.intervention_concepts
        arms = [a for a in self.interventions if a.concepts]
        return bool(self.conditions) and (len(concepts) == 1 or (
            len(arms) == 1 and bool(concepts) and concepts[0].id == arms[0].concepts[0].id))


#: Concepts that are a comparator whatever the tagger says (Placebos).
_COMPARATOR_IDS = frozenset({"D010919"})
_COMPARATOR_WORDS = re.compile(
    r"\b(?:placebos?|sham|usual care|standard care|standard of care|no treatment|"
    r"no intervention|wait(?:ing)?[- ]list|control(?:s| group)?|observation)\b", re.I)
_VERSUS_BEFORE = re.compile(r"\b(?:versus|vs\.?|compared (?:with|to)|or|than|against)\s+"
                            r"(?:\w+\s+){0,3}$", re.I)


@dataclass(frozen=True)
class Report:
    """What a research report says of itself: each unit's section, its design and size."""

    sections: tuple[str, ...]
    design: str
    n: int | None


def read_report(doc: Document, kind: str, metadata: Mapping[str, Any]) -> Report | None:
    """The report's sections, design and size, or None when the document is not one."""
    if not is_report(doc, kind, metadata):
        return None
    # what the report is read from: the source-kind stage and the claim stage read the same
    # document (with and without mentions, which the report does not read)
    key = (doc.text, tuple(doc.units), tuple(doc.section), doc.title,
           tuple(seg.label for seg in doc.segments), repr(metadata.get("publication_types")))
    with _READ_LOCK:
        report = _READ.get(key)
    if report is None:
        secs = sections(doc)
        n = ev.sample_size(" ".join(doc.sentence(u.index) for u, s in
                                    zip(doc.units, secs, strict=True) if s != "title"))
        report = Report(tuple(secs), report_design(doc, secs, metadata), n)
        with _READ_LOCK:        # stages may run in threads (a Dask worker's)
            while len(_READ) >= _READ_KEPT:
                del _READ[next(iter(_READ))]
            _READ[key] = report
    return report


#: The last few reports read, by everything they are read from (a document's report is read
#: by two stages; a pure function's results, so no answer depends on what came before).
_READ: dict[tuple[Any, ...], Report] = {}
_READ_KEPT = 4
_READ_LOCK = threading.Lock()


def study_frame(doc: Document, kind: str, metadata: Mapping[str, Any],
                tagger: CrfTagger | bool | None = True) -> StudyFrame | None:
    """The study frame of a research report, or None when the document is not one.

    ``tagger``: the PICO span tagger (True: the shipped one, when present; None or False:
    rules only).
    """
    report = read_report(doc, kind, metadata)
    return frame_of(doc, report, tagger) if report is not None else None


def frame_of(doc: Document, report: Report, tagger: CrfTagger | bool | None = True
             ) -> StudyFrame:
    """The study frame of a report already read (:func:`read_report`)."""
    model = shipped_tagger() if tagger is True else (tagger or None)
    interventions, comparators, where = _arms(doc, report.sections, model)
    conditions = _conditions(doc, where, interventions + comparators)
    return StudyFrame(tuple(interventions), tuple(comparators), tuple(conditions),
                      report.design, report.n, report.sections)


def _focus_units(doc: Document, secs: Sequence[str]) -> list[int]:
    """Where a report names its study: the title, then the objective, then the first
    methods sentence."""
    out = [u.index for u, s in zip(doc.units, secs, strict=True) if s == "title"]
    out += [u.index for u, s in zip(doc.units, secs, strict=True) if s == "objective"][:2]
    out += [u.index for u, s in zip(doc.units, secs, strict=True) if s == "methods"][:2]
    return out


def _arms(doc: Document, secs: Sequence[str], tagger: CrfTagger | None
          ) -> tuple[list[Arm], list[Arm], int | None]:
    """The intervention and comparator arms of the first focus sentence that names one: as
    the tagger reads them, else (the tagger finding none) as the rules do."""
    focus = _focus_units(doc, secs)
    tries = [(u, tagger) for u in focus] if tagger is not None else []
    for unit, model in [*tries, *((u, None) for u in focus)]:
        spans = tag_spans(doc, unit, model) if model is not None else rule_spans(doc, unit)
        interventions = [a for a in spans if a[2] == "intervention"]
        if not interventions:
            continue
        arms = [_arm(doc, unit, start, end) for start, end, _ in spans]
        found = [(arm, label) for arm, (_, _, label) in zip(arms, spans, strict=True)]
        iv = [a for a, label in found if label == "intervention"
              and not _COMPARATOR_WORDS.fullmatch(a.text.strip())]
        cv = [a for a, label in found if label == "control"
              or _COMPARATOR_WORDS.fullmatch(a.text.strip())]
        cv += _placebo_arms(doc, unit, cv)
        if iv:
            return iv, cv, unit
    return [], [], None


def _arm(doc: Document, unit: int, start: int, end: int) -> Arm:
    concepts: dict[str, Concept] = {}
    for m in doc.mentions[unit]:
        if m.start < end and start < m.end and m.concept.type in INTERVENTION \
                and m.concept.id not in GENERIC_CONCEPTS and m.source != "coreference":
            concepts.setdefault(m.concept.id, m.concept)
    return Arm(start, end, doc.text[start:end], tuple(concepts.values()))


def _placebo_arms(doc: Document, unit: int, known: Sequence[Arm]) -> list[Arm]:
    """Placebo or sham named in the sentence but not tagged."""
    out = []
    u = doc.units[unit]
    for m in re.finditer(r"\b(?:placebos?|sham)\b", doc.text[u.start:u.end], re.I):
        start, end = u.start + m.start(), u.start + m.end()
        if not any(a.start <= start < a.end for a in known):
            out.append(_arm(doc, unit, start, end))
    return out


# --- span tagging -------------------------------------------------------------------------------

def rule_spans(doc: Document, unit: int) -> list[tuple[int, int, str]]:
    """Intervention and comparator spans of a sentence by rule: its first intervention
    mention not given to the population ("in women receiving tamoxifen") is the
    intervention; one after "versus", "or", "compared with" or placebo, a comparator."""
    out: list[tuple[int, int, str]] = []
    text = doc.text
    for m in doc.mentions[unit]:
        if m.concept.type not in INTERVENTION or m.concept.id in GENERIC_CONCEPTS \
                or m.source == "coreference":
            continue
        before = text[max(doc.units[unit].start, m.start - 60):m.start]
        if _POPULATION_DRUG.search(before) or _MODIFIER_AFTER.match(text, m.end):
            continue
        comparator = m.concept.id in _COMPARATOR_IDS or (
            any(label == "intervention" for *_, label in out)
            and bool(_VERSUS_BEFORE.search(before)))
        if comparator:
            out.append((m.start, m.end, "control"))
        elif not any(label == "intervention" for *_, label in out):
            out.append((m.start, m.end, "intervention"))
    return out


_POPULATION_DRUG = re.compile(
    r"\b(?:receiving|treated with|taking|on|undergoing|after|following|during|"
    r"pretreated with|exposed to|resistant to|refractory to)\s+(?:[\w-]+\s+){0,3}$", re.I)
_MODIFIER_AFTER = re.compile(r"[- ](?:induced|associated|related|treated|resistant|"
                             r"refractory|naive|naïve|pretreated)\b", re.I)


@cache
def _load_tagger(path: Path) -> CrfTagger | None:
    from ..entities.crf import CrfTagger
    return CrfTagger(path) if path.is_file() else None


def shipped_tagger() -> CrfTagger | None:
    """The shipped PICO span tagger, opened once per process (None when absent)."""
    return _load_tagger(MODEL_DIR / MODEL_FILE)


def tag_spans(doc: Document, unit: int, tagger: CrfTagger) -> list[tuple[int, int, str]]:
    """Intervention and comparator spans of one sentence, as the CRF tags them."""
    from ..entities.crf import decode
    u = doc.units[unit]
    tokens = span_tokens(doc.text, u.start, u.end)
    labels = tagger.tag(span_features(doc.text, tokens, doc.mentions[unit]))
    return decode(tokens, labels)


def span_tokens(text: str, start: int, end: int) -> list[Any]:
    from ..entities.crf import sentence_tokens
    return sentence_tokens(text, start, end)


_CUE_WORDS = frozenset({"versus", "vs", "or", "and", "plus", "with", "without", "of", "for",
                        "in", "to", "compared", "than", "placebo", "receiving", "on",
                        "after", "by", "using", "trial", "study", "randomized", "randomised",
                        "effect", "effects", "efficacy", "patients", "women", "treatment",
                        "therapy", "group", "alone", "combined", "combination", "sham",
                        "control", "standard", "usual", "care", "intervention", "program",
                        "programme", "training", "exercise", "followed", "before"})


def span_features(text: str, tokens: Sequence[Any], mentions: Sequence[Mention]
                  ) -> list[list[str]]:
    """CRFsuite features of each token: the word and its shape, the entity type of the
    mention covering it (chemical, procedure, disease), cue words around it, and its place
    relative to "versus", "of", "in" and the sentence's start."""
    from ..entities.crf import word_features
    kinds = ["O"] * len(tokens)
    ends = [t.end for t in tokens]          # tokens are in order and disjoint
    for m in mentions:
        inside = []
        for i in range(bisect_right(ends, m.start), len(tokens)):
            if tokens[i].start >= m.end:
                break
            inside.append(i)
        for k, i in enumerate(inside):
            kinds[i] = ("B-" if k == 0 else "I-") + m.concept.type
    words = [t.text for t in tokens]
    low = [w.lower() for w in words]
    seen_versus = seen_of = seen_in = False
    out = []
    n = len(tokens)
    for i in range(n):
        f = ["bias", *word_features(words[i]), f"m={kinds[i]}",
             f"mt={kinds[i][2:] or 'O'}", f"pos={min(i, 12) // 3}"]
        if seen_versus:
            f.append("after_versus")
        if seen_of:
            f.append("after_of")
        if seen_in:
            f.append("after_in")
        for off in (-3, -2, -1, 1, 2, 3):
            j = i + off
            if 0 <= j < n:
                f.append(f"{off}:m={kinds[j][2:] or 'O'}")
                if abs(off) <= 2 or low[j] in _CUE_WORDS:
                    f.append(f"{off}:w={low[j]}")
            else:
                f.append(f"{off}:edge")
        if i > 0:
            f.append(f"bigram={low[i - 1]}|{low[i]}")
        out.append(f)
        if low[i] in ("versus", "vs", "compared", "than", "or"):
            seen_versus = True
        if low[i] in ("of", "with", "using", "by"):
            seen_of = True
        if low[i] in ("in", "among", "for"):
            seen_in = True
    return out


# --- condition ----------------------------------------------------------------------------------

_FOR_BEFORE = re.compile(
    r"\b(?:for|of|on|against|to (?:prevent|treat|reduce|relieve|manage|improve)|"
    r"(?:treatment|prevention|management|relief|reduction|control) of|in (?:preventing|"
    r"treating|reducing|the (?:treatment|prevention|management) of))\s+(?:\w+\s+){0,3}$",
    re.I)
_POPULATION_BEFORE = re.compile(
    r"\b(?:with|in|among|having|of)\s+(?:\w+\s+){0,2}$|\b(?:patients|women|men|subjects|"
    r"survivors|people|adults|children)\s+(?:\w+\s+){0,2}(?:with|having)\s+(?:\w+\s+){0,2}$",
    re.I)


def _conditions(doc: Document, unit: int | None, arms: Sequence[Arm]) -> list[Concept]:
    """The condition the intervention is for, before the population it is given to."""
    if unit is None:
        return []
    u = doc.units[unit]
    candidates: list[tuple[int, int, Concept]] = []
    for m in doc.mentions[unit]:
        if m.concept.type not in CONDITION or m.concept.id in GENERIC_CONCEPTS \
                or any(a.start <= m.start < a.end for a in arms):
            continue
        before = doc.text[max(u.start, m.start - 50):m.start]
        rank = 0 if _FOR_BEFORE.search(before) and not re.search(
            r"\b(?:patients|women|men|subjects)\s+(?:\w+\s+){0,2}with\s+(?:\w+\s+){0,2}$",
            before, re.I) else 1
        candidates.append((rank, m.start, m.concept))
    candidates.sort(key=lambda c: (c[0], c[1]))
    seen: dict[str, Concept] = {}
    for rank, _, concept in candidates:
        if rank == candidates[0][0]:
            seen.setdefault(concept.id, concept)
    return list(seen.values())[:1]


# --- claims from result sentences that do not name the drug -------------------------------------

_GROUP_WORDS = re.compile(
    r"\b(?:placebo|sham|control|comparator|usual care|standard care)(?:[- ]treated)?\s+"
    r"(?:group|arm|patients|participants|subjects)\b|\bboth (?:groups|arms)\b|"
    r"\beither (?:group|arm)\b|\bin the (?:placebo|control|sham)\b", re.I)
_VERSUS_COMPARATOR = re.compile(
    r"\b(?:than|compared (?:with|to)|versus|vs\.?|relative to|over)\s+(?:those (?:on|in|"
    r"receiving) |the )?(?:placebo|sham|control|usual care|standard care)", re.I)
_HARM = re.compile(
    r"\b(?:adverse|side[- ]effects?|toxicit\w*|safety|tolerab\w+|complications?|"
    r"withdr\w+|discontinu\w+|dropouts?|deaths?|died|serious|grade [3-4]|mortality)\b",
    re.I)
_OUTCOME_AFTER = re.compile(r"\s*(?:[\w-]+\s+){0,1}(?:days?|frequency|scores?|severity|"
                            r"intensity|attacks?|episodes?|burden|symptoms?|rates?)\b", re.I)
#: A finding about the treatment arm: it is named as a group, compared with the control, or
#: an outcome changed significantly or "from X to Y".
_FINDING = re.compile(
    r"\b(?:treatment|intervention|experimental|active|study|treated|verum)[- ](?:group|arm|"
    r"patients|participants)\b"
    r"|\b(?:compared (?:with|to)|than|versus|vs\.?|relative to|over) (?:those (?:on|in|"
    r"receiving) |the )?(?:placebo|sham|control|usual care|standard care)"
    r"|\bbetween (?:the )?(?:two |treatment |study )?(?:groups|arms)\b"
    r"|\bfrom \d+(?:\.\d+)? (?:[\w-]+ ){0,2}to \d"
    r"|\b(?:statistically )?significant(?:ly)? (?:\w+ )?(?:improv|reduc|decreas|lower|better|"
    r"greater|fewer|less|relie|benefit|effect|difference)", re.I)
#: Sentences that look like findings and are not: associations, eligibility, discussion.
_NOT_FINDING = re.compile(
    r"\bassociat\w+ with\b|\beligib\w+|\bdiscussed\b|\bmechanisms?\b|\bboth (?:\w+ )?"
    r"(?:regimens|treatments|drugs|groups|arms|interventions)\b|\bpredict\w*", re.I)


def study_claims(doc: Document, frame: StudyFrame, background: Mapping[int, bool]
                 ) -> list[Claim]:
    """Claims of the frame's intervention for its condition, read from result and
    conclusion sentences that name no intervention (see the module docstring)."""
    if not frame.clear:
        return []
    subject = frame.intervention_concepts[0]
    condition = frame.conditions[0]
    comparator_ids = {c.id for arm in frame.comparators for c in arm.concepts}
    active_comparator = any(c.id not in _COMPARATOR_IDS for c in
                            (c for arm in frame.comparators for c in arm.concepts))
    if active_comparator:
        return []           # "pain improved more in one group": which one is not said
    claims = []
    for unit, section in zip(doc.units, frame.sections, strict=True):
        if section not in ("results", "conclusions") or background.get(unit.segment):
            continue
        sentence = doc.sentence(unit.index)
        mentions = doc.mentions[unit.index]
        if any(m.concept.type in INTERVENTION and m.concept.id not in GENERIC_CONCEPTS
               for m in mentions):
            continue        # the rules and the learned model read named interventions
        if any(m.concept.type in CONDITION and m.concept.id != condition.id
               and not _OUTCOME_AFTER.match(doc.text, m.end) for m in mentions):
            continue        # another condition: an adverse event or a second outcome
        if comparator_ids and any(m.concept.id in comparator_ids for m in mentions):
            continue
        if _GROUP_WORDS.search(sentence) and not _VERSUS_COMPARATOR.search(sentence):
            continue
        if _HARM.search(sentence) or modality.hypothetical(sentence) \
                or modality.hedged(sentence) or _NOT_FINDING.search(sentence) \
                or not _FINDING.search(sentence):
            continue
        direction = modality.efficacy(sentence)
        if direction is None:
            continue
        predicate, negated = "treats", False
        if re.search(r"\bnot\b[^.;]{0,40}\bdifferen", sentence, re.I):
            direction = "negative"
        if direction == "negative":
            predicate, negated = modality.negated_predicate("treats", sentence)
            if predicate == "treats" and not modality.NO_DIFFERENCE.search(sentence) \
                    and re.search(r"\bno (?:significant |statistically significant )?"
                                  r"(?:effect|benefit|improvement|difference|reduction)|"
                                  r"\bineffective\b|\bnot (?:more )?effective\b",
                                  sentence, re.I):
                predicate, negated = "no_effect", False
        claims.append(Claim(
            subject=subject, predicate=predicate, object=condition, sentence=sentence,
            start=unit.start, end=unit.end, segment=unit.segment, segment_kind=unit.kind,
            negated=negated, hedged=False, hypothetical=False,
            qualifiers={"via": "study_frame:report", "section": section},
            evidence=Evidence(design=frame.design, n=frame.n, outcomes=ev.outcomes(sentence),
                              dose="; ".join(ev.doses(sentence)) or None,
                              asserted_by="authors", rule=f"study:{section}")))
    return claims
