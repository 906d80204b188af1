"""A document's source kind from everything on the page, each piece of evidence shown.

Every cue of ``vocab/source_cues.tsv`` is looked for where its row says: the page's address
(``metadata["url"]``: its host against classes of domains, its path), the page's opening, its
whole text, its lines, its content segments, or a structure feature measured here (first-person
writing, reader comments that outweigh the text, publication types, a scholarly format). A
cue adds its weight per hit (up to its cap) to its kind; the best kind wins, and ``other``
(a constant prior) when nothing stands out.

``peer_reviewed`` and ``review`` are scored together as scholarly; a scholarly page is then a
``review`` when its design (publication types, else the report's own design read from its
text by :func:`evimap.claims.study.read_report`) is a meta-analysis, a systematic review or an
expert opinion, or when it names no design of its own and reads as a review; otherwise
``peer_reviewed``.

Everything here is a pure function of the document and the table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from .. import vocab
from ..model import CONTENT_KINDS, RawDocument, Segment, Sentence, Signal
from ..text import lowered
from ..vocab.source_cues import KINDS, SourceCue, source_cues

#: Formats only scholarly records come in.
SCHOLARLY_FORMATS = frozenset({"pubmed", "jats", "pubtator", "bioc"})
#: Designs that make a scholarly page a review, and those of an original study.
REVIEW_DESIGNS = frozenset({"meta_analysis", "systematic_review", "expert_opinion"})
ORIGINAL_DESIGNS = frozenset({"RCT", "cohort", "case_series", "case_report", "animal",
                              "in_vitro"})
#: Review cue weight that makes a page a review even when its text names a primary design.
STRONG_REVIEW = 2.5
#: Characters of the page's opening read as its head.
HEAD_CHARS = 600
#: First-person words (outside quotation marks) per 100 content words for ``first_person`` /
#: ``first_person_strong``, second-person words for ``second_person``.
FIRST_PERSON_RATE, FIRST_PERSON_STRONG, SECOND_PERSON_RATE = 3.0, 5.0, 1.5

#: The structure features :func:`features` measures (what a ``feature`` row may name).
FEATURES = ("first_person", "first_person_strong", "second_person", "comments_dominate",
            "scholarly_format", "publication_types", "review_publication_type",
            "journal_metadata")

_FIRST = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|myself)\b|\bI[’'](?:m|ve|d|ll)\b")
_SECOND = re.compile(r"\b(?:you|your|you're|yours|yourself)\b", re.I)
_WORD = re.compile(r"\w+")
_QUOTED = re.compile(r"\u201c[^\u201d]{0,400}\u201d|\"[^\"\n]{0,400}\"")
_SCHOLARLY = ("peer_reviewed", "review")


@dataclass(frozen=True, slots=True)
class Hit:
    """One cue that fired: its kind, the weight it added, and what showed it."""

    cue: SourceCue
    count: int
    shown: str

    @property
    def score(self) -> float:
        return self.cue.weight * min(self.count, self.cue.cap)


@dataclass(frozen=True)
class KindDecision:
    kind: str
    scores: dict[str, float]
    hits: tuple[Hit, ...]
    design: str                     # the scholarly page's design ("" when not scholarly)
    signals: tuple[Signal, ...]


def address(meta: Mapping[str, Any]) -> tuple[str, str] | None:
    """(host without "www." and trailing dot, decoded path and query) of the page's URL."""
    url = str(meta.get("url") or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:              # not an address ("http://[::1", a bad port)
        return None
    host = host[4:] if host.startswith("www.") else host
    path = unquote(parts.path) + (("?" + parts.query) if parts.query else "")
    return host, path


def features(raw: RawDocument, segments: Sequence[Segment]) -> dict[str, tuple[int, str]]:
    """The structure features the table's ``feature`` rows name: count and what showed it."""
    meta = raw.metadata
    out: dict[str, tuple[int, str]] = {}
    content = " ".join(s.text for s in segments if s.kind in ("title", "abstract", "body"))
    words = max(1, len(_WORD.findall(content)))
    first = len(_FIRST.findall(_QUOTED.sub(" ", content))) * 100.0 / words
    second = len(_SECOND.findall(content)) * 100.0 / words
    if first >= FIRST_PERSON_RATE:
        out["first_person"] = (1, f"{first:.1f} first-person words per 100")
    if first >= FIRST_PERSON_STRONG:
        out["first_person_strong"] = (1, f"{first:.1f} first-person words per 100")
    if second >= SECOND_PERSON_RATE:
        out["second_person"] = (1, f"{second:.1f} second-person words per 100")
    comments = [s for s in segments if s.kind == "comment"]
    comment_chars = sum(len(s.text) for s in comments)
    if len(comments) >= 2 and comment_chars > len(content):
        out["comments_dominate"] = (1, f"{len(comments)} comments, {comment_chars} characters "
                                       f"against {len(content)} of text")
    if raw.format in SCHOLARLY_FORMATS:
        out["scholarly_format"] = (1, f"a {raw.format} record")
    types = [str(p) for p in meta.get("publication_types") or []]
    types += [s.text.strip() for s in segments if s.label == "publication_type"]
    if types:
        out["publication_types"] = (1, ", ".join(types[:4]))
        if vocab.design_from_publication_types(types) in REVIEW_DESIGNS:
            out["review_publication_type"] = (1, ", ".join(types[:4]))
    journal = [k for k in ("doi", "pmid", "pmcid", "journal") if meta.get(k)]
    if journal:
        out["journal_metadata"] = (len(journal), ", ".join(f"{k} {meta[k]}" for k in journal))
    return out


def _where(scope: str, raw: RawDocument, segments: Sequence[Segment],
           addr: tuple[str, str] | None) -> str | None:
    if scope == "host":
        return addr[0] if addr else None
    if scope == "path":
        return addr[1] if addr else None
    if scope == "head":
        return raw.text[:HEAD_CHARS]
    if scope == "content":
        return "\n".join(s.text for s in segments if s.kind in ("title", "abstract", "body"))
    return raw.text


def cue_hits(raw: RawDocument, segments: Sequence[Segment]) -> list[Hit]:
    """Every cue of the table that fires on the document.

    A record in a scholarly format (PubMed, JATS, PubTator, BioC) is journal literature
    whatever its words: only the scholarly cues (which split review from original research)
    are read on it, not the web-page cues (prices, bylines, forum structure), which could
    not outweigh the format and cost most of this stage on a large literature ingest.
    """
    addr = address(raw.metadata)
    feats = features(raw, segments)
    texts: dict[str, tuple[str, str | None] | None] = {}
    hits = []
    journal_record = raw.format in SCHOLARLY_FORMATS
    for cue in source_cues():
        if journal_record and cue.kind not in _SCHOLARLY and cue.scope != "prior":
            continue
        if cue.scope == "prior":
            hits.append(Hit(cue, 1, "prior"))
            continue
        if cue.scope == "feature":
            if cue.pattern in feats:
                count, shown = feats[cue.pattern]
                hits.append(Hit(cue, count, shown))
            continue
        if cue.scope not in texts:
            where = _where(cue.scope, raw, segments, addr)
            texts[cue.scope] = (where, lowered(where)) if where else None
        scoped = texts[cue.scope]
        if not scoped or cue.regex is None:
            continue
        text = scoped[0]
        found = [text[m.start():m.end()] for m in cue.regex.finditer(*scoped)]
        found = [f for f in found if f.strip()]
        if found:
            hits.append(Hit(cue, len(found), " ".join(found[0].split())[:80]))
    return hits


def decide(raw: RawDocument, segments: Sequence[Segment]) -> KindDecision:
    """The page's source kind, its per-kind scores, the cues that fired and why."""
    hits = cue_hits(raw, segments)
    scores = dict.fromkeys(KINDS, 0.0)
    for h in hits:
        scores[h.cue.kind] += h.score
    scholarly = scores["peer_reviewed"] + scores["review"]
    ranked = {k: v for k, v in scores.items() if k not in _SCHOLARLY}
    ranked["scholarly"] = scholarly
    best = max(ranked, key=lambda k: (ranked[k], k == "other"))
    design, why = "", ""
    if best == "scholarly":
        design = scholarly_design(raw, segments)
        review = scores["review"]
        if design in REVIEW_DESIGNS:
            kind, why = "review", f"design {design}"
        elif design in ORIGINAL_DESIGNS and review < STRONG_REVIEW:
            kind, why = "peer_reviewed", f"design {design} (an original study)"
        elif design in ORIGINAL_DESIGNS:
            kind, why = "review", f"design {design}, but it reads as a review"
        elif review > 0:
            kind, why = "review", "no study design of its own; it reads as a review"
        else:
            kind, why = "peer_reviewed", "no study design stated; no review wording"
        scores[kind] = scholarly
    else:
        kind = best
    shown = {k: round(v, 2) for k, v in scores.items()}
    return KindDecision(kind, shown, tuple(hits), design,
                        tuple(_signals(kind, ranked, hits, why)))


def _signals(kind: str, ranked: Mapping[str, float], hits: Sequence[Hit],
             why: str) -> list[Signal]:
    """What shows why the kind was chosen: the runner-up and the cues that spoke for it."""
    mine = ("scholarly" if kind in _SCHOLARLY else kind)
    order = sorted(ranked, key=lambda k: -ranked[k])
    runner = next((k for k in order if k != mine), "other")
    head = f"{kind}: score {ranked[mine]:.1f} against {runner} {ranked[runner]:.1f}"
    out = [Signal("source_kind", 0.0, head + (f"; {why}" if why else ""))]
    own = [h for h in hits if (h.cue.kind in _SCHOLARLY if kind in _SCHOLARLY
                               else h.cue.kind == kind) and h.cue.scope != "prior"]
    for h in sorted(own, key=lambda h: -h.score)[:8]:
        out.append(Signal("kind_cue", 0.0, f"{h.cue.kind} +{h.score:g}: {h.cue.name}: "
                                           f"\u201c{h.shown}\u201d"))
    return out


def scholarly_design(raw: RawDocument, segments: Sequence[Segment]) -> str:
    """The design of a scholarly page: its publication types, else its report's own design
    read from the text (``unspecified`` when neither says)."""
    types = [str(p) for p in raw.metadata.get("publication_types") or []]
    types += [s.text.strip() for s in segments if s.label == "publication_type"]
    from_types = vocab.design_from_publication_types(types)
    if from_types:
        return from_types
    # imported here: the claim stage imports this package's profile through the pipeline
    from ..claims.document import build_document
    from ..claims.study import read_report
    from ..text import sentences as split_sentences
    sents = [Sentence(s, e, i) for i, seg in enumerate(segments) if seg.kind in CONTENT_KINDS
             for s, e in split_sentences(raw.text, seg.start, seg.end)]
    if not sents:
        return "unspecified"
    report = read_report(build_document(raw.text, segments, sents, []), "peer_reviewed",
                         raw.metadata)
    return report.design if report is not None else "unspecified"
