"""Stage 5, recognise entities: drugs and chemicals, diseases and symptoms, mechanisms and
targets, non-drug interventions, normalised to MeSH descriptors.

``recognise`` is a pure function of the document text, its segments and sentences and a
compiled :class:`Lexicon`: dictionary longest match (:mod:`.matcher`), then abbreviations
defined in the document (:mod:`.abbrev`), then negation/hedging/hypothetical context
(:mod:`.context`). Only segments whose kind is in :data:`evimap.model.CONTENT_KINDS` are read.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from evimap.model import CONTENT_KINDS, Concept, Mention, Segment, Sentence

from .abbrev import Abbreviation, find_abbreviations, occurrences
from .context import context
from .keys import prepare, singular, token_spans, word_form
from .lexicon import Lexicon, build_lexicon, load_lexicon
from .matcher import find_matches

__all__ = ["Lexicon", "build_lexicon", "load_lexicon", "recognise"]

#: Share of a long form's words a dictionary concept of the short form must share with it.
ABBREVIATION_AGREEMENT = 0.5


@dataclass(frozen=True, slots=True)
class _Span:
    """A sentence of a content segment."""

    start: int
    end: int
    segment: int


def recognise(text: str, segments: Sequence[Segment], sentences: Sequence[Sentence],
              lexicon: Lexicon) -> list[Mention]:
    """Entity mentions in the content segments of a document, in text order."""
    spans = _content_spans(segments, sentences)
    mentions = [
        Mention(m.start, m.end, text[m.start:m.end], lexicon.concept_at(m.entry[0]), span.segment,
                source=lexicon.source(m.entry))
        for span in spans for m in find_matches(text, lexicon, span.start, span.end)
    ]
    mentions = _resolve_abbreviations(text, spans, mentions, lexicon)
    _set_context(text, spans, mentions)
    return sorted(mentions, key=lambda m: (m.start, m.end))


def _content_spans(segments: Sequence[Segment], sentences: Sequence[Sentence]) -> list[_Span]:
    """Sentences inside content segments (a content segment without sentences is one)."""
    content = {i for i, seg in enumerate(segments) if seg.kind in CONTENT_KINDS}
    spans: list[_Span] = []
    covered: set[int] = set()
    for sent in sentences:
        if sent.segment in content:
            seg = segments[sent.segment]
            start, end = max(sent.start, seg.start), min(sent.end, seg.end)
            if start < end:
                spans.append(_Span(start, end, sent.segment))
                covered.add(sent.segment)
    spans += [_Span(segments[i].start, segments[i].end, i) for i in sorted(content - covered)]
    return sorted(spans, key=lambda s: s.start)


# --- abbreviations --------------------------------------------------------------------------

def _resolve_abbreviations(text: str, spans: list[_Span], mentions: list[Mention],
                           lexicon: Lexicon) -> list[Mention]:
    """Give every occurrence of a defined short form its long form's concept.

    A short form whose long form is no concept blocks dictionary matches of the short form,
    unless its dictionary concept agrees with the long form's words (SNRI for
    "serotonin-norepinephrine reuptake inhibitor"); then the long form gets it too.
    """
    ends = {m.end: m.start for m in mentions}
    defined: dict[str, Abbreviation] = {}
    for abbr in find_abbreviations(text, [(s.start, s.end) for s in spans], ends):
        defined.setdefault(abbr.short, abbr)
    for abbr in defined.values():
        concept, long_mention = _abbreviation_concept(abbr, mentions, lexicon)
        found = occurrences(text, abbr.short, [(s.start, s.end) for s in spans])
        added = [_mention_at(text, spans, start, end, concept) for start, end in found
                 if concept is not None]
        if long_mention is not None:
            added.append(long_mention)
        blocked = [*found, *((m.start, m.end) for m in added)]
        mentions = [m for m in mentions if not _overlaps(m, blocked)] + added
    return mentions


def _abbreviation_concept(abbr: Abbreviation, mentions: list[Mention], lexicon: Lexicon
                          ) -> tuple[Concept | None, Mention | None]:
    """The concept a short form stands for, and a new mention for its long form if needed."""
    inside = [m for m in mentions if m.end == abbr.long_end and m.start >= abbr.long_start]
    if inside:
        first = min(inside, key=lambda m: m.start)
        if (first.end - first.start) >= ABBREVIATION_AGREEMENT * (abbr.long_end - abbr.long_start):
            return first.concept, None
    own = [m for m in mentions if (m.start, m.end) == (abbr.short_start, abbr.short_end)]
    if own and _agrees(abbr.long, lexicon.synonyms(own[0].concept.id)):
        concept = own[0].concept
        long_mention = Mention(abbr.long_start, abbr.long_end, abbr.long,
                               Concept(concept.id, concept.name, concept.type), own[0].segment,
                               source="abbreviation")
        return concept, long_mention
    return None, None


def _content_words(text: str) -> set[str]:
    prepared = prepare(text)
    words = [word_form(prepared[s:e]) for s, e in token_spans(prepared)]
    return {singular(w) for w in words if len(w) > 2 and w.isalpha() and w != "and"}


def _agrees(long: str, names: list[str]) -> bool:
    """Whether a long form shares enough words with one of a concept's names."""
    words = _content_words(long)
    if not words:
        return False
    return any(len(words & _content_words(name)) >= ABBREVIATION_AGREEMENT * len(words)
               for name in names)


def _span_of(spans: list[_Span], offset: int) -> _Span | None:
    """The sentence span holding ``offset`` (spans are sorted and disjoint)."""
    i = bisect_right(spans, offset, key=lambda s: s.start) - 1
    return spans[i] if i >= 0 and offset < spans[i].end else None


def _mention_at(text: str, spans: list[_Span], start: int, end: int, concept: Concept
                ) -> Mention:
    span = _span_of(spans, start)
    assert span is not None, "short forms are only searched inside the spans"
    return Mention(start, end, text[start:end], Concept(concept.id, concept.name, concept.type),
                   span.segment, source="abbreviation")


def _overlaps(mention: Mention, spans: list[tuple[int, int]]) -> bool:
    return any(mention.start < end and start < mention.end for start, end in spans)


# --- context --------------------------------------------------------------------------------

def _set_context(text: str, spans: list[_Span], mentions: list[Mention]) -> None:
    """Set the negated/hedged/hypothetical flags of each mention from its sentence."""
    for mention in mentions:
        span = _span_of(spans, mention.start)
        if span is None:
            continue
        flags = context(text[span.start:span.end], mention.start - span.start,
                        mention.end - span.start)
        mention.negated, mention.hedged, mention.hypothetical = (
            flags.negated, flags.hedged, flags.hypothetical)
