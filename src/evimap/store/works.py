"""Works in the store: which sources are copies of one paper or page.

A work is a connected component over two kinds of link between sources: the same content
hash (an exact copy of the main content, at least ``dedup.EXACT_MIN_SHINGLES`` shingles) and
an accepted pair in ``copy_pairs`` (a near copy under :class:`~evimap.dedup.CopyRule`). Its id
is :func:`evimap.dedup.work_id` of the smallest content key of its members, so the partition
and the ids depend on what is stored, never on the order it came in: when a new source links
two works they are re-labelled as one, and when a removal splits a work its parts are
re-labelled apart. One guard against bridging: a page holding two texts in separate parts of
itself (a digest pasting two abstracts) is a copy of neither (:func:`compilations`).

Finding links is a join in the store: a new source's candidates are the stored sources
sharing its content hash, an LSH band of its MinHash signature (high Jaccard similarity) or at
least ``dedup.SKETCH_MIN_SHARED`` hashes of its shingle sketch (high containment, whatever
the lengths). Only candidates are verified, on exact shingle sets rebuilt from their stored
segments, so memory holds one batch and its few candidates, never the store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import dedup
from ..model import ProcessedDocument
from .sql import IDS, in_list, json_list, listed

if TYPE_CHECKING:
    from . import Store

#: Documents whose shingles are rebuilt from the store in one query.
_FETCH = 1000


@dataclass
class DocKeys:
    """The dedup keys of one new document, beside those the pipeline computed."""

    doc_id: str
    content_hash: str
    shingles: frozenset[int]
    sketch: list[int]
    bands: list[int]

    @classmethod
    def of(cls, pd: ProcessedDocument) -> DocKeys:
        hashes = dedup.shingle_hashes(dedup.main_text(pd.segments))
        return cls(pd.raw.id, pd.content_hash, hashes, dedup.sketch(hashes),
                   dedup.band_hashes(pd.minhash))

    @property
    def exact(self) -> bool:
        return dedup.exact_eligible(len(self.shingles))

    @property
    def key(self) -> str:
        return dedup.member_key(self.content_hash, self.doc_id, self.exact)


@dataclass
class Links:
    """What one new document links to: the document it matched best (with its containment,
    1.0 for an exact copy) and the stored works it joins."""

    near_dup_of: str | None = None
    similarity: float | None = None
    works: set[str] = field(default_factory=set)
    linked: bool = False


def find_links(store: Store, keys: Sequence[DocKeys], rule: dedup.CopyRule
               ) -> tuple[list[Links], list[list[Any]]]:
    """Links of each new document to the store and to the batch's other documents, and the
    accepted near-copy pairs as ``copy_pairs`` rows."""
    index = {k.doc_id: i for i, k in enumerate(keys)}
    links = [Links() for _ in keys]
    exact: dict[int, list[tuple[str, str]]] = {}       # batch index -> (doc id, work id)
    candidates: set[tuple[int, str]] = set()            # (batch index, other doc id)
    stored: dict[str, tuple[str, str]] = {}             # doc id -> (work id, content hash)

    # exact copies, in the store and in the batch
    by_hash: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        if k.exact:
            by_hash.setdefault(k.content_hash, []).append(i)
    if by_hash:
        for h, doc_id, work in store.con.execute(
                "SELECT content_hash, id, work_id FROM documents "
                f"WHERE {in_list('content_hash')}", [json_list(by_hash)]).fetchall():
            for i in by_hash[h]:
                exact.setdefault(i, []).append((doc_id, work))
    for group in by_hash.values():
        for i in group[1:]:
            exact.setdefault(i, []).append((keys[group[0]].doc_id, ""))

    near = [i for i, k in enumerate(keys) if rule.eligible(len(k.shingles))]
    # LSH band candidates (high Jaccard similarity)
    band_keys: dict[tuple[int, int], list[int]] = {}
    for i in near:
        for b, h in enumerate(keys[i].bands):
            band_keys.setdefault((b, h), []).append(i)
    if band_keys:
        bands, hashes = zip(*band_keys, strict=True)
        for band, h, doc_id, n in store.con.execute(
                "SELECT b.band, b.hash, b.doc_id, m.n_shingles FROM lsh_bands b "
                "JOIN minhash m ON m.doc_id = b.doc_id WHERE (b.band, b.hash) IN "
                f"(SELECT unnest({listed('SMALLINT')}), unnest({listed('BIGINT')}))",
                [json_list(bands), json_list(hashes)]).fetchall():
            if rule.eligible(n or 0):
                candidates.update((i, doc_id) for i in band_keys[(band, h)])
    # sketch candidates (high containment)
    qdocs = [keys[i].doc_id for i in near for _ in keys[i].sketch]
    qhashes = [h for i in near for h in keys[i].sketch]
    if qhashes:
        for qdoc, doc_id, shared, n, n_sketch in store.con.execute(
                f"WITH q AS (SELECT unnest({IDS}) AS qdoc, unnest({listed('UINTEGER')}) AS hash),"
                " hits AS (SELECT q.qdoc, s.doc_id, count(*) AS shared FROM q "
                "  JOIN shingle_sketch s ON s.hash = q.hash GROUP BY q.qdoc, s.doc_id "
                "  HAVING count(*) >= ?) "
                "SELECT h.qdoc, h.doc_id, h.shared, m.n_shingles, m.n_sketch FROM hits h "
                "JOIN minhash m ON m.doc_id = h.doc_id",
                [json_list(qdocs), json_list(qhashes), dedup.SKETCH_MIN_SHARED]).fetchall():
            i = index[qdoc]
            if rule.eligible(n or 0) and rule.sketch_candidate(
                    shared, len(keys[i].sketch), n_sketch or 0):
                candidates.add((i, doc_id))
    # the batch's own pairs: each document against the earlier ones
    for x, y in _batch_candidates([keys[i] for i in near], rule):
        a, b = near[x], near[y]
        candidates.add((max(a, b), keys[min(a, b)].doc_id))

    # verify candidates on exact shingle sets
    other_ids = {d for _, d in candidates if d not in index}
    shingles = fetch_shingles(store, other_ids)
    if other_ids:
        for doc_id, work, h in store.con.execute(
                f"SELECT id, work_id, content_hash FROM documents WHERE {in_list('id')}",
                [json_list(sorted(other_ids))]).fetchall():
            stored[doc_id] = (work, h)
    pairs: list[list[Any]] = []
    accepted: dict[int, list[tuple[float, float, str]]] = {}
    for i, other in sorted(candidates):
        k = keys[i]
        if other in index:
            other_hash, other_shingles = keys[index[other]].content_hash, \
                keys[index[other]].shingles
        elif other in stored:
            other_hash, other_shingles = stored[other][1], shingles.get(other, frozenset())
        else:
            continue
        if other_hash == k.content_hash:
            continue                    # an exact copy: linked by its content hash
        ok, c, j = rule.compare(k.shingles, other_shingles)
        if ok:
            accepted.setdefault(i, []).append((c, j, other))
            pairs.append(_pair_row(rule, k.doc_id, k.shingles, other, other_shingles, c, j))

    for i, link in enumerate(links):
        if i in exact:
            doc_id, work = min(exact[i])
            link.near_dup_of, link.similarity = doc_id, 1.0
        for c, _j, other in sorted(accepted.get(i, ()), key=lambda t: (-t[0], -t[1], t[2])):
            if link.near_dup_of is None:
                link.near_dup_of, link.similarity = other, c
        for _doc, work in exact.get(i, ()):
            if work:
                link.works.add(work)
        for _c, _j, other in accepted.get(i, ()):
            if other in stored:
                link.works.add(stored[other][0])
        link.linked = i in exact or i in accepted
    for partners in accepted.values():   # a pair links both of its documents
        for _c, _j, other in partners:
            if other in index:
                links[index[other]].linked = True
    return links, pairs


def _pair_row(rule: dedup.CopyRule, a: str, sa: Collection[int], b: str, sb: Collection[int],
              c: float, j: float) -> list[Any]:
    """A ``copy_pairs`` row: ``part`` is the document held in the other when the pair was
    accepted by containment alone (the smaller text), null when by Jaccard."""
    part = None if j >= rule.jaccard else min((len(sa), a), (len(sb), b))[1]
    return [min(a, b), max(a, b), c, j, part]


def _batch_candidates(keys: Sequence[DocKeys], rule: dedup.CopyRule
                      ) -> Iterable[tuple[int, int]]:
    """Pairs (i, j), i < j, of the batch's documents sharing an LSH band or enough sketch
    hashes: the same test as against the store, on an index of the batch alone."""
    found: set[tuple[int, int]] = set()
    bands: dict[tuple[int, int], list[int]] = {}
    posting: dict[int, list[int]] = {}
    for j, k in enumerate(keys):
        shared: dict[int, int] = {}
        for h in k.sketch:
            for i in posting.get(h, ()):
                shared[i] = shared.get(i, 0) + 1
            posting.setdefault(h, []).append(j)
        for i, n in shared.items():
            if rule.sketch_candidate(n, len(keys[i].sketch), len(k.sketch)):
                found.add((i, j))
        for b, h in enumerate(k.bands):
            found.update((i, j) for i in bands.get((b, h), ()))
            bands.setdefault((b, h), []).append(j)
    return sorted(found)


def fetch_shingles(store: Store, doc_ids: Collection[str]) -> dict[str, frozenset[int]]:
    """The shingle hashes of stored documents, rebuilt from their main-content segments."""
    out: dict[str, frozenset[int]] = {}
    ids = sorted(doc_ids)
    kinds = sorted(dedup.MAIN_KINDS)
    for start in range(0, len(ids), _FETCH):
        texts: dict[str, list[str]] = {d: [] for d in ids[start:start + _FETCH]}
        for doc_id, text in store.con.execute(
                f"SELECT doc_id, text FROM segments WHERE {in_list('doc_id')} "
                f"AND {in_list('kind')} ORDER BY doc_id, idx",
                [json_list(texts), json_list(kinds)]).fetchall():
            texts[doc_id].append(text)
        out.update((d, dedup.shingle_hashes("\n".join(t))) for d, t in texts.items())
    return out


class _Components:
    """Union-find over document ids; a component is named by its smallest id."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {d: d for d in ids}

    def find(self, x: str) -> str:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _closure(store: Store, work_ids: Collection[str]) -> set[str]:
    """``work_ids`` and every work reachable from them over ``copy_pairs`` (a pair left out
    by the compilation guard links two works)."""
    found = set(work_ids)
    frontier = set(work_ids)
    while frontier:
        reached = {r[0] for r in store.con.execute(
            f"WITH m AS (SELECT id FROM documents WHERE {in_list('work_id')}), "
            "o AS (SELECT p.doc_b AS id FROM copy_pairs p JOIN m ON p.doc_a = m.id "
            "      UNION SELECT p.doc_a FROM copy_pairs p JOIN m ON p.doc_b = m.id) "
            "SELECT DISTINCT d.work_id FROM documents d JOIN o ON o.id = d.id",
            [json_list(sorted(frontier))]).fetchall()}
        frontier = reached - found
        found |= frontier
    return found


