"""Stage 7, assemble: equal claims from different works merge into statements with a belief.

A statement is (subject, predicate, object, negated). Its belief combines the evidence of
the *independent works* behind it (copies of one paper are one work and count once), by the
model of :mod:`evimap.assemble.belief` with its packaged priors (``priors.tsv`` and the
design priors of ``vocab/designs.tsv``; ``docs/belief.md``):

* each claim gets a weight ``w = design x (1 - source_error) x credibility x size x
  modality`` (the source kind's systematic error: a clinic's advert quoting a case series
  weighs less than the peer-reviewed review it competes with);
* a work contributes its strongest claim;
* ``belief = 1 - prod(1 - w_work)`` over works: independent support accumulates, but an
  anecdote (design prior 0.10) can never outweigh a trial.

The statement's ``explanation`` keeps, per work, its weight and every factor of it, so the
UI and the report can say in words what the belief means (:func:`belief.describe`).

A more specific statement supports a broader one: "magnesium sulfate treats migraine with
aura" is evidence for "... treats migraine" when MeSH places the specific concepts under the
broader ones (tree numbers). Its works count for the broader statement at
``SPECIFIC_SUPPORT`` of their weight (still once per work), and the broader statement lists
it in ``supported_by``. Only statements that exist are strengthened; none are invented.

Statements whose claims disagree (``treats`` vs ``no_effect``, or a predicate asserted and
negated, e.g. approved vs not approved) are flagged ``contested``; :func:`rivals` names the
statements that contest one.

A claim a reader marked wrong (``evimap curate CLAIM --wrong``, the ``curation`` table) is
left out: its statement's belief, works and claims are those of the other claims, the
explanation lists it under ``excluded``, and a statement left without claims has belief 0
and contests nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import vocab
from ..sources import segment_source_kind
from . import belief
from .belief import credibility_factor, size_factor

#: Design weights and ranks are data (``evimap/vocab/designs.tsv``).
DESIGN_WEIGHT: Mapping[str, float] = {d.name: d.weight for d in vocab.designs().values()}
DESIGN_RANK: Mapping[str, int] = {d.name: d.rank for d in vocab.designs().values()}
#: The modality factors and the narrower-statement share are priors (``priors.tsv``).
HEDGED_FACTOR = belief.priors().hedged
HYPOTHETICAL_FACTOR = belief.priors().hypothetical
SPECIFIC_SUPPORT = belief.priors().narrower
#: Opposite predicate pairs: a statement and its opposite make both contested.
OPPOSITES: Mapping[str, str] = vocab.opposites()
MODEL = ("belief = 1 - prod(1 - w_work); w = design x (1 - source_error) x credibility x "
         "size x modality (hedged, hypothetical, second-hand); a work counts once, by its "
         f"strongest claim; narrower statements count at {SPECIFIC_SUPPORT}; priors in "
         "evimap/assemble/priors.tsv and evimap/vocab/designs.tsv")

__all__ = ["DESIGN_RANK", "DESIGN_WEIGHT", "MODEL", "OPPOSITES", "SPECIFIC_SUPPORT",
           "Statement", "ancestors", "assemble", "belief", "claim_weight",
           "credibility_factor", "rebuild", "rivals", "size_factor"]


def claim_weight(design: str, credibility: float, hedged: bool, hypothetical: bool,
                 n: int | None, *, source_kind: str, second_hand: bool = False) -> float:
    """One claim's weight (:func:`belief.claim_factors`)."""
    return float(belief.claim_factors(design, credibility, hedged, hypothetical, n,
                                      source_kind=source_kind,
                                      second_hand=second_hand)["weight"])


@dataclass
class Statement:
    key: str
    subject_id: str
    predicate: str
    object_id: str
    negated: bool
    claims: list[dict[str, Any]] = field(default_factory=list)
    belief: float = 0.0
    contested: bool = False
    works: dict[str, float] = field(default_factory=dict)   # work id -> its weight
    basis: dict[str, dict[str, Any]] = field(default_factory=dict)  # work id -> its factors
    supported_by: list[str] = field(default_factory=list)   # keys of narrower statements
    support: dict[str, float] = field(default_factory=dict)  # work id -> weight via them
    excluded: list[str] = field(default_factory=list)  # claims a reader marked wrong

    @property
    def best_design(self) -> str:
        designs = [c["design"] for c in self.claims]
        return vocab.strongest_design(designs)

    def row(self) -> list[Any]:
        works = [{"work_id": w, **self.basis.get(w, {"weight": v})} for w, v in
                 sorted(self.works.items(), key=lambda kv: (-kv[1], kv[0]))]
        explanation = {"works": works,
                       "supported_by": self.supported_by,
                       "support": [{"work_id": w, "weight": v} for w, v in
                                   sorted(self.support.items(), key=lambda kv: -kv[1])],
                       "formula": MODEL}
        if self.excluded:
            explanation["excluded"] = sorted(self.excluded)
        return [self.key, self.subject_id, self.predicate, self.object_id, self.negated,
                len(self.claims), len(self.works), self.best_design, self.belief,
                self.contested, json.dumps(explanation)]


