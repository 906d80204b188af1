"""Exports and source identifiers, on a store of real records: four BC5CDR Development
abstracts (PubTator), a PubMed XML record, three seed pages, and two more seed pages with
sidecars (one giving a page address and a DOI, one giving hostile values).

Round trips go through evimap's own readers: BioC and PubTator exports read back give the
stored text and the stored mentions; tables have the store's rows; graphs one edge per
statement; claims and statements carry their sources' PMID, DOI and URL."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from lxml import etree

from evimap import identifiers
from evimap.api import Evimap
from evimap.errors import EvimapError
from evimap.export import write_atomic
from evimap.export.corpus import passages
from evimap.export.graph import GRAPHML_NS
from evimap.export.text import one_line, type_label
from evimap.read import read_file
from evimap.settings import Settings

N_RECORDS = 4
GOOD_URL = "https://www.example.org/migraine/milnacipran?id=3&x=1"
GOOD_DOI = "10.1234/evimap.test<1>"
HOSTILE = {"url": "javascript:alert(1)", "pmid": "12345\"><script>alert(1)</script>",
           "doi": "doi:not-a-doi"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, data_dir: Path, seed_paths: dict[str, Path]) -> list[str]:
    folder = tmp_path_factory.mktemp("export-input")
    records = (data_dir / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text(
        encoding="utf-8").split("\n\n")[:N_RECORDS]
    cdr = folder / "cdr.PubTator.txt"
    cdr.write_text("\n\n".join(records) + "\n\n", encoding="utf-8")
    page = folder / "page.txt"
    shutil.copy(seed_paths["003"], page)
    (folder / "page.txt.meta.json").write_text(json.dumps({"url": GOOD_URL, "doi": GOOD_DOI}))
    hostile = folder / "hostile.txt"
    shutil.copy(seed_paths["004"], hostile)
    (folder / "hostile.txt.meta.json").write_text(json.dumps(HOSTILE))
    return [str(cdr), str(data_dir / "formats" / "pubmed-29768149.xml"), str(page),
            str(hostile), *(str(seed_paths[k]) for k in ("000", "001", "002"))]


@pytest.fixture(scope="module")
def ev(tmp_path_factory, settings: Settings, resources, corpus: list[str]):
    db = tmp_path_factory.mktemp("export-store") / "export.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    report = ev.ingest(corpus)
    assert not report.errors and report.added == N_RECORDS + 6
    yield ev
    ev.close()


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("exports")


def _docs(ev: Evimap) -> list[dict]:
    """The store's documents in export order, with metadata and mentions."""
    docs = ev.store.rows("SELECT id, text, format, metadata FROM documents "
                         "ORDER BY path, record, id")
    for d in docs:
        d["mentions"] = {(m["start"], m["end"], type_label(m["type"]), m["concept_id"])
                         for m in ev.mentions(d["id"])}
        d["metadata"] = json.loads(d["metadata"])
    return docs


# --- source identifiers ------------------------------------------------------------------------

def test_identifiers_are_checked_and_links_escaped():
    assert identifiers.pmid(" PMID: 6794356 ") == "6794356" and identifiers.pmid(6794356)
    assert identifiers.pmid("12a") is None and identifiers.pmid("0") is None
    assert identifiers.doi("https://doi.org/10.1056/NEJMoa1715274") == "10.1056/NEJMoa1715274"
    assert identifiers.doi("doi:10.1000/a%20b") == "10.1000/a%20b"
    assert identifiers.doi("https://dx.doi.org/10.1000/a%3Cb%3E") == "10.1000/a<b>"
    assert identifiers.doi("not-a-doi") is None and identifiers.pmcid("3460867") == "PMC3460867"
    assert identifiers.url("javascript:alert(1)") is None
    assert identifiers.url("https://x.org/a b") is None and identifiers.url("http:///x") is None
    assert identifiers.url(GOOD_URL) == GOOD_URL
    links = dict((label.split()[0], href) for label, href in identifiers.links(
        {"pmid": "1", "doi": GOOD_DOI, "url": "javascript:alert(1)"}))
    assert links == {"PMID": "https://pubmed.ncbi.nlm.nih.gov/1/",
                     "DOI": "https://doi.org/10.1234/evimap.test%3C1%3E"}


