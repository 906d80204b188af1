"""Stage 7, assemble: equal claims from different works merge into statements with a belief.

A statement is (subject, predicate, object, negated). Its belief combines the evidence of
the *independent works* behind it (copies of one paper are one work and count once):

* each claim gets a weight ``w = design x credibility x hedging x size`` (tables below);
* a work contributes its strongest claim;
* ``belief = 1 - prod(1 - w_work)`` over works: independent support accumulates, but an
  anecdote (design weight 0.10) can never outweigh a trial.

A more specific statement supports a broader one: "magnesium sulfate treats migraine with
aura" is evidence for "... treats migraine" when MeSH places the specific concepts under the
broader ones (tree numbers). Its works count for the broader statement at
``SPECIFIC_SUPPORT`` of their weight (still once per work), and the broader statement lists
it in ``supported_by``. Only statements that exist are strengthened; none are invented.

Statements whose claims disagree (``treats`` vs ``no_effect``, or a predicate asserted and
negated, e.g. approved vs not approved) are flagged ``contested``.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import vocab

#: Design weights and ranks are data (``evimap/vocab/designs.tsv``).
DESIGN_WEIGHT: Mapping[str, float] = {d.name: d.weight for d in vocab.designs().values()}
DESIGN_RANK: Mapping[str, int] = {d.name: d.rank for d in vocab.designs().values()}
HEDGED_FACTOR = 0.6
#: Share of a more specific statement's weight that counts for a broader one.
SPECIFIC_SUPPORT = 0.8
HYPOTHETICAL_FACTOR = 0.3
#: Opposite predicate pairs: a statement and its opposite make both contested.
OPPOSITES: Mapping[str, str] = vocab.opposites()


def size_factor(n: int | None) -> float:
    """0.8 for an unknown or single-subject sample, rising to 1.0 at 1,000 subjects."""
    if not n or n <= 1:
        return 0.8
    return 0.8 + 0.2 * min(1.0, math.log10(n) / 3)


def credibility_factor(credibility: float) -> float:
    return 0.5 + 0.5 * max(0.0, min(1.0, credibility))


def claim_weight(design: str, credibility: float, hedged: bool, hypothetical: bool,
                 n: int | None) -> float:
    w = vocab.design_weight(design)
    w *= credibility_factor(credibility) * size_factor(n)
    if hedged:
        w *= HEDGED_FACTOR
    if hypothetical:
        w *= HYPOTHETICAL_FACTOR
    return round(w, 4)


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
    supported_by: list[str] = field(default_factory=list)   # keys of narrower statements
    support: dict[str, float] = field(default_factory=dict)  # work id -> weight via them

    @property
    def best_design(self) -> str:
        designs = [c["design"] for c in self.claims]
        return vocab.strongest_design(designs)

    def row(self) -> list[Any]:
        explanation = {"works": [{"work_id": w, "weight": v} for w, v in
                                 sorted(self.works.items(), key=lambda kv: -kv[1])],
                       "supported_by": self.supported_by,
                       "support": [{"work_id": w, "weight": v} for w, v in
                                   sorted(self.support.items(), key=lambda kv: -kv[1])],
                       "formula": "1 - prod(1 - w_work); w = design x credibility x "
                                  "hedging x size; narrower statements count at "
                                  f"{SPECIFIC_SUPPORT}"}
        return [self.key, self.subject_id, self.predicate, self.object_id, self.negated,
                len(self.claims), len(self.works), self.best_design, self.belief,
                self.contested, json.dumps(explanation)]


def assemble(claims: Iterable[Mapping[str, Any]],
             trees: Mapping[str, Sequence[str]] | None = None) -> list[Statement]:
    """Merge claim rows (claim + evidence + document credibility) into statements.

    Each row needs: statement_key, subject_id, predicate, object_id, negated, hedged,
    hypothetical, work_id, design, n, credibility, segment_kind. ``trees`` (concept id ->
    MeSH tree numbers) lets specific statements support broader ones.
    """
    by_key: dict[str, Statement] = {}
    for c in claims:
        st = by_key.get(c["statement_key"])
        if st is None:
            st = by_key[c["statement_key"]] = Statement(
                c["statement_key"], c["subject_id"], c["predicate"], c["object_id"],
                bool(c["negated"]))
        st.claims.append(dict(c))
        cred = c["credibility"] if c["segment_kind"] != "comment" else min(c["credibility"], 0.2)
        w = claim_weight(c["design"], cred, bool(c["hedged"]), bool(c["hypothetical"]), c["n"])
        st.works[c["work_id"]] = max(st.works.get(c["work_id"], 0.0), w)
    if trees:
        _specific_support(list(by_key.values()), trees)
    for st in by_key.values():
        weights = dict(st.support)
        for work, w in st.works.items():
            weights[work] = max(w, weights.get(work, 0.0))
        st.belief = round(1.0 - math.prod(1.0 - w for w in weights.values()), 4)
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


def _flag_contested(statements: Iterable[Statement]) -> None:
    index: dict[tuple[str, str, str, bool], list[Statement]] = defaultdict(list)
    for st in statements:
        index[(st.subject_id, st.predicate, st.object_id, st.negated)].append(st)
    for (s, p, o, neg), group in list(index.items()):
        rivals: Sequence[Statement] = index.get((s, p, o, not neg), [])
        if p in OPPOSITES:
            rivals = [*rivals, *index.get((s, OPPOSITES[p], o, neg), [])]
        if rivals:
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
       e.n, d.credibility
FROM claims c JOIN evidence e ON e.claim_id = c.id JOIN documents d ON d.id = c.doc_id
LEFT JOIN work_design w ON w.work_id = c.work_id
"""


def rebuild(store: Any) -> int:
    """Recompute every statement from the stored claims; returns how many there are."""
    trees = {r["id"]: list(r["trees"] or ()) for r in
             store.rows("SELECT id, trees FROM concepts WHERE len(trees) > 0")}
    statements = assemble(store.rows(CLAIM_ROWS_SQL), trees)
    with store.transaction():
        store.replace_statements([s.row() for s in statements])
    return len(statements)
