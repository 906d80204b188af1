"""Open and closed discovery over the concept co-occurrence graph (the concept index).

Swanson's ABC model. **Closed** discovery takes a source A and a target C and ranks the
linking concepts B that occur with both; **open** discovery takes A alone, follows every B
that occurs with A, and ranks the targets C those B reach, leaving out (by default) the C
already seen with A: a hypothesis is new when the two literatures never met.

Counting. A work counts once however many copies of it were ingested. A concept's weight in
a work is 1 when a title names it and :data:`TEXT_WEIGHT` when only the abstract or body
does (a title says what the paper is about; Swanson read titles); a pair's weight in a work
is the product of its two weights, and a set of concepts (A with its narrower MeSH
headings) weighs what its heaviest member weighs. ``n_x`` and ``n_xy`` are sums of these
weights over the works of the time slice (``before``: works published before that year).

Measures (:data:`MEASURES`). Each link X - Y gets a weight from ``n_x``, ``n_y``, ``n_xy``
(Jaccard, works, or pointwise mutual information); a path A - B - C scores the smaller of
its two links' weights (its *minimum weight*), times :data:`TREATMENT_BOOST` when the
claims on its links compose to "A lowers C" (see :mod:`evimap.discover.explain`); a linking
concept B ranks by its path score, a target C by the aggregate of its paths' scores (sum,
count or mean, by measure).

Filters. Linking concepts come from chosen MeSH branches (``via``: diseases C, chemicals D,
phenomena G by default), targets of open discovery from ``targets`` (diseases). Left out as
too generic: headings fewer than :data:`MIN_DEPTH` levels deep (Vascular Diseases,
Enzymes), the dosage forms of :data:`EXCLUDED_BRANCHES`, the stop list ``generic.tsv``, and
linking concepts in more than ``max_share`` of the works (stores of at least
:data:`SHARE_MIN_WORKS` works); left out as the same thing: a
concept that is A or C, or an ancestor or descendant of either in MeSH.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import EvimapError
from ..store import Store
from ..store.sql import json_list
from .index import read_table

#: A concept's weight in a work whose title does not name it (abstract or body only).
TEXT_WEIGHT = 0.5
#: Headings with fewer tree levels than this are too generic to link or be a target.
MIN_DEPTH = 3
#: MeSH branches never used as a link or target: dosage forms and vehicles.
EXCLUDED_BRANCHES = ("D26",)
#: The share cap on linking concepts (``Options.max_share``) applies from this many works
#: (in a handful of works every concept is in a large share of them).
SHARE_MIN_WORKS = 100
#: A path whose claims compose to "A lowers C" scores this many times its weight.
TREATMENT_BOOST = 1.5
GENERIC_FILE = "generic.tsv"


@dataclass(frozen=True)
class Measure:
    name: str
    weight: str             # jaccard | count | pmi: the weight of one link
    aggregate: str          # sum | count | mean: a target's score from its paths' scores
    help: str


MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("jaccard", "jaccard", "sum",
            "Jaccard index of the two concepts' works, n_xy / (n_x + n_y - n_xy); a "
            "linking concept scores its smaller link, a target the sum over its linking "
            "concepts"),
    Measure("count", "count", "sum",
            "works in which both concepts occur, n_xy; a linking concept scores its smaller "
            "link, a target the sum over its linking concepts"),
    Measure("mi", "pmi", "sum",
            "pointwise mutual information, log2(n_xy N / (n_x n_y)); a linking concept "
            "scores its smaller link, a target the sum of its positive paths"),
    Measure("ltc", "jaccard", "count",
            "linking-term count: a target scores the number of linking concepts that reach "
            "it (ties: the Jaccard sum); linking concepts rank as with jaccard"),
    Measure("amw", "pmi", "mean",
            "average minimum weight (Yetisgen-Yildiz and Pratt 2009): a target scores the "
            "mean over its linking concepts of the smaller mutual information of the two "
            "links"),
)}
DEFAULT_MEASURE = "jaccard"


@dataclass(frozen=True)
class Options:
    """How to discover (the CLI's, the API's and the web page's options)."""

    measure: str = DEFAULT_MEASURE
    before: int | None = None               # only works published before this year
    via: tuple[str, ...] = ("C", "D", "G")  # MeSH branches of linking concepts
    targets: tuple[str, ...] = ("C",)       # MeSH branches of open discovery's targets
    include_known: bool = False             # open: keep targets already seen with A
    narrower: bool = True                   # A and C include their narrower headings
    max_share: float = 0.2                  # linking concepts in more of the works: generic
    limit: int = 20                         # hypotheses (open) or linking concepts (closed)
    links: int = 10                         # linking concepts listed per open hypothesis

    def __post_init__(self) -> None:
        if self.measure not in MEASURES:
            raise EvimapError(f"unknown measure {self.measure!r}; known: "
                              f"{', '.join(MEASURES)}")
        if not 0 < self.max_share <= 1:
            raise EvimapError("max_share must be above 0 and at most 1")


@dataclass(frozen=True)
class Concept:
    id: str
    name: str
    type: str
    trees: tuple[str, ...]


@dataclass
class Link:
    """A linking concept B on the way from A to C, with its counts."""

    concept: Concept
    n: float                        # weighted works of B
    n_source: float                 # weighted works of A and B
    n_target: float                 # weighted works of B and C
    works: int = 0                  # works of B
    works_source: int = 0           # works with A and B
    works_target: int = 0           # works with B and C
    score: float = 0.0              # minimum weight of the path (boosted if directed)
    effect: str | None = None       # lowers | raises: what the claims say A does to C
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # explanation


@dataclass
class Hypothesis:
    source: list[Concept]
    target: Concept
    score: float = 0.0
    works_source: int = 0           # works of A
    works_target: int = 0           # works of C
    works_both: int = 0             # works where A and C already meet
    links: list[Link] = field(default_factory=list)
    n_links: int = 0
    source_ids: list[str] = field(default_factory=list)   # A with its narrower headings
    target_ids: list[str] = field(default_factory=list)   # C with its narrower headings

    @property
    def known(self) -> bool:
        return self.works_both > 0


# --- concepts and filters ---------------------------------------------------------------------

def concepts(store: Store) -> dict[str, Concept]:
    """Every concept of the index, by id."""
    return {r[0]: Concept(r[0], r[1], r[2], tuple(r[3] or ())) for r in store.con.execute(
        "SELECT id, name, type, trees FROM index_concepts").fetchall()}


def under(trees: Iterable[str], prefixes: Iterable[str]) -> bool:
    """Whether a tree number equals or descends from one of ``prefixes`` (a branch letter
    such as "G" matches every tree number starting with it)."""
    pre = tuple(prefixes)
    return any(t == p or t.startswith(p if len(p) == 1 else p + ".")
               for t in trees for p in pre)


def narrower(ids: Iterable[str], known: Mapping[str, Concept]) -> list[str]:
    """``ids`` and every indexed concept below them in MeSH."""
    ids = list(ids)
    roots = [t for i in ids if i in known for t in known[i].trees]
    out = set(ids)
    if roots:
        out |= {c.id for c in known.values() if c.trees and under(c.trees, roots)}
    return sorted(out)


def related(a: Concept, b: Concept) -> bool:
    """Whether one of two concepts is the other, or above or below it in MeSH."""
    return a.id == b.id or bool(set(a.trees) & lineage(b)) or bool(set(b.trees) & lineage(a))


def lineage(c: Concept) -> frozenset[str]:
    """A concept's tree numbers and every tree number above them ("C14.907" of
    "C14.907.617")."""
    out: set[str] = set()
    for t in c.trees:
        parts = t.split(".")
        out.update(".".join(parts[:k]) for k in range(1, len(parts) + 1))
    return frozenset(out)


def generic_ids() -> frozenset[str]:
    """The stop list of too-generic concepts (``generic.tsv``)."""
    return frozenset(row["ui"] for row in read_table(GENERIC_FILE))


def specific(c: Concept, branches: Sequence[str], stop: frozenset[str]) -> bool:
    """Whether a concept may link or be a target: of a chosen branch, deep enough in MeSH,
    not a dosage form, not on the stop list."""
    return (bool(c.trees) and c.id not in stop and under(c.trees, branches)
            and max(t.count(".") + 1 for t in c.trees) >= MIN_DEPTH
            and not all(under([t], EXCLUDED_BRANCHES) for t in c.trees))


# --- counting in SQL --------------------------------------------------------------------------

_WEIGHTS = "_discovery_weights"


class Counts:
    """Weighted work counts of a time slice, kept in a temporary table while in use."""

    def __init__(self, store: Store, before: int | None) -> None:
        self.store = store
        con = store.con
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_WEIGHTS} AS SELECT d.work_id, t.concept_id, "
            f"max(CASE WHEN t.in_title THEN 1.0 ELSE {TEXT_WEIGHT} END) AS w "
            "FROM index_terms t JOIN index_documents i ON i.doc_id = t.doc_id "
            "JOIN documents d ON d.id = t.doc_id WHERE ($1::INTEGER IS NULL OR i.year < $1) "
            "GROUP BY ALL", [before])
        self.works = int(store.scalar(
            "SELECT count(DISTINCT d.work_id) FROM index_documents i JOIN documents d ON "
            "d.id = i.doc_id WHERE ($1::INTEGER IS NULL OR i.year < $1)", [before]))
        self.marginals: dict[str, tuple[float, int]] = {
            cid: (float(w), int(n)) for cid, w, n in con.execute(
                f"SELECT concept_id, sum(w), count(*) FROM {_WEIGHTS} GROUP BY 1").fetchall()}

    def close(self) -> None:
        self.store.con.execute(f"DROP TABLE IF EXISTS {_WEIGHTS}")

    def __enter__(self) -> Counts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def of_set(self, ids: Sequence[str]) -> tuple[float, int]:
        """The weighted works and works of a set of concepts (any member)."""
        row = self.store.con.execute(
            f"SELECT coalesce(sum(w), 0), count(*) FROM (SELECT work_id, max(w) AS w FROM "
            f"{_WEIGHTS} JOIN (SELECT unnest(CAST(? AS JSON)::VARCHAR[]) AS id) s "
            "ON s.id = concept_id GROUP BY work_id)", [json_list(ids)]).fetchone()
        assert row is not None
        return float(row[0]), int(row[1])

    def with_set(self, ids: Sequence[str]) -> dict[str, tuple[float, int]]:
        """Every concept's weighted works and works together with a set of concepts."""
        return {cid: (float(w), int(n)) for cid, w, n in self.store.con.execute(
            f"WITH s AS (SELECT work_id, max(w) AS w FROM {_WEIGHTS} JOIN (SELECT unnest("
            "CAST(? AS JSON)::VARCHAR[]) AS id) q ON q.id = concept_id GROUP BY work_id) "
            f"SELECT x.concept_id, sum(x.w * s.w), count(*) FROM {_WEIGHTS} x "
            "JOIN s ON s.work_id = x.work_id GROUP BY 1", [json_list(ids)]).fetchall()}

    def both(self, xs: Sequence[str], ys: Sequence[str]) -> int:
        """Works in which a member of ``xs`` and a member of ``ys`` occur together."""
        return int(self.store.scalar(
            f"SELECT count(*) FROM (SELECT work_id FROM {_WEIGHTS} WHERE list_contains("
            f"CAST($1 AS JSON)::VARCHAR[], concept_id) INTERSECT SELECT work_id FROM "
            f"{_WEIGHTS} WHERE list_contains(CAST($2 AS JSON)::VARCHAR[], concept_id))",
            [json_list(xs), json_list(ys)]))

    def pairs(self, xs: Sequence[str], ys: Sequence[str]
              ) -> dict[tuple[str, str], tuple[float, int]]:
        """Weighted works and works of every (x, y) pair that occurs together."""
        return {(x, y): (float(w), int(n)) for x, y, w, n in self.store.con.execute(
            f"SELECT a.concept_id, b.concept_id, sum(a.w * b.w), count(*) FROM {_WEIGHTS} a "
            "JOIN (SELECT unnest(CAST($1 AS JSON)::VARCHAR[]) AS id) qa ON qa.id = "
            f"a.concept_id JOIN {_WEIGHTS} b ON b.work_id = a.work_id AND b.concept_id <> "
            "a.concept_id JOIN (SELECT unnest(CAST($2 AS JSON)::VARCHAR[]) AS id) qb "
            "ON qb.id = b.concept_id GROUP BY 1, 2", [json_list(xs), json_list(ys)]).fetchall()}