def compilations(held: dict[str, set[str]], shingles: dict[str, frozenset[int]]) -> set[str]:
    """The documents of ``held`` (document -> the documents held in it, accepted by
    containment alone) that are compilations: two of the texts they hold occupy parts of
    them sharing less than ``dedup.COMPILATION_OVERLAP`` (a digest pasting two abstracts),
    so they are copies of neither. A page holding a truncated mirror and the full abstract,
    or two overlapping excerpts, is not one."""
    out = set()
    for whole, parts in held.items():
        if len(parts) < 2:
            continue
        body = shingles.get(whole, frozenset())
        footprints = [shingles.get(p, frozenset()) & body for p in sorted(parts)]
        for i, a in enumerate(footprints):
            if any(dedup.containment(a, b) < dedup.COMPILATION_OVERLAP
                   for b in footprints[i + 1:]):
                out.add(whole)
                break
    return out


def components(ids: Collection[str], exact: Iterable[tuple[str, str]],
               pairs: Sequence[tuple[str, str, str | None]],
               compiled: Collection[str] = ()) -> _Components:
    """Works over documents ``ids``: connected components over ``exact`` links (same content
    hash) and ``pairs`` (doc_a, doc_b, part), leaving out the pairs that hold a text in one of
    the ``compiled`` documents (:func:`compilations`), so a digest never bridges two papers.
    A function of the graph alone: the result never depends on the order of anything."""
    out = _Components(ids)
    for a, b in exact:
        out.union(a, b)
    for a, b, part in pairs:
        if part is None or (b if part == a else a) not in compiled:
            out.union(a, b)
    return out


