"""Stage 9 (part), serve as a static HTML evidence report.

Everything taken from documents is escaped (Jinja2 autoescaping); the report is one
self-contained file with inline CSS and no scripts, so it opens offline anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from .. import __version__, assemble, identifiers
from ..api import CONTRARY_PREDICATES, group_by_work
from ..api import MAP_VIEWS as API_VIEWS
from ..assemble import belief
from ..errors import EvimapError
from ..store.sql import in_list, json_list

if TYPE_CHECKING:
    from ..api import Evimap

INTERVENTION_TYPES = ("chemical", "procedure")


def _env() -> Environment:
    env = Environment(loader=PackageLoader("evimap", "report"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["pct"] = lambda v: f"{100 * float(v):.0f}%"
    env.filters["source_links"] = identifiers.links
    env.globals["kind_words"] = belief.KIND_WORDS
    return env


def highlight(sentence: str, sent_start: int, spans: list[tuple[int, int, str]]) -> Markup:
    """The sentence, escaped, with the given document spans wrapped in <mark>."""
    out, pos = [], 0
    for s, e, cls in sorted(spans):
        s, e = s - sent_start, e - sent_start
        if s < pos or s < 0 or e > len(sentence):
            continue
        out.append(escape(sentence[pos:s]))
        out.append(Markup('<mark class="{}">{}</mark>').format(cls, sentence[s:e]))
        pos = e
    out.append(escape(sentence[pos:]))
    return Markup("").join(out)


def build_context(ev: Evimap, about: str | None = None) -> dict[str, Any]:
    """Everything the template shows; ``about`` (a user's term) limits the report to the
    statements about that concept and the documents behind them."""
    store = ev.store
    statements = ev.statements(about=about)
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    doc_ids = sorted({c["doc_id"] for st in statements for c in st["evidence"]})
    for m in store.rows("SELECT doc_id, start_offset, end_offset, concept_id FROM mentions"
                        f" WHERE {in_list('doc_id')}", [json_list(doc_ids)]):
        mentions[m["doc_id"]].append(m)
    for st in statements:
        for c in st["evidence"]:
            spans = [(m["start_offset"], m["end_offset"],
                      "subj" if m["concept_id"] == c["subject"]["id"] else "obj")
                     for m in mentions[c["doc_id"]]
                     if c["start"] <= m["start_offset"] and m["end_offset"] <= c["end"]
                     and m["concept_id"] in (c["subject"]["id"], c["object"]["id"])]
            c["quote"] = highlight(c["sentence"], c["start"], spans)
    _works_and_rivals(ev, statements)
    by_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for st in statements:
        by_subject[st["subject"]["id"]].append(st)
    docs = ev.docs(with_segments=True)
    if about is not None:
        docs = [d for d in docs if d["id"] in set(doc_ids)]
    for d in docs:
        d["dropped"] = [s for s in d["segments"] if s["kind"] == "boilerplate"]
        d["comments"] = [s for s in d["segments"] if s["kind"] == "comment"]
        d["kept"] = [s for s in d["segments"] if s["kind"] not in ("boilerplate", "comment")]
    subject_order = sorted(by_subject, key=lambda sid: (
        0 if by_subject[sid][0]["subject"]["type"] in INTERVENTION_TYPES else 1,
        -max(x["belief"] for x in by_subject[sid]), by_subject[sid][0]["subject"]["name"]))
    return {
        "version": __version__, "generated": dt.date.today().isoformat(),
        "counts": store.counts(), "statements": statements, "about": about,
        "sections": [(by_subject[sid][0]["subject"], by_subject[sid]) for sid in subject_order],
        "maps": [evidence_map(statements, view) for view in MAP_VIEWS],
        "bands": [(b, belief_colour(b.lower)) for b in reversed(belief.priors().bands)],
        "docs": docs,
    }


#: The report's maps: (view, title, the question it answers).
MAP_VIEWS = (("benefit", "Benefit", "Does it help? Treats, prevents or is approved for a "
              "condition; contrary evidence (no effect, or claims that it does not help) "
              "is outlined in red."),
             ("harm", "Harm", "Is it safe? Adverse effects and contraindicated conditions; "
              "claims that it does not cause them are outlined in red."))


def belief_colour(value: float) -> str:
    return f"hsl({round(120 * max(0.0, min(1.0, value)))}, 55%, 42%)"


def evidence_map(statements: list[dict[str, Any]], view: tuple[str, str, str]
                 ) -> dict[str, Any]:
    """One view of the map (as :meth:`evimap.api.Evimap.evidence_map` draws it): rows are
    interventions, columns conditions (never drug classes); each cell counts independent
    works, its belief for and against, and links to the pair's strongest statement. The
    view's statements about other objects are listed in ``elsewhere``."""
    name, title, question = view
    columns, predicates = API_VIEWS[name]
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    rows: dict[str, str] = {}
    cols: dict[str, str] = {}
    elsewhere = []
    for st in statements:
        s, o = st["subject"], st["object"]
        if s["type"] not in INTERVENTION_TYPES or (predicates is not None
                                                    and st["predicate"] not in predicates):
            continue
        if o["type"] not in columns:
            elsewhere.append(st)
            continue
        rows[s["id"]], cols[o["id"]] = s["name"], o["name"]
        contrary = bool(st["negated"]) != (st["predicate"] in CONTRARY_PREDICATES)
        cell = cells.setdefault((s["id"], o["id"]), {
            "works": set(), "belief": 0.0, "belief_against": 0.0, "predicates": set(),
            "contested": False, "key": st["key"], "best": (False, -1.0)})
        cell["works"].update(c["work_id"] for c in st["evidence"])
        side = "belief_against" if contrary else "belief"
        cell[side] = max(cell[side], st["belief"])
        cell["predicates"].add(("not " if st["negated"] else "") + st["predicate"])
        cell["contested"] |= bool(st["contested"])
        if (not contrary, st["belief"]) > cell["best"]:
            cell["best"], cell["key"] = (not contrary, st["belief"]), st["key"]
    return {"view": name, "title": title, "question": question,
            "rows": sorted(rows.items(), key=lambda kv: kv[1].lower()),
            "cols": sorted(cols.items(), key=lambda kv: kv[1].lower()),
            "cells": {k: {**v, "n_works": len(v["works"])} for k, v in cells.items()},
            "elsewhere": elsewhere}


def _works_and_rivals(ev: Evimap, statements: list[dict[str, Any]]) -> None:
    """Each statement's evidence once per work (``works``: weight, factors, copies) and the
    statements that contradict it (``rivals``), for side-by-side reading."""
    work_ids = sorted({c["work_id"] for st in statements for c in st["evidence"]})
    designs: dict[str, list[str | None]] = defaultdict(list)
    titles: dict[str, str | None] = {}
    for r in ev.store.rows(f"SELECT work_id, design FROM documents WHERE {in_list('work_id')}",
                           [json_list(work_ids)]):
        designs[r["work_id"]].append(r["design"])
    for r in ev.store.rows(f"SELECT id, title FROM works WHERE {in_list('id')}",
                           [json_list(work_ids)]):
        titles[r["id"]] = r["title"]
    index = {(st["subject"]["id"], st["predicate"], st["object"]["id"], bool(st["negated"])): st
             for st in statements}
    for st in statements:
        grouped = group_by_work(st["evidence"], designs)
        basis = (st["explanation"] or {}).get("works") or []
        st["works"] = [{"work_id": w["work_id"], "title": titles.get(w["work_id"]),
                        "weight": w["weight"], "basis": w,
                        "claims": grouped.get(w["work_id"], [])} for w in basis]
        st["rivals"] = []
        for p, neg in assemble.rivals(st["predicate"], bool(st["negated"])):
            rival = index.get((st["subject"]["id"], p, st["object"]["id"], neg))
            if rival is not None:
                st["rivals"].append(rival)


def write_report(ev: Evimap, out: Path, about: str | None = None) -> Path:
    if out.parent and not out.parent.exists():
        raise EvimapError(f"folder does not exist: {out.parent}")
    html = _env().get_template("template.html").render(**build_context(ev, about))
    out.write_text(html, encoding="utf-8")
    return out
