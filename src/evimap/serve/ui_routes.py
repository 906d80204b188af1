"""The web UI: server-rendered pages over the same library calls as the JSON API.

Every page queries one page of rows in SQL (never the whole store); templates escape
everything (Jinja2 autoescape), and the few pieces of markup built in Python (highlights,
SVG) escape their text themselves.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from .. import vocab
from ..api import MAP_VIEWS, Evimap
from ..assemble import DESIGN_WEIGHT
from ..discover.rank import DEFAULT_MEASURE, MEASURES
from ..errors import EvimapError
from ..store.curation import MAX_NOTE
from .api_routes import MAX_OFFSET, ConceptId, HashId, Offset
from .app import EvimapDep, StateDep, WriterDep
from .markup import Span, mark, mention_spans, segment_with_sentence
from .render import pager, render
from .svg import evidence_map, map_legend, neighbour_graph
from .uploads import ingest_uploads

router = APIRouter(include_in_schema=False)

PAGE = 25
WORKS_PAGE = 10
SEGMENTS_PAGE = 300
#: The map's views: the question each answers and what its columns are.
VIEW_WORDS = {
    "benefit": ("Benefit", "Does it help? Treats, prevents or is approved for a condition; "
                "a red ring marks contrary evidence (no effect, or claims that it does not "
                "help).", "conditions"),
    "harm": ("Harm", "Is it safe? Adverse effects and contraindicated conditions; a red ring "
             "marks claims that it does not cause them.", "conditions"),
    "mechanism": ("Mechanism", "How does it act? Targets, receptors, transmitters.",
                  "mechanisms")}
PREDICATES = vocab.predicate_names()
Text = Annotated[str | None, Query(max_length=200)]


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, request, **context))


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ev: EvimapDep, state: StateDep, view: str = "benefit",
         colour: str = "belief", predicate: Text = None) -> HTMLResponse:
    """The evidence map, one view per reader's question (benefit by default, harm,
    mechanism): a switch, a key to sizes and colours, bubbles that open the pair's
    statements and contradictions. Computed once per view until the store changes."""
    view = view if view in MAP_VIEWS else "benefit"
    colour = colour if colour in ("belief", "design") else "belief"
    predicates = sorted(MAP_VIEWS[view][1] or PREDICATES)
    predicate = predicate if predicate in predicates else None

    def compute() -> dict[str, Any]:
        data = ev.evidence_map(predicate=predicate, view=view)
        most = max((c["n_works"] for c in data["cells"]), default=1)
        return dict(counts=ev.store.counts(), svg=evidence_map(data, colour),
                    n_rows=len(data["rows"]), n_cols=len(data["cols"]),
                    legend=map_legend(most, colour), elsewhere=data["elsewhere"],
                    top=ev.list_statements(limit=10, predicates=data["predicates"]).items)

    shown = state.cached(("home", view, colour, predicate), compute)
    return _page(request, "map.html", view=view, views=VIEW_WORDS, colour=colour,
                 predicate=predicate or "", predicates=predicates, **shown)


@router.get("/statements", response_class=HTMLResponse)
def statements(request: Request, ev: EvimapDep, subject: Text = None, object: Text = None,
               predicate: Text = None, design: Text = None, about: Text = None,
               offset: Offset = 0) -> HTMLResponse:
    page = ev.list_statements(subject or None, object or None, predicate or None,
                              design or None, about or None, limit=PAGE, offset=offset)
    return _page(request, "statements.html", page=page, pager=pager(request, page),
                 filters={"subject": subject or "", "object": object or "",
                          "predicate": predicate or "", "design": design or "",
                          "about": about or ""},
                 predicates=PREDICATES, designs=list(DESIGN_WEIGHT))


@router.get("/statements/{key}", response_class=HTMLResponse)
def statement(request: Request, ev: EvimapDep, key: HashId,
              offset: Offset = 0) -> HTMLResponse:
    """A statement: its belief in words, the contradicting statements side by side, and
    its evidence once per work (copies listed as that work's sources)."""
    view = ev.statement_page(key, limit=WORKS_PAGE, offset=offset)
    st, page = view.statement, view.works
    for w in page.items:
        for c in w["claims"]:
            ctx = view.contexts.get(c["id"])
            c["paragraph"] = segment_with_sentence(ctx["segment"], c["start"], c["end"],
                                                   ctx["mentions"]) if ctx else c["sentence"]
    return _page(request, "statement.html", st=st, page=page, pager=pager(request, page),
                 quote=view.quote, others=view.others, wrong=view.wrong,
                 explanation=json.dumps(st["explanation"], indent=2, ensure_ascii=False))


@router.post("/claims/{claim_id}/curation", response_class=RedirectResponse)
def curate(ev: WriterDep, claim_id: HashId,
           verdict: Annotated[str, Form(pattern="^(wrong|right|clear)$")],
           note: Annotated[str, Form(max_length=MAX_NOTE)] = "") -> RedirectResponse:
    """A curation button of the statement page: the claim marked wrong or right (or its
    verdict forgotten), then back to the claim on its statement's page."""
    done = ev.curate(claim_id, None if verdict == "clear" else verdict, note or None)
    return RedirectResponse(f"/statements/{done['statement_key']}#claim-{claim_id}",
                            status_code=303)


@router.get("/documents", response_class=HTMLResponse)
def documents(request: Request, ev: EvimapDep, q: Text = None, source_kind: Text = None,
              work: Text = None, concept: Text = None, offset: Offset = 0) -> HTMLResponse:
    page = ev.list_documents(q or None, source_kind or None, work or None, concept or None,
                             limit=PAGE, offset=offset)
    return _page(request, "documents.html", page=page, pager=pager(request, page),
                 q=q or "", source_kind=source_kind or "", work=work or "",
                 concept=concept or "")


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(request: Request, ev: EvimapDep, doc_id: HashId,
             claim: Annotated[str | None, Query(pattern=r"^[0-9a-f]{1,64}$")] = None,
             offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None
             ) -> HTMLResponse:
    """The page as ingested, segment by segment: kept content, dropped boilerplate with
    its reason, reader comments with author and date; entities linked to their concepts;
    with ``claim``, that claim's sentence highlighted."""
    doc = ev.document(doc_id)
    focus = ev.claim(claim) if claim else None
    if focus and focus["doc_id"] != doc_id:
        focus = None
    if offset is None:
        offset = (focus["segment"] // SEGMENTS_PAGE) * SEGMENTS_PAGE if focus else 0
    page = ev.list_segments(doc_id, limit=SEGMENTS_PAGE, offset=offset)
    segments = page.items
    if segments:
        mentions = ev.mentions(doc_id, segments[0]["start"], segments[-1]["end"])
        for seg in segments:
            _render_segment(seg, mentions, focus)
    claims = ev.list_claims(doc_id=doc_id, limit=100)
    return _page(request, "document.html", doc=doc, segments=segments,
                 pager=pager(request, page), claims=claims, focus=focus)


def _render_segment(seg: dict[str, Any], mentions: list[dict[str, Any]],
                    focus: dict[str, Any] | None) -> None:
    inside = [m for m in mentions if seg["start"] <= m["start"] and m["end"] <= seg["end"]]
    seg["n_mentions"] = len(inside)

    def entities(text: str, base: int) -> Markup:
        return mark(text, base, mention_spans(inside))

    if focus and seg["start"] <= focus["start"] and focus["end"] <= seg["end"]:
        span = Span(focus["start"], focus["end"], Markup('<mark class="sentence" id="focus">'),
                    Markup("</mark>"))
        seg["html"] = mark(seg["text"], seg["start"], [span], inner=entities)
    else:
        seg["html"] = entities(seg["text"], seg["start"])


@router.get("/concepts", response_class=HTMLResponse)
def concepts(request: Request, ev: EvimapDep, q: Text = None, type: Text = None,
             offset: Offset = 0) -> HTMLResponse:
    page = ev.search_concepts(q or None, type or None, limit=PAGE, offset=offset)
    return _page(request, "concepts.html", page=page, pager=pager(request, page),
                 q=q or "", type=type or "")


@router.get("/concepts/{concept_id}", response_class=HTMLResponse)
def concept(request: Request, ev: EvimapDep, concept_id: ConceptId) -> HTMLResponse:
    c = ev.concept(concept_id)
    neighbours = ev.neighbours(concept_id, 12)
    return _page(request, "concept.html", c=c, graph=neighbour_graph(c, neighbours),
                 neighbours=neighbours,
                 as_subject=ev.list_statements(subject=concept_id, limit=20),
                 as_object=ev.list_statements(object=concept_id, limit=20),
                 docs=ev.list_documents(concept=concept_id, limit=10))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, ev: EvimapDep, q: Text = None) -> HTMLResponse:
    q = (q or "").strip()
    found = _search(ev, q) if q else None
    return _page(request, "search.html", q=q, found=found)


def _search(ev: Evimap, q: str) -> dict[str, Any]:
    return {"concepts": ev.search_concepts(q, limit=20),
            "documents": ev.list_documents(q, limit=20)}


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request, ev: EvimapDep) -> HTMLResponse:
    return _page(request, "ingest.html", result=None,
                 max_mb=request.app.state.evimap.settings.max_upload_mb)


