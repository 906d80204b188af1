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

from .. import __version__, identifiers
from ..errors import EvimapError

if TYPE_CHECKING:
    from ..api import Evimap

INTERVENTION_TYPES = ("chemical", "procedure")


def _env() -> Environment:
    env = Environment(loader=PackageLoader("evimap", "report"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["pct"] = lambda v: f"{100 * float(v):.0f}%"
    env.filters["source_links"] = identifiers.links
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


def build_context(ev: Evimap) -> dict[str, Any]:
    store = ev.store
    statements = ev.statements()
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in store.rows("SELECT doc_id, start_offset, end_offset, concept_id FROM mentions"):
        mentions[m["doc_id"]].append(m)
    for st in statements:
        for c in st["evidence"]:
            spans = [(m["start_offset"], m["end_offset"],
                      "subj" if m["concept_id"] == c["subject"]["id"] else "obj")
                     for m in mentions[c["doc_id"]]
                     if c["start"] <= m["start_offset"] and m["end_offset"] <= c["end"]
                     and m["concept_id"] in (c["subject"]["id"], c["object"]["id"])]
            c["quote"] = highlight(c["sentence"], c["start"], spans)
    # evidence map: interventions x objects (conditions and mechanisms)
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    subjects: dict[str, str] = {}
    objects: dict[str, str] = {}
    by_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for st in statements:
        s, o = st["subject"], st["object"]
        by_subject[s["id"]].append(st)
        if s["type"] not in INTERVENTION_TYPES or st["negated"]:
            continue
        subjects[s["id"]] = s["name"]
        objects[o["id"]] = o["name"]
        cell = cells.setdefault((s["id"], o["id"]), {"works": set(), "belief": 0.0,
                                                     "predicates": set()})
        cell["works"].update(c["work_id"] for c in st["evidence"])
        cell["belief"] = max(cell["belief"], st["belief"])
        cell["predicates"].add(st["predicate"])
    docs = ev.docs(with_segments=True)
    for d in docs:
        d["dropped"] = [s for s in d["segments"] if s["kind"] == "boilerplate"]
        d["comments"] = [s for s in d["segments"] if s["kind"] == "comment"]
        d["kept"] = [s for s in d["segments"] if s["kind"] not in ("boilerplate", "comment")]
    subject_order = sorted(by_subject, key=lambda sid: (
        0 if by_subject[sid][0]["subject"]["type"] in INTERVENTION_TYPES else 1,
        -max(x["belief"] for x in by_subject[sid]), by_subject[sid][0]["subject"]["name"]))
    return {
        "version": __version__, "generated": dt.date.today().isoformat(),
        "counts": store.counts(), "statements": statements,
        "sections": [(by_subject[sid][0]["subject"], by_subject[sid]) for sid in subject_order],
        "map_rows": sorted(subjects.items(), key=lambda kv: kv[1].lower()),
        "map_cols": sorted(objects.items(), key=lambda kv: kv[1].lower()),
        "cells": {k: {**v, "n_works": len(v["works"])} for k, v in cells.items()},
        "docs": docs,
    }


def write_report(ev: Evimap, out: Path) -> Path:
    if out.parent and not out.parent.exists():
        raise EvimapError(f"folder does not exist: {out.parent}")
    html = _env().get_template("template.html").render(**build_context(ev))
    out.write_text(html, encoding="utf-8")
    return out
