"""Discovery's answers as plain dicts (what ``evimap discover --json``, ``GET /api/discover``
and the web page show): ranked hypotheses over the co-occurrence graph, each explained by its
linking concepts with their work counts and the claims (direction, quotes) on their links;
or, with ``graph="claims"``, the older walk over the statement graph alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ..entities import Lexicon
from ..errors import NotFoundError
from ..store import Store
from ..store.sql import json_list
from . import discover as claim_discover
from . import edges_from_rows
from .explain import claims_between, path_effects
from .rank import Concept, Hypothesis, Link, Options, closed, concepts, narrower, open_discovery

#: Linking concepts of each open-discovery hypothesis whose claims are looked up.
EXPLAINED_LINKS = 5

GRAPHS = ("cooccurrence", "claims")


def resolve(store: Store, term: str, lexicon: Callable[[], Lexicon]) -> list[str]:
    """The concepts a user's term names for discovery: a MeSH ID, a concept name (the
    index's or the store's), a mention's text, or a MeSH synonym (the index lexicon)."""
    term = term.strip()
    for sql in ("SELECT id FROM index_concepts WHERE id = $1 UNION "
                "SELECT id FROM concepts WHERE id = $1",
                "SELECT id FROM index_concepts WHERE lower(name) = lower($1) UNION "
                "SELECT id FROM concepts WHERE lower(name) = lower($1)",
                "SELECT DISTINCT concept_id FROM mentions WHERE lower(text) = lower($1) "
                "AND regexp_matches(concept_id, '^(D|C|DB)[0-9]+$')"):
        ids = sorted(r[0] for r in store.con.execute(sql, [term]).fetchall())
        if ids:
            return ids
    concept = lexicon().lookup(term) if term else None
    if concept is None:
        raise NotFoundError(f"no concept matches {term!r} (try a MeSH name or ID)")
    return [concept.id]


def answer(store: Store, source: Sequence[str], target: Sequence[str] | None,
           opts: Options) -> list[dict[str, Any]]:
    """Closed discovery (``target`` given: one hypothesis, its linking concepts ranked) or
    open discovery (the targets ranked), as dicts."""
    directions = partial(path_effects, store)
    if target:
        hyp = closed(store, source, target, opts, directions)
        if not hyp.n_links and not hyp.works_source:
            raise NotFoundError(f"{hyp.source[0].name} occurs in no indexed work"
                                + (f" before {opts.before}" if opts.before else ""))
        _explain(store, [hyp], len(hyp.links))
        return [_json(hyp, "closed", opts, 1)]
    hyps = open_discovery(store, source, opts, directions)
    _explain(store, hyps, EXPLAINED_LINKS)
    return [_json(h, "open", opts, i) for i, h in enumerate(hyps, start=1)]


def claim_graph(store: Store, source: Sequence[str], target: str | None,
                limit: int) -> list[dict[str, Any]]:
    """Hypotheses over the statement graph alone (paths of up to three statements)."""
    rows = store.rows("SELECT key, subject_id, predicate, object_id, negated, belief "
                      "FROM statements")
    concepts = {r["id"]: r for r in store.rows("SELECT id, name, type FROM concepts")}
    edges = edges_from_rows(rows)
    types = {cid: c["type"] for cid, c in concepts.items()}
    out: list[dict[str, Any]] = []
    for sid in source:
        for h in claim_discover(edges, sid, types, target_id=target, limit=limit):
            out.append({
                "mode": "closed" if target else "open", "graph": "claims",
                "source": _named(concepts, h.source_id),
                "target": _named(concepts, h.target_id),
                "score": h.score, "paths": [[{
                    "subject": _named(concepts, e.subject_id), "predicate": e.predicate,
                    "object": _named(concepts, e.object_id), "belief": e.belief,
                    "statement": e.key} for e in p] for p in h.paths[:5]],
                "n_paths": len(h.paths)})
    return sorted(out, key=lambda h: -h["score"])[:limit]


