"""The claim graph beside the co-occurrence graph: directions and quotes for discovery's links.

A link X - Y of a discovery path is explained by the claims whose subject and object are X
and Y (either way round): what they assert, how they move the object (``directions.tsv``:
treats lowers, causes raises, an inhibitor lowers its target, ...) and the sentences that
say so. A path composes its two links' directions: "A lowers B" and "B raises C" propose
"A lowers C", a candidate treatment (:func:`compose`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from ..store import Store
from ..store.sql import json_list
from .index import read_table

DIRECTIONS_FILE = "directions.tsv"
#: Quotes kept per statement in an explanation.
QUOTES = 2


@cache
def _directions() -> dict[tuple[str, str], str]:
    return {(row["predicate"], row["action"]): row["effect"]
            for row in read_table(DIRECTIONS_FILE)}


def effect(predicate: str, action: str | None = None) -> str | None:
    """How a claim moves its object: ``lowers``, ``raises`` or None (undirected)."""
    table = _directions()
    return table.get((predicate, action or "")) or table.get((predicate, ""))


def compose(first: str | None, second: str | None) -> str | None:
    """The direction of a path from the directions of its two links."""
    if first is None or second is None:
        return None
    return "raises" if first == second else "lowers"


def link_effects(store: Store, xs: Sequence[str], ys: Sequence[str]
                 ) -> dict[tuple[str, str], str]:
    """The direction of each link x -> y (x the subject) that claims give one, by the
    majority of the works asserting a direction (not negated, not hypothetical)."""
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    if not xs or not ys:
        return {}
    for s, p, o, action, works in store.con.execute(
            "SELECT c.subject_id, c.predicate, c.object_id, c.qualifiers->>'$.action', "
            "count(DISTINCT c.work_id) FROM claims c "
            "JOIN (SELECT unnest(CAST($1 AS JSON)::VARCHAR[]) AS id) qs ON qs.id = c.subject_id "
            "JOIN (SELECT unnest(CAST($2 AS JSON)::VARCHAR[]) AS id) qo ON qo.id = c.object_id "
            "WHERE NOT c.negated AND NOT c.hypothetical GROUP BY ALL",
            [json_list(xs), json_list(ys)]).fetchall():
        e = effect(p, action)
        if e is not None:
            votes[(s, o)][e] += int(works)
    return {k: v.most_common(1)[0][0] for k, v in votes.items()
            if len(v) == 1 or v.most_common(2)[0][1] > v.most_common(2)[1][1]}


def path_effects(store: Store, sources: Sequence[str], links: Sequence[str],
                 targets: Sequence[str]) -> dict[tuple[str, str], str]:
    """(link, target) -> the composed direction of A - link - target, where claims direct
    both links (any member of ``sources`` as A)."""
    first = link_effects(store, sources, links)
    by_link: dict[str, set[str]] = defaultdict(set)
    for (_, b), e in first.items():
        by_link[b].add(e)
    directed = [b for b, es in by_link.items() if len(es) == 1]
    if not directed:
        return {}
    second = link_effects(store, directed, targets)
    out = {}
    for (b, c), e in second.items():
        composed = compose(next(iter(by_link[b])), e)
        if composed is not None:
            out[(b, c)] = composed
    return out


def claims_between(store: Store, pairs: Iterable[tuple[Sequence[str], str]]
                   ) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """For each ``(xs, y)``: the statements between a member of ``xs`` and ``y`` (either
    way round), strongest first, each with its direction and a few quotes; keyed by
    ``(xs[0], y)``."""
    pairs = list(pairs)
    ids = sorted({i for xs, y in pairs for i in (*xs, y)})
    if not ids:
        return {}
    rows = store.rows(
        "WITH q AS (SELECT unnest(CAST(? AS JSON)::VARCHAR[]) AS id) "
        "SELECT s.key, s.subject_id, cs.name AS subject_name, cs.type AS subject_type, "
        "s.predicate, s.object_id, co.name AS object_name, co.type AS object_type, "
        "s.negated, s.belief, s.n_works, s.best_design FROM statements s "
        "JOIN concepts cs ON cs.id = s.subject_id JOIN concepts co ON co.id = s.object_id "
        "WHERE s.subject_id IN (SELECT id FROM q) AND s.object_id IN (SELECT id FROM q) "
        "ORDER BY s.belief DESC, s.key", [json_list(ids)])
    if not rows:
        return {}
    quotes = _quotes(store, [r["key"] for r in rows])
    by_ends: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_ends[frozenset((r["subject_id"], r["object_id"]))].append(_statement(r, quotes))
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for xs, y in pairs:
        found = [st for x in xs for st in by_ends.get(frozenset((x, y)), [])]
        if found:
            out[(xs[0], y)] = sorted(found, key=lambda st: -st["belief"])
    return out


def _statement(r: Mapping[str, Any], quotes: Mapping[str, list[dict[str, Any]]]
               ) -> dict[str, Any]:
    actions = Counter(q["action"] for q in quotes.get(r["key"], []) if q["action"])
    action = actions.most_common(1)[0][0] if actions else None
    return {
        "statement": r["key"],
        "subject": {"id": r["subject_id"], "name": r["subject_name"],
                    "type": r["subject_type"]},
        "predicate": r["predicate"],
        "object": {"id": r["object_id"], "name": r["object_name"], "type": r["object_type"]},
        "negated": r["negated"], "effect": None if r["negated"] else effect(r["predicate"],
                                                                             action),
        "belief": r["belief"], "n_works": r["n_works"], "best_design": r["best_design"],
        "quotes": [{k: v for k, v in q.items() if k != "action"}
                   for q in quotes.get(r["key"], [])[:QUOTES]]}


def _quotes(store: Store, keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, sentence, doc_id, work_id, path, pmid, qualifiers in store.con.execute(
            "SELECT c.statement_key, c.sentence, c.doc_id, c.work_id, d.path, "
            "d.metadata->>'$.pmid', c.qualifiers FROM claims c JOIN documents d "
            "ON d.id = c.doc_id WHERE list_contains(CAST(? AS JSON)::VARCHAR[], "
            "c.statement_key) ORDER BY c.statement_key, d.path, c.start_offset",
            [json_list(keys)]).fetchall():
        if any(q["work_id"] == work_id for q in out[key]):
            continue                        # copies of one work quote it once
        quals = json.loads(qualifiers) if qualifiers else {}
        out[key].append({"sentence": sentence, "doc_id": doc_id, "work_id": work_id,
                         "path": path, "pmid": pmid, "action": quals.get("action")})
    return out
