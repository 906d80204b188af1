"""Stage 5, recognise entities: drugs and chemicals, diseases and symptoms, mechanisms and
targets, non-drug interventions, normalised to MeSH descriptors.

``recognise`` is a pure function of the document text, its segments and sentences and a
compiled :class:`Lexicon`: dictionary longest match (:mod:`.matcher`), then abbreviations
defined in the document (:mod:`.abbrev`), then negation/hedging/hypothetical context
(:mod:`.context`). Only segments whose kind is in :data:`evimap.model.CONTENT_KINDS` are read.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from evimap.intervals import Intervals
from evimap.model import Concept, Mention, Segment, Sentence
from evimap.text import sentences as split_sentences

from .abbrev import Abbreviation, all_occurrences, find_abbreviations
from .context import SentenceContext
from .crf import sentence_tokens
from .keys import prepare, singular, token_spans, word_form
from .lexicon import Lexicon, build_lexicon, load_lexicon
from .matcher import Match, find_matches
from .ner import TYPES, NerModel, load_ner, ner_spans, normalise

__all__ = ["Lexicon", "NerModel", "build_lexicon", "load_lexicon", "load_ner", "recognise"]

#: Share of a long form's words a dictionary concept of the short form must share with it.
ABBREVIATION_AGREEMENT = 0.5


@dataclass(frozen=True, slots=True)
class _Span:
    """A sentence of a content segment."""

    start: int
    end: int
    segment: int


#: Dictionary mentions of these types are left to the statistical model when one is used.
MODEL_TYPES = frozenset({"chemical", "disease"})
#: A dictionary chemical/disease the model did not tag is kept when the model's marginal
#: probability that its words are an entity reaches this (tuned on BC5CDR Development).
DICTIONARY_CONFIDENCE = 0.55


def recognise(text: str, segments: Sequence[Segment], sentences: Sequence[Sentence],
              lexicon: Lexicon, ner: NerModel | None = None, lay: bool = False
              ) -> list[Mention]:
    """Entity mentions in the segments of a document that are not dropped boilerplate, in
    text order.

    With a statistical model (``ner``), chemicals and diseases are its spans, normalised to
    MeSH, plus the dictionary's names it gives enough probability; the dictionary still
    supplies mechanisms, targets and procedures, which BC5CDR does not annotate. ``lay``
    (a web page, not research literature) also keeps the dictionary's drug classes by
    action (MeSH D27.505: "MAO inhibitors", "SSRIs", "statins") and dietary supplements
    (G07.203.300: "probiotics"), the usual way such pages name an intervention and rare
    in the model's training abstracts.
    """
    spans = _segment_spans(segments, sentences)
    matches = [find_matches(text, lexicon, span.start, span.end) for span in spans]
    mentions = [
        Mention(m.start, m.end, text[m.start:m.end], lexicon.concept_at(m.entry[0]), span.segment,
                source=lexicon.source(m.entry))
        for span, found in zip(spans, matches, strict=True) for m in found
    ]
    mentions = _resolve_abbreviations(text, spans, mentions, lexicon)
    if ner is not None:
        mentions = _with_model(text, spans, mentions, lexicon, ner,
                               LAY_TRUSTED_TREES if lay else (), matches)
    _set_context(text, spans, mentions)
    return sorted(mentions, key=lambda m: (m.start, m.end))


#: Dictionary concepts kept without the model's confirmation on lay pages (see recognise).
LAY_TRUSTED_TREES = ("D27.505.", "G07.203.300")


def _with_model(text: str, spans: list[_Span], mentions: list[Mention], lexicon: Lexicon,
                ner: NerModel, trusted_trees: tuple[str, ...] = (),
                matches: Sequence[Sequence[Match]] | None = None) -> list[Mention]:
    """The model's chemical and disease spans, plus the dictionary's other mentions
    (``matches``: the dictionary's matches in each span, when already found)."""
    candidates = [(m.start, m.end) for m in mentions if m.concept.type in MODEL_TYPES]
    sentence_spans = [(s.start, s.end) for s in spans]
    abbreviations = find_abbreviations(text, sentence_spans)
    tagged, confidence = ner_spans(ner, text, sentence_spans, lexicon, candidates,
                                   abbreviations, matches)
    by_span = {(m.start, m.end): m for m in mentions}
    short_forms = {m.text: m.concept for m in mentions if m.source == "abbreviation"}
    found: list[Mention] = []
    named: dict[tuple[str, str], tuple[Concept, tuple[str, ...]]] = {}   # a name recurs
    for start, end, label in tagged:
        span = _span_of(spans, start)
        if span is None:
            continue
        known = by_span.get((start, end))
        name = (text[start:end], label)
        if name not in named:
            named[name] = normalise(name[0], label, ner, lexicon, short_forms)
        concept, ids = named[name]
        source = "crf"
        if known is not None and _fits(known.concept.type, TYPES[label]):
            source = known.source
            if concept.id == "-1":
                concept = known.concept
        found.append(Mention(start, end, text[start:end], concept, span.segment, source=source,
                             ids=ids if len(ids) > 1 else ()))
    _name_short_forms(abbreviations, found)
    found = _drop_untyped_short_forms(abbreviations, found, mentions)
    # dictionary names the model did not tag, kept where it gives them enough probability
    # (drug classes, syndromes and abbreviations on lay pages; longer names it cut short)
    confirmed = {f.concept.id for f in found}
    found_spans = {(f.start, f.end) for f in found}
    found_index = Intervals(found_spans)
    last_words = _last_word_starts(found)
    kept = [m for m in mentions if m.concept.type in MODEL_TYPES
            and (m.start, m.end) not in found_spans
            and (confidence.get((m.start, m.end), 0.0) >= DICTIONARY_CONFIDENCE
                 # names the model never saw in training: DrugBank drug names,
                 # herbal remedies
                 or _trusted(m, lexicon)
                 or any(t.startswith(trusted_trees) for t in m.concept.trees)
                 # a short form whose long form the model found as the same concept
                 or (m.source == "abbreviation" and m.concept.id in confirmed)
                 or _encloses_same_type(m, last_words))
            and not found_index.crosses(m.start, m.end)]
    kept_index = Intervals((k.start, k.end) for k in kept)
    found = [f for f in found if not kept_index.encloses(f.start, f.end)] + kept
    found += _ligands_of_targets(text, mentions, found, lexicon)
    found += _consistent(text, spans, found)
    # mechanisms, targets and procedures; a target may enclose the model's chemical
    # ("glutamate receptors" around "glutamate"): both are kept, the claims read the longer
    found_spans = {(f.start, f.end) for f in found}
    found_index = Intervals(found_spans)
    others = [m for m in mentions if m.concept.type not in MODEL_TYPES
              and not found_index.crosses(m.start, m.end)
              and (m.start, m.end) not in found_spans]
    return found + others


#: Dictionary sources and categories kept without the model's confirmation: the names it
#: never saw in training (the drug dictionary's generics MeSH lacks, herbal remedies).
TRUSTED_SOURCES = frozenset({"drugbank"})
TRUSTED_CATEGORIES = frozenset({"plant"})


def _trusted(mention: Mention, lexicon: Lexicon) -> bool:
    if mention.source in TRUSTED_SOURCES:
        return True
    try:
        return lexicon.category(mention.concept.id) in TRUSTED_CATEGORIES
    except KeyError:            # not a dictionary concept
        return False


def _last_word_starts(found: list[Mention]) -> dict[tuple[int, str], int]:
    """(end, type) -> the latest start of a model span with that end and type."""
    latest: dict[tuple[int, str], int] = {}
    for f in found:
        key = (f.end, f.concept.type)
        latest[key] = max(latest.get(key, f.start), f.start)
    return latest


def _encloses_same_type(mention: Mention, last_words: dict[tuple[int, str], int]) -> bool:
    """Whether the dictionary name holds a model span of its own type in its last words
    ("hip fracture" around "fracture"); ``last_words``: :func:`_last_word_starts` of the
    model's spans."""
    start = last_words.get((mention.end, mention.concept.type))
    return start is not None and mention.start < start


def _consistent(text: str, spans: list[_Span], found: list[Mention]) -> list[Mention]:
    """Document-level consistency: a name tagged in one place is tagged wherever it occurs
    again as a whole word (same concept), unless something else was tagged there."""
    names: dict[str, Mention] = {}
    for m in found:
        if len(m.text) >= 3 and m.concept.id != "-1":
            names.setdefault(m.text, m)
    if not names:
        return []
    taken = Intervals((m.start, m.end) for m in found)
    added: list[Mention] = []
    for span, start, name in _whole_names_in(text, spans, names):
        end = start + len(name)
        if taken.overlaps(start, end):
            continue
        model = names[name]
        added.append(Mention(start, end, name, model.concept,
                             span.segment, source=model.source, ids=model.ids))
        taken.add(start, end)
    return added


#: A maximal run of the characters ``[\w-]`` (see :func:`_wordish`).
_WORDISH_RUN = re.compile(r"[\w-]+")


def _whole_names_in(text: str, spans: Sequence[_Span], names: Iterable[str]
                    ) -> Iterator[tuple[_Span, int, str]]:
    """``(span, start, name)`` for :func:`_whole_names` of every span, in order, at the
    cost of one pass over the text (not one search per name and span): a whole-word
    occurrence of a name that starts with a word character starts a run of them, so the
    runs of the text, indexed once, give every place a name can be."""
    order = sorted(names, key=len, reverse=True)
    disjoint = all(a.end <= b.start for a, b in pairwise(spans))
    if not disjoint:                        # never the case for sentences; kept exact
        for span in spans:
            for start, name in _whole_names(text, span.start, span.end, order):
                yield span, start, name
        return
    runs: dict[str, list[int]] = {}
    for m in _WORDISH_RUN.finditer(text):
        runs.setdefault(m.group(), []).append(m.start())
    at: dict[int, list[str]] = {}
    for name in order:
        first = _WORDISH_RUN.match(name)
        if first is None:                   # starts with another character: searched
            places: Iterable[int] = _boundary_finds(text, name)
        elif first.end() == len(name):      # one run: the text's run is the name
            places = runs.get(name, ())
        else:
            places = [i for i in runs.get(first.group(), ()) if text.startswith(name, i)]
        for i in places:
            at.setdefault(i, []).append(name)
    starts = sorted(at)
    for span in spans:
        if span.end < len(text) and _wordish(text[span.end]) and _wordish(text[span.end - 1]):
            # the span ends inside a word: a name may end with it (rare; searched)
            for start, name in _whole_names(text, span.start, span.end, order):
                yield span, start, name
            continue
        resume = span.start
        for k in range(bisect_left(starts, span.start), len(starts)):
            i = starts[k]
            if i >= span.end:
                break
            if i < resume:
                continue
            for name in at[i]:
                j = i + len(name)
                if j <= span.end and (j == span.end or not _wordish(text[j])):
                    yield span, i, name
                    resume = j
                    break


def _boundary_finds(text: str, name: str) -> Iterator[int]:
    r"""Where ``name`` occurs in ``text`` with no ``[\w-]`` character before it."""
    i = text.find(name)
    while i != -1:
        if i == 0 or not _wordish(text[i - 1]):
            yield i
        i = text.find(name, i + 1)


def _whole_names(text: str, start: int, end: int, names: Iterable[str]
                 ) -> Iterator[tuple[int, str]]:
    r"""Non-overlapping occurrences of ``names`` in ``text[start:end]`` that are whole words
    (no word character or hyphen either side; the window's end counts as a boundary), left
    to right, the longest name first where several start at one place: what
    ``re.finditer(r"(?<![\w-])(?:longest|...|shortest)(?![\w-])", text, start, end)`` finds,
    without compiling a pattern of the document's names."""
    order = sorted(names, key=len, reverse=True)   # stable: already ordered stays so
    at: dict[int, list[str]] = {}
    for name in order:
        i = text.find(name, start, end)
        while i != -1:
            at.setdefault(i, []).append(name)
            i = text.find(name, i + 1, end)
    resume = start
    for i in sorted(at):
        if i < resume or (i > 0 and _wordish(text[i - 1])):
            continue
        for name in at[i]:
            j = i + len(name)
            if j == end or not _wordish(text[j]):
                yield i, name
                resume = j
                break


def _wordish(ch: str) -> bool:
    r"""A character ``[\w-]`` matches."""
    return ch.isalnum() or ch in "_-"


def _name_short_forms(abbreviations: Sequence[Abbreviation], found: list[Mention]) -> None:
    """An abbreviation gets its long form's concept: a short form the model tagged but could
    not name ("CIN") takes the concept of its definition's long form ("contrast-induced
    nephropathy (CIN)") wherever it occurs."""
    by_end = {m.end: m for m in found if m.concept.id != "-1"}
    named: dict[str, Mention] = {}
    for a in abbreviations:
        long_form = by_end.get(a.long_end)
        if long_form is not None and long_form.start >= a.long_start:
            named.setdefault(a.short, long_form)
    for i, m in enumerate(found):
        source = named.get(m.text)
        if m.concept.id == "-1" and source is not None and source.concept.type == m.concept.type:
            found[i] = replace(m, concept=replace(source.concept), ids=source.ids,
                               source="abbreviation")


#: Mechanism categories named after the ligand they bind ("5-HT receptors", "dopamine
#: transporter").
_NAMED_AFTER_LIGAND = frozenset({"receptor", "transporter", "channel"})


def _ligands_of_targets(text: str, mentions: list[Mention], found: list[Mention],
                        lexicon: Lexicon) -> list[Mention]:
    """The ligand a receptor or transporter is named after, as a chemical mention of its
    own ("5-HT" in "5-HT receptors", "NMDA" in "NMDA receptor antagonist"), as BC5CDR
    annotates it, unless the model tagged something there."""
    added: list[Mention] = []
    taken: Intervals | None = None
    for m in mentions:
        if m.concept.type != "mechanism" or m.concept.id == "-1" or (
                lexicon.category(m.concept.id) not in _NAMED_AFTER_LIGAND):
            continue
        if taken is None:
            taken = Intervals((f.start, f.end) for f in found)
        toks = sentence_tokens(text, m.start, m.end)
        for k in range(len(toks) - 1, 0, -1):
            end = toks[k - 1].end
            concept = lexicon.lookup(text[m.start:end])
            if concept is None or not text[end - 1].isalnum() or not (
                    lexicon.category(concept.id) == "ligand" or _small_molecule(concept)):
                continue
            if not taken.overlaps(m.start, end):
                added.append(Mention(m.start, end, text[m.start:end], concept, m.segment,
                                     source=m.source))
                taken.add(m.start, end)
            break
    return added


def _small_molecule(concept: Concept) -> bool:
    """A chemical that is no protein, enzyme or drug class (MeSH D12, D08, D27)."""
    return concept.type == "chemical" and bool(concept.trees) and not any(
        t.startswith(("D12", "D08", "D27")) for t in concept.trees)


def _drop_untyped_short_forms(abbreviations: Sequence[Abbreviation], found: list[Mention],
                              mentions: list[Mention]) -> list[Mention]:
    """An abbreviation is what its long form is: a short form whose definition's long form is
    neither a model span nor a dictionary chemical or disease ("hormone therapy (HT)") is no
    entity, however the model reads it elsewhere ("HT" is hypertension in other papers)."""
    ends = {m.end for m in found} | {m.end for m in mentions if m.concept.type in MODEL_TYPES}
    typed = {a.short for a in abbreviations if a.long_end in ends}
    untyped = {a.short for a in abbreviations} - typed
    if not untyped:
        return found
    return [m for m in found if not (m.source == "crf" and m.text in untyped)]


def _fits(concept_type: str, model_type: str) -> bool:
    return concept_type == model_type or (model_type == "chemical"
                                          and concept_type == "mechanism")


def _segment_spans(segments: Sequence[Segment], sentences: Sequence[Sentence]) -> list[_Span]:
    """Sentences of every segment but dropped boilerplate: the given ones for content
    segments, split here for the others (metadata keywords, comment headers), so the
    document view can show their entities; claims read content segments only. Boilerplate
    (menus, footers, share bars: most of a real page's text) is not read at all."""
    spans: list[_Span] = []
    covered: set[int] = set()
    for sent in sentences:
        seg = segments[sent.segment]
        start, end = max(sent.start, seg.start), min(sent.end, seg.end)
        if start < end and seg.kind != "boilerplate":
            spans.append(_Span(start, end, sent.segment))
            covered.add(sent.segment)
    for i, seg in enumerate(segments):
        if i not in covered and seg.kind != "boilerplate":
            spans += [_Span(s, e, i) for s, e in split_sentences(seg.text)
                      for s, e in [(seg.start + s, seg.start + e)]]
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
    sentence_spans = [(s.start, s.end) for s in spans]
    for abbr in find_abbreviations(text, sentence_spans, ends):
        defined.setdefault(abbr.short, abbr)
    if not defined:
        return mentions
    where = all_occurrences(text, list(defined), sentence_spans)
    pool = _MentionPool(mentions)
    for abbr in defined.values():
        concept, long_mention = _abbreviation_concept(abbr, pool, lexicon)
        found = where[abbr.short]
        added = [_mention_at(text, spans, start, end, concept) for start, end in found
                 if concept is not None]
        if long_mention is not None:
            added.append(long_mention)
        pool.remove_overlapping([*found, *((m.start, m.end) for m in added)])
        for m in added:
            pool.append(m)
    return pool.mentions()


class _MentionPool:
    """Mentions in list order, as :func:`_resolve_abbreviations` edits them (drop those
    overlapping some spans, append new ones), indexed so that each edit and look-up costs
    what it touches rather than a pass over every mention of the document."""

    _BUCKET = 64                    # characters per bucket of the index by start

    def __init__(self, mentions: Iterable[Mention]) -> None:
        self._items: dict[int, Mention] = {}      # insertion order is list order
        self._next = 0
        self._by_end: dict[int, list[int]] = {}
        self._by_span: dict[tuple[int, int], list[int]] = {}
        self._buckets: dict[int, list[int]] = {}
        self._longest = 0
        for m in mentions:
            self.append(m)

    def append(self, m: Mention) -> None:
        key = self._next
        self._next += 1
        self._items[key] = m
        self._by_end.setdefault(m.end, []).append(key)
        self._by_span.setdefault((m.start, m.end), []).append(key)
        self._buckets.setdefault(m.start // self._BUCKET, []).append(key)
        self._longest = max(self._longest, m.end - m.start)

    def mentions(self) -> list[Mention]:
        return list(self._items.values())

    def ending_at(self, end: int) -> list[Mention]:
        """The mentions that end at ``end``, in list order."""
        return [self._items[k] for k in self._by_end.get(end, ()) if k in self._items]

    def at(self, start: int, end: int) -> list[Mention]:
        """The mentions of the span ``[start, end)``, in list order."""
        return [self._items[k] for k in self._by_span.get((start, end), ()) if k in self._items]

    def remove_overlapping(self, spans: Iterable[tuple[int, int]]) -> None:
        """Drop every mention overlapping one of ``spans``."""
        doomed: list[int] = []
        for start, end in spans:
            first = (start - self._longest) // self._BUCKET
            for b in range(first, (end - 1) // self._BUCKET + 1):
                for k in self._buckets.get(b, ()):
                    m = self._items.get(k)
                    if m is not None and m.start < end and start < m.end:
                        doomed.append(k)
        for k in doomed:
            self._items.pop(k, None)


def _abbreviation_concept(abbr: Abbreviation, mentions: _MentionPool, lexicon: Lexicon
                          ) -> tuple[Concept | None, Mention | None]:
    """The concept a short form stands for, and a new mention for its long form if needed."""
    inside = [m for m in mentions.ending_at(abbr.long_end) if m.start >= abbr.long_start]
    if inside:
        first = min(inside, key=lambda m: m.start)
        if (first.end - first.start) >= ABBREVIATION_AGREEMENT * (abbr.long_end - abbr.long_start):
            return first.concept, None
    own = mentions.at(abbr.short_start, abbr.short_end)
    if own and _agrees(abbr.long, lexicon.synonyms(own[0].concept.id)):
        concept = own[0].concept
        long_mention = Mention(abbr.long_start, abbr.long_end, abbr.long,
                               replace(concept), own[0].segment,
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
    return Mention(start, end, text[start:end], replace(concept),
                   span.segment, source="abbreviation")


# --- context --------------------------------------------------------------------------------

def _set_context(text: str, spans: list[_Span], mentions: list[Mention]) -> None:
    """Set the negated/hedged/hypothetical flags of each mention from its sentence (each
    sentence read once for all its mentions)."""
    readers: dict[int, SentenceContext] = {}
    for mention in mentions:
        span = _span_of(spans, mention.start)
        if span is None:
            continue
        reader = readers.get(span.start)
        if reader is None:
            reader = readers[span.start] = SentenceContext(text[span.start:span.end])
        flags = reader.of(mention.start - span.start, mention.end - span.start)
        mention.negated, mention.hedged, mention.hypothetical = (
            flags.negated, flags.hedged, flags.hypothetical)