# --- scoring ----------------------------------------------------------------------------------

def link_weight(measure: Measure, n_xy: float, n_x: float, n_y: float, total: int) -> float:
    """The weight of one link X - Y."""
    if n_xy <= 0:
        return 0.0
    if measure.weight == "count":
        return n_xy
    if measure.weight == "pmi":
        return math.log2(n_xy * max(total, 1) / (n_x * n_y))
    return n_xy / (n_x + n_y - n_xy)


def aggregate(measure: Measure, scores: Sequence[float]) -> float:
    """A target's score from its paths' scores."""
    if not scores:
        return 0.0
    if measure.aggregate == "count":
        # ties broken by the sum of the Jaccard path scores (each below 1)
        return len(scores) + sum(scores) / (len(scores) + 1)
    if measure.aggregate == "mean":
        return sum(scores) / len(scores)
    if measure.weight == "pmi":
        return sum(s for s in scores if s > 0)
    return sum(scores)


#: (source id, link id, target id) -> "lowers" | "raises" for paths whose claims compose.
Directions = Callable[[Sequence[str], Sequence[str], Sequence[str]],
                      dict[tuple[str, str], str]]


def closed(store: Store, source: Sequence[str], target: Sequence[str], opts: Options,
           directions: Directions | None = None) -> Hypothesis:
    """Rank the concepts linking ``source`` (A) and ``target`` (C): one hypothesis whose
    ``links`` are every linking concept, best first (``opts.limit`` of them)."""
    known = concepts(store)
    a_ids = narrower(source, known) if opts.narrower else list(source)
    c_ids = narrower(target, known) if opts.narrower else list(target)
    measure = MEASURES[opts.measure]
    stop = generic_ids()
    with Counts(store, opts.before) as counts:
        n_a, w_a = counts.of_set(a_ids)
        n_c, w_c = counts.of_set(c_ids)
        with_a, with_c = counts.with_set(a_ids), counts.with_set(c_ids)
        both = counts.both(a_ids, c_ids)
    hyp = Hypothesis([_concept(known, i) for i in source], _concept(known, target[0]),
                     works_source=w_a, works_target=w_c, works_both=both,
                     source_ids=a_ids, target_ids=c_ids)
    ends = [known[i] for i in (*a_ids, *c_ids) if i in known]
    links: list[Link] = []
    for b in set(with_a) & set(with_c):
        c = known.get(b)
        if c is None or not _may_link(c, ends, opts, stop, counts):
            continue
        links.append(_link(c, counts.marginals[b], with_a[b], with_c[b]))
    effects = directions(a_ids, [lk.concept.id for lk in links], c_ids) if directions else {}
    for lk in links:
        found = {effects.get((lk.concept.id, c)) for c in c_ids} - {None}
        lk.effect = "lowers" if "lowers" in found else (found.pop() if found else None)
        lk.score = _path_score(measure, lk, n_a, n_c, counts.works)
    links.sort(key=lambda lk: (-lk.score, -lk.works_source - lk.works_target, lk.concept.name))
    hyp.n_links = len(links)
    hyp.links = links[:opts.limit]
    hyp.score = aggregate(measure, [lk.score for lk in links])
    return hyp


