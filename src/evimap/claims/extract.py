"""Stage 6 entry point: sentences and mentions in, claims with their evidence out.

Claims come from **extractors** behind one contract (:class:`Extractor`): each is registered
with a name and a version (:func:`register`), takes one :class:`DocumentView` (the document
as every extractor reads it: units, paragraphs, sections, mentions, pronouns resolved, the
rule hits and study frames, the document's own design and size), its model if it has one,
and the claims of the extractors before it, and returns claims. :func:`extract_claims` runs
the registered ones in order and merges their claims by claim key: the same claim from the
same sentence is kept once, from the first extractor, and the others that found it are
listed in ``qualifiers["also_by"]``. Every claim's evidence records the extractor
(``name/version``) and the rule or model that fired (``Evidence.rule``), so precision can be
measured per extractor (``evimap eval pages``). Claims whose subject or object type the
predicate does not allow (``evimap/vocab/predicates.tsv``) are dropped.

The built-in extractors, in order:

``rules``
    the trigger table (``rules.py``) on every sentence, implicit subjects from the section
    or title; hits inside a study frame take the frame's evidence; comments are anecdotes.
``frames``
    study frames (``frames.py``): a frame's treatment findings become one claim per
    (intervention, condition) with the frame's evidence. A primary peer-reviewed abstract
    reports its own study ("a prospective study" is the authors'), so it has no frames: its
    claims carry the document's design and size.
``relation``
    the learned typed relation model (``relation.py``, trained on BioRED abstracts) on
    research literature (peer-reviewed records and reviews), when loaded.
``pairs``
    the learned sentence-level pair model (``pairs.py``, trained on pages-dev) on web pages
    (every source but research literature, where on BioRED Dev it cost 2 points of typed F1
    beside the relation model and its cross-validation on pages-dev was even), when loaded.
``cid``
    document-level chemical-induced disease pairs (``cid.py``) in authored literature, when
    loaded, less the pairs an earlier extractor says the chemical helps with, each placed
    on a sentence that speaks of causing or harm.
``study``
    the study frame of a research report (``study.py``): result and conclusion sentences
    that name no intervention ("there was no difference between groups") become claims of
    the studied intervention, never of its comparator.

An extractor may declare the source kinds it reads (``Extractor.kinds``: each learned model
where it was trained and measured); ``--extractors`` / ``EVIMAP_EXTRACTORS`` choose which
run. A research report read as plain text takes its design and size from its title,
objective and methods (``study.read_report``). Off-label use spreads to every treats
claim of the same pair; exact repeats are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .. import vocab
from ..model import (
    SOURCE_KINDS,
    Claim,
    Concept,
    Evidence,
    Mention,
    Segment,
    Sentence,
    SourceProfile,
)
from . import evidence as ev
from . import modality
from .document import Document, Unit, build_document
from .engine import Hit, match_sentence, render
from .frames import TREATMENT_PREDICATES, Frame, FrameClaim, find_frames, frame_claims
from .study import Report, read_report

#: The rule extractor's id, kept for callers that name it.
EXTRACTOR = "rules/0.2"
#: Research literature (abstracts, papers): where the relation and CID models were trained.
_AUTHORED_KINDS = frozenset({"peer_reviewed", "review"})
#: Every other source (news, patient education, forums, adverts, agencies): web pages.
_PAGE_KINDS = frozenset(SOURCE_KINDS) - _AUTHORED_KINDS
#: A sentence about the authors' own study ("In this randomised trial, we ...").
_OWN_STUDY = re.compile(r"\b(?:we|our|this|the present|the current)\b", re.I)
#: A structured abstract's background section: what is already known, not the findings.
_BACKGROUND = re.compile(r"^(?:background|introduction|context|rationale)\s*:", re.I)
#: A writer's own experience ("I took", "my migraines"): a personal story, not a finding.
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|my|me)\b")
_BACKGROUND_LABELS = frozenset({"background", "introduction", "context", "rationale"})
_PRIMARY_DESIGNS = frozenset({"RCT", "cohort", "case_series", "case_report", "animal",
                              "in_vitro", "meta_analysis", "systematic_review"})


@dataclass(frozen=True, slots=True)
class _Context:
    """What every claim of one document shares."""

    doc: Document
    profile: SourceProfile
    design: str                     # the design of the document's own statements
    n: int | None                   # the document's own sample size (primary studies)
    background: Mapping[int, bool]  # segment index -> is a background section
    report: Report | None           # a research report's sections, design and size


@dataclass(frozen=True)
class DocumentView:
    """One document as every extractor reads it (built once per document)."""

    text: str
    segments: Sequence[Segment]
    sentences: Sequence[Sentence]
    mentions: Sequence[Mention]
    profile: SourceProfile
    metadata: Mapping[str, Any]
    doc: Document                   # units, paragraphs, sections, resolved mentions
    context: _Context               # the document's own design, size, background sections
    hits: Mapping[int, Sequence[Hit]]   # unit index -> the rule table's hits
    frames: Sequence[Frame]         # study frames (none in a primary peer-reviewed record)


def document_view(text: str, segments: Sequence[Segment], sentences: Sequence[Sentence],
                  mentions: Sequence[Mention], profile: SourceProfile,
                  metadata: Mapping[str, Any]) -> DocumentView:
    """The view every extractor reads (a pure function of its arguments)."""
    doc = build_document(text, segments, sentences, mentions)
    ctx = _context(doc, segments, profile, metadata)
    hits = {u.index: _sentence_hits(doc, u) for u in doc.units}
    frames = find_frames(doc) if profile.kind != "peer_reviewed" else []
    return DocumentView(text, segments, sentences, mentions, profile, metadata, doc, ctx,
                        hits, frames)


#: An extractor's work: the view, its model (None for extractors without one) and the
#: claims of the extractors before it -> claims.
ExtractFn = Callable[[DocumentView, Any, Sequence[Claim]], list[Claim]]


@dataclass(frozen=True)
class Extractor:
    """A registered claim extractor."""

    name: str
    version: str
    run: ExtractFn
    model: str | None = None        # the model it needs ("cid", "relation"); the extractor
                                    # is skipped when the caller has not loaded it
    kinds: frozenset[str] | None = None     # the source kinds it reads (None: all): each
                                            # learned model where it was trained and measured
    description: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}/{self.version}"


_REGISTRY: dict[str, Extractor] = {}


def register(extractor: Extractor) -> Extractor:
    """Add (or replace, by name) an extractor; they run in registration order."""
    _REGISTRY[extractor.name] = extractor
    return extractor


def extractors() -> tuple[Extractor, ...]:
    """The registered extractors, in the order they run."""
    return tuple(_REGISTRY.values())


def extract_claims(text: str, segments: Sequence[Segment], sentences: Sequence[Sentence],
                   mentions: Sequence[Mention], profile: SourceProfile,
                   metadata: Mapping[str, Any], models: Mapping[str, Any] | None = None,
                   only: Sequence[str] | None = None) -> list[Claim]:
    """Every claim of one document, in text order (a pure function of its arguments).

    ``models`` holds the loaded models by name (``{"cid": ..., "relation": ...}``); an
    extractor whose model is absent is skipped. ``only`` limits the run to the named
    extractors.
    """
    view = document_view(text, segments, sentences, mentions, profile, metadata)
    models = models or {}
    claims: list[Claim] = []
    for extractor in extractors():
        if only is not None and extractor.name not in only:
            continue
        if extractor.kinds is not None and profile.kind not in extractor.kinds:
            continue
        model = models.get(extractor.model) if extractor.model else None
        if extractor.model and model is None:
            continue
        found = extractor.run(view, model, list(claims))
        claims += [_stamped(c, extractor) for c in found]
    claims = [_identified(c) for c in claims if _types_allowed(c)]
    _spread_off_label(claims)
    return _unique(_merged(sorted(claims, key=lambda c: (c.start, c.predicate, c.subject.id,
                                                          c.object.id))))


def named(claims: Sequence[Claim], concept_of: Callable[[str], Concept]) -> list[Claim]:
    """``claims`` with each subject and object that ``concept_of`` knows (a lexicon's
    :meth:`concept <evimap.entities.Lexicon.concept>`: ``KeyError`` for an unknown ID) under
    its MeSH name and tree numbers, its type kept. A part of a composite mention ("renal
    and hepatic failure") reaches a claim named by the mention's words, without trees; the
    store keeps the first name it is given for a concept."""
    for claim in claims:
        for role in ("subject", "object"):
            concept = getattr(claim, role)
            try:
                known = concept_of(concept.id)
            except KeyError:
                continue
            if (known.name, known.trees) != (concept.name, concept.trees):
                setattr(claim, role, replace(concept, name=known.name, trees=known.trees))
    return list(claims)


def _stamped(claim: Claim, extractor: Extractor) -> Claim:
    """The claim with its extractor's id in its evidence."""
    if claim.evidence.extractor != extractor.id:
        claim.evidence = replace(claim.evidence, outcomes=list(claim.evidence.outcomes),
                                 extractor=extractor.id)
    return claim


def _identified(claim: Claim) -> Claim:
    """An unnormalised subject or object (concept ``-1``) is identified by its words
    (``-1:galcanezumab``), so claims about different unknown names never merge."""
    for role in ("subject", "object"):
        concept: Concept = getattr(claim, role)
        if concept.id == "-1":
            words = "-".join(re.findall(r"[a-z0-9]+", concept.name.lower())) or "unnamed"
            setattr(claim, role, replace(concept, id=f"-1:{words}"))
    return claim


def _types_allowed(claim: Claim) -> bool:
    entry = vocab.predicates().get(claim.predicate)
    return entry is None or (claim.subject.type in entry.subject
                             and claim.object.type in entry.object)


def _merged(claims: Sequence[Claim]) -> list[Claim]:
    """One claim per (claim key, sentence): the first extractor's, naming the others."""
    first: dict[tuple[str, int, int], Claim] = {}
    out = []
    for claim in claims:
        slot = (claim.key, claim.start, claim.end)
        kept = first.get(slot)
        if kept is None:
            first[slot] = claim
            out.append(claim)
        elif claim.evidence.extractor != kept.evidence.extractor:
            others = kept.qualifiers.setdefault("also_by", [])
            if claim.evidence.extractor not in others:
                others.append(claim.evidence.extractor)
    return out


# --- the built-in extractors ---------------------------------------------------------------------

def _rule_claims(view: DocumentView, _model: Any, _prior: Sequence[Claim]) -> list[Claim]:
    """Rule hits that no study frame absorbed (hits inside a frame take its evidence)."""
    absorbed: set[int] = set()
    claims: list[Claim] = []
    for frame in view.frames:
        for unit in frame.units:
            for hit in view.hits[unit]:
                if hit.predicate not in TREATMENT_PREDICATES:
                    claims.append(_hit_claim(view.context, unit, hit, frame))
                absorbed.add(id(hit))
    for index, unit_hits in view.hits.items():
        claims += [_hit_claim(view.context, index, h, None) for h in unit_hits
                   if id(h) not in absorbed]
    return claims


def _frame_claims_of(view: DocumentView, _model: Any, _prior: Sequence[Claim]) -> list[Claim]:
    return [c for frame in view.frames for c in _frame_claims(view.context, frame, view.hits)]


#: Extractors whose claims the CID classifier reads as features (it was trained with them).
_CID_FEATURE_EXTRACTORS = ("rules/", "frames/")
#: Predicates that say a chemical helps with a condition: a CID pair is vetoed by them.
_BENEFIT = vocab.of_polarity("benefit")


#: A claim is traced to a sentence that says it: a document-level CID pair becomes a claim
#: only where its sentence speaks of causing or of harm.
_HARM_SENTENCE = re.compile(
    r"\b(?:induc|caus|provok|evok|elicit|precipitat|trigger|toxic|advers|side[- ]effect|"
    r"complication|overdos|poison|intoxica|associated with|develop|occurr|after|following)",
    re.I)


def _cid_claims(view: DocumentView, model: Any, prior: Sequence[Claim]) -> list[Claim]:
    """CID pairs in authored literature, less the pairs an earlier extractor says the
    chemical treats, prevents, has no effect on or is approved for (a comparator's
    indication is not its adverse effect) and those whose sentence does not speak of
    causing or harm."""
    from .cid import cid_claims
    if view.profile.kind not in _AUTHORED_KINDS:
        return []
    ctx = view.context
    evidence = Evidence(design=ctx.design, n=ctx.n, rule="cid_classifier")
    features = [c for c in prior if c.evidence.extractor.startswith(_CID_FEATURE_EXTRACTORS)]
    helped = {(c.subject.id, c.object.id) for c in prior if c.predicate in _BENEFIT}
    return [c for c in cid_claims(model, view.text, view.segments, view.sentences,
                                  view.mentions, features, evidence)
            if (c.subject.id, c.object.id) not in helped and _HARM_SENTENCE.search(c.sentence)]


def _relation_claims(view: DocumentView, model: Any, prior: Sequence[Claim]) -> list[Claim]:
    """The learned model's pairs, each with the evidence of the sentence that tells it (a
    pair the rules already state in that sentence is theirs)."""
    from .relation import VIA, relation_claims
    found = relation_claims(model, view.text, view.segments, view.sentences, view.mentions,
                            view.profile, prior)
    by_start = {u.start: u for u in view.doc.units}
    out = []
    for claim in found:
        unit = by_start.get(claim.start)
        if unit is None:
            continue
        evidence = _sentence_evidence(view.context, unit, claim.sentence, None)
        evidence.rule = claim.evidence.rule or VIA
        claim.evidence = evidence
        out.append(claim)
    return out


def _pair_claims(view: DocumentView, model: Any, prior: Sequence[Claim]) -> list[Claim]:
    """The sentence-level pair model's claims (``pairs.py``), each with its sentence's
    evidence; a pair an earlier extractor already states in that sentence is left to it
    (the rule's predicate, "no effect", stands over the model's)."""
    from .pairs import VIA, negated_in, pair_claims
    stated = {(c.start, c.subject.id, c.object.id) for c in prior}
    have: set[tuple[int, str]] = set()
    out = []
    for cand, predicate, p in pair_claims(view, model, prior):
        unit = view.doc.units[cand.unit]
        if (unit.start, cand.subject.id, cand.object.id) in stated:
            continue
        sentence = view.doc.sentence(cand.unit)
        negated = predicate != "no_effect" and negated_in(view, cand)
        claim = Claim(
            subject=cand.subject, predicate=predicate, object=cand.object, sentence=sentence,
            start=unit.start, end=unit.end, segment=unit.segment, segment_kind=unit.kind,
            negated=negated, hedged=modality.hedged(sentence),
            hypothetical=modality.hypothetical(sentence),
            qualifiers={"via": VIA, "p": round(p, 3),
                        **({"subject_from": cand.subject_from}
                           if cand.subject_mention is None else {})},
            evidence=_sentence_evidence(view.context, unit, sentence, None))
        claim.evidence.rule = VIA
        if (claim.start, claim.key) not in have:
            have.add((claim.start, claim.key))
            out.append(claim)
    return out


register(Extractor("rules", "0.2", _rule_claims,
                   description="the trigger table (claims/rules.py), sentence by sentence"))
register(Extractor("frames", "0.2", _frame_claims_of,
                   description="study frames (claims/frames.py): findings of the studied "
                               "intervention"))
register(Extractor("relation", "1", _relation_claims, model="relation", kinds=_AUTHORED_KINDS,
                   description="learned typed chemical-disease relation model "
                               "(claims/relation.py)"))
register(Extractor("pairs", "1", _pair_claims, model="pairs", kinds=_PAGE_KINDS,
                   description="learned sentence-level claim model over every intervention-"
                               "condition pair of web pages (claims/pairs.py)"))
register(Extractor("cid", "1", _cid_claims, model="cid",
                   description="document-level chemical-induced disease classifier "
                               "(claims/cid.py), authored literature only"))


def _context(doc: Document, segments: Sequence[Segment], profile: SourceProfile,
             metadata: Mapping[str, Any]) -> _Context:
    design = ev.document_design(profile.kind, profile.design, metadata)
    background = {i: seg.label.strip().lower() in _BACKGROUND_LABELS
                  for i, seg in enumerate(segments)}
    n = None
    if profile.kind == "peer_reviewed":
        abstract = " ".join(doc.sentence(u.index) for u in doc.units if u.kind == "abstract")
        if design == "unspecified":
            # a primary record's title names its own design ("... : A Randomized Trial")
            design = next((d for u in doc.units if (u.kind == "title" or (
                u.kind == "abstract" and _OWN_STUDY.search(doc.sentence(u.index))))
                for d in [ev.design_from_text(doc.sentence(u.index))] if d), design)
        if design in _PRIMARY_DESIGNS:
            n = ev.sample_size(abstract)
    report = read_report(doc, profile.kind, metadata)
    if design == "unspecified" and report is not None:
        # a research report read as plain text (no publication types): its own statements
        # carry the design its title, objective and methods state (claims/study.py)
        design = report.design
        if design in _PRIMARY_DESIGNS:
            n = report.n
    return _Context(doc, profile, design, n, background, report)


def _sentence_hits(doc: Document, unit: Unit) -> list[Hit]:
    rendered = render(doc.text, unit.start, unit.end, doc.mentions[unit.index])
    context = doc.context(unit.index)
    return match_sentence(rendered, implicit_subject=context[0] if context else None,
                          in_comment=unit.kind == "comment",
                          in_heading=unit.heading)


# --- claims from study frames -------------------------------------------------------------------

def _frame_evidence(ctx: _Context, frame: Frame, population: str | None) -> Evidence:
    text = " ".join(ctx.doc.sentence(u) for u in frame.units)
    design = ev.design_from_text(ctx.doc.sentence(frame.intro)) or ev.design_from_text(text)
    return Evidence(
        design=design or "unspecified", n=ev.sample_size(text), outcomes=ev.outcomes(text),
        dose="; ".join(ev.doses(text)) or None, population=population,
        asserted_by="quoted_study", study=frame.study or None)


def _frame_claims(ctx: _Context, frame: Frame, hits: Mapping[int, Sequence[Hit]]
                  ) -> list[Claim]:
    return [_claim_from_frame(ctx, frame, fc) for fc in frame_claims(ctx.doc, frame, hits)]


def _claim_from_frame(ctx: _Context, frame: Frame, fc: FrameClaim) -> Claim:
    unit = ctx.doc.units[fc.key]
    population = _population(ctx.doc, frame, fc)
    qualifiers: dict[str, Any] = {"via": "study_frame"}
    if fc.via != "study_frame":
        qualifiers["object_from"] = fc.via
    return Claim(
        subject=fc.subject, predicate=fc.predicate, object=fc.object,
        sentence=ctx.doc.sentence(fc.key), start=unit.start, end=unit.end,
        segment=unit.segment, segment_kind=unit.kind, negated=False, hedged=fc.hedged,
        hypothetical=fc.hypothetical, qualifiers=qualifiers,
        evidence=replace(_frame_evidence(ctx, frame, population), rule=f"frame:{fc.via}"))


def _population(doc: Document, frame: Frame, fc: FrameClaim) -> str | None:
    """The condition as the frame's sentences qualify it ("chronic migraines")."""
    mentions = [m for u in frame.units for m in doc.mentions[u]
                if m.concept.id == fc.object.id and m.source != "coreference"]
    for mention in mentions:
        found = ev.population(doc.text, mention.start, mention.end)
        if found:
            return found
    return None


# --- claims from single sentences ---------------------------------------------------------------

def _hit_claim(ctx: _Context, index: int, hit: Hit, frame: Frame | None) -> Claim:
    unit = ctx.doc.units[index]
    sentence = ctx.doc.sentence(index)
    qualifiers = dict(hit.qualifiers)
    if hit.off_label:
        qualifiers["off_label"] = True
    via = _via(ctx.doc, index, hit)
    if via:
        qualifiers["via"] = via
    expert = ev.quoted_expert(sentence) if frame is None else None
    if expert:
        qualifiers["attributed_to"] = expert
    if frame is not None:
        evidence = _frame_evidence(ctx, frame, None)
    else:
        evidence = _sentence_evidence(ctx, unit, sentence, expert)
    evidence.rule = hit.rule.name
    if hit.object_mention is not None and evidence.population is None:
        evidence.population = ev.population(ctx.doc.text, hit.object_mention.start,
                                            hit.object_mention.end)
    return Claim(
        subject=hit.subject, predicate=hit.predicate, object=hit.object, sentence=sentence,
        start=unit.start, end=unit.end, segment=unit.segment, segment_kind=unit.kind,
        negated=hit.negated, hedged=hit.hedged, hypothetical=hit.hypothetical,
        qualifiers=qualifiers,
        evidence=evidence)


def _via(doc: Document, index: int, hit: Hit) -> str | None:
    if hit.subject_mention is None:
        context = doc.context(index)
        return f"implicit_subject:{context[1]}" if context else "implicit_subject"
    if hit.subject_mention.source == "coreference":
        return "coreference"
    return None


def _sentence_evidence(ctx: _Context, unit: Unit, sentence: str,
                       expert: str | None) -> Evidence:
    """Evidence of a statement made in one sentence, by its commenter, page or authors."""
    if unit.kind == "comment":
        return Evidence(design="anecdote", asserted_by="commenter")
    cue = ev.design_from_text(sentence)
    authored = ctx.profile.kind in _AUTHORED_KINDS
    if not authored and not cue and (ctx.profile.kind == "forum_or_comments"
                                     or _FIRST_PERSON.search(sentence)):
        # a forum post, or a page's writer telling their own experience: a personal story
        return Evidence(design="anecdote", asserted_by="page_author")
    if _BACKGROUND.match(sentence) or ctx.background.get(unit.segment):
        # prior knowledge the authors recall, not their study's finding
        return Evidence(design=cue or "unspecified", asserted_by="authors" if authored
                        else "page_author")
    design = cue or ("expert_opinion" if expert else ctx.design)
    return Evidence(
        design=design, n=ev.sample_size(sentence) or (ctx.n if design == ctx.design else None),
        outcomes=ev.outcomes(sentence), dose="; ".join(ev.doses(sentence)) or None,
        asserted_by="authors" if authored else "page_author")


# --- document-level passes ----------------------------------------------------------------------

def _spread_off_label(claims: list[Claim]) -> None:
    """A pair the page calls off-label ("used off-label", "not approved for") is off-label in
    every treats claim of the page, unless the page also says it is approved."""
    approved = {(c.subject.id, c.object.id) for c in claims
                if c.predicate == "approved_for" and not c.negated}
    off = {(c.subject.id, c.object.id) for c in claims
           if (c.predicate == "treats" and c.qualifiers.get("off_label"))
           or (c.predicate == "approved_for" and c.negated)} - approved
    for claim in claims:
        if claim.predicate in ("treats", "prevents") and (claim.subject.id,
                                                          claim.object.id) in off:
            claim.qualifiers["off_label"] = True


def _unique(claims: Sequence[Claim]) -> list[Claim]:
    """Drop repeats: the same claim from the same words (a title printed twice)."""
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for claim in claims:
        key = (claim.key, " ".join(claim.sentence.split()).lower(),
               claim.evidence.asserted_by, claim.evidence.design)
        if key not in seen:
            seen.add(key)
            out.append(claim)
    return out


# --- the study frame of a research report (claims/study.py) ------------------------------------

def _study_claims(view: DocumentView, _model: Any, _prior: Sequence[Claim]) -> list[Claim]:
    """Result sentences of a research report that do not name the drug, as claims of the
    studied intervention for the studied condition (with the report's design and size)."""
    from .study import frame_of, study_claims
    report = view.context.report
    if report is None:
        return []
    return study_claims(view.doc, frame_of(view.doc, report), view.context.background)


register(Extractor("study", "1", _study_claims,
                   description="the study frame of a research report (claims/study.py): "
                               "result sentences without the drug's name, as claims of the "
                               "studied intervention"))
