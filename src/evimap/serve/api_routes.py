"""The JSON API (``/api/...``): each route is one call of :class:`evimap.api.Evimap`.

Every listing takes ``limit`` and ``offset`` and answers ``{total, limit, offset, items}``;
errors answer ``{"error": {"code", "message"}}`` (see ``app.py`` and docs/api.md).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from .. import __version__
from ..store.curation import MAX_NOTE
from .app import CSRF_HEADER, EvimapDep, StateDep, WriterDep
from .uploads import ingest_uploads

router = APIRouter(prefix="/api", tags=["api"])

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500).")]
#: The largest offset a store query takes (DuckDB's BIGINT): beyond it, 422.
MAX_OFFSET = 2**63 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
#: Documents, works, statements and claims are keyed by hex content hashes.
HashId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{1,64}$")]
#: Concepts by MeSH descriptor (or supplementary) ID.
ConceptId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_:-]{1,64}$")]
Term = Annotated[str | None, Query(description="A concept: name, synonym or MeSH ID.")]


@router.get("/stats", summary="How many works, documents, claims, ... the store holds")
def stats(ev: EvimapDep, state: StateDep) -> dict[str, int]:
    return state.cached("counts", ev.store.counts)


@router.get("/health", summary="Whether the server is up and has loaded its lexicon")
def health(state: StateDep) -> dict[str, str]:
    """``resources``: ``loading`` for the first seconds after the start (requests are
    answered meanwhile, some a little later), then ``ready``; ``unavailable`` when the
    lexicon or models could not be loaded (search and uploads say why). The store is not
    read: the answer comes even while a write holds it."""
    return {"status": "ok", "version": __version__, "resources": state.resources}


@router.get("/csrf", summary="This session's CSRF token, for requests that change the store")
def csrf(request: Request) -> dict[str, str]:
    """The token to send as the ``X-CSRF-Token`` header with ``POST /api/ingest`` and the
    curation requests, with the session cookie this response sets (or the one sent)."""
    return {"csrf_token": request.state.csrf_token, "header": CSRF_HEADER}


@router.get("/documents", summary="Documents (sources), searchable")
def documents(ev: EvimapDep, q: str | None = None, source_kind: str | None = None,
              work: str | None = None, concept: str | None = None, limit: Limit = 50,
              offset: Offset = 0) -> dict[str, Any]:
    """Documents whose title, path or text contains ``q``; of a ``source_kind``; of a
    ``work``; mentioning a ``concept`` (MeSH ID)."""
    return ev.list_documents(q, source_kind, work, concept, limit, offset).to_json()


@router.get("/documents/{doc_id}", summary="One document with its text and signals")
def document(ev: EvimapDep, doc_id: HashId) -> dict[str, Any]:
    return ev.document(doc_id)


@router.get("/documents/{doc_id}/segments", summary="A document's segments in order")
def segments(ev: EvimapDep, doc_id: HashId, kind: str | None = None, limit: Limit = 200,
             offset: Offset = 0) -> dict[str, Any]:
    """Title, abstract, body, metadata, comments (with author and date), boilerplate (with
    the reason it was dropped), ...; ``kind`` selects one."""
    return ev.list_segments(doc_id, kind, limit, offset).to_json()


@router.get("/works", summary="Works: one paper or page however many copies")
def works(ev: EvimapDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    return ev.list_works(limit, offset).to_json()


@router.get("/works/{work_id}", summary="One work with its sources")
def work(ev: EvimapDep, work_id: HashId) -> dict[str, Any]:
    return ev.work(work_id)


@router.get("/concepts", summary="Concepts by name or synonym")
def concepts(ev: EvimapDep, q: str | None = None, type: str | None = None,
             limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Concepts whose name or a mention's text contains ``q``, or that ``q`` names exactly
    as a MeSH synonym or brand name; ``type`` is chemical, disease, mechanism or procedure."""
    return ev.search_concepts(q, type, limit, offset).to_json()


@router.get("/concepts/autocomplete", summary="The first matches, while typing")
def autocomplete(ev: EvimapDep, q: Annotated[str, Query(min_length=1, max_length=100)],
                 limit: Annotated[int, Query(ge=1, le=25)] = 10) -> dict[str, Any]:
    return ev.search_concepts(q, None, limit, 0).to_json()


@router.get("/concepts/{concept_id}", summary="One concept: synonyms, counts, neighbours")
def concept(ev: EvimapDep, concept_id: ConceptId,
            neighbours: Annotated[int, Query(ge=0, le=100)] = 12) -> dict[str, Any]:
    return {**ev.concept(concept_id), "neighbours": ev.neighbours(concept_id, neighbours)}