def open_discovery(store: Store, source: Sequence[str], opts: Options,
                   directions: Directions | None = None) -> list[Hypothesis]:
    """Rank the targets ``source`` (A) may bear on through the concepts it occurs with."""
    known = concepts(store)
    a_ids = narrower(source, known) if opts.narrower else list(source)
    measure = MEASURES[opts.measure]
    stop = generic_ids()
    a_concepts = [known[i] for i in a_ids if i in known]
    near_a = _relatives(a_concepts, known)
    with Counts(store, opts.before) as counts:
        n_a, w_a = counts.of_set(a_ids)
        with_a = counts.with_set(a_ids)
        bs = [b for b in with_a if b in known and b not in near_a
              and _may_link(known[b], [], opts, stop, counts)]
        cs = [c for c, k in known.items() if c in counts.marginals and c not in near_a
              and specific(k, opts.targets, stop)
              and (opts.include_known or c not in with_a)]
        pairs = counts.pairs(bs, cs)
    effects = directions(a_ids, bs, cs) if directions else {}
    paths: dict[str, list[Link]] = defaultdict(list)
    lineages: dict[str, frozenset[str]] = {}
    for (b, c), n_bc in pairs.items():
        for i in (b, c):
            if i not in lineages:
                lineages[i] = lineage(known[i])
        if set(known[b].trees) & lineages[c] or set(known[c].trees) & lineages[b]:
            continue
        lk = _link(known[b], counts.marginals[b], with_a[b], n_bc)
        lk.effect = effects.get((b, c))
        n_c = counts.marginals[c][0]
        lk.score = _path_score(measure, lk, n_a, n_c, counts.works)
        paths[c].append(lk)
    hyps = []
    for c, links in paths.items():
        links.sort(key=lambda lk: (-lk.score, lk.concept.name))
        hyp = Hypothesis([_concept(known, i) for i in source], known[c],
                         score=aggregate(measure, [lk.score for lk in links]),
                         works_source=w_a, works_target=counts.marginals[c][1],
                         works_both=with_a.get(c, (0.0, 0))[1], links=links[:opts.links],
                         n_links=len(links), source_ids=a_ids, target_ids=[c])
        hyps.append(hyp)
    hyps.sort(key=lambda h: (-h.score, h.target.name))
    return hyps[:opts.limit]


