"""Stage 8, discover: open and closed literature-based discovery (Swanson's ABC model).

Two graphs, one query (docs/discovery.md):

* :mod:`.index`: the concept index, the concepts each document is about (its mentions and
  the MeSH dictionary with physiological phenomena), kept up to date after ingest;
* :mod:`.rank`: open and closed discovery over the co-occurrence graph it makes, with the
  stated measures, semantic filters, novelty and time slices;
* :mod:`.explain`: the claim graph's statements on each link, their directions and quotes;
* :mod:`.answer`: the hypotheses as dicts for the CLI, the API and the web page.

This module keeps the older discovery over the statement graph alone (``graph="claims"``):
an intervention A linked to B, and B linked to C, while A and C are not linked at all,
proposes the hypothesis A - C. Edges are assembled statements (not negated, not
hypothetical-only); a path's score is the product of its edge beliefs, damped by length; a
hypothesis' score is ``1 - prod(1 - path score)`` over its paths, and every hypothesis keeps
its paths so it can be explained and checked.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Each extra hop multiplies a path's score by this.
HOP_DAMPING = 0.5


@dataclass(frozen=True)
class Edge:
    subject_id: str
    predicate: str
    object_id: str
    belief: float
    key: str


@dataclass
class Hypothesis:
    source_id: str
    target_id: str
    score: float = 0.0
    paths: list[list[Edge]] = field(default_factory=list)


def _graph(edges: Iterable[Edge]) -> dict[str, list[tuple[str, Edge]]]:
    g: dict[str, list[tuple[str, Edge]]] = defaultdict(list)
    for e in edges:
        if e.subject_id == e.object_id:
            continue
        g[e.subject_id].append((e.object_id, e))
        g[e.object_id].append((e.subject_id, e))
    return g


#: Concept types a path may pass through: conditions and mechanisms link literatures; another
#: drug in the middle ("A treats X, B treats X and Y") says little about A and Y.
BRIDGE_TYPES = frozenset({"disease", "mechanism"})


def discover(edges: Sequence[Edge], source_id: str, types: Mapping[str, str],
             target_id: str | None = None, target_types: Iterable[str] = ("disease",),
             max_hops: int = 3, limit: int = 20,
             bridge_types: Iterable[str] = BRIDGE_TYPES) -> list[Hypothesis]:
    """Hypotheses linking ``source_id`` to concepts it has no statement with.

    Open discovery ranks every reachable target of ``target_types``; closed discovery
    (``target_id`` given) explains the paths between the two concepts. Intermediate
    concepts must be of ``bridge_types``.
    """
    bridges = set(bridge_types)
    g = _graph(edges)
    direct = {n for n, _ in g.get(source_id, [])}
    wanted = set(target_types)
    found: dict[str, Hypothesis] = {}
    stack: list[tuple[str, list[Edge], set[str]]] = [(source_id, [], {source_id})]
    while stack:
        node, path, visited = stack.pop()
        if len(path) >= max_hops:
            continue
        for nxt, edge in g.get(node, []):
            if nxt in visited:
                continue
            new_path = [*path, edge]
            is_target = (nxt == target_id) if target_id else (
                nxt not in direct and types.get(nxt) in wanted)
            if len(new_path) >= 2 and is_target:
                h = found.setdefault(nxt, Hypothesis(source_id, nxt))
                h.paths.append(new_path)
            if types.get(nxt) in bridges:
                stack.append((nxt, new_path, visited | {nxt}))
    for h in found.values():
        scores = [path_score(p) for p in h.paths]
        h.score = round(1.0 - math.prod(1.0 - s for s in scores), 4)
        h.paths.sort(key=path_score, reverse=True)
    return sorted(found.values(), key=lambda h: (-h.score, h.target_id))[:limit]


def path_score(path: Sequence[Edge]) -> float:
    return math.prod(e.belief for e in path) * HOP_DAMPING ** (len(path) - 1)


def edges_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Edge]:
    return [Edge(r["subject_id"], r["predicate"], r["object_id"], float(r["belief"]), r["key"])
            for r in rows if not r["negated"]]
