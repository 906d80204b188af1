"""Stage 4, classify sources: what kind of source a document is and how credible it looks.

``profile_source(raw, segments)`` is a pure function. The kind comes from everything on the
page (:mod:`evimap.sources.kinds`): its address when known (``metadata["url"]``: a sidecar,
an HTML canonical URL, a JSONL field) against classes of domains, publication types, journal
metadata, bylines, prices and booking prompts, forum and review structure, agency names,
each a row of ``vocab/source_cues.tsv`` that adds its weight to one kind and is shown as a
``kind_cue`` signal; a scholarly page is a ``review`` or ``peer_reviewed`` by its design.
Credibility starts from a prior for the kind and adds or subtracts one named
:class:`~evimap.model.Signal` per piece of evidence (authorship, cited sources, disclosure,
date, stated uncertainty, risks mentioned, calls to action), each with the text that showed
it, clamped to [0, 1].

Reader comments are ``forum_or_comments`` whatever page they sit on: claims from comment
segments carry that kind (see :func:`segment_source_kind`), not the page's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .. import vocab
from ..model import RawDocument, Segment, Signal, SourceProfile
from .kinds import decide

#: Credibility before signals, by source kind.
PRIORS: Mapping[str, float] = {
    "peer_reviewed": 0.70, "review": 0.70, "government": 0.70, "news": 0.45,
    "patient_education": 0.45, "other": 0.35, "commercial": 0.25, "forum_or_comments": 0.20,
}


def _rx(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


CTA_RE = _rx(r"get in touch", r"contact us", r"call (?:us|today|now)",
             r"book (?:a|an|your|now)", r"schedule (?:a|an|your)", r"sign up",
             r"request (?:a|an) (?:consultation|appointment)",
             r"free consultation", r"learn more about our", r"our (?:clinic|clinics|team|plan)",
             r"we offer", r"buy now", r"order now")
UNCERTAINTY_RE = _rx(r"further (?:studies|research) (?:is|are) needed",
                     r"more (?:studies|research) (?:need|needs|is needed|are needed)",
                     r"evidence (?:is|was) (?:still )?(?:scarce|limited|weak|not strong)",
                     r"not (?:yet )?(?:been )?(?:studied|proven)", r"small study",
                     r"calling for more research", r"more clearly delineate",
                     r"it is not possible to conclude",
                     r"limitations?", r"preliminary", r"uncertain")
RISK_RE = _rx(r"side effects?", r"adverse (?:effects?|events?|reactions?)", r"contraindicat\w*",
              r"do not use", r"risk of", r"warnings?", r"toxicity", r"interactions?",
              r"speak (?:to|with) your (?:healthcare provider|doctor|physician)")
QUOTED_STUDY_RE = _rx(r"published in", r"journal of", r"according to (?:findings|a study|research)")
HONCODE_RE = _rx(r"HONcode")


def profile_source(raw: RawDocument, segments: Sequence[Segment]) -> SourceProfile:
    """The source kind, credibility score and signals of one document."""
    meta = raw.metadata
    content = [s for s in segments if s.kind in ("title", "abstract", "body")]
    content_text = "\n".join(s.text for s in content)
    pub_types = [str(p).lower() for p in meta.get("publication_types") or []]
    pub_types += [s.text.strip().lower() for s in segments if s.label == "publication_type"]
    labels = {s.label for s in segments}
    decision = decide(raw, segments)
    signals = _signals(raw, segments, content_text, labels, meta, pub_types)
    cred = PRIORS[decision.kind] + sum(s.weight for s in signals)
    return SourceProfile(kind=decision.kind, credibility=round(min(1.0, max(0.0, cred)), 3),
                         signals=[*decision.signals, *signals], kind_scores=decision.scores,
                         design=vocab.design_from_publication_types(pub_types) or "unspecified")


def segment_source_kind(page_kind: str, segment_kind: str) -> str:
    """The source kind a claim from this segment carries: comments are forum content."""
    return "forum_or_comments" if segment_kind == "comment" else page_kind


def _count(rx: re.Pattern[str], text: str) -> int:
    return len(rx.findall(text))


def _signals(raw: RawDocument, segments: Sequence[Segment], content_text: str,
             labels: set[str], meta: Mapping[str, Any], pub_types: Sequence[str]) -> list[Signal]:
    out: list[Signal] = []
    authors = meta.get("authors") or [s.text.strip() for s in segments if s.label == "authors"]
    if authors:
        shown = ", ".join(str(a) for a in list(authors)[:3])
        out.append(Signal("authorship", 0.10, f"named author(s): {shown}"))
    else:
        out.append(Signal("authorship", -0.05, "no named author"))
    cited = [s for s in segments if s.kind in ("cited_source", "references")]
    quoted = _count(QUOTED_STUDY_RE, content_text)
    if cited:
        out.append(Signal("cited_sources", min(0.15, 0.05 * len(cited)),
                          f"{len(cited)} cited source(s) or reference(s)"))
    elif quoted:
        out.append(Signal("cited_sources", 0.03,
                          f"names {quoted} published source(s) without links"))
    else:
        out.append(Signal("cited_sources", -0.05, "no cited sources"))
    if "conflict_of_interest" in labels or meta.get("coi"):
        out.append(Signal("disclosure", 0.10, "conflict-of-interest statement present"))
    if meta.get("date") or meta.get("year") or "date" in labels:
        out.append(Signal("date", 0.05, f"dated {meta.get('date') or meta.get('year') or ''}"
                          .strip()))
    if pub_types:
        out.append(Signal("peer_review", 0.05, "publication type: " + ", ".join(pub_types)))
    m = UNCERTAINTY_RE.search(content_text)
    if m:
        out.append(Signal("uncertainty", 0.05, f"states uncertainty: \u201c{m.group(0)}\u201d"))
    risks = RISK_RE.findall(content_text)
    if risks:
        shown = ", ".join(sorted({r.lower() for r in risks})[:4])
        out.append(Signal("risks", 0.05, f"mentions risks: {shown}"))
    ctas = CTA_RE.findall(content_text)
    promo = [s for s in segments if s.kind == "boilerplate" and s.label in ("promo", "contact")]
    if ctas or promo:
        what = ", ".join(sorted({c.lower() for c in ctas})[:3]) or promo[0].text.strip()[:60]
        out.append(Signal("call_to_action", -0.15, f"calls to action: {what}"))
    if HONCODE_RE.search(raw.text):
        out.append(Signal("honcode", 0.02, "claims HONcode certification"))
    return out