@router.post("/ingest", response_class=HTMLResponse)
def ingest(request: Request, ev: WriterDep,
           files: Annotated[list[UploadFile], File()]) -> HTMLResponse:
    return _page(request, "ingest.html", result=ingest_uploads(ev, files),
                 max_mb=request.app.state.evimap.settings.max_upload_mb)


@router.get("/discover", response_class=HTMLResponse)
def discover(request: Request, ev: EvimapDep, source: Text = None, target: Text = None,
             measure: Text = None, before: Text = None,
             via: Annotated[list[str] | None, Query()] = None,
             include_known: bool = False) -> HTMLResponse:
    """Literature-based discovery: pick A (and optionally C), see the ranked linking
    concepts (closed) or targets (open), click through to the documents behind a link.
    An empty or unreadable year means no time slice."""
    source, target = (source or "").strip(), (target or "").strip()
    year_text = (before or "").strip()
    year = int(year_text) if year_text.isdigit() else None
    measure = measure if measure in MEASURES else DEFAULT_MEASURE
    chosen = [b for b in via or [] if b in DISCOVERY_BRANCHES] or list(DISCOVERY_BRANCHES)
    hyps: list[dict[str, Any]] = []
    error = None
    if source:
        try:
            hyps = ev.discover(source, target or None, limit=PAGE, measure=measure,
                               before=year, via=chosen, include_known=include_known)
        except EvimapError as exc:
            error = str(exc)
    return _page(request, "discover.html", source=source, target=target, measure=measure,
                 measures=MEASURES, before=year or "", via=chosen,
                 branches=DISCOVERY_BRANCHES, include_known=include_known, hyps=hyps,
                 error=error)


#: The MeSH branches a discovery's linking concepts may come from, as the page names them.
DISCOVERY_BRANCHES = {"C": "diseases", "D": "chemicals", "G": "phenomena"}


@router.get("/discover/documents", response_class=HTMLResponse)
def discover_documents(request: Request, ev: EvimapDep,
                       concept: Annotated[list[str], Query(min_length=1, max_length=3)],
                       before: Annotated[int | None, Query(ge=1000, le=3000)] = None
                       ) -> HTMLResponse:
    """The documents in which the concepts of a discovery link occur together."""
    names = {c["id"]: c["name"] for c in ev.store.rows(
        "SELECT id, name FROM index_concepts WHERE list_contains(?, id)", [concept])}
    docs = ev.discovery_documents(concept, before, limit=100)
    return _page(request, "discover_documents.html", docs=docs, before=before,
                 concepts=[{"id": c, "name": names.get(c, c)} for c in concept])
