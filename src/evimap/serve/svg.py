"""Server-side SVG: the evidence map (interventions x conditions as bubbles) and a concept's
neighbour graph. Names are escaped; sizes and colours are SVG attributes, not inline styles,
so the pages need no ``style-src 'unsafe-inline'``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from ..assemble import DESIGN_RANK
from ..assemble.belief import priors as belief_priors

#: Colours of the best study design, strongest first (the legend lists them in this order).
DESIGN_COLOURS = {
    "meta_analysis": "#1b5e20", "systematic_review": "#2e7d32", "RCT": "#43a047",
    "cohort": "#00897b", "case_series": "#f9a825", "case_report": "#fb8c00",
    "expert_opinion": "#8d6e63", "animal": "#7e57c2", "in_vitro": "#5c6bc0",
    "unspecified": "#90a4ae", "anecdote": "#e53935"}
TYPE_COLOURS = {"chemical": "#1565c0", "disease": "#c62828", "mechanism": "#6a1b9a",
                "procedure": "#00838f"}
CELL = 36
LABEL_CHARS = 30
#: The fill of a pair with only contrary evidence (no effect, or negated claims).
NO_SUPPORT = "#ffffff"


def belief_colour(belief: float) -> str:
    """Red (0) through amber to green (1), as in the static report."""
    return f"hsl({round(120 * max(0.0, min(1.0, belief)))}, 55%, 42%)"


def design_colour(design: str) -> str:
    return DESIGN_COLOURS.get(design, DESIGN_COLOURS["unspecified"])


def _short(name: str, n: int = LABEL_CHARS) -> str:
    return name if len(name) <= n else name[: n - 1] + "\u2026"


def evidence_map(data: dict[str, Any], colour_by: str = "belief") -> Markup:
    """The map of :meth:`evimap.api.Evimap.evidence_map`: a bubble per intervention and
    condition, its area proportional to the independent works, its colour the highest
    belief or the best design; each bubble links to the pair's strongest statement."""
    rows, cols, cells = data["rows"], data["cols"], data["cells"]
    if not cells:
        return Markup("")
    left = 7 * min(LABEL_CHARS, max(len(r["name"]) for r in rows)) + 16
    top = round(0.72 * 7 * min(LABEL_CHARS, max(len(c["name"]) for c in cols))) + 24
    # rotated column labels reach right of their column as far as they reach up
    width, height = left + CELL * len(cols) + top, top + CELL * len(rows) + 8
    row_at = {r["id"]: i for i, r in enumerate(rows)}
    col_at = {c["id"]: j for j, c in enumerate(cols)}
    most = max(c["n_works"] for c in cells)
    out = [Markup('<svg class="map" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
                  'viewBox="0 0 {} {}" role="img" aria-label="evidence map">').format(
                      width, height, width, height)]
    for i, r in enumerate(rows):
        y = top + CELL * i + CELL / 2
        out.append(Markup('<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            left, y, left + CELL * len(cols), y))
        out.append(Markup('<a href="/concepts/{}"><text class="rowlabel" x="{}" y="{}">{}'
                          '<title>{}</title></text></a>').format(
                              r["id"], left - 8, y + 4, _short(r["name"]), r["name"]))
    for j, c in enumerate(cols):
        x = left + CELL * j + CELL / 2
        out.append(Markup('<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            x, top, x, top + CELL * len(rows)))
        out.append(Markup('<a href="/concepts/{}"><text class="collabel" x="{}" y="{}" '
                          'transform="rotate(-45 {} {})">{}<title>{}</title></text></a>').format(
                              c["id"], x + 2, top - 8, x + 2, top - 8, _short(c["name"]),
                              c["name"]))
    for cell in sorted(cells, key=lambda c: (row_at[c["subject_id"]], col_at[c["object_id"]])):
        out.append(_bubble(cell, left + CELL * col_at[cell["object_id"]] + CELL / 2,
                           top + CELL * row_at[cell["subject_id"]] + CELL / 2, most,
                           colour_by, rows[row_at[cell["subject_id"]]]["name"],
                           cols[col_at[cell["object_id"]]]["name"]))
    out.append(Markup("</svg>"))
    return Markup("").join(out)


def _bubble(cell: dict[str, Any], x: float, y: float, most: int, colour_by: str,
            subject: str, obj: str) -> Markup:
    r = bubble_radius(cell["n_works"], most)
    support = cell.get("belief", 0.0) > 0
    against = cell.get("belief_against", 0.0)
    fill = (design_colour(cell["best_design"]) if colour_by == "design"
            else belief_colour(cell["belief"]) if support else NO_SUPPORT)
    title = (f"{subject} / {obj}: {', '.join(cell['predicates'])}; {cell['n_works']} "
             f"work(s), best design {cell['best_design']}, belief {cell['belief']:.2f}")
    if against:
        title += f"; contrary evidence (no effect or negated), belief {against:.2f}"
    if cell.get("contested"):
        title += "; contested"
    title += ". Click for its statements and contradictions."
    label = (Markup('<text class="n" x="{}" y="{}">{}</text>').format(x, y + 4, cell["n_works"])
             if r >= 9 else Markup(""))
    ring = (Markup('<circle class="against" cx="{}" cy="{}" r="{:.1f}"/>').format(x, y, r + 2.5)
            if against else Markup(""))
    cls = "cell" + (" contrary" if against else "") + ("" if support else " nosupport")
    return Markup('<a class="{}" href="/statements/{}">{}<circle cx="{}" cy="{}" r="{:.1f}" '
                  'fill="{}"><title>{}</title></circle>{}</a>').format(
                      cls, cell["key"], ring, x, y, r, fill, title, label)


def bubble_radius(n_works: int, most: int) -> float:
    """A bubble's radius: its area grows with the number of independent works."""
    return 4 + (CELL / 2 - 5) * math.sqrt(n_works / max(1, most))


def map_legend(most: int, colour_by: str = "belief") -> Markup:
    """The key to the map: bubble size (independent works), colour (belief bands or best
    design) and the ring of contrary evidence."""
    most = max(1, most)
    dot = Markup('<circle cx="9" cy="9" r="6" fill="{}"/>')
    items: list[tuple[str, Markup, int]] = []
    for n in sorted({1, max(1, most // 2), most}):
        r = bubble_radius(n, most)
        size = round(2 * r + 2)
        items.append((f"{n} work{'s' if n != 1 else ''}", Markup(
            '<circle cx="{:.1f}" cy="{:.1f}" r="{:.1f}" fill="#90a4ae"/>').format(
                size / 2, size / 2, r), size))
    if colour_by == "design":
        items += [(d.replace("_", " "), dot.format(c), 18) for d, c in design_legend()]
    else:
        items += [(f"{b.lower:.2f}+ {b.name.replace('_', ' ')}", dot.format(
            belief_colour(b.lower)), 18) for b in reversed(belief_priors().bands)]
    items.append(("only contrary evidence", Markup(
        '<circle cx="9" cy="9" r="6" fill="{}" stroke="#90a4ae"/>').format(NO_SUPPORT), 18))
    items.append(("ring: contrary evidence (no effect, or negated)", Markup(
        '<circle cx="9" cy="9" r="5" fill="#90a4ae"/><circle class="against" cx="9" cy="9" '
        'r="7.5"/>'), 18))
    return Markup("").join(
        Markup('<span class="swatch"><svg class="key" width="{}" height="{}" '
               'aria-hidden="true">{}</svg> {}</span>').format(size, size, shape, text)
        for text, shape, size in items)


def design_legend() -> list[tuple[str, str]]:
    return sorted(DESIGN_COLOURS.items(), key=lambda kv: DESIGN_RANK.get(kv[0], 99))


def neighbour_graph(centre: dict[str, Any], neighbours: Sequence[dict[str, Any]],
                    width: int = 720, height: int = 440) -> Markup:
    """The concept in the middle, its neighbours on a circle; each edge is the strongest
    statement between them (arrow from subject to object, colour and width by belief) and
    links to it; each node links to its concept page."""
    cx, cy = width / 2, height / 2
    radius = min(width, height) / 2 - 60
    out = [Markup('<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{}" '
                  'height="{}" viewBox="0 0 {} {}" role="img" aria-label="neighbour graph">'
                  '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
                  'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                  '<path d="M0,0 L10,5 L0,10 z" fill="#5f6b7a"/></marker></defs>').format(
                      width, height, width, height)]
    nodes = []
    for i, n in enumerate(neighbours):
        angle = 2 * math.pi * i / max(1, len(neighbours)) - math.pi / 2
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        nodes.append((n, x, y, math.cos(angle)))
        out.append(_edge(n, cx, cy, x, y, centre["name"]))
    for n, x, y, cos in nodes:
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        dx = 13 if anchor == "start" else -13 if anchor == "end" else 0
        dy = 4 if anchor != "middle" else (-14 if y < cy else 22)
        out.append(_node(n, x, y, 9, anchor, x + dx, y + dy))
    out.append(_node(centre, cx, cy, 14, "middle", cx, cy + 30, current=True))
    out.append(Markup("</svg>"))
    return Markup("").join(out)


def _edge(n: dict[str, Any], cx: float, cy: float, x: float, y: float, centre: str) -> Markup:
    # shorten both ends so the arrow head stops at the node's rim
    dist = math.hypot(x - cx, y - cy) or 1.0
    ux, uy = (x - cx) / dist, (y - cy) / dist
    x1, y1, x2, y2 = cx + 16 * ux, cy + 16 * uy, x - 11 * ux, y - 11 * uy
    if not n["outgoing"]:
        x1, y1, x2, y2 = x2, y2, x1, y1
    subject, obj = (centre, n["name"]) if n["outgoing"] else (n["name"], centre)
    verb = ("NOT " if n["negated"] else "") + n["predicate"]
    return Markup('<a class="edge" href="/statements/{}"><line x1="{:.1f}" y1="{:.1f}" '
                  'x2="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="{:.1f}" '
                  'marker-end="url(#arrow)"><title>{} {} {} (belief {:.2f}, {} work(s))</title>'
                  '</line><text class="pred" x="{:.1f}" y="{:.1f}">{}</text></a>').format(
                      n["key"], x1, y1, x2, y2, belief_colour(n["belief"]),
                      1.5 + 4 * n["belief"], subject, verb, obj, n["belief"], n["n_works"],
                      (x1 + x2) / 2, (y1 + y2) / 2 - 3, verb)


def _node(n: dict[str, Any], x: float, y: float, r: int, anchor: str, tx: float, ty: float,
          current: bool = False) -> Markup:
    fill = TYPE_COLOURS.get(n["type"], "#5f6b7a")
    cls = "node current" if current else "node"
    return Markup('<a class="{}" href="/concepts/{}"><circle cx="{:.1f}" cy="{:.1f}" r="{}" '
                  'fill="{}"><title>{} ({}, MeSH {})</title></circle><text x="{:.1f}" '
                  'y="{:.1f}" text-anchor="{}">{}</text></a>').format(
                      cls, n["id"], x, y, r, fill, n["name"], n["type"], n["id"], tx, ty,
                      anchor, _short(n["name"], 26))
