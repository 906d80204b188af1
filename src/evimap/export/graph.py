"""The statement graph: concepts as nodes, statements as directed edges (subject -> object).

Nodes have ``id`` (MeSH ID), ``name`` and ``type``; edges have the statement ``key`` (the
edge id), ``predicate``, ``negated``, ``belief``, ``contested``, ``n_claims``, ``n_works``,
``best_design`` and the PMIDs, DOIs and URLs of their sources. Two formats:

* GraphML (lxml), every attribute declared as a ``<key>`` with its type; lists are
  ``"; "``-joined strings, since GraphML has no list type. Gephi, Cytoscape, yEd and
  networkx read it.
* cytoscape.js elements JSON: ``{"data": {...}, "elements": {"nodes": [{"data": {...}}],
  "edges": [{"data": {"id", "source", "target", ...}}]}}``; lists stay lists. Cytoscape
  desktop imports it too (File > Import > Network from File, ``.cyjs``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from lxml import etree

from .. import __version__
from ..store import Store
from .query import iter_rows, query, sources_table
from .text import xml_safe

if TYPE_CHECKING:
    from . import Selection

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = f"{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"

#: Node attributes and their GraphML types.
NODE_KEYS = (("name", "string"), ("type", "string"))
#: Edge attributes and their GraphML types (lists become "; "-joined strings).
EDGE_KEYS = (("key", "string"), ("predicate", "string"), ("negated", "boolean"),
             ("belief", "double"), ("contested", "boolean"), ("n_claims", "int"),
             ("n_works", "int"), ("best_design", "string"), ("pmids", "string"),
             ("dois", "string"), ("urls", "string"))


def statement_graph(store: Store, selection: Selection
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes (concepts of the selected statements, by name) and edges (the statements,
    strongest first) of the graph."""
    sql, params = query("statements", selection)
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    with sources_table(store):
        for r in iter_rows(store, sql, params):
            for role in ("subject", "object"):
                cid = r[f"{role}_id"]
                nodes.setdefault(cid, {"id": cid, "name": r[f"{role}_name"],
                                       "type": r[f"{role}_type"]})
            edges.append({
                "id": r["key"], "source": r["subject_id"], "target": r["object_id"],
                "key": r["key"], "predicate": r["predicate"], "negated": r["negated"],
                "belief": r["belief"], "contested": r["contested"],
                "n_claims": r["n_claims"], "n_works": r["n_works"],
                "best_design": r["best_design"], "pmids": list(r["pmids"]),
                "dois": list(r["dois"]), "urls": list(r["urls"])})
    ordered = sorted(nodes.values(), key=lambda n: (n["name"].lower(), n["id"]))
    return ordered, edges


def write_graphml(store: Store, what: str, selection: Selection, out: TextIO
                  ) -> tuple[int, int]:
    """The graph as GraphML; returns (edges, nodes)."""
    nodes, edges = statement_graph(store, selection)
    out.write(graphml(nodes, edges))
    return len(edges), len(nodes)


def write_cytoscape(store: Store, what: str, selection: Selection, out: TextIO
                    ) -> tuple[int, int]:
    """The graph as cytoscape.js JSON; returns (edges, nodes)."""
    nodes, edges = statement_graph(store, selection)
    json.dump(cytoscape(nodes, edges), out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(edges), len(nodes)


def graphml(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    """A GraphML document (text, with its XML declaration)."""
    nsmap: Any = {None: GRAPHML_NS, "xsi": _XSI}
    root = etree.Element(f"{{{GRAPHML_NS}}}graphml", nsmap=nsmap)
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA)
    for target, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys:
            etree.SubElement(root, f"{{{GRAPHML_NS}}}key", {
                "id": f"{target[0]}_{name}", "for": target, "attr.name": name,
                "attr.type": kind})
    graph = etree.SubElement(root, f"{{{GRAPHML_NS}}}graph",
                             {"id": "evimap", "edgedefault": "directed"})
    for n in nodes:
        node = etree.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": xml_safe(n["id"])})
        _data(node, "n", NODE_KEYS, n)
    for e in edges:
        edge = etree.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {
            "id": e["id"], "source": xml_safe(e["source"]), "target": xml_safe(e["target"])})
        _data(edge, "e", EDGE_KEYS, e)
    body = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _data(parent: etree._Element, prefix: str, keys: tuple[tuple[str, str], ...],
          values: dict[str, Any]) -> None:
    for name, kind in keys:
        value = values.get(name)
        if value is None or value == []:
            continue
        if isinstance(value, list):
            text = "; ".join(str(v) for v in value)
        elif kind == "boolean":
            text = "true" if value else "false"
        else:
            text = str(value)
        etree.SubElement(parent, f"{{{GRAPHML_NS}}}data",
                         {"key": f"{prefix}_{name}"}).text = xml_safe(text)


def cytoscape(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    """The graph in cytoscape.js's elements format."""
    return {
        "data": {"name": "evimap statement graph", "generator": f"evimap {__version__}",
                 "directed": True},
        "elements": {"nodes": [{"data": dict(n)} for n in nodes],
                     "edges": [{"data": dict(e)} for e in edges]},
    }
