"""The document as the claim extractor reads it: sentences with their paragraph, section and
mentions, and what reaches beyond one sentence (coreference, implicit subjects).

Only sentences of content segments (title, abstract, body, comment) are read; mentions
inside journal, institution and meeting names are dropped ("Journal of Headache and Pain").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from evimap.intervals import Intervals
from evimap.model import CONTENT_KINDS, Mention, Segment, Sentence

from .evidence import name_spans
from .rules import GENERIC_CONCEPTS, INTERVENTION

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_COMPOUND_GAP = re.compile(r"[ \t\u00a0]+")
_MODIFIER_GAP = re.compile(r"[\s-]+(?:related|associated)[\s-]+", re.I)
_MAX_HEADING_WORDS = 14

_ANAPHOR = re.compile(
    r"\b(?:it|its|this (?:drug|medication|medicine|compound|agent)|"
    r"the (?:drug|medication|medicine|compound|agent))\b", re.I)
#: "It is important to note", "it seems", "makes it sound": no referent.
_EXPLETIVE_AFTER = re.compile(
    r"^\s*(?:(?:is|was|'s|’s) (?:\w+ )?(?:important|possible|impossible|likely|unlikely|clear|"
    r"unclear|difficult|hard|easy|necessary|true|known|thought|believed|worth|not|a|the|"
    r"time)\b|seems|appears|says|said|sounds?|takes|took|turns out)", re.I)
_EXPLETIVE_BEFORE = re.compile(r"\b(?:makes?|made|making|find|found)\s+$", re.I)


#: Within its own sentence "it"/"its" may refer to a mechanism ("glutamate and its receptors").
_SAME_SENTENCE_ANTECEDENT = INTERVENTION | {"mechanism"}


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence of a content segment, with where it sits."""

    index: int
    start: int
    end: int
    segment: int
    kind: str                   # segment kind: title, abstract, body, comment
    paragraph: int              # document-wide paragraph number
    heading: bool               # a title or a section heading


@dataclass(slots=True)
class Document:
    """Units in text order, their mentions, and each unit's section heading."""

    text: str
    segments: Sequence[Segment]
    units: list[Unit]
    mentions: list[list[Mention]]               # per unit, sorted, disjoint
    section: list[int | None] = field(default_factory=list)  # governing heading unit
    title: int | None = None                    # the page title's unit

    def sentence(self, unit: int) -> str:
        u = self.units[unit]
        return self.text[u.start:u.end]

    def first(self, unit: int | None, types: frozenset[str] = INTERVENTION) -> Mention | None:
        """The first mention of ``types`` in a unit (its main intervention by default)."""
        if unit is None:
            return None
        return next((m for m in self.mentions[unit] if m.concept.type in types
                     and m.concept.id not in GENERIC_CONCEPTS), None)

    def context(self, unit: int, types: frozenset[str] = INTERVENTION
                ) -> tuple[Mention, str] | None:
        """The section heading's, else the page title's, first mention of ``types``, with
        where it came from (``heading`` or ``title``); never for comments."""
        if self.units[unit].kind == "comment":
            return None
        for source, index in (("heading", self.section[unit]), ("title", self.title)):
            found = self.first(index, types)
            if found is not None and index != unit:
                return found, source
        return None


def build_document(text: str, segments: Sequence[Segment], sentences: Sequence[Sentence],
                   mentions: Sequence[Mention]) -> Document:
    """Units, paragraphs, headings and per-unit mentions (with pronouns resolved)."""
    units = _units(text, segments, sentences)
    by_start = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in by_start]
    doc = Document(text, segments, units,
                   [_unit_mentions(text, u, by_start[bisect_left(starts, u.start):
                                                     bisect_right(starts, u.end)])
                    for u in units])
    doc.section = _sections(units)
    doc.title = next((u.index for u in units if u.kind == "title"), None)
    if doc.title is None:
        doc.title = next((u.index for u in units[:1] if u.heading), None)
    _resolve_anaphors(doc)
    return doc


