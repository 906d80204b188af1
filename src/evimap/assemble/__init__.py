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


def claim_basis(design: str, credibility: float, comment: bool, source_kind: str,
                hedged: bool, hypothetical: bool, n: int | None, asserted_by: str | None
                ) -> dict[str, Any]:
    """The factors and weight of a claim (:func:`belief.claim_factors`) from its stored
    columns: a claim in a reader comment is forum content, its credibility capped."""
    kind = segment_source_kind(source_kind, "comment" if comment else "")
    cred = min(credibility, belief.priors().comment_credibility) if comment else credibility
    return belief.claim_factors(design, cred, hedged, hypothetical, n, source_kind=kind,
                                second_hand=belief.is_second_hand(asserted_by, kind))


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
        f = claim_basis(c["design"], c["credibility"], c["segment_kind"] == "comment",
                        c["source_kind"], bool(c["hedged"]), bool(c["hypothetical"]), c["n"],
                        c.get("asserted_by"))
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
       e.n, e.asserted_by, d.credibility, d.source_kind, cu.verdict AS curation,
       c.rowid AS seq
FROM claims c JOIN evidence e ON e.claim_id = c.id JOIN documents d ON d.id = c.doc_id
LEFT JOIN work_design w ON w.work_id = c.work_id
LEFT JOIN curation cu ON cu.claim_id = c.id
"""


def rebuild(store: Any) -> int:
    """Recompute every statement from the stored claims, out of core; returns how many there
    are. Then the claims' lookup table is rebuilt (:mod:`evimap.store.lookup`).

    The same statements as :func:`assemble` over ``CLAIM_ROWS_SQL`` read in the claims'
    stored order, but no claim is held in Python: DuckDB works per claim, per (statement,
    work) and per statement in temporary tables (spilled to disk when they do not fit).
    Python computes the factors of each distinct combination of a claim's inputs once
    (:func:`claim_basis`; there are few: designs, source kinds and flags are few, and
    credibility is the document's) and each statement's belief from its works' weights.
    Statements are written a part at a time, each part at most ``BATCH_WORKS`` (statement,
    work) rows (or one statement), so memory does not grow with the store. A claim's place
    in the stored order (``rowid``) settles what :func:`assemble` settles by reading order:
    which of a work's equally strong claims is its basis, and the order of
    ``supported_by``, of equal ``support`` and of the factors in the belief's product.
    """
    from ..store import lookup
    con = store.con
    try:
        _assemble_sql(store)
        n = 0
        for lo, hi in con.execute(_PARTS_SQL, [BATCH_WORKS]).fetchall():
            n += _assemble_part(store, lo, hi)
        # the table is made again, not emptied: DuckDB keeps the blocks of deleted rows (the
        # long explanations) and the file would grow by their size at every assembly
        ddl = store.scalar("SELECT sql FROM duckdb_tables() WHERE table_name = 'statements' "
                           "AND schema_name = 'main' AND NOT temporary "
                           "AND database_name = current_database()")
        with store.transaction():
            con.execute("DROP TABLE statements")
            con.execute(ddl)
            con.execute("INSERT INTO statements SELECT * FROM asm_out ORDER BY belief DESC, key")
            lookup.refresh(store)
    finally:
        for table in reversed(_TEMP_TABLES):
            con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return n


#: What :func:`rebuild` makes, in order (dropped when it ends).
_TEMP_TABLES = ("asm_claims", "asm_combo", "asm_weight", "asm_sw", "asm_st", "asm_up",
                "asm_pair", "asm_credit", "asm_contested", "asm_out")
#: (statement, work) rows in a part of :func:`rebuild`.
BATCH_WORKS = 50_000
_UNKNOWN_RANK = len(vocab.designs())
_DESIGN_RANKS = ", ".join(f"('{d.name}', {d.rank})" for d in vocab.designs().values())

_ASSEMBLE_SQL: tuple[str, ...] = (
    # every claim with its factor inputs and its place in the stored order
    """CREATE TEMP TABLE asm_claims AS
    SELECT seq, claim_id, statement_key, subject_id, predicate, object_id, negated, work_id,
           design, n, asserted_by, credibility, source_kind,
           segment_kind = 'comment' AS comment, hedged, hypothetical,
           coalesce(curation = 'wrong', false) AS excluded
    FROM (""" + CLAIM_ROWS_SQL + ")",
    # the distinct factor inputs (their weights are computed in Python)
    """CREATE TEMP TABLE asm_combo AS
    SELECT row_number() OVER (ORDER BY design, n, asserted_by, credibility, source_kind,
                              comment, hedged, hypothetical) AS combo, *
    FROM (SELECT DISTINCT design, n, asserted_by, credibility, source_kind, comment, hedged,
                 hypothetical FROM asm_claims WHERE NOT excluded)""",
    "CREATE TEMP TABLE asm_weight (combo BIGINT, weight DOUBLE, credit DOUBLE, basis VARCHAR, "
    "credit_json VARCHAR)",
)

_AFTER_WEIGHTS_SQL: tuple[str, ...] = (
    # each work's strongest claim per statement (the first in stored order among equals),
    # sorted by statement so a part's rows are a few row groups
    """CREATE TEMP TABLE asm_sw AS
    SELECT a.statement_key, a.work_id, min(a.seq) AS first_seq,
           arg_max(x.combo, (x.weight, -a.seq)) AS combo
    FROM asm_claims a
    JOIN asm_combo k ON k.design = a.design AND k.n IS NOT DISTINCT FROM a.n
         AND k.asserted_by = a.asserted_by AND k.credibility = a.credibility
         AND k.source_kind = a.source_kind AND k.comment = a.comment
         AND k.hedged = a.hedged AND k.hypothetical = a.hypothetical
    JOIN asm_weight x ON x.combo = k.combo
    WHERE NOT a.excluded
    GROUP BY a.statement_key, a.work_id
    ORDER BY a.statement_key""",
    # statements: their claims, their strongest design (by rank, never alphabetical), the
    # claims a reader marked wrong (left out of everything else)
    """CREATE TEMP TABLE asm_st AS
    WITH design_rank(design, rank) AS (VALUES """ + _DESIGN_RANKS + """)
    SELECT a.statement_key AS key, arg_min(a.subject_id, a.seq) AS subject_id,
           arg_min(a.predicate, a.seq) AS predicate, arg_min(a.object_id, a.seq) AS object_id,
           arg_min(a.negated, a.seq) AS negated,
           count(*) FILTER (WHERE NOT a.excluded) AS n_claims, min(a.seq) AS first_seq,
           coalesce(arg_min(a.design, (coalesce(r.rank, """ + str(_UNKNOWN_RANK) + """), a.seq))
                        FILTER (WHERE NOT a.excluded), 'unspecified') AS best_design,
           '[' || string_agg(to_json(a.claim_id)::VARCHAR, ', ' ORDER BY a.claim_id)
               FILTER (WHERE a.excluded) || ']' AS excluded
    FROM asm_claims a LEFT JOIN design_rank r ON r.design = a.design
    GROUP BY a.statement_key
    ORDER BY a.statement_key""",
)

_SUPPORT_SQL: tuple[str, ...] = (
    # a narrower statement supports each broader one that exists (MeSH trees, asm_up)
    """CREATE TEMP TABLE asm_pair AS
    SELECT b.key AS broader, n.key AS narrower, n.first_seq AS n_first
    FROM asm_st n JOIN asm_up us ON us.concept_id = n.subject_id
    JOIN asm_up uo ON uo.concept_id = n.object_id
    JOIN asm_st b ON b.subject_id = us.up_id AND b.object_id = uo.up_id
         AND b.predicate = n.predicate AND b.negated = n.negated
    WHERE b.key <> n.key
    ORDER BY b.key""",
    # its works count for the broader one at their credit, once per work (the best credit)
    """CREATE TEMP TABLE asm_credit AS
    SELECT p.broader, sw.work_id, max(x.credit) AS credit, min(p.n_first) AS o1,
           arg_min(sw.first_seq, p.n_first) AS o2
    FROM asm_pair p JOIN asm_sw sw ON sw.statement_key = p.narrower
    JOIN asm_weight x ON x.combo = sw.combo
    GROUP BY p.broader, sw.work_id
    ORDER BY p.broader""",
    # contested: a statement of the same subject and object is one of its rivals (a
    # statement whose claims were all marked wrong contests nothing)
    """CREATE TEMP TABLE asm_contested AS
    SELECT DISTINCT s.key FROM asm_st s
    LEFT JOIN (SELECT unnest(CAST($1 AS JSON)::VARCHAR[]) AS predicate,
                      unnest(CAST($2 AS JSON)::VARCHAR[]) AS opposite) o
           ON o.predicate = s.predicate
    JOIN asm_st r ON r.subject_id = s.subject_id AND r.object_id = s.object_id
         AND ((r.predicate = s.predicate AND r.negated <> s.negated)
              OR (r.predicate = o.opposite AND r.negated = s.negated))
    WHERE s.n_claims > 0 AND r.n_claims > 0""",
    "CREATE TEMP TABLE asm_out AS SELECT * FROM statements LIMIT 0",
)

#: The parts of :func:`rebuild`: ranges of statement keys holding at most ``$1`` (statement,
#: work) rows each (a statement counts one more).
_PARTS_SQL = """
WITH n AS (
    SELECT s.key, 1 + coalesce(w.n, 0) + coalesce(c.n, 0) AS n FROM asm_st s
    LEFT JOIN (SELECT statement_key AS key, count(*) AS n FROM asm_sw GROUP BY 1) w
           ON w.key = s.key
    LEFT JOIN (SELECT broader AS key, count(*) AS n FROM asm_credit GROUP BY 1) c
           ON c.key = s.key)
SELECT min(key), max(key) FROM (
    SELECT key, (sum(n) OVER (ORDER BY key) - n) // $1 AS part FROM n)
GROUP BY part ORDER BY part
"""

#: A part's statements, each with its works' weights (its own or via narrower statements,
#: the larger) in the order :func:`assemble` multiplies them: support first, then its own.
_WEIGHTS_SQL = """
SELECT key, list(w ORDER BY o) FILTER (WHERE w IS NOT NULL) FROM (
    SELECT s.key, c.work_id, max(c.w) AS w, min({'part': c.part, 'a': c.a, 'b': c.b}) AS o
    FROM asm_st s LEFT JOIN (
        SELECT broader AS key, work_id, credit AS w, 0 AS part, o1 AS a, o2 AS b
        FROM asm_credit WHERE broader BETWEEN $1 AND $2
        UNION ALL
        SELECT sw.statement_key, sw.work_id, x.weight, 1, sw.first_seq, 0
        FROM asm_sw sw JOIN asm_weight x ON x.combo = sw.combo
        WHERE sw.statement_key BETWEEN $1 AND $2) c ON c.key = s.key
    WHERE s.key BETWEEN $1 AND $2
    GROUP BY s.key, c.work_id)
GROUP BY key
"""

#: A part's statements, their explanation as :meth:`Statement.row` writes it (bases and
#: credits are Python's JSON; ids are hex, the same in DuckDB's ``to_json``).
_STATEMENTS_SQL = """
INSERT INTO asm_out
WITH b AS (SELECT unnest(CAST($3 AS JSON)::VARCHAR[]) AS key,
                  unnest(CAST($4 AS JSON)::DOUBLE[]) AS belief),
w AS (
    SELECT sw.statement_key AS key, count(*) AS n_works,
           string_agg('{"work_id": ' || to_json(sw.work_id)::VARCHAR || ', '
                      || substr(x.basis, 2), ', ' ORDER BY x.weight DESC, sw.work_id) AS json
    FROM asm_sw sw JOIN asm_weight x ON x.combo = sw.combo
    WHERE sw.statement_key BETWEEN $1 AND $2 GROUP BY sw.statement_key),
sp AS (
    SELECT broader AS key,
           string_agg('{"work_id": ' || to_json(work_id)::VARCHAR || ', "weight": '
                      || x.credit_json || '}', ', ' ORDER BY c.credit DESC, c.o1, c.o2) AS json
    FROM asm_credit c JOIN (SELECT DISTINCT credit, credit_json FROM asm_weight) x
         ON x.credit = c.credit
    WHERE c.broader BETWEEN $1 AND $2 GROUP BY broader),
nb AS (SELECT broader AS key, string_agg(to_json(narrower)::VARCHAR, ', ' ORDER BY n_first)
              AS json FROM asm_pair WHERE broader BETWEEN $1 AND $2 GROUP BY broader)
SELECT s.key, s.subject_id, s.predicate, s.object_id, s.negated, s.n_claims,
       coalesce(w.n_works, 0), s.best_design, b.belief,
       s.key IN (SELECT key FROM asm_contested),
       '{"works": [' || coalesce(w.json, '') || '], "supported_by": [' || coalesce(nb.json, '')
       || '], "support": [' || coalesce(sp.json, '') || '], "formula": ' || $5
       || coalesce(', "excluded": ' || s.excluded, '') || '}'
FROM asm_st s JOIN b ON b.key = s.key LEFT JOIN w ON w.key = s.key
LEFT JOIN sp ON sp.key = s.key LEFT JOIN nb ON nb.key = s.key
WHERE s.key BETWEEN $1 AND $2
"""


def _assemble_sql(store: Any) -> None:
    """The temporary tables a part needs (see :func:`rebuild`)."""
    con = store.con
    for table in _TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
    for sql in _ASSEMBLE_SQL:
        con.execute(sql)
    # each distinct combination's weight, its credit to broader statements and its basis
    last = 0
    while True:
        batch = con.execute(
            "SELECT combo, design, credibility, comment, source_kind, hedged, hypothetical, n,"
            " asserted_by FROM asm_combo WHERE combo > ? ORDER BY combo LIMIT ?",
            [last, BATCH_WORKS]).fetchall()
        if not batch:
            break
        rows = []
        for combo, *inputs in batch:
            f = claim_basis(*inputs)
            credit = round(f["weight"] * SPECIFIC_SUPPORT, 4)
            rows.append([combo, f["weight"], credit, json.dumps(f), json.dumps(credit)])
        store.insert_rows("asm_weight", rows)
        last = batch[-1][0]
    for sql in _AFTER_WEIGHTS_SQL:
        con.execute(sql)
    trees = {r["id"]: list(r["trees"] or ()) for r in
             store.rows("SELECT id, trees FROM concepts WHERE len(trees) > 0")}
    con.execute("CREATE TEMP TABLE asm_up (concept_id VARCHAR, up_id VARCHAR)")
    store.insert_rows("asm_up", [[c, a] for c, above in ancestors(trees).items()
                                 for a in sorted(above)])
    con.execute("INSERT INTO asm_up SELECT subject_id, subject_id FROM asm_st UNION "
                "SELECT object_id, object_id FROM asm_st")
    opposites = sorted(OPPOSITES.items())
    for sql in _SUPPORT_SQL:
        con.execute(sql, [json.dumps([p for p, _ in opposites]),
                          json.dumps([o for _, o in opposites])] if "$1" in sql else [])


def _assemble_part(store: Any, lo: str, hi: str) -> int:
    """The statements with keys from ``lo`` to ``hi``: their beliefs (:func:`belief.combine`
    in Python), then their rows into ``asm_out``; returns how many."""
    weights = store.con.execute(_WEIGHTS_SQL, [lo, hi]).fetchall()
    keys = [k for k, _ in weights]
    beliefs = [belief.combine(w or []) for _, w in weights]
    store.con.execute(_STATEMENTS_SQL, [lo, hi, json.dumps(keys), json.dumps(beliefs),
                                        json.dumps(MODEL)])
    return len(keys)
