"""The library API: one object over one store. The CLI (and later the HTTP API) are thin
layers over it; every listing returns plain dicts ready for JSON.

>>> from evimap.api import Evimap
>>> with Evimap("evimap.duckdb") as ev:            # doctest: +SKIP
...     ev.ingest(["../shared/data/seeds"])
...     ev.claims(about="ketamine")
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import discover as discovery
from .entities import Lexicon
from .errors import EvimapError
from .pipeline import FileResult, IngestReport, Resources, ingest, load_resources
from .settings import Settings, load_settings
from .sources import segment_source_kind
from .store import Store, open_store

_MESH_UI_RE = re.compile(r"^[CD]\d{6,9}$")

CLAIMS_SQL = """
SELECT c.id, c.statement_key, c.doc_id, c.work_id, d.path, d.source_kind, d.credibility,
       c.subject_id, cs.name AS subject_name, cs.type AS subject_type,
       c.predicate, c.object_id, co.name AS object_name, co.type AS object_type,
       c.negated, c.hedged, c.hypothetical, c.qualifiers, c.segment_idx, c.segment_kind,
       c.sentence, c.start_offset, c.end_offset,
       e.design, e.n, e.outcomes, e.dose, e.population, e.asserted_by, e.study, e.extractor
FROM claims c
JOIN evidence e ON e.claim_id = c.id
JOIN documents d ON d.id = c.doc_id
JOIN concepts cs ON cs.id = c.subject_id
JOIN concepts co ON co.id = c.object_id
"""

STATEMENTS_SQL = """
SELECT s.*, cs.name AS subject_name, cs.type AS subject_type,
       co.name AS object_name, co.type AS object_type