def _units(text: str, segments: Sequence[Segment],
           sentences: Sequence[Sentence]) -> list[Unit]:
    content = sorted((s for s in sentences if 0 <= s.segment < len(segments)
                      and segments[s.segment].kind in CONTENT_KINDS), key=lambda s: s.start)
    paragraph_ids: dict[tuple[int, int], int] = {}
    per_paragraph: dict[int, int] = {}
    keys = []
    blank_ends: dict[int, list[int]] = {}   # segment -> where its blank lines end
    for sent in content:
        seg = segments[sent.segment]
        ends = blank_ends.get(sent.segment)
        if ends is None:
            ends = blank_ends[sent.segment] = [
                m.end() for m in _BLANK_LINE.finditer(text, seg.start, seg.end)]
        if sent.start <= seg.end:
            # the blank lines between the segment's start and the sentence's
            blanks = bisect_right(ends, sent.start)
        else:
            blanks = len(_BLANK_LINE.findall(text, seg.start, sent.start))
        key = (sent.segment, blanks)
        pid = paragraph_ids.setdefault(key, len(paragraph_ids))
        per_paragraph[pid] = per_paragraph.get(pid, 0) + 1
        keys.append(pid)
    units = []
    for i, (sent, pid) in enumerate(zip(content, keys, strict=True)):
        seg = segments[sent.segment]
        heading = seg.kind == "title" or seg.label == "heading" or (
            seg.kind in ("body", "abstract") and per_paragraph[pid] == 1
            and _looks_like_heading(text[sent.start:sent.end]))
        units.append(Unit(i, sent.start, sent.end, sent.segment, seg.kind, pid, heading))
    return units


def _looks_like_heading(sentence: str) -> bool:
    """A short line on its own without a closing full stop ("How Does Milnacipran Work?")."""
    words = sentence.split()
    return (0 < len(words) <= _MAX_HEADING_WORDS and "\n" not in sentence.strip()
            and sentence.rstrip()[-1] not in ".,;" and sentence[:1].isupper())


def _sections(units: Sequence[Unit]) -> list[int | None]:
    sections: list[int | None] = []
    current: int | None = None
    for unit in units:
        if unit.kind == "title":
            sections.append(None)
            continue
        if unit.heading and unit.kind != "comment":
            current = unit.index
        sections.append(None if unit.kind == "comment" else current)
    return sections