def test_readers_keep_the_ids_they_find():
    from types import SimpleNamespace

    from pypdf import DocumentInformation
    from pypdf.generic import NameObject, TextStringObject

    from evimap.read.html import html_document
    from evimap.read.pdf import _info

    page = html_document(
        b'<html><head><meta name="prism.doi" content="doi:10.1000/xyz.1">'
        b'<meta name="citation_pmcid" content="PMC3460867">'
        b'<link rel="canonical" href="https://example.org/a"></head>'
        b"<body><h1>A page</h1><p>Magnesium treats migraine in adults.</p></body></html>",
        "page.html")
    assert identifiers.source_ids(page.metadata) == {
        "pmid": None, "doi": "10.1000/xyz.1", "pmcid": "PMC3460867",
        "url": "https://example.org/a"}
    info = DocumentInformation()
    info[NameObject("/Subject")] = TextStringObject("J Pain Res 12 (2019) 101-9. "
                                                    "doi:10.2147/JPR.S1.")
    assert _info(SimpleNamespace(metadata=info))["doi"] == "10.2147/JPR.S1"


def test_claims_carry_the_ids_of_their_source(ev):
    docs = {d["id"]: d for d in _docs(ev)}
    claims = ev.claims()
    assert claims and all(set(c["source"]) == set(identifiers.KEYS) for c in claims)
    pubtator = [c for c in claims if docs[c["doc_id"]]["format"] == "pubtator"]
    assert pubtator
    for c in pubtator:      # the PMID of a PubTator record is its record id
        assert c["source"]["pmid"] == docs[c["doc_id"]]["metadata"]["pmid"]
        assert c["source"]["pmid"].isdigit() and c["source"]["doi"] is None
    pubmed = [c for c in claims if docs[c["doc_id"]]["format"] == "pubmed"]
    assert pubmed and {c["source"]["doi"] for c in pubmed} == {"10.1056/NEJMoa1715274"}
    assert {c["source"]["pmid"] for c in pubmed} == {"29768149"}
    page = [c for c in claims if c["path"].endswith("page.txt")]
    assert page and all(c["source"] == {"pmid": None, "doi": GOOD_DOI, "pmcid": None,
                                        "url": GOOD_URL} for c in page)
    hostile = [c for c in claims if c["path"].endswith("hostile.txt")]
    assert hostile and all(c["source"] == dict.fromkeys(identifiers.KEYS) for c in hostile)
    paged = ev.list_claims(limit=500).items
    assert {c["id"]: c["source"] for c in paged} == {c["id"]: c["source"] for c in claims}


def test_statements_list_each_source_once(ev):
    full = ev.statements()
    paged = {s["key"]: s for s in ev.list_statements(limit=500).items}
    assert full and len(paged) == len(full)
    for st in full:
        sources = st["sources"]
        assert sources == paged[st["key"]]["sources"] == ev.statement(st["key"])["sources"]
        pmids = [s["pmid"] for s in sources if s["pmid"]]
        assert len(pmids) == len(set(pmids))
        assert {s["work_id"] for s in sources} == {c["work_id"] for c in st["evidence"]}
        assert set(pmids) == {c["source"]["pmid"] for c in st["evidence"]} - {None}
    copies = [s for s in full if any(c["path"].endswith("000_9020ac4181dc83d7.txt")
                                     for c in s["evidence"])]
    assert copies        # the review's two copies are one work, so one source
    assert all(len({x["work_id"] for x in s["sources"]}) == len(s["sources"]) for s in copies)


def test_report_and_web_ui_link_the_sources(ev, settings, out_dir):
    from fastapi.testclient import TestClient

    from evimap.serve import create_app

    html = ev.report(out_dir / "report.html").read_text(encoding="utf-8")
    pmid = next(d["metadata"]["pmid"] for d in _docs(ev) if d["format"] == "pubtator")
    assert f'href="https://pubmed.ncbi.nlm.nih.gov/{pmid}/"' in html
    assert 'href="https://doi.org/10.1234/evimap.test%3C1%3E"' in html
    assert 'href="https://www.example.org/migraine/milnacipran?id=3&amp;x=1"' in html
    assert 'href="javascript:' not in html and "<script>alert" not in html
    with TestClient(create_app(replace(settings, db=ev.store.path), ev)) as client:
        st = client.get("/api/statements", params={"about": "lithium carbonate", "limit": 1}).json()
        item = st["items"][0]
        assert item["sources"] and item["sources"][0]["pmid"]
        page = client.get(f"/statements/{item['key']}").text
        assert f'href="https://pubmed.ncbi.nlm.nih.gov/{item["sources"][0]["pmid"]}/"' in page
        doc = client.get("/api/documents", params={"q": "page.txt"}).json()["items"][0]
        assert doc["source"]["url"] == GOOD_URL
        assert 'href="https://doi.org/10.1234/evimap.test%3C1%3E"' in client.get(
            f"/documents/{doc['id']}").text
        bad = client.get("/api/documents", params={"q": "hostile.txt"}).json()["items"][0]
        assert bad["source"] == dict.fromkeys(identifiers.KEYS)
        page = client.get(f"/documents/{bad['id']}").text
        assert 'href="javascript:' not in page and "<script>alert" not in page
        assert "&lt;script&gt;alert(1)" in page     # shown as text in the metadata