def documents(store: Store, concept_ids: Sequence[str], before: int | None,
              limit: int) -> list[dict[str, Any]]:
    """The documents in which every concept (with its narrower headings) occurs, titles
    first, newest first: the works behind a discovery link."""
    known = concepts(store)
    sets = [narrower([cid], known) for cid in concept_ids]
    if not sets:
        return []
    wanted = " INTERSECT ".join(
        f"SELECT doc_id FROM index_terms WHERE list_contains(CAST(${i + 2} AS JSON)::"
        "VARCHAR[], concept_id)" for i in range(len(sets)))
    rows = store.rows(
        f"SELECT d.id, d.work_id, d.title, d.path, i.year, d.metadata->>'$.pmid' AS pmid, "
        f"(SELECT list(DISTINCT t.concept_id) FROM index_terms t WHERE t.doc_id = d.id AND "
        f"t.in_title) AS title_concepts FROM documents d JOIN index_documents i ON i.doc_id = "
        f"d.id WHERE d.id IN ({wanted}) AND ($1::INTEGER IS NULL OR i.year < $1) "
        f"ORDER BY i.year DESC NULLS LAST, d.title, d.id LIMIT {int(limit)}",
        [before, *[json_list(s) for s in sets]])
    for r in rows:
        in_title = set(r.pop("title_concepts") or ())
        r["in_title"] = [cid for cid in concept_ids if set(narrower([cid], known)) & in_title]
    return rows


# --- explanations -----------------------------------------------------------------------------

def _explain(store: Store, hyps: Sequence[Hypothesis], per_hypothesis: int) -> None:
    """Attach the claims on the links of each hypothesis' first linking concepts."""
    pairs: list[tuple[Sequence[str], str]] = []
    for h in hyps:
        for lk in h.links[:per_hypothesis]:
            pairs += [(h.source_ids, lk.concept.id), (h.target_ids, lk.concept.id)]
    found = claims_between(store, pairs)
    for h in hyps:
        for lk in h.links[:per_hypothesis]:
            lk.claims = {"source": found.get((h.source_ids[0], lk.concept.id), []),
                         "target": found.get((h.target_ids[0], lk.concept.id), [])}


def _concept_json(c: Concept, trees: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "name": c.name, "type": c.type}
    if trees:
        out["trees"] = list(c.trees)
    return out


def _link_json(lk: Link) -> dict[str, Any]:
    return {"concept": _concept_json(lk.concept, trees=True), "score": round(lk.score, 6),
            "effect": lk.effect,
            "works": {"link": lk.works, "with_source": lk.works_source,
                      "with_target": lk.works_target},
            "weighted": {"link": lk.n, "with_source": lk.n_source,
                         "with_target": lk.n_target},
            "claims": lk.claims or {"source": [], "target": []}}


def _json(h: Hypothesis, mode: str, opts: Options, rank: int) -> dict[str, Any]:
    effects = [lk.effect for lk in h.links if lk.effect]
    effect = None
    if effects:
        effect = "lowers" if effects.count("lowers") >= effects.count("raises") else "raises"
    return {"mode": mode, "graph": "cooccurrence", "rank": rank, "measure": opts.measure,
            "before": opts.before, "source": _concept_json(h.source[0]),
            "sources": [_concept_json(c) for c in h.source],
            "target": _concept_json(h.target), "score": round(h.score, 6),
            "known": h.known, "effect": effect,
            "works": {"source": h.works_source, "target": h.works_target,
                      "both": h.works_both},
            "n_links": h.n_links, "links": [_link_json(lk) for lk in h.links]}


def _named(concepts: dict[str, dict[str, Any]], cid: str) -> dict[str, Any]:
    c = concepts.get(cid, {"id": cid, "name": cid, "type": "unknown"})
    return {"id": c["id"], "name": c["name"], "type": c["type"]}