def _unit_mentions(text: str, unit: Unit, mentions: Sequence[Mention]) -> list[Mention]:
    """The unit's mentions that can take part in a claim, in order.

    Dropped: mentions inside names, overlaps (the longest wins), generic concepts ("drug",
    "neurotransmitter"), and the second word of a compound of two mentions of one class
    ("migraine aura", "AIDS-related Kaposi sarcoma"); see :func:`_compound`.
    """
    names = Intervals((unit.start + s, unit.start + e)
                      for s, e in name_spans(text[unit.start:unit.end]))
    inside = sorted((m for m in mentions if m.segment == unit.segment
                     and unit.start <= m.start and m.end <= unit.end
                     and m.concept.id not in GENERIC_CONCEPTS
                     and not names.encloses(m.start, m.end)),
                    key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for mention in inside:
        if kept and mention.start < kept[-1].end:
            continue
        if kept and _compound(text, kept[-1], mention):
            if _MODIFIER_GAP.fullmatch(text[kept[-1].end:mention.start]):
                kept[-1] = mention                  # "AIDS-related Kaposi sarcoma"
            continue
        kept.append(mention)
    return kept


def _compound(text: str, first: Mention, second: Mention) -> bool:
    """Two mentions of one class that form one phrase: separated by spaces only ("migraine
    aura": the first counts) or by "-related"/"-associated" (the second counts)."""
    same = (first.concept.type == "disease") == (second.concept.type == "disease")
    gap = text[first.end:second.start]
    return same and bool(_COMPOUND_GAP.fullmatch(gap) or _MODIFIER_GAP.fullmatch(gap))


# --- coreference --------------------------------------------------------------------------------

def _resolve_anaphors(doc: Document) -> None:
    """Replace "it", "its", "the drug", "this medication" by their antecedent intervention:
    the latest one earlier in the sentence, else the main one of an earlier sentence of the
    paragraph (of the comment, for comments), else the section heading's or the title's."""
    scan = _EarlierUnits(doc)
    for unit in doc.units:
        added = []
        own: _SentenceMentions | None = None
        for m in _ANAPHOR.finditer(doc.text, unit.start, unit.end):
            if own is None:
                own = _SentenceMentions(doc.mentions[unit.index])
            if _expletive(doc.text, m) or own.overlaps(m.start(), m.end()):
                continue
            antecedent = own.last_before(m.start()) or scan.nearest(unit)
            if antecedent is None:
                context = doc.context(unit.index)
                antecedent = context[0] if context else None
            if antecedent is not None:
                added.append(Mention(m.start(), m.end(), m.group(0), antecedent.concept,
                                     unit.segment, source="coreference"))
        if added:
            doc.mentions[unit.index] = sorted(doc.mentions[unit.index] + added,
                                              key=lambda x: x.start)
        scan.done(unit)


def _expletive(text: str, m: re.Match[str]) -> bool:
    if m.group(0).lower() != "it":
        return False
    return bool(_EXPLETIVE_AFTER.match(text, m.end())
                or _EXPLETIVE_BEFORE.search(text[max(0, m.start() - 12):m.start()]))


class _SentenceMentions:
    """A unit's mentions as an anaphor asks about them: does one overlap it, which is the
    latest antecedent before it (in logarithmic time: a sentence may hold thousands)."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self._spans = Intervals((x.start, x.end) for x in mentions)
        self._candidates = [x for x in mentions if x.concept.type in _SAME_SENTENCE_ANTECEDENT]
        self._ends = [x.end for x in self._candidates]
        self._ordered = all(a <= b for a, b in pairwise(self._ends))

    def overlaps(self, start: int, end: int) -> bool:
        return self._spans.overlaps(start, end)

    def last_before(self, position: int) -> Mention | None:
        """The last antecedent (in the unit's order) that ends by ``position``."""
        if self._ordered:
            k = bisect_right(self._ends, position)
            return self._candidates[k - 1] if k else None
        before = [x for x in self._candidates if x.end <= position]
        return before[-1] if before else None


class _EarlierUnits:
    """For each unit in turn, the main intervention of the nearest earlier unit of its
    paragraph (of its comment, for comments) that names one, looking back no further than
    where that paragraph (comment) began: what a walk back over the earlier units finds,
    without the walk."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.latest: dict[tuple[str, int], int] = {}    # scope -> latest unit naming one
        self.run: dict[str, tuple[int, int]] = {}       # "p"/"s" -> (scope, first unit)

    @staticmethod
    def _scope(unit: Unit, comment: bool) -> tuple[str, int]:
        return ("s", unit.segment) if comment else ("p", unit.paragraph)

    def nearest(self, unit: Unit) -> Mention | None:
        kind, value = self._scope(unit, unit.kind == "comment")
        run = self.run.get(kind)
        if run is None or run[0] != value:      # the unit before is of another scope
            return None
        found = self.latest.get((kind, value))
        return self.doc.first(found) if found is not None and found >= run[1] else None

    def done(self, unit: Unit) -> None:
        """``unit`` is read (its mentions final): it becomes an earlier unit."""
        for kind, value in (self._scope(unit, True), self._scope(unit, False)):
            run = self.run.get(kind)
            if run is None or run[0] != value:
                self.run[kind] = (value, unit.index)
        if self.doc.first(unit.index) is not None:
            self.latest[self._scope(unit, True)] = unit.index
            self.latest[self._scope(unit, False)] = unit.index