# --- tables ------------------------------------------------------------------------------------

KEYS = {"claims": "id", "statements": "key", "documents": "id", "mentions": ("doc_id", "idx")}


def _key(what: str, row: dict) -> object:
    key = KEYS[what]
    return tuple(row[k] for k in key) if isinstance(key, tuple) else row[key]


@pytest.mark.parametrize("what", ["claims", "statements", "documents", "mentions"])
def test_tables_hold_the_store_rows(ev, out_dir, what):
    counts = ev.store.counts()
    paths = {fmt: out_dir / f"{what}.{fmt}" for fmt in ("jsonl", "csv", "parquet")}
    for fmt, path in paths.items():
        result = ev.export(fmt, what, path)
        assert result.count == counts[what] and result.path == str(path)
    jsonl = [json.loads(line) for line in paths["jsonl"].read_text(encoding="utf-8").splitlines()]
    with open(paths["csv"], encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    con = duckdb.connect()
    cur = con.execute("SELECT * FROM read_parquet(?)", [str(paths["parquet"])])
    names = [d[0] for d in cur.description]
    parquet = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert len(jsonl) == len(table) == len(parquet) == counts[what]
    assert list(jsonl[0]) == list(table[0]) == names
    assert [_key(what, r) for r in jsonl] == [_key(what, r) for r in parquet]
    assert [str(_key(what, r)) for r in jsonl] == [str(_key(what, {
        k: int(v) if k == "idx" else v for k, v in r.items()})) for r in table]
    if what == "claims":
        api = {c["id"]: c for c in ev.claims()}
        assert [r["id"] for r in jsonl] == list(api)       # the same order as `evimap claims`
        for r in jsonl:
            c = api[r["id"]]
            assert (r["pmid"], r["doi"], r["url"]) == (c["source"]["pmid"], c["source"]["doi"],
                                                       c["source"]["url"])
            assert (r["sentence"], r["start"], r["end"], r["source_kind"]) == (
                c["sentence"], c["start"], c["end"], c["source_kind"])
            assert r["qualifiers"] == c["qualifiers"]
    if what == "statements":
        api = {s["key"]: s for s in ev.statements()}
        for r, p in zip(jsonl, parquet, strict=True):
            s = api[r["key"]]
            assert r["belief"] == s["belief"] and r["explanation"] == s["explanation"]
            assert r["pmids"] == p["pmids"] == sorted({x["pmid"] for x in s["sources"]
                                                        if x["pmid"]})
        assert any(r["dois"] == [GOOD_DOI] for r in jsonl)
    if what == "documents":
        texts = {d["id"]: d["text"] for d in _docs(ev)}
        assert all(r["text"] == texts[r["id"]] for r in jsonl + parquet)


def test_filters_select_as_the_listings_do(ev):
    def rows(fmt: str, what: str, **filters: object) -> list[dict]:
        buf = io.StringIO()
        result = ev.export(fmt, what, stream=buf, **filters)  # type: ignore[arg-type]
        lines = [json.loads(x) for x in buf.getvalue().splitlines()]
        assert result.count == len(lines) and result.path is None
        return lines

    about = rows("jsonl", "claims", about="lithium carbonate", predicate="causes_adverse_effect")
    assert about and [r["id"] for r in about] == [
        c["id"] for c in ev.claims(about="lithium carbonate", predicate="causes_adverse_effect")]
    strong = rows("jsonl", "statements", min_belief=0.3)
    assert [r["key"] for r in strong] == [
        s["key"] for s in ev.list_statements(min_belief=0.3, limit=500).items]
    docs = rows("jsonl", "documents", about="lithium carbonate")
    assert docs and all(r["pmid"] for r in docs)
    mentions = rows("jsonl", "mentions", about="lithium carbonate")
    assert mentions and {r["concept_id"] for r in mentions} == {
        c["id"] for c in ev.resolve("lithium carbonate")}


# --- graphs ------------------------------------------------------------------------------------

def test_graphml_has_one_edge_per_statement(ev, out_dir):
    path = out_dir / "graph.graphml"
    result = ev.export("graphml", out=path)
    statements = ev.statements()
    root = etree.parse(str(path)).getroot()
    ns = {"g": GRAPHML_NS}
    keys = {k.get("id"): (k.get("for"), k.get("attr.name"), k.get("attr.type"))
            for k in root.findall("g:key", ns)}
    edges = root.findall("g:graph/g:edge", ns)
    nodes = root.findall("g:graph/g:node", ns)
    assert root.find("g:graph", ns).get("edgedefault") == "directed"
    assert len(edges) == len(statements) == result.count and len(nodes) == result.nodes
    assert {e.get("id") for e in edges} == {s["key"] for s in statements}
    for el in edges + nodes:
        for data in el.findall("g:data", ns):
            assert keys[data.get("key")][0] == el.tag.split("}")[1]
    by_key = {s["key"]: s for s in statements}
    node_ids = {n.get("id") for n in nodes}
    for e in edges:
        s = by_key[e.get("id")]
        data = {keys[d.get("key")][1]: d.text for d in e.findall("g:data", ns)}
        assert (e.get("source"), e.get("target")) == (s["subject"]["id"], s["object"]["id"])
        assert {e.get("source"), e.get("target")} <= node_ids
        assert data["predicate"] == s["predicate"] and float(data["belief"]) == s["belief"]
        assert data["negated"] == str(s["negated"]).lower()
        assert int(data["n_works"]) == s["n_works"]
        pmids = sorted({x["pmid"] for x in s["sources"] if x["pmid"]})
        assert data.get("pmids", "") == "; ".join(pmids)


def test_cytoscape_json_has_one_edge_per_statement(ev):
    buf = io.StringIO()
    result = ev.export("cytoscape", stream=buf, about="lithium carbonate")
    graph = json.loads(buf.getvalue())
    nodes, edges = graph["elements"]["nodes"], graph["elements"]["edges"]
    statements = ev.statements(about="lithium carbonate")
    assert len(edges) == len(statements) == result.count > 0
    assert {e["data"]["id"] for e in edges} == {s["key"] for s in statements}
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert all({"name", "type"} <= set(n["data"]) for n in nodes)
    for e in edges:
        assert {"predicate", "negated", "belief", "n_claims", "n_works", "best_design",
                "pmids", "dois"} <= set(e["data"])
        assert e["data"]["pmids"] and all(p.isdigit() for p in e["data"]["pmids"])


# --- corpora -----------------------------------------------------------------------------------

def _relations(ev: Evimap, doc_id: str) -> set[tuple[str, str, str]]:
    return {(("not_" if c["negated"] else "") + c["predicate"], c["subject"]["id"],
             c["object"]["id"]) for c in ev.list_claims(doc_id=doc_id, limit=500).items}


@pytest.mark.parametrize("fmt", ["bioc", "pubtator"])
def test_corpus_read_back_gives_the_stored_text_and_mentions(ev, settings, out_dir, fmt):
    path = out_dir / f"corpus.{fmt}"
    result = ev.export(fmt, out=path)
    docs = _docs(ev)
    read = list(read_file(path, settings))
    assert all(not isinstance(d, Exception) for d in read)
    assert result.count == len(read) == len(docs)
    for got, want in zip(read, docs, strict=True):
        text = want["text"] if fmt == "bioc" else one_line(want["text"])
        assert got.text == text, (want["id"], fmt)
        if want["format"] == "pubtator":    # a PubTator record is given back exactly
            assert got.text == want["text"]
        spans = {(m.start, m.end, m.type, m.ids[0]) for m in got.gold_mentions}
        assert spans == want["mentions"]
        assert not got.metadata.get("warnings")
        assert set(got.gold_relations) == _relations(ev, want["id"])
        ids = identifiers.source_ids(want["metadata"])
        if ids["pmid"]:
            assert got.metadata["pmid"] == ids["pmid"]
        if fmt == "bioc":
            assert identifiers.source_ids(got.metadata) == ids
    assert any(r.gold_relations for r in read)


def test_bioc_passages_cut_where_the_gap_is_rebuilt():
    text = "Title here. Abstract text.\n\nBody one.\nBody two.\t\nTail"
    segs = [(0, "title"), (12, "abstract"), (28, "body"), (38, "body"), (49, "body")]
    # one space and two line breaks are rebuilt; one line break, or a tab, is not
    assert passages(text, segs, []) == [(0, 11, "title"), (12, 26, "abstract"),
                                        (28, len(text), "body")]
    assert passages("A.\n\n\n\n\n\n\n\n\nB.", [(0, "title"), (11, "body")], []) == [
        (0, 13, "title")]                               # nine line breaks: not rebuilt
    # a mention over the cut keeps the passages together
    assert passages(text, segs, [(6, 14)])[0] == (0, 26, "title")


# --- the command line --------------------------------------------------------------------------

def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from evimap.cli import main

    monkeypatch.setattr(sys, "argv", ["evimap", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_export_options_in_any_order(ev, out_dir, monkeypatch, capsys):
    db = ev.store.path
    target = out_dir / "cli.csv"
    code, out, err = _run(monkeypatch, capsys, "--db", db, "export", "--out", str(target),
                          "--what", "statements", "--format", "csv")
    assert code == 0 and out.strip() == (
        f"{ev.store.counts()['statements']} statement(s) written to {target} (csv)")
    first = target.read_text(encoding="utf-8")
    code, out, err = _run(monkeypatch, capsys, "--db", db, "export", "-f", "CSV", "-w",
                          "statements", "-o", str(target))
    assert code == 0 and target.read_text(encoding="utf-8") == first
    code, out, err = _run(monkeypatch, capsys, "--db", db, "export", "--format", "pubtator",
                          "--about", "lithium carbonate")
    assert code == 0 and out.count("|t|") >= 1 and "document(s) (pubtator)" in err
    assert not [p for p in out_dir.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xml"], "unknown export format 'xml'"),
    (["--format", "parquet"], "parquet is written to a file only"),
    (["--format", "bioc"], "bioc is written to a file only"),
    (["--format", "graphml", "--what", "claims"], "graphml exports statements only"),
    (["--format", "csv", "--what", "evidence"], "cannot export 'evidence'"),
    (["--format", "csv", "--what", "documents", "--predicate", "treats"],
     "--predicate filters claims and statements, not documents"),
    (["--format", "csv", "--min-belief", "0.5"], "--min-belief filters statements, not claims"),
    (["--format", "csv", "--predicate", "cures"], "unknown predicate 'cures'"),
    (["--format", "csv", "--about", "no such thing at all"], "no concept matches"),
    (["--format", "csv", "--out", "/nonexistent-folder/x.csv"], "folder does not exist"),
])
def test_cli_errors_are_one_line(ev, monkeypatch, capsys, args, message):
    code, out, err = _run(monkeypatch, capsys, "--db", ev.store.path, "export", *args)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_a_failed_export_leaves_no_file(tmp_path):
    target = tmp_path / "x.csv"
    target.write_text("before", encoding="utf-8")

    def fail(tmp: Path) -> int:
        tmp.write_text("half", encoding="utf-8")
        raise EvimapError("disk full")

    with pytest.raises(EvimapError):
        write_atomic(target, fail)
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_docs_name_every_format_column_and_option(ev):
    import click

    from evimap.cli import cli
    from evimap.export import FORMATS, WHATS

    doc = (Path(__file__).resolve().parents[1] / "docs" / "export.md").read_text("utf-8")
    for what in WHATS:
        buf = io.StringIO()
        ev.export("csv", what, stream=buf)
        section = doc[doc.index(f"**{what}**"):]
        section = section[:section.index("\n\n")]
        columns = next(csv.reader(io.StringIO(buf.getvalue())))
        missing = [c for c in columns if f"`{c}`" not in section]
        assert not missing, (what, missing)
    assert all(f"| `{name}` |" in doc for name in FORMATS)
    command = cli.get_command(click.Context(cli), "export")
    assert command is not None
    from evimap.cli import _GLOBAL

    for param in command.params:
        if param.name in _GLOBAL:       # the group's options, accepted after any command
            continue
        flag = max(param.opts, key=len)
        assert flag == "--help" or f"`{flag}" in doc, flag