@router.get("/claims", summary="Claims with their evidence, filtered")
def claims(ev: EvimapDep, subject: Term = None, object: Term = None,
           predicate: str | None = None, design: str | None = None, about: Term = None,
           statement: str | None = None, doc: str | None = None, limit: Limit = 50,
           offset: Offset = 0) -> dict[str, Any]:
    """``design`` is the claim's study design (RCT, cohort, anecdote, ...); ``about``
    matches subject or object; ``statement`` is a statement key; ``doc`` a document ID."""
    return ev.list_claims(subject, object, predicate, design, about, statement, doc,
                          limit, offset).to_json()


@router.get("/statements", summary="Statements (claims merged across works), strongest first")
def statements(ev: EvimapDep, subject: Term = None, object: Term = None,
               predicate: str | None = None, design: str | None = None, about: Term = None,
               min_belief: Annotated[float | None, Query(ge=0, le=1)] = None,
               limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """``design`` is the statement's best design. Evidence: ``/api/statements/KEY/evidence``."""
    return ev.list_statements(subject, object, predicate, design, about, min_belief,
                              limit, offset).to_json()


@router.get("/statements/{key}", summary="One statement and why it has its belief")
def statement(ev: EvimapDep, key: HashId) -> dict[str, Any]:
    return ev.statement(key)


@router.get("/statements/{key}/evidence", summary="The claims behind one statement")
def statement_evidence(ev: EvimapDep, key: HashId, limit: Limit = 50,
                       offset: Offset = 0) -> dict[str, Any]:
    page = ev.list_claims(statement=key, limit=limit, offset=offset)
    if not page.total:
        ev.statement(key)  # 404 for an unknown key rather than an empty page
    return page.to_json()


@router.get("/statements/{key}/works",
            summary="The works behind one statement, each once with its copies")
def statement_works(ev: EvimapDep, key: HashId, limit: Limit = 50,
                    offset: Offset = 0) -> dict[str, Any]:
    """Strongest first: each work's weight and its factors, every copy as a source, and
    its distinct claims (a sentence in several copies is one claim with its ``copies``)."""
    return ev.statement_works(key, limit=limit, offset=offset).to_json()


@router.get("/statements/{key}/contradictions",
            summary="The statements that contradict one statement")
def statement_contradictions(ev: EvimapDep, key: HashId) -> dict[str, Any]:
    items = ev.contradictions(key)
    return {"total": len(items), "limit": len(items), "offset": 0, "items": items}


@router.get("/evidence", summary="Evidence for an intervention (and a condition)")
def evidence(ev: EvimapDep, intervention: Annotated[str, Query(min_length=1)],
             condition: Term = None, design: str | None = None, limit: Limit = 50,
             offset: Offset = 0) -> dict[str, Any]:
    """Every claim with the intervention as subject (and the condition as object), as
    ``evimap evidence INTERVENTION CONDITION``."""
    return ev.list_claims(subject=intervention, object=condition, design=design,
                          limit=limit, offset=offset).to_json()


@router.get("/map", summary="The evidence map: interventions x conditions")
def evidence_map(ev: EvimapDep, state: StateDep,
                 view: Annotated[Literal["benefit", "harm", "mechanism", "all"], Query(
                     description="benefit (default): treats, prevents, approved for, with "
                                 "no effect as contrary evidence; harm: adverse effects, "
                                 "contraindications, interactions; mechanism; all")
                 ] = "benefit",
                 object_type: Annotated[list[str] | None, Query()] = None,
                 predicate: str | None = None,
                 rows: Annotated[int, Query(ge=1, le=200)] = 30,
                 cols: Annotated[int, Query(ge=1, le=200)] = 30) -> dict[str, Any]:
    """The ``rows`` interventions and ``cols`` columns with the most independent works in
    one ``view``, and per pair the works, best design, highest belief for and against
    (``belief``, ``belief_against``), whether it is contested and its strongest
    statement. Columns are the view's (conditions, or mechanisms) unless ``object_type``
    (repeatable) says otherwise; the view's statements about other objects (drug classes)
    are in ``elsewhere``."""
    types = tuple(object_type or ())
    return state.cached(("map", types, predicate, rows, cols, view), lambda: ev.evidence_map(
        list(types) or None, predicate, rows, cols, view=view))


Branches = Annotated[list[str] | None, Query(
    description="MeSH branches or tree numbers (C, D, G, C14.907, ...); repeat or "
                "comma-separate.")]


@router.get("/discover", summary="Hidden connections (literature-based discovery)")
def discover(ev: EvimapDep, source: Annotated[str, Query(min_length=1)],
             target: Term = None,
             limit: Annotated[int, Query(ge=1, le=100)] = 20,
             measure: Annotated[str, Query(description="jaccard, count, mi, ltc or amw "
                                                       "(docs/discovery.md).")] = "jaccard",
             before: Annotated[int | None, Query(ge=1000, le=3000, description="Only "
                                                 "documents published before this year.")]
             = None,
             via: Branches = None, targets: Branches = None, include_known: bool = False,
             exact: bool = False, links: Annotated[int, Query(ge=1, le=50)] = 10,
             graph: Annotated[str, Query(pattern="^(cooccurrence|claims)$")] = "cooccurrence"
             ) -> dict[str, Any]:
    """Open discovery (``source`` alone: targets ranked) or closed discovery (``target``
    given: one hypothesis, its ``limit`` best linking concepts), each linking concept with
    its work counts and the claims on its links, as ``evimap discover --json``."""
    items = ev.discover(source, target, limit, graph=graph, measure=measure, before=before,
                        via=_split(via), targets=_split(targets),
                        include_known=include_known, exact=exact, links=links)
    return {"total": len(items), "limit": limit, "offset": 0, "items": items}


@router.get("/discover/documents", summary="The documents behind a discovery link")
def discover_documents(ev: EvimapDep, concept: Annotated[list[str], Query(
        min_length=1, max_length=3, description="MeSH IDs that must all occur (each with "
                                                "its narrower headings).")],
        before: Annotated[int | None, Query(ge=1000, le=3000)] = None,
        limit: Limit = 50) -> dict[str, Any]:
    items = ev.discovery_documents(concept, before, limit)
    return {"total": len(items), "limit": limit, "offset": 0, "items": items}


def _split(values: list[str] | None) -> list[str] | None:
    out = [v.strip() for value in values or [] for v in value.split(",") if v.strip()]
    return out or None


@router.get("/claims/{claim_id}", summary="One claim with its evidence and curation")
def claim(ev: EvimapDep, claim_id: HashId) -> dict[str, Any]:
    return ev.claim(claim_id)


class CurationIn(BaseModel):
    """A reader's verdict on a claim."""

    verdict: Literal["wrong", "right"]
    note: str | None = Field(default=None, max_length=MAX_NOTE)


@router.post("/claims/{claim_id}/curation", summary="Mark a claim wrong or right")
def curate(ev: WriterDep, claim_id: HashId, body: CurationIn) -> dict[str, Any]:
    """As ``evimap curate``: kept across re-ingests; a claim marked wrong is left out of its
    statement's belief (answered before and after). Needs the session's CSRF token
    (``X-CSRF-Token``, from ``GET /api/csrf``) and, on a server with a token, the token."""
    return ev.curate(claim_id, body.verdict, body.note)


@router.delete("/claims/{claim_id}/curation", summary="Forget the verdict on a claim")
def uncurate(ev: WriterDep, claim_id: HashId) -> dict[str, Any]:
    return ev.curate(claim_id, None)


@router.post("/ingest", summary="Ingest uploaded files")
def ingest(ev: WriterDep, files: Annotated[list[UploadFile], File(
        description="One or more files (text, HTML, PubMed XML, JATS, PubTator, JSONL, "
                    ".gz)")]) -> dict[str, Any]:
    """Each file is read, cleaned and mined as ``evimap ingest`` does, and stored under the
    name it was uploaded with; a bad file is reported in its ``errors`` and the rest go
    on. The request body is limited to ``max_upload_mb`` (413 beyond). Needs the session's
    CSRF token (``X-CSRF-Token``, from ``GET /api/csrf``)."""
    return ingest_uploads(ev, files)


@router.get("/report", summary="Download the static HTML evidence report",
            response_class=Response)
def report(ev: EvimapDep, about: Term = None) -> Response:
    """The report of ``evimap report``; ``about`` limits it to one topic."""
    with tempfile.TemporaryDirectory(prefix="evimap-report-") as folder:
        html = ev.report(Path(folder) / "report.html", about=about).read_text(
            encoding="utf-8")
    return Response(html, media_type="text/html; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="evimap-report.html"',
        # the report is one self-contained file with inline CSS and no scripts
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
