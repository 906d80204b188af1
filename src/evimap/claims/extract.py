"""Stage 6 entry point: sentences and mentions in, claims with their evidence out.

1. Build the document view (units, paragraphs, sections, mentions; pronouns resolved).
2. Match the rule table on every sentence (implicit subjects from the section or title).
3. Group sentences into study frames; a frame's treatment findings become one claim per
   (intervention, condition) with the frame's evidence; its other hits keep their sentence
   but take the frame's evidence. A primary peer-reviewed abstract reports its own study
   ("a prospective study" is the authors'), so it has no frames: its claims carry the
   document's design and size.
4. Every other hit is a claim with the sentence's own evidence (comments: anecdote).
5. Off-label use spreads to every treats claim of the same pair; exact repeats are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evimap.model import Claim, Evidence, Mention, Segment, Sentence, SourceProfile

from . import evidence as ev
from .cid import CidClassifier, cid_claims
from .document import Document, Unit, build_document
from .engine import Hit, match_sentence, render
from .frames import TREATMENT_PREDICATES, Frame, FrameClaim, find_frames, frame_claims

EXTRACTOR = "rules/0.1"
_AUTHORED_KINDS = frozenset({"peer_reviewed", "review"})
#: A sentence about the authors' own study ("In this randomised trial, we ...").
_OWN_STUDY = re.compile(r"\b(?:we|our|this|the present|the current)\b", re.I)
#: A structured abstract's background section: what is already known, not the findings.
_BACKGROUND = re.compile(r"^(?:background|introduction|context|rationale)\s*:", re.I)
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


def extract_claims(text: str, segments: Sequence[Segment], sentences: Sequence[Sentence],
                   mentions: Sequence[Mention], profile: SourceProfile,
                   metadata: Mapping[str, Any], cid: CidClassifier | None = None
                   ) -> list[Claim]:
    """Every claim of one document, in text order (a pure function of its arguments).

    ``cid``, when given, adds the document-level chemical-induced disease pairs it finds in
    authored literature as ``causes_adverse_effect`` claims (:mod:`evimap.claims.cid`).
    """
    doc = build_document(text, segments, sentences, mentions)
    ctx = _context(doc, segments, profile, metadata)
    hits = {u.index: _sentence_hits(doc, u) for u in doc.units}
    claims: list[Claim] = []
    absorbed: set[int] = set()
    for frame in find_frames(doc) if profile.kind != "peer_reviewed" else ():
        claims += _frame_claims(ctx, frame, hits)
        for unit in frame.units:
            for hit in hits[unit]:
                if hit.predicate not in TREATMENT_PREDICATES:
                    claims.append(_hit_claim(ctx, unit, hit, frame))
                absorbed.add(id(hit))
    for index, unit_hits in hits.items():
        claims += [_hit_claim(ctx, index, h, None) for h in unit_hits if id(h) not in absorbed]
    _spread_off_label(claims)
    if cid is not None and profile.kind in _AUTHORED_KINDS:
        evidence = Evidence(design=ctx.design, n=ctx.n, extractor=EXTRACTOR)
        claims += cid_claims(cid, text, segments, sentences, mentions, claims, evidence)
    return _unique(sorted(claims, key=lambda c: (c.start, c.predicate, c.subject.id,
                                                  c.object.id)))


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
    return _Context(doc, profile, design, n, background)


def _sentence_hits(doc: Document, unit: Unit) -> list[Hit]:
    rendered = render(doc.text, unit.start, unit.end, doc.mentions[unit.index])
    context = doc.context(unit.index)
    return match_sentence(rendered, implicit_subject=context[0] if context else None,
                          in_heading=unit.heading)


# --- claims from study frames -------------------------------------------------------------------

def _frame_evidence(ctx: _Context, frame: Frame, population: str | None) -> Evidence:
    text = " ".join(ctx.doc.sentence(u) for u in frame.units)
    design = ev.design_from_text(ctx.doc.sentence(frame.intro)) or ev.design_from_text(text)
    return Evidence(
        design=design or "unspecified", n=ev.sample_size(text), outcomes=ev.outcomes(text),
        dose="; ".join(ev.doses(text)) or None, population=population,
        asserted_by="quoted_study", study=frame.study or None, extractor=EXTRACTOR)


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
        evidence=_frame_evidence(ctx, frame, population))


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
        return Evidence(design="anecdote", asserted_by="commenter", extractor=EXTRACTOR)
    cue = ev.design_from_text(sentence)
    authored = ctx.profile.kind in _AUTHORED_KINDS
    if _BACKGROUND.match(sentence) or ctx.background.get(unit.segment):
        # prior knowledge the authors recall, not their study's finding
        return Evidence(design=cue or "unspecified", asserted_by="authors" if authored
                        else "page_author", extractor=EXTRACTOR)
    design = cue or ("expert_opinion" if expert else ctx.design)
    return Evidence(
        design=design, n=ev.sample_size(sentence) or (ctx.n if design == ctx.design else None),
        outcomes=ev.outcomes(sentence), dose="; ".join(ev.doses(sentence)) or None,
        asserted_by="authors" if authored else "page_author", extractor=EXTRACTOR)


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