FROM statements s JOIN concepts cs ON cs.id = s.subject_id JOIN concepts co ON co.id = s.object_id
"""


class Evimap:
    """Everything evimap does, over one store."""

    def __init__(self, db: str | Path | None = None, settings: Settings | None = None,
                 *, create: bool = True) -> None:
        self.settings = settings or load_settings(db=str(db) if db else None)
        self.store: Store = open_store(db or self.settings.db, create=create)
        self._resources: Resources | None = None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Evimap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def resources(self) -> Resources:
        """The lexicon and NER model, loaded on first use."""
        if self._resources is None:
            self._resources = load_resources(self.settings)
        return self._resources

    @property
    def lexicon(self) -> Lexicon:
        return self.resources.lexicon

    # --- ingest ----------------------------------------------------------------------------

    def ingest(self, paths: Sequence[str],
               progress: Callable[[FileResult], None] | None = None) -> IngestReport:
        return ingest(self.store, paths, self.settings, self.resources, progress)

    # --- concepts --------------------------------------------------------------------------

    def resolve(self, term: str) -> list[dict[str, Any]]:
        """Concepts a user's term names: a MeSH ID, a concept name, a mention text seen in
        the store, or a MeSH synonym from the lexicon (in that order)."""
        term = term.strip()
        if not term:
            raise EvimapError("empty concept name")
        if _MESH_UI_RE.match(term):
            rows = self.store.rows("SELECT * FROM concepts WHERE id = ?", [term])
            if rows:
                return rows
        rows = self.store.rows("SELECT * FROM concepts WHERE lower(name) = lower(?)", [term])
        if rows:
            return rows
        rows = self.store.rows(
            "SELECT DISTINCT c.* FROM mentions m JOIN concepts c ON c.id = m.concept_id "
            "WHERE lower(m.text) = lower(?) ORDER BY c.id", [term])
        if rows:
            return rows
        concept = self.lexicon.lookup(term)
        if concept is not None:
            return [{"id": concept.id, "name": concept.name, "type": concept.type}]
        return []

    def _resolve_ids(self, term: str) -> list[str]:
        ids = [c["id"] for c in self.resolve(term)]
        if not ids:
            raise EvimapError(f"no concept matches {term!r} (try a MeSH name or ID, "
                              "or `evimap claims` to see what the store holds)")
        return ids

    # --- documents -------------------------------------------------------------------------

    def docs(self, with_segments: bool = True) -> list[dict[str, Any]]:
        docs = self.store.rows(
            "SELECT d.id, d.path, d.work_id, d.title, d.format, d.source_kind, d.credibility,"
            " d.n_comments, d.signals, d.kind_scores, d.design, d.metadata, d.near_dup_of,"
            " d.similarity, (SELECT count(*) FROM documents x WHERE x.work_id = d.work_id)"
            " AS work_sources FROM documents d ORDER BY d.path, d.record")
        for d in docs:
            for key in ("signals", "kind_scores", "metadata"):
                d[key] = json.loads(d[key]) if d[key] else None
            if with_segments:
                d["segments"] = self.segments(d["id"])
        return docs

    def segments(self, doc_id: str) -> list[dict[str, Any]]:
        out = []
        for s in self.store.rows(
                "SELECT kind, label, text, start_offset, end_offset, reason, author, date "
                "FROM segments WHERE doc_id = ? ORDER BY idx", [doc_id]):
            seg = {"kind": s["kind"], "label": s["label"], "text": s["text"],
                   "start": s["start_offset"], "end": s["end_offset"]}
            if s["kind"] == "boilerplate":
                seg["reason"] = s["reason"]
            if s["kind"] == "comment":
                seg["author"] = s["author"]
                seg["date"] = s["date"]
                seg["source_kind"] = segment_source_kind("", "comment")
            out.append(seg)
        return out

    # --- claims, statements, evidence ------------------------------------------------------

    def claims(self, about: str | None = None, predicate: str | None = None
               ) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []
        if about:
            ids = self._resolve_ids(about)
            where.append("(list_contains(?, c.subject_id) OR list_contains(?, c.object_id))")
            params += [ids, ids]
        if predicate:
            where.append("c.predicate = ?")
            params.append(predicate)
        sql = CLAIMS_SQL + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY cs.name, c.predicate, co.name, d.path, c.start_offset"
        return [_claim_json(r) for r in self.store.rows(sql, params)]

    def statements(self, about: str | None = None) -> list[dict[str, Any]]:
        sql, params = STATEMENTS_SQL, []
        if about:
            ids = self._resolve_ids(about)
            sql += " WHERE list_contains(?, s.subject_id) OR list_contains(?, s.object_id)"
            params = [ids, ids]
        sql += " ORDER BY s.belief DESC, cs.name, s.predicate, co.name"
        out = []
        for r in self.store.rows(sql, params):
            claims = [c for c in self._claims_by_key(r["key"])]
            out.append({
                "key": r["key"], "subject": _concept(r, "subject"), "predicate": r["predicate"],
                "object": _concept(r, "object"), "negated": r["negated"],
                "belief": r["belief"], "contested": r["contested"], "n_claims": r["n_claims"],
                "n_works": r["n_works"], "best_design": r["best_design"],
                "explanation": json.loads(r["explanation"]) if r["explanation"] else None,
                "evidence": claims})
        return out

    def _claims_by_key(self, key: str) -> list[dict[str, Any]]:
        rows = self.store.rows(CLAIMS_SQL + " WHERE c.statement_key = ? ORDER BY d.path, "
                               "c.start_offset", [key])
        return [_claim_json(r) for r in rows]

    def evidence(self, intervention: str, condition: str | None = None) -> list[dict[str, Any]]:
        """Every claim with ``intervention`` as subject (and ``condition`` as object)."""
        subj = self._resolve_ids(intervention)
        sql = CLAIMS_SQL + " WHERE list_contains(?, c.subject_id)"
        params: list[Any] = [subj]
        if condition:
            sql += " AND list_contains(?, c.object_id)"
            params.append(self._resolve_ids(condition))
        sql += " ORDER BY co.name, c.predicate, e.design, d.path, c.start_offset"
        return [_claim_json(r) for r in self.store.rows(sql, params)]

    # --- discovery -------------------------------------------------------------------------

    def discover(self, source: str, target: str | None = None,
                 limit: int = 20) -> list[dict[str, Any]]:
        src = self._resolve_ids(source)
        tgt = self._resolve_ids(target)[0] if target else None
        rows = self.store.rows("SELECT key, subject_id, predicate, object_id, negated, belief "
                               "FROM statements")
        concepts = {r["id"]: r for r in self.store.rows("SELECT * FROM concepts")}
        types = {cid: c["type"] for cid, c in concepts.items()}
        edges = discovery.edges_from_rows(rows)
        out: list[dict[str, Any]] = []
        for sid in src:
            for h in discovery.discover(edges, sid, types, target_id=tgt, limit=limit):
                out.append({
                    "source": _named(concepts, h.source_id),
                    "target": _named(concepts, h.target_id),
                    "score": h.score, "paths": [[{
                        "subject": _named(concepts, e.subject_id), "predicate": e.predicate,
                        "object": _named(concepts, e.object_id), "belief": e.belief,
                        "statement": e.key} for e in p] for p in h.paths[:5]],
                    "n_paths": len(h.paths)})
        return sorted(out, key=lambda h: -h["score"])[:limit]

    # --- report ----------------------------------------------------------------------------

    def report(self, out: str | Path) -> Path:
        from .report import write_report
        return write_report(self, Path(out))


def _concept(r: dict[str, Any], role: str) -> dict[str, Any]:
    return {"id": r[f"{role}_id"], "name": r[f"{role}_name"], "type": r[f"{role}_type"]}


def _named(concepts: dict[str, dict[str, Any]], cid: str) -> dict[str, Any]:
    c = concepts.get(cid, {"id": cid, "name": cid, "type": "unknown"})
    return {"id": c["id"], "name": c["name"], "type": c["type"]}


def _claim_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"], "subject": _concept(r, "subject"), "predicate": r["predicate"],
        "object": _concept(r, "object"), "negated": r["negated"], "hedged": r["hedged"],
        "hypothetical": r["hypothetical"], "evidence_type": r["design"], "n": r["n"],
        "outcomes": list(r["outcomes"] or []), "dose": r["dose"], "population": r["population"],
        "asserted_by": r["asserted_by"], "study": r["study"],
        "qualifiers": json.loads(r["qualifiers"]) if r["qualifiers"] else {},
        "doc_id": r["doc_id"], "work_id": r["work_id"], "path": r["path"],
        "source_kind": segment_source_kind(r["source_kind"], r["segment_kind"]),
        "credibility": r["credibility"], "segment_kind": r["segment_kind"],
        "segment": r["segment_idx"], "sentence": r["sentence"], "start": r["start_offset"],
        "end": r["end_offset"], "statement_key": r["statement_key"],
        "extractor": r["extractor"],
    }