def _relatives(ends: Sequence[Concept], known: Mapping[str, Concept]) -> set[str]:
    """The ids of ``ends`` and of every known concept above or below one of them."""
    roots = {t for e in ends for t in e.trees}
    above = set().union(*(lineage(e) for e in ends)) if ends else set()
    return {e.id for e in ends} | {
        c.id for c in known.values()
        if any(t in above or _below(t, roots) for t in c.trees)}


def _below(tree: str, roots: set[str]) -> bool:
    """Whether a tree number lies below one of ``roots``."""
    i = tree.find(".")
    while i != -1:
        if tree[:i] in roots:
            return True
        i = tree.find(".", i + 1)
    return False


def _concept(known: Mapping[str, Concept], cid: str) -> Concept:
    return known.get(cid) or Concept(cid, cid, "unknown", ())


def _may_link(c: Concept, ends: Sequence[Concept], opts: Options, stop: frozenset[str],
              counts: Counts) -> bool:
    if not specific(c, opts.via, stop) or any(related(c, e) for e in ends):
        return False
    return (counts.works < SHARE_MIN_WORKS
            or counts.marginals[c.id][1] <= opts.max_share * counts.works)


def _link(c: Concept, n_b: tuple[float, int], with_a: tuple[float, int],
          with_c: tuple[float, int]) -> Link:
    return Link(c, n_b[0], with_a[0], with_c[0], n_b[1], with_a[1], with_c[1])


def _path_score(measure: Measure, lk: Link, n_a: float, n_c: float, total: int) -> float:
    score = min(link_weight(measure, lk.n_source, n_a, lk.n, total),
                link_weight(measure, lk.n_target, lk.n, n_c, total))
    if lk.effect == "lowers" and score > 0:
        score *= TREATMENT_BOOST
    return score


def with_options(opts: Options, **changes: Any) -> Options:
    """``opts`` with some fields changed (None values ignored)."""
    return replace(opts, **{k: v for k, v in changes.items() if v is not None})