def assemble(claims: Iterable[Mapping[str, Any]],
             trees: Mapping[str, Sequence[str]] | None = None) -> list[Statement]:
    """Merge claim rows (claim + evidence + document credibility) into statements.

    Each row needs: statement_key, subject_id, predicate, object_id, negated, hedged,
    hypothetical, work_id, design, n, credibility, source_kind (the document's),
    segment_kind and asserted_by. ``trees`` (concept id -> MeSH tree numbers) lets specific
    statements support broader ones.
    """
    comment_cap = belief.priors().comment_credibility
    by_key: dict[str, Statement] = {}
    for c in claims:
        st = by_key.get(c["statement_key"])
        if st is None:
            st = by_key[c["statement_key"]] = Statement(
                c["statement_key"], c["subject_id"], c["predicate"], c["object_id"],
                bool(c["negated"]))
        if c.get("curation") == "wrong":
            st.excluded.append(c["claim_id"])
            continue
        st.claims.append(dict(c))
        comment = c["segment_kind"] == "comment"
        kind = segment_source_kind(c["source_kind"], c["segment_kind"])
        cred = min(c["credibility"], comment_cap) if comment else c["credibility"]
        f = belief.claim_factors(c["design"], cred, bool(c["hedged"]),
                                 bool(c["hypothetical"]), c["n"], source_kind=kind,
                                 second_hand=belief.is_second_hand(c.get("asserted_by"), kind))
        if f["weight"] > st.works.get(c["work_id"], -1.0):
            st.works[c["work_id"]] = f["weight"]
            st.basis[c["work_id"]] = f
    if trees:
        _specific_support(list(by_key.values()), trees)
    for st in by_key.values():
        weights = dict(st.support)
        for work, w in st.works.items():
            weights[work] = max(w, weights.get(work, 0.0))
        st.belief = belief.combine(list(weights.values()))
    _flag_contested(by_key.values())
    return sorted(by_key.values(), key=lambda s: (-s.belief, s.key))


def ancestors(trees: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """Concept -> the concepts above it in MeSH (among those given), itself excluded."""
    by_tree = {t: cid for cid, ts in trees.items() for t in ts}
    out: dict[str, set[str]] = {}
    for cid, ts in trees.items():
        above: set[str] = set()
        for t in ts:
            parts = t.split(".")
            above.update(by_tree[p] for i in range(1, len(parts))
                         if (p := ".".join(parts[:i])) in by_tree)
        out[cid] = above - {cid}
    return out


def _specific_support(statements: Sequence[Statement],
                      trees: Mapping[str, Sequence[str]]) -> None:
    """Credit each statement's works to the broader statements that exist."""
    above = ancestors(trees)
    index = {(s.subject_id, s.predicate, s.object_id, s.negated): s for s in statements}
    for st in statements:
        subjects = {st.subject_id} | above.get(st.subject_id, set())
        objects = {st.object_id} | above.get(st.object_id, set())
        for s in subjects:
            for o in objects:
                broader = index.get((s, st.predicate, o, st.negated))
                if broader is None or broader is st:
                    continue
                broader.supported_by.append(st.key)
                for work, w in st.works.items():
                    credit = round(w * SPECIFIC_SUPPORT, 4)
                    broader.support[work] = max(credit, broader.support.get(work, 0.0))


def rivals(predicate: str, negated: bool) -> list[tuple[str, bool]]:
    """The (predicate, negated) forms that contest a statement of the same subject and
    object: the same predicate with the other polarity, and its opposite (``treats`` vs
    ``no_effect``) with the same one."""
    out = [(predicate, not negated)]
    if predicate in OPPOSITES:
        out.append((OPPOSITES[predicate], negated))
    return out


def _flag_contested(statements: Iterable[Statement]) -> None:
    index: dict[tuple[str, str, str, bool], list[Statement]] = defaultdict(list)
    for st in statements:
        if st.claims:       # a statement whose claims were all marked wrong contests nothing
            index[(st.subject_id, st.predicate, st.object_id, st.negated)].append(st)
    for (s, p, o, neg), group in list(index.items()):
        if any(index.get((s, rp, o, rneg)) for rp, rneg in rivals(p, neg)):
            for st in group:
                st.contested = True


#: Claim rows for assembly. A claim whose design is unspecified takes its work's design when
#: another copy of the same paper states one (one site labels the abstract "REVIEW", the
#: other does not: both copies' claims are the review's). The work's design is its copies'
#: strongest by rank (``evimap/vocab/designs.tsv``), never the alphabetical least.
WORK_DESIGN_CTE = """
design_rank(design, rank) AS (VALUES {ranks}),
work_design AS (
    SELECT d.work_id, arg_min(d.design, coalesce(r.rank, 99)) AS design FROM documents d
    LEFT JOIN design_rank r ON r.design = d.design
    WHERE d.design IS NOT NULL AND d.design <> 'unspecified' GROUP BY d.work_id
)
""".replace("{ranks}", ", ".join(f"('{d.name}', {d.rank})" for d in vocab.designs().values()))
CLAIM_ROWS_SQL = "WITH " + WORK_DESIGN_CTE + """
SELECT c.statement_key, c.subject_id, c.predicate, c.object_id, c.negated, c.hedged,
       c.hypothetical, c.work_id, c.segment_kind, c.id AS claim_id,
       CASE WHEN e.design = 'unspecified' AND c.segment_kind <> 'comment'
            THEN coalesce(w.design, e.design) ELSE e.design END AS design,
       e.n, e.asserted_by, d.credibility, d.source_kind, cu.verdict AS curation
FROM claims c JOIN evidence e ON e.claim_id = c.id JOIN documents d ON d.id = c.doc_id
LEFT JOIN work_design w ON w.work_id = c.work_id
LEFT JOIN curation cu ON cu.claim_id = c.id
"""


def rebuild(store: Any) -> int:
    """Recompute every statement from the stored claims; returns how many there are."""
    trees = {r["id"]: list(r["trees"] or ()) for r in
             store.rows("SELECT id, trees FROM concepts WHERE len(trees) > 0")}
    statements = assemble(store.rows(CLAIM_ROWS_SQL), trees)
    with store.transaction():
        store.replace_statements([s.row() for s in statements])
    return len(statements)