def _held(pairs: Iterable[tuple[str, str, str | None]]) -> dict[str, set[str]]:
    held: dict[str, set[str]] = {}
    for a, b, part in pairs:
        if part is not None:
            held.setdefault(b if part == a else a, set()).add(part)
    return held


def regroup(store: Store, work_ids: Collection[str] | None, now: str) -> None:
    """Recompute the works ``work_ids`` (None: every work), with those linked to them by a
    copy pair, as :func:`components` of their documents, and re-label documents, claims and
    works where a component's content key changed."""
    con = store.con
    scope = None if work_ids is None else sorted(_closure(store, work_ids))
    where = "" if scope is None else f"WHERE {in_list('d.work_id')}"
    members = con.execute(
        "SELECT d.id, d.content_hash, d.title, d.work_id, coalesce(m.n_shingles, 0) "
        f"FROM documents d LEFT JOIN minhash m ON m.doc_id = d.id {where}",
        [] if scope is None else [json_list(scope)]).fetchall()
    if not members:
        return
    ids = {m[0] for m in members}
    first: dict[str, str] = {}
    exact = [(d, first.setdefault(h, d)) for d, h, _t, _w, n in members
             if dedup.exact_eligible(n)]
    edge_sql = "SELECT doc_a, doc_b, part FROM copy_pairs" + (
        "" if scope is None else f" WHERE {in_list('doc_a')}")
    pairs = [(a, b, part) for a, b, part in con.execute(
        edge_sql, [] if scope is None else [json_list(sorted(ids))]).fetchall()
        if a in ids and b in ids]
    held = {w: parts for w, parts in _held(pairs).items() if len(parts) > 1}
    shingles = fetch_shingles(store, set(held) | {p for parts in held.values() for p in parts})
    found = components(ids, exact, pairs, compilations(held, shingles))

    groups: dict[str, list[tuple[str, str, str | None, str, int]]] = {}
    for m in members:
        groups.setdefault(found.find(m[0]), []).append(m)
    old_works = {m[3] for m in members}
    created = dict(con.execute(f"SELECT id, created_at FROM works WHERE {in_list('id')}",
                               [json_list(sorted(old_works))]).fetchall())
    moves: list[tuple[str, str]] = []
    rows: dict[str, list[Any]] = {}
    for group in groups.values():
        keyed = sorted((dedup.member_key(h, d, dedup.exact_eligible(n)), d, t)
                       for d, h, t, _w, n in group)
        new_id = dedup.work_id(keyed[0][0])
        dates = [created[w] for w in {m[3] for m in group} if created.get(w) is not None]
        rows[new_id] = [new_id, keyed[0][2], min(m[1] for m in group),
                        min(dates) if dates else now]
        moves += [(d, new_id) for d, _h, _t, w, _n in group if w != new_id]
    if moves:
        moved, targets = (list(x) for x in zip(*moves, strict=True))
        for table, col in (("documents", "id"), ("claims", "doc_id")):
            con.execute(
                f"UPDATE {table} SET work_id = m.new FROM (SELECT unnest({IDS}) AS id, "
                f"unnest({IDS}) AS new) m WHERE {table}.{col} = m.id",
                [json_list(moved), json_list(targets)])
    con.execute(f"DELETE FROM works WHERE {in_list('id')}",
                [json_list(sorted(old_works | set(rows)))])
    store.insert_rows("works", [rows[w] for w in sorted(rows)])


def rebuild(store: Store, rule: dedup.CopyRule, now: str) -> None:
    """Recompute every document's sketch, every copy pair and every work from what is
    stored (the upgrade of a store of schema version 3); nothing stored is dropped."""
    con = store.con
    con.execute("DELETE FROM shingle_sketch")
    con.execute("DELETE FROM copy_pairs")
    ids = [r[0] for r in con.execute("SELECT doc_id FROM minhash ORDER BY doc_id").fetchall()]
    for start in range(0, len(ids), _FETCH):
        shingles = fetch_shingles(store, ids[start:start + _FETCH])
        sketches = {d: dedup.sketch(s) for d, s in shingles.items()}
        con.execute(
            "UPDATE minhash SET n_shingles = m.n, n_sketch = m.k FROM (SELECT "
            f"unnest({IDS}) AS id, unnest({listed('INTEGER')}) AS n, "
            f"unnest({listed('INTEGER')}) AS k) m WHERE minhash.doc_id = m.id",
            [json_list(shingles), json_list(len(s) for s in shingles.values()),
             json_list(len(s) for s in sketches.values())])
        store.insert_rows("shingle_sketch", [[h, d] for d, sk in sketches.items() for h in sk])
    candidates = set(con.execute(
        "SELECT DISTINCT a.doc_id, b.doc_id FROM lsh_bands a JOIN lsh_bands b "
        "ON a.band = b.band AND a.hash = b.hash AND a.doc_id < b.doc_id").fetchall())
    for a, b, shared, na, nb in con.execute(
            "WITH hits AS (SELECT a.doc_id AS a, b.doc_id AS b, count(*) AS shared "
            " FROM shingle_sketch a JOIN shingle_sketch b ON a.hash = b.hash "
            " AND a.doc_id < b.doc_id GROUP BY ALL HAVING count(*) >= ?) "
            "SELECT h.a, h.b, h.shared, ma.n_sketch, mb.n_sketch FROM hits h "
            "JOIN minhash ma ON ma.doc_id = h.a JOIN minhash mb ON mb.doc_id = h.b",
            [dedup.SKETCH_MIN_SHARED]).fetchall():
        if rule.sketch_candidate(shared, na, nb):
            candidates.add((a, b))
    hashes = dict(con.execute("SELECT id, content_hash FROM documents").fetchall())
    candidates = {(a, b) for a, b in candidates if hashes.get(a) != hashes.get(b)}
    shingles = fetch_shingles(store, {d for pair in candidates for d in pair})
    pairs = []
    for a, b in sorted(candidates):
        ok, c, j = rule.compare(shingles[a], shingles[b])
        if ok:
            pairs.append(_pair_row(rule, a, shingles[a], b, shingles[b], c, j))
    store.insert_rows("copy_pairs", pairs)
    regroup(store, None, now)
