"""The ``evimap`` command line: a thin layer over :class:`evimap.api.Evimap`.

User errors (an :class:`~evimap.errors.EvimapError`) print one line and exit with status 1;
they are turned into messages here and nowhere else.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .api import CLAIM_SORTS, STATEMENT_SORTS, Evimap
from .cluster import RANGE_SIZE, ClusterOptions
from .cluster import Progress as ClusterProgress
from .discover.rank import DEFAULT_MEASURE, MEASURES
from .errors import EvimapError, StoreLocked
from .pipeline import FileResult, IngestReport
from .settings import describe, load_settings
from .vocab import predicates as vocab_predicates

#: The predicates a claim may have (the vocabulary's), for --predicate.
_PREDICATES = sorted(vocab_predicates())


def _log_to_stderr() -> None:
    """evimap's own notices (a lexicon being compiled, ...) as plain lines on stderr."""
    log = logging.getLogger("evimap")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class Context:
    def __init__(self, **overrides: Any) -> None:
        self.overrides = overrides

    @contextmanager
    def app(self, create: bool = False, write: bool = False) -> Iterator[Evimap]:
        """The library over the store. A command that only reads gets the store read-only
        when another process holds it (a running ``evimap serve``, a notebook); one that
        writes (``write``, or ``create``) is refused then, with a one-line message."""
        settings = load_settings(**self.overrides)
        ev = _open_store(settings, create, write or create)
        try:
            yield ev
        finally:
            ev.close()


pass_ctx = click.make_pass_decorator(Context)


def _open_store(settings: Any, create: bool, write: bool) -> Evimap:
    try:
        return Evimap(settings.db, settings, create=create)
    except StoreLocked as exc:
        if write:
            hint = ("while it runs, add files through its Ingest page or POST /api/ingest "
                    "and curate through its buttons or POST /api/claims/ID/curation, or stop "
                    "it first" if "evimap serve" in exc.holder else
                    "close it there, or run this again when it is done")
            raise EvimapError(f"{exc}: writing needs the store alone; {hint}") from exc
    try:
        return Evimap(settings.db, settings, create=False, read_only=True)
    except StoreLocked as exc:
        raise EvimapError(f"{exc} and did not let go of it: reading beside it needs it "
                          "opened shared there (Evimap(db, shared=True) in a notebook), or "
                          "run this again when it is done") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="evimap")
@click.option("--db", metavar="FILE", help="DuckDB store file [env EVIMAP_DB; default "
              "evimap.duckdb in the working directory].")
@click.option("--data-dir", metavar="DIR", help="Reference data folder [env EVIMAP_DATA_DIR; "
              "default ../shared/data in a checkout].")
@click.option("--mesh-dir", metavar="DIR", help="MeSH TSV folder [env EVIMAP_MESH_DIR; "
              "default DATA_DIR/mesh].")
@click.option("--cache-dir", metavar="DIR", help="Compiled lexicon cache [env "
              "EVIMAP_CACHE_DIR; default ~/.cache/evimap].")
@click.option("--extractors", metavar="NAMES", help="Claim extractors to run, comma-separated "
              "(rules, frames, relation, pairs, cid, study) [env EVIMAP_EXTRACTORS; default "
              "all].")
@click.pass_context
def cli(ctx: click.Context, db: str | None, data_dir: str | None, mesh_dir: str | None,
        cache_dir: str | None, extractors: str | None) -> None:
    """evimap: evidence maps from messy health literature.

    Ingest pages and papers, then ask which interventions act on which conditions and
    mechanisms, with what kind of evidence, traced to the sentence.
    """
    _log_to_stderr()
    ctx.obj = Context(db=db, data_dir=data_dir, mesh_dir=mesh_dir, cache_dir=cache_dir,
                      extractors=extractors)


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes [env EVIMAP_JOBS; default 1].")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run on a local Dask cluster of N worker processes (big runs: parts are "
              "written beside the store and merged; a killed run resumes).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run on a running Dask cluster (e.g. tcp://host:8786) instead.")
@click.option("--parts-dir", metavar="DIR", default=None,
              help="Where a Dask run writes its parts [default STORE.parts].")
@click.option("--range-size", type=click.IntRange(min=1), default=None, metavar="N",
              help="Records per task when a Dask run splits a PubMed XML file [default 2000].")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_ctx
def ingest_cmd(obj: Context, paths: tuple[str, ...], jobs: int | None, workers: int | None,
               scheduler: str | None, parts_dir: str | None, range_size: int | None,
               as_json: bool) -> None:
    """Read files, folders or globs into the store.

    Each file is read, cleaned, deduplicated, classified and mined for entities and
    claims. A bad file is reported and skipped; the rest of the batch goes on. Files
    already ingested unchanged are skipped, so running it twice changes nothing.

    Formats, by extension then content (any may be .gz): text, html, pubmed (PubMed
    XML), medline (MEDLINE text, .nbib), jats (PMC full text), pubtator (BC5CDR, BioRED,
    PubTator3), bioc (BioC XML and JSON), jsonl, pdf. A folder's scripts, styles, images
    and a saved page's asset folder are skipped. A sidecar FILE.meta.json beside a file
    gives its address (url) and other metadata.
    """
    if jobs is not None:
        obj.overrides["jobs"] = jobs
    if workers is not None or scheduler is not None:
        _ingest_cluster(obj, paths, ClusterOptions(
            workers=workers, scheduler=scheduler, parts_dir=parts_dir,
            range_size=range_size or RANGE_SIZE), jobs, as_json)
        return
    if parts_dir is not None or range_size is not None:
        raise click.UsageError("--parts-dir and --range-size go with --workers or --scheduler")
    started = time.perf_counter()
    with obj.app(create=True) as ev:
        lexicon_start = time.perf_counter()
        _ = ev.resources
        lexicon_s = time.perf_counter() - lexicon_start
        from .read import expand_paths
        n_files = len(expand_paths(paths)[0])
        meter = _Meter(n_files)
        with meter:
            report = ev.ingest(list(paths), progress=meter.file_done, on_record=meter.record)
        summary: dict[str, Any] = dict(report.summary())
        summary["seconds"] = round(time.perf_counter() - started, 2)
        summary["load_seconds"] = round(lexicon_s, 2)
        counts = ev.store.counts()
    _ingest_summary(report, summary, counts, as_json)


class _Meter:
    """An ingest's progress on standard error: on a terminal, a bar of files with the
    records processed; elsewhere (a log), a line every ``EVERY`` seconds and at the end."""

    EVERY = 10.0

    def __init__(self, n_files: int) -> None:
        self.n_files, self.files, self.records = n_files, 0, 0
        self.started = self.last = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.bar: Any = None

    def __enter__(self) -> _Meter:
        if self.tty:
            self.bar = click.progressbar(
                length=self.n_files, label="ingesting", file=sys.stderr, show_pos=True,
                item_show_func=lambda _: f"{self.records} records").__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
        elif self.records or self.files:
            self._line()

    def _line(self) -> None:
        elapsed = time.perf_counter() - self.started
        rate = self.records / elapsed if elapsed > 0 else 0.0
        click.echo(f"ingest: {self.files}/{self.n_files} files, {self.records} records "
                   f"({rate:.1f}/s)", err=True)
        self.last = time.perf_counter()

    def record(self) -> None:
        self.records += 1
        if self.bar is not None:
            self.bar.update(0, self.records)
        elif time.perf_counter() - self.last >= self.EVERY:
            self._line()

    def file_done(self, result: FileResult) -> None:
        self.files += 1
        if self.bar is not None:
            self.bar.update(1, self.records)
        elif time.perf_counter() - self.last >= self.EVERY:
            self._line()


def _ingest_cluster(obj: Context, paths: tuple[str, ...], options: ClusterOptions,
                    jobs: int | None, as_json: bool) -> None:
    """``ingest`` on Dask: progress one line per finished part (readable in a log)."""
    if jobs is not None and jobs > 1:
        raise click.UsageError("--jobs is for the embedded ingest; with Dask use --workers")
    started = time.perf_counter()

    def progress(p: ClusterProgress) -> None:
        if p.stage == "process":
            click.echo(f"parts {p.parts_done}/{p.parts_total}: {p.documents} documents, "
                       f"{p.docs_per_second:.1f}/s", err=True)
        else:
            click.echo(f"{p.stage}...", err=True)

    with obj.app(create=True) as ev:
        report = ev.ingest_cluster(list(paths), options, progress=progress)
        summary: dict[str, Any] = dict(report.summary())
        summary["seconds"] = round(time.perf_counter() - started, 2)
        summary["cluster"] = report.details
        counts = ev.store.counts()
    _ingest_summary(report, summary, counts, as_json)


def _ingest_summary(report: IngestReport, summary: dict[str, Any], counts: dict[str, int],
                    as_json: bool) -> None:
    for err in report.errors:
        click.echo(f"error: {err}", err=True)
    if as_json:
        _echo_json({**summary, "store": counts})
    else:
        unchanged = summary.get("files_unchanged", 0)
        files = f"{summary['files']} file(s)" + (
            f" ({unchanged} with nothing new to store)" if unchanged else "")
        click.echo(
            f"{files}: {summary['documents_added']} document(s) added, "
            f"{summary['documents_known']} already stored, {summary['errors']} error(s) "
            f"in {summary['seconds']}s")
        click.echo("store: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if report.errors and not report.added and not summary["documents_known"]:
        sys.exit(1)


@cli.command("docs", short_help="List documents with their work, kind and credibility.")
@click.option("--json", "as_json", is_flag=True, help="JSON with every segment.")
@pass_ctx
def docs_cmd(obj: Context, as_json: bool) -> None:
    """List the documents (sources) in the store, their work, kind and credibility."""
    with obj.app() as ev:
        docs = ev.docs(with_segments=True)
    if as_json:
        _echo_json(docs)
        return
    for d in docs:
        kinds: dict[str, int] = {}
        for s in d["segments"]:
            kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
        click.echo(f"{d['id']}  {d['path']}")
        click.echo(f"    {d['title'] or '(no title)'}")
        click.echo(f"    work {d['work_id']} ({d['work_sources']} source(s))  "
                   f"{d['source_kind']}  credibility {d['credibility']:.2f}  "
                   f"comments {d['n_comments']}")
        click.echo("    segments: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def _claim_line(c: dict[str, Any]) -> str:
    flags = [f for f in ("negated", "hedged", "hypothetical") if c.get(f)]
    ev = c["evidence_type"] + (f", n={c['n']}" if c.get("n") else "")
    if c.get("outcomes"):
        ev += ", " + "; ".join(c["outcomes"])
    return (f"{c['subject']['name']} -{c['predicate']}-> {c['object']['name']}"
            + (f" [{', '.join(flags)}]" if flags else "") + f"  ({ev}; {c['source_kind']})")


def _echo_claim(c: dict[str, Any], source_suffix: str) -> None:
    """A claim in three lines: the claim and its evidence, the quote, the source file."""
    click.echo(_claim_line(c))
    click.echo(textwrap.indent(textwrap.fill(f"\u201c{c['sentence']}\u201d", 96), "    "))
    click.echo(f"    {Path(c['path']).name}{source_suffix}")


@cli.command("claims", short_help="List extracted claims with evidence and sentence.")
@click.option("--about", metavar="TERM", help="Only claims whose subject or object is TERM "
              "(a name, synonym or MeSH ID).")
@click.option("--predicate", type=click.Choice(_PREDICATES, case_sensitive=False),
              help="Only this predicate.")
@click.option("--sort", type=click.Choice(list(CLAIM_SORTS)), default="subject",
              show_default=True, help="Order of the claims.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Show at most N claims.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def claims_cmd(obj: Context, about: str | None, predicate: str | None, sort: str,
               limit: int | None, as_json: bool) -> None:
    """List extracted claims, each with its evidence and sentence."""
    with obj.app() as ev:
        claims = ev.claims(about=about, predicate=predicate and predicate.lower(), sort=sort,
                           limit=limit)
    if as_json:
        _echo_json(claims)
        return
    for c in claims:
        _echo_claim(c, f" [{c['segment_kind']} {c['start']}-{c['end']}]")
    click.echo(f"{len(claims)} claim(s)", err=True)


@cli.command("statements", short_help="List statements (merged claims) with belief.")
@click.option("--about", metavar="TERM", help="Only statements about TERM.")
@click.option("--min-belief", type=click.FloatRange(0.0, 1.0), default=None, metavar="B",
              help="Only statements of belief at least B (0-1).")
@click.option("--sort", type=click.Choice(list(STATEMENT_SORTS)), default="belief",
              show_default=True, help="Order: belief, works or claims (most first), subject.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Show at most N statements.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def statements_cmd(obj: Context, about: str | None, min_belief: float | None, sort: str,
                   limit: int | None, as_json: bool) -> None:
    """List assembled statements (claims merged across works) with their belief."""
    with obj.app() as ev:
        sts = ev.statements(about=about, min_belief=min_belief, sort=sort, limit=limit)
    if as_json:
        _echo_json(sts)
        return
    for s in sts:
        neg = "NOT " if s["negated"] else ""
        tag = "  CONTESTED" if s["contested"] else ""
        click.echo(f"{s['belief']:.2f}  {s['subject']['name']} {neg}{s['predicate']} "
                   f"{s['object']['name']}  ({s['n_works']} work(s), {s['n_claims']} claim(s), "
                   f"best {s['best_design']}){tag}")
    click.echo(f"{len(sts)} statement(s)", err=True)


@cli.command("evidence", short_help="Evidence for an intervention (and condition).")
@click.argument("intervention")
@click.argument("condition", required=False)
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True,
              help="Most pieces of evidence shown (0: every one).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Pieces to skip.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the page's claims).")
@pass_ctx
def evidence_cmd(obj: Context, intervention: str, condition: str | None, limit: int,
                 offset: int, as_json: bool) -> None:
    """The evidence for INTERVENTION (optionally for CONDITION): studies, designs, sizes,
    outcomes and quotes, a page at a time (--limit, --offset; how many there are in all is
    printed last). "migraine ketamine" is read as ketamine for migraine, and one quoted
    "ketamine migraine" as the two terms."""
    with obj.app() as ev:
        intervention, condition, note = ev.interpret(intervention, condition)
        if note:
            click.echo(f"({note})", err=True)
        rows = ev.evidence(intervention, condition, limit=limit or None, offset=offset)
    paged = len(rows) < rows.total
    if as_json:
        _echo_json(list(rows))
    else:
        for c in rows:
            _echo_claim(c, f", asserted by {c['asserted_by']}")
    if paged or not as_json:
        shown = f"{offset + 1}-{offset + len(rows)} of " if paged and rows else ""
        more = " (--limit 0 for every one)" if paged else ""
        click.echo(f"{shown}{rows.total} piece(s) of evidence{more}", err=True)


@cli.command("search", short_help="What the store holds about a term or two.")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Most statements shown.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def search_cmd(obj: Context, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """The concepts QUERY names, with their claim counts, and the statements about them:
    between them when QUERY names an intervention and a condition ("ketamine migraine").
    A QUERY that names nothing gets spelling suggestions ("ketamin")."""
    with obj.app() as ev:
        found = ev.search(" ".join(query), limit=limit)
    if as_json:
        _echo_json(found)
        return
    if found["read_as"]:
        click.echo(f"({found['read_as']})", err=True)
    if not found["concepts"]:
        hint = (f"; did you mean {', '.join(found['suggestions'])}?"
                if found["suggestions"] else "")
        click.echo(f"nothing in the store is called {found['query']!r}{hint}")
        return
    for k in found["concepts"]:
        click.echo(f"{k['name']} ({k['type']}, {k['id']}): {k['claims']} claim(s)")
    for st in found["statements"]:
        neg = "NOT " if st["negated"] else ""
        click.echo(f"  {st['belief']:.2f}  {st['subject']['name']} {neg}{st['predicate']} "
                   f"{st['object']['name']}  ({st['n_works']} work(s))")
    click.echo(f"{len(found['statements'])} statement(s)", err=True)


@cli.command("discover", short_help="Hidden connections (literature-based discovery).")
@click.argument("source")
@click.argument("target", required=False)
@click.option("--measure", type=click.Choice(list(MEASURES)), default=DEFAULT_MEASURE,
              show_default=True, help="How links and hypotheses are scored: "
              + "; ".join(f"{m.name}: {m.help}" for m in MEASURES.values()) + ".")
@click.option("--before", type=int, metavar="YEAR", default=None,
              help="Use only documents published before YEAR (undated ones are left out).")
@click.option("--via", metavar="BRANCHES", default="C,D,G", show_default=True,
              help="MeSH branches (or tree numbers) the linking concepts come from, "
              "comma-separated: C diseases, D chemicals, G phenomena.")
@click.option("--targets", metavar="BRANCHES", default="C", show_default=True,
              help="MeSH branches of open discovery's targets.")
@click.option("--include-known", is_flag=True, help="Open discovery: also rank targets "
              "that already occur with SOURCE (marked known).")
@click.option("--exact", is_flag=True, help="SOURCE and TARGET without their narrower "
              "MeSH headings.")
@click.option("--links", type=int, default=10, show_default=True,
              help="Linking concepts shown per open-discovery hypothesis.")
@click.option("--graph", type=click.Choice(["cooccurrence", "claims"]),
              default="cooccurrence", show_default=True,
              help="cooccurrence: rank over the concept co-occurrence graph, explained by "
              "claims; claims: walk the statement graph alone.")
@click.option("--reindex", is_flag=True, help="Rebuild the concept index first.")
@click.option("--limit", default=20, show_default=True,
              help="Most hypotheses (open) or linking concepts (closed) shown.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def discover_cmd(obj: Context, source: str, target: str | None, measure: str,
                 before: int | None, via: str, targets: str, include_known: bool, exact: bool,
                 links: int, graph: str, reindex: bool, limit: int, as_json: bool) -> None:
    """Hidden connections (Swanson's ABC model). Open discovery (SOURCE alone): the
    conditions SOURCE may bear on through the concepts it occurs with, leaving out those
    already seen with it. Closed discovery (SOURCE and TARGET): the concepts linking them,
    ranked. Counts come from the concept co-occurrence graph (works, titles counting double
    abstracts); each linking concept shows its work counts and the claims on its links
    (direction and quotes); "A lowers B, B raises C" ranks higher as a candidate treatment.
    See docs/discovery.md."""
    with obj.app() as ev:
        if reindex:
            done = ev.reindex()
            click.echo(f"concept index rebuilt: {done['indexed']} document(s), "
                       f"{done['terms']} term(s) in {done['seconds']}s", err=True)
        hyps = ev.discover(source, target, limit=limit, graph=graph, measure=measure,
                           before=before, via=_branches(via), targets=_branches(targets),
                           include_known=include_known, exact=exact, links=links)
    if as_json:
        _echo_json(hyps)
        return
    if graph == "claims":
        _echo_claim_paths(hyps)
    elif target:
        _echo_closed(hyps[0])
    else:
        _echo_open(hyps)


def _branches(text: str) -> list[str]:
    return [b.strip() for b in text.split(",") if b.strip()]


def _echo_claim_paths(hyps: list[dict[str, Any]]) -> None:
    for h in hyps:
        click.echo(f"{h['score']:.3f}  {h['source']['name']} -> {h['target']['name']}  "
                   f"({h['n_paths']} path(s))")
        for p in h["paths"][:3]:
            click.echo("      " + "  ".join(
                f"{e['subject']['name']} -{e['predicate']}-> {e['object']['name']} "
                f"({e['belief']:.2f})" for e in p))
    click.echo(f"{len(hyps)} hypothesis(es)", err=True)


def _echo_link(i: int, lk: dict[str, Any]) -> None:
    w = lk["works"]
    effect = f"  [A {lk['effect']} C]" if lk["effect"] else ""
    click.echo(f"{i:>4}. {lk['score']:.4f}  {lk['concept']['name']} ({lk['concept']['type']})"
               f"  works {w['link']}, with A {w['with_source']}, with C {w['with_target']}"
               f"{effect}")
    for side in ("source", "target"):
        for st in lk["claims"].get(side, [])[:2]:
            neg = "not " if st["negated"] else ""
            click.echo(f"        {st['subject']['name']} {neg}{st['predicate']} "
                       f"{st['object']['name']} ({st['n_works']} work(s))")
            for q in st["quotes"][:1]:
                click.echo(f"          \u201c{' '.join(q['sentence'].split())}\u201d")


def _echo_closed(h: dict[str, Any]) -> None:
    w = h["works"]
    click.echo(f"{h['source']['name']} -> {h['target']['name']}: {h['n_links']} linking "
               f"concept(s) ({h['measure']}); works: {w['source']} with A, {w['target']} "
               f"with C, {w['both']} with both" + (" (known link)" if h["known"] else ""))
    for i, lk in enumerate(h["links"], start=1):
        _echo_link(i, lk)


def _echo_open(hyps: list[dict[str, Any]]) -> None:
    for h in hyps:
        known = "  (known)" if h["known"] else ""
        effect = f"  [{h['effect']}]" if h["effect"] else ""
        click.echo(f"{h['rank']:>3}. {h['score']:.4f}  {h['source']['name']} -> "
                   f"{h['target']['name']}  ({h['n_links']} linking){known}{effect}")
        click.echo("       via " + "; ".join(
            f"{lk['concept']['name']} ({lk['works']['with_source']}/"
            f"{lk['works']['with_target']})" for lk in h["links"][:5]))
    click.echo(f"{len(hyps)} hypothesis(es)", err=True)


@cli.command("report", short_help="Write an HTML evidence report.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="HTML file to write.")
@click.option("--about", "about", metavar="TERM", default=None,
              help="Only the statements about this concept (name, synonym or MeSH ID) "
                   "and the sources behind them.")
@pass_ctx
def report_cmd(obj: Context, out: str, about: str | None) -> None:
    """Write a readable HTML evidence report: benefit and harm maps (interventions x
    conditions), then per intervention its statements, each with its belief in words,
    contradicting statements side by side and its evidence once per work."""
    with obj.app() as ev:
        path = ev.report(out, about=about)
    click.echo(f"report written to {path}")


@cli.command("export", short_help="Export claims, statements, documents or the graph.")
@click.option("--format", "-f", "fmt", required=True, metavar="FORMAT",
              help="jsonl, csv or parquet (rows); graphml or cytoscape (the statement "
              "graph); bioc or pubtator (documents with mentions and relations).")
@click.option("--what", "-w", metavar="ROWS", default=None,
              help="claims, statements, documents or mentions [default: claims for jsonl, "
              "csv and parquet; statements for graphml and cytoscape; documents for bioc "
              "and pubtator].")
@click.option("--out", "-o", metavar="FILE", type=click.Path(dir_okay=False), default=None,
              help="File to write (whole or not at all) [default: stdout; parquet and bioc "
              "need a file].")
@click.option("--about", metavar="TERM", help="Only claims and statements with TERM (a name, "
              "synonym or MeSH ID) as subject or object, documents that mention it, "
              "mentions of it.")
@click.option("--subject", metavar="TERM", help="Only claims and statements with this "
              "subject.")
@click.option("--object", "object_", metavar="TERM", help="Only claims and statements with "
              "this object.")
@click.option("--predicate", metavar="NAME", help="Only claims and statements with this "
              "predicate (treats, targets, ...).")
@click.option("--design", metavar="NAME", help="Only claims of this design, statements of "
              "this best design (RCT, cohort, ...).")
@click.option("--min-belief", type=float, metavar="X", default=None,
              help="Only statements with at least this belief.")
@pass_ctx
def export_cmd(obj: Context, fmt: str, what: str | None, out: str | None, about: str | None,
               subject: str | None, object_: str | None, predicate: str | None,
               design: str | None, min_belief: float | None) -> None:
    """Export the store for other tools, with the PMID, DOI and URL of every source.

    \b
    jsonl, csv, parquet  one row per claim, statement, document or mention (--what)
    graphml, cytoscape   the statement graph: concepts as nodes, statements as edges
                         (predicate, belief, works, best design, PMIDs, DOIs, URLs)
    bioc, pubtator       documents with their mentions (offsets into the stored text)
                         and their claims as relations

    Without --out the export goes to stdout (not parquet or bioc) and the summary to
    stderr. Columns and layouts: docs/export.md."""
    with obj.app() as ev:
        result = ev.export(fmt, what, out, None if out else sys.stdout,
                           about=about, subject=subject, object=object_,
                           predicate=predicate, design=design, min_belief=min_belief)
    click.echo(result.summary(), err=out is None)


@cli.command("curate", short_help="Mark a claim wrong or right (kept across re-ingests).")
@click.argument("claim_id")
@click.option("--wrong", "verdict", flag_value="wrong", help="The claim misreads its "
              "sentence: leave it out of its statement's belief.")
@click.option("--right", "verdict", flag_value="right", help="The claim says what its "
              "sentence says.")
@click.option("--clear", "verdict", flag_value="clear", help="Forget the verdict.")
@click.option("--note", metavar="TEXT", default=None, help="Why (kept with the verdict).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def curate_cmd(obj: Context, claim_id: str, verdict: str | None, note: str | None,
               as_json: bool) -> None:
    """Record a reader's verdict on the claim CLAIM_ID (its "id" in `evimap claims --json`
    and the API, or a claim's buttons on the web UI's statement page). Verdicts are kept
    in the store, keyed by the claim's id, which comes from its content, so they hold
    across re-ingests; a claim marked wrong is left out of its statement's belief (the
    statements are rebuilt) and exports carry the verdict in their curation columns.
    While `evimap serve` runs, use its buttons or POST /api/claims/ID/curation."""
    if verdict is None:
        raise click.UsageError("give --wrong, --right or --clear")
    with obj.app(write=True) as ev:
        done = ev.curate(claim_id, None if verdict == "clear" else verdict, note)
    if as_json:
        _echo_json(done)
        return
    given = done["curation"]
    what = (f"marked {given['verdict']}" + (f" ({given['note']})" if given["note"] else "")
            if given else "no longer curated")
    before, after = done["belief_before"], done["belief_after"]
    belief = (f"{before:.2f} -> {after:.2f}" if before is not None and after is not None
              else "unchanged")
    click.echo(f"claim {claim_id} {what}; belief of its statement {done['statement_key']}: "
               f"{belief}")


@cli.command("serve", short_help="Serve the JSON API and the web UI.")
@click.option("--host", metavar="ADDRESS", default=None, help="Address to bind [env "
              "EVIMAP_HOST; default 127.0.0.1]; any other than loopback needs --token.")
@click.option("--port", type=int, default=None, help="Port [env EVIMAP_PORT; default 8765].")
@click.option("--token", metavar="TOKEN", default=None, help="Require this token on every "
              "request (Authorization: Bearer TOKEN or ?token=TOKEN) [env EVIMAP_TOKEN].")
@pass_ctx
def serve_cmd(obj: Context, host: str | None, port: int | None, token: str | None) -> None:
    """Serve the store (--db) as a JSON API under /api and a web UI: the evidence map,
    statements with their evidence, documents as ingested, concepts and search."""
    from .serve import serve
    serve(load_settings(**obj.overrides, host=host, port=port, token=token))


@cli.group("vocab")
def vocab() -> None:
    """The vocabulary: the MeSH lexicon used for entity recognition, and the predicates,
    designs and modality cues every stage reads (src/evimap/vocab/*.tsv)."""


@vocab.command("show")
@click.option("--markdown", "as_markdown", is_flag=True,
              help="Print the tables as Markdown (docs/vocabulary.md).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def vocab_show(as_markdown: bool, as_json: bool) -> None:
    """The predicates, designs, design cues and modality cues, and the claim extractors."""
    from dataclasses import asdict

    from . import vocab as tables
    from .claims import extractors
    if as_markdown:
        click.echo(tables.markdown(), nl=False)
        return
    data = {
        "predicates": [{**asdict(p), "subject": sorted(p.subject), "object": sorted(p.object)}
                       for p in tables.predicates().values()],
        "designs": [asdict(d) for d in tables.designs().values()],
        "design_cues": [{"design": d, "pattern": rx.pattern} for d, rx in tables.design_cues()],
        "cues": [asdict(c) for c in tables.cues()],
        "extractors": [{"name": e.name, "version": e.version, "model": e.model,
                        "kinds": sorted(e.kinds) if e.kinds is not None else None,
                        "description": e.description} for e in extractors()],
    }
    if as_json:
        _echo_json(data)
        return
    click.echo("predicates:")
    for p in data["predicates"]:
        click.echo(f"  {p['name']:<22} {p['polarity']:<9} opposite={p['opposite'] or '-':<10} "
                   f"negated->{p['negated_as']}")
    click.echo("designs (strongest first):")
    for d in data["designs"]:
        click.echo(f"  {d['rank']:>2} {d['name']:<18} weight {d['weight']:.2f}")
    kinds: dict[str, int] = {}
    for c in data["cues"]:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    click.echo("modality cues: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    click.echo("claim extractors (in order): " + ", ".join(
        f"{e['name']}/{e['version']}" + (f" (model {e['model']})" if e["model"] else "")
        for e in data["extractors"]))


@vocab.command("belief")
@click.option("--markdown", "as_markdown", is_flag=True,
              help="Print the model and its priors as Markdown (docs/belief.md).")
def vocab_belief(as_markdown: bool) -> None:
    """The belief model's packaged priors (src/evimap/assemble/priors.tsv): systematic
    error per source kind, credibility, sample size, hedging, second-hand reports, and the
    bands that put a belief into words; the design priors are in `vocab show`."""
    from .assemble import belief
    if as_markdown:
        click.echo(belief.markdown(), nl=False)
        return
    p = belief.priors()
    click.echo("systematic error by source kind:")
    for kind, err in p.source_error.items():
        click.echo(f"  {kind:<18} {err:.2f}")
    click.echo(f"credibility factor: {p.credibility_floor:.2f} + "
               f"{1 - p.credibility_floor:.2f} x credibility (comments at most "
               f"{p.comment_credibility:.2f})")
    click.echo(f"size factor: {p.size_floor:.2f} without n, 1.0 from {p.size_full_at:g}")
    click.echo(f"modality: hedged x{p.hedged:.2f}, hypothetical x{p.hypothetical:.2f}, "
               f"second-hand x{p.second_hand:.2f}; narrower statements at {p.narrower:.2f}")
    click.echo("bands: " + "; ".join(f"{b.lower:.2f}+ {b.name}" for b in p.bands))


@vocab.command("build")
@pass_ctx
def vocab_build(obj: Context) -> None:
    """Compile MeSH (and drug brand names) into the cached lexicon, once."""
    from .entities import build_lexicon, load_lexicon
    settings = load_settings(**obj.overrides)
    started = time.perf_counter()
    path = build_lexicon(settings)
    built = time.perf_counter() - started
    started = time.perf_counter()
    load_lexicon(settings)
    click.echo(f"lexicon compiled to {path} in {built:.1f}s "
               f"(loads in {time.perf_counter() - started:.2f}s)")


@cli.group("eval", short_help="Score stages on gold standards.")
def eval_group() -> None:
    """Score the stages on gold standards (floors in eval/floors.json)."""


@eval_group.command("ner")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--fold", default=None, metavar="I/N", help="Score only the documents whose "
              "record number is I modulo N (e.g. 4/5: NCBI Disease's held-out fold).")
@pass_ctx
def eval_ner_cmd(obj: Context, gold: str, as_json: bool, fold: str | None) -> None:
    """Entity recognition on a PubTator file: strict mention P/R/F1 per type and micro,
    document-level MeSH ID P/R/F1, and documents per second (model load excluded).

    IDs are scored in BC5CDR's 2015 vocabulary ("ids": a descriptor becomes the C-number the
    curators gave the same words in the training annotations), as stored
    ("ids_as_stored": MeSH 2023 descriptors), and against the gold updated to MeSH 2023
    ("ids_mesh2023"). Other corpora's types are mapped (NCBI Disease's, BioRED's
    ChemicalEntity and DiseaseOrPhenotypicFeature); genes, variants and the like are
    ignored, and only MeSH gold IDs are scored."""
    from .evaluate.ner import evaluate_ner, fold_filter
    from .pipeline import load_resources
    settings = load_settings(**obj.overrides)
    try:
        documents = fold_filter(fold) if fold else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fold") from None
    scores = evaluate_ner(Path(gold), settings, load_resources(settings), documents)
    if as_json:
        _echo_json(scores)
        return
    click.echo(f"{'':23} {'P':>7} {'R':>7} {'F1':>7} {'TP':>6} {'FP':>6} {'FN':>6}")
    for section in ("mentions", "ids", "ids_as_stored", "ids_mesh2023"):
        for name, s in scores.get(section, {}).items():
            click.echo(f"{section:<13} {name:<9} {s['p']:7.4f} {s['r']:7.4f} {s['f1']:7.4f} "
                       f"{s['tp']:6d} {s['fp']:6d} {s['fn']:6d}")
    click.echo(f"{scores['docs']} documents in {scores['seconds']}s "
               f"({scores['docs_per_second']} docs/s)")


@eval_group.command("cid")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--gold-entities", is_flag=True, help="Use the file's own entities and IDs "
              "(scores the relation classifier alone).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def eval_cid_cmd(obj: Context, gold: str, gold_entities: bool, as_json: bool) -> None:
    """Chemical-induced disease relations on a PubTator file: document-level (chemical,
    disease) MeSH ID pairs, P/R/F1 as BC5CDR scored them; end-to-end unless
    --gold-entities.

    End-to-end pairs are scored in BC5CDR's 2015 vocabulary (as for "evimap eval ner"),
    "as_stored" (MeSH 2023 descriptors) and against the gold updated to MeSH 2023
    ("mesh2023")."""
    from .evaluate.cid import evaluate_cid
    from .pipeline import load_resources
    settings = load_settings(**obj.overrides)
    scores = evaluate_cid(Path(gold), settings, load_resources(settings), gold_entities)
    if as_json:
        _echo_json(scores)
        return
    click.echo(f"{'':22} {'P':>7} {'R':>7} {'F1':>7} {'TP':>6} {'FP':>6} {'FN':>6}")
    rows = [("CID", scores), *((name, scores[name])
                               for name in ("as_stored", "mesh2023", "cooccurrence")
                               if name in scores)]
    for name, s in rows:
        click.echo(f"{name:<22} {s['p']:7.4f} {s['r']:7.4f} {s['f1']:7.4f} "
                   f"{s['tp']:6d} {s['fp']:6d} {s['fn']:6d}")
    click.echo(f"{scores['docs']} documents, {scores['entities']} entities, rule: P >= "
               f"{scores['threshold']} ({scores['harm_threshold']} where the document "
               f"reports harm) and >= {scores['relative']} x the document's best pair, "
               f"{scores['seconds']}s")


@eval_group.command("relations")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--gold-entities", is_flag=True, help="Use the file's own chemicals, diseases "
              "and IDs (scores the relation model alone).")
@click.option("--fold", default=None, metavar="I/N", help="Score only the documents whose "
              "record number is I modulo N (4/5: the held-out fold of BioRED Train).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with every figure.")
@pass_ctx
def eval_relations_cmd(obj: Context, gold: str, gold_entities: bool, fold: str | None,
                       as_json: bool) -> None:
    """Typed chemical-disease relations on a BioRED-format PubTator file: document-level
    (chemical, disease, type) triples, P/R/F1 per type (Positive_Correlation,
    Negative_Correlation, Association) and micro, and untyped pair P/R/F1; end-to-end
    (our entities and MeSH IDs) unless --gold-entities.

    Our predicates read as BioRED types: treats/prevents -> Negative_Correlation,
    causes_adverse_effect -> Positive_Correlation, associated_with -> Association
    (no_effect pairs are counted, not scored)."""
    from .claims.relation import load_relation
    from .entities import load_lexicon, load_ner
    from .evaluate.relations import evaluate_relations, fold_filter
    from .pipeline import Resources
    settings = load_settings(**obj.overrides)
    try:
        keep = fold_filter(fold) if fold else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fold") from None
    lexicon = load_lexicon(settings)
    resources = Resources(lexicon, load_ner(settings))
    model = load_relation(settings.mesh_path, lexicon)
    scores = evaluate_relations(Path(gold), settings, resources, model, gold_entities, keep)
    if as_json:
        _echo_json(scores)
        return
    click.echo(f"{'':22} {'P':>7} {'R':>7} {'F1':>7} {'TP':>6} {'FP':>6} {'FN':>6}")
    rows = [*scores["typed"].items(), ("untyped", scores["untyped"]),
            ("cooccurrence", scores["cooccurrence"])]
    for name, s in rows:
        click.echo(f"{name:<22} {s['p']:7.4f} {s['r']:7.4f} {s['f1']:7.4f} "
                   f"{s['tp']:6d} {s['fp']:6d} {s['fn']:6d}")
    click.echo(f"{scores['docs']} documents, {scores['entities']} entities, "
               f"{scores['no_effect_pairs']} no_effect pair(s) unscored, rule: 1 - P(NONE) >= "
               f"{scores['threshold']} and >= {scores['relative']} x the document's best "
               f"pair, {scores['seconds']}s ({scores['model_docs_per_second']} docs/s for "
               "the model alone)")


@eval_group.command("pico")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option("--split", is_flag=True, help="Report a tune part and a held_out part (PMIDs "
              "sorted as numbers, every 5th held out).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with every figure.")
@pass_ctx
def eval_pico_cmd(obj: Context, folder: str, split: bool, as_json: bool) -> None:
    """Study frames on the PICO corpus: DIR holds PMID.txt and PMID.ann (BRAT).

    Sample size: the frame's n equals a gold total-participants number (exact; exact_first:
    the first in text order; documents without a gold total are not scored). Intervention
    and comparator spans: micro P/R/F1, strict and overlapping."""
    from .entities import load_lexicon, load_ner
    from .evaluate.pico import evaluate_pico
    from .pipeline import Resources
    settings = load_settings(**obj.overrides)
    scores = evaluate_pico(Path(folder), settings,
                           Resources(load_lexicon(settings), load_ner(settings)), split=split)
    if as_json:
        _echo_json(scores)
        return
    blocks = {k: scores[k] for k in ("tune", "held_out")} if split else {"all": scores}
    for name, b in blocks.items():
        ss, iv = b["sample_size"], b["intervention_spans"]
        click.echo(f"{name}: {b['docs']} docs; sample size exact {ss['exact']:.3f} (first "
                   f"{ss['exact_first']:.3f}, {ss['scored']} scored); intervention F1 strict "
                   f"{iv['strict']['f1']:.3f}, overlap {iv['overlap']['f1']:.3f}")
    click.echo(f"{scores['seconds']}s")


@eval_group.command("design")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with every figure.")
@click.option("--split", is_flag=True,
              help="Also score the Evidence Inference train and validation splits apart.")
@pass_ctx
def eval_design_cmd(obj: Context, as_json: bool, split: bool) -> None:
    """Design from text: the share of Evidence Inference trial abstracts (read as plain text)
    called RCT, and the share of BC5CDR Development abstracts without trial wording
    (randomi*, trial, placebo) not called RCT. Reads the data folder."""
    from .entities import load_lexicon, load_ner
    from .evaluate.design import evaluate_design
    from .pipeline import Resources
    settings = load_settings(**obj.overrides)
    scores = evaluate_design(Path(settings.data_dir), settings,
                             Resources(load_lexicon(settings), load_ner(settings)),
                             split=split)
    if as_json:
        _echo_json(scores)
        return
    ei, bc = scores["evidence_inference"], scores["bc5cdr_dev"]
    click.echo(f"Evidence Inference: RCT {ei['rct_share']:.3f} of {ei['docs']}")
    for name, part in scores.get("evidence_inference_splits", {}).items():
        click.echo(f"  {name}: RCT {part['rct_share']:.3f} of {part['docs']}")
    click.echo(f"BC5CDR Dev non-trials: not RCT {bc['non_rct_share']:.3f} of "
               f"{bc['non_trials']} (unspecified {bc['unspecified_share']:.3f})")
    click.echo(f"{scores['seconds']}s")


@eval_group.command("pages")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option("--files", "files_spec", metavar="RANGE",
              help="Score only these file numbers: a range or comma list (041-060, "
              "3,7,12-15); default all.")
@click.option("--split", is_flag=True, help="Report three blocks: all, tune (001-040) "
              "and held_out (041-060).")
@click.option("--errors", "errors_out", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the unmatched gold and predicted claims as JSON lines (file, "
              "side, why, sentence, subject, predicate, object).")
@click.option("--addresses/--no-addresses", default=True, show_default=True,
              help="Give each page its gold address as its URL (a sidecar FILE.meta.json, "
              "as a scraper that saved the page knows it); --no-addresses: the text alone.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with every figure.")
@pass_ctx
def eval_pages_cmd(obj: Context, folder: str, files_spec: str | None, split: bool,
                   errors_out: str | None, addresses: bool, as_json: bool) -> None:
    """Real web pages on the pages-dev gold: DIR holds docs/NNN.txt and gold.jsonl.

    The pages are ingested into a temporary store as "evimap ingest" does, then scored:
    content fragments kept and boilerplate fragments dropped, reader comments counted,
    copies joined into one work (and false merges), source kind accuracy (also with
    peer_reviewed = review) and its confusion, and claims. A predicted claim matches a gold
    claim of its file when the sentences overlap, the predicate is the gold relation
    (treats = prevents; elevated_in / reduced_in = associated_with) and a word of the gold
    intervention names the subject; one-to-one. Claims: P/R/F1, per predicate, precision
    per extractor, and design, n, hedged and negated accuracy on matched claims."""
    from .evaluate.pages import evaluate_pages, parse_files, read_gold
    from .pipeline import load_resources
    if split and files_spec:
        raise EvimapError("--split scores fixed halves; leave out --files")
    settings = load_settings(**obj.overrides)
    path = Path(folder)
    files = parse_files(files_spec, [g["file"] for g in read_gold(path)]) \
        if files_spec else None
    errors: list[dict[str, Any]] | None = [] if errors_out else None
    scores = evaluate_pages(path, settings, load_resources(settings), files=files,
                            split=split, errors=errors, addresses=addresses)
    if errors_out and errors is not None:
        with open(errors_out, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in errors)
    if as_json:
        _echo_json(scores)
        return
    blocks = {name: scores[name] for name in ("all", "tune", "held_out")} if split \
        else {"scored": scores}
    _pages_table(blocks)
    if errors_out and errors is not None:
        click.echo(f"{len(errors)} unmatched claim(s) written to {errors_out}")
    click.echo(f"{scores['seconds']}s")


@eval_group.command("html")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option("--pages", "per_page", is_flag=True, help="Also give each page's F1 per system.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with every figure.")
def eval_html_cmd(folder: str, per_page: bool, as_json: bool) -> None:
    """Article bodies from HTML pages: DIR holds html/ID.html(.gz) and ground-truth.json
    (ID -> {"articleBody": ...}), the layout of the Zyte article-extraction benchmark.

    evimap's body and abstract segments (the title not counted), evimap's cleaner alone
    (evimap_own) and trafilatura.extract (defaults; and without comments), each scored on
    word 4-shingles as the benchmark does (precision and recall averaged over pages, F1 of
    the two; "tokens": single words), with seconds per page."""
    from .evaluate.html import SYSTEMS, evaluate_html
    scores = evaluate_html(Path(folder), per_page=per_page)
    if as_json:
        _echo_json(scores)
        return
    click.echo(f"{scores['pages']} pages; word {scores['shingle']}-shingles (tokens: words)")
    click.echo(f"{'':<26}{'P':>8}{'R':>8}{'F1':>8}{'tok F1':>8}{'s/page':>9}")
    for name in SYSTEMS:
        s = scores[name]
        click.echo(f"{name:<26}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}"
                   f"{s['tokens']['f1']:>8.3f}{s['seconds_per_page']:>9.4f}")
    for page_id, row in scores.get("per_page_f1", {}).items():
        click.echo(f"  {page_id:<24}" + "".join(f"{row[n]:>8.3f}" for n in SYSTEMS))


@eval_group.command("discovery")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option("--case", "case", default="fish-oil-raynaud", show_default=True,
              help="The case to score (fish-oil-raynaud, magnesium-migraine, or one of "
              "--cases).")
@click.option("--cases", "cases_file", type=click.Path(exists=True, dir_okay=False),
              default=None, help="A JSON file of cases in the packaged format "
              "(evaluate/discovery_cases.json) [default: the packaged cases].")
@click.option("--measure", type=click.Choice(list(MEASURES)), default=DEFAULT_MEASURE,
              show_default=True, help="The measure whose ranks are reported first (every "
              "measure's are in by_measure).")
@click.option("--store", "store", type=click.Path(dir_okay=False), default=None,
              help="Ingest into (or reuse) this store file instead of a temporary one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with every figure.")
@pass_ctx
def eval_discovery_cmd(obj: Context, folder: str, case: str, cases_file: str | None,
                       measure: str, store: str | None, as_json: bool) -> None:
    """Literature-based discovery on a classic case: DIR holds the case's two literatures
    (PubMed XML; for fish-oil-raynaud, fish_oil.xml.gz and raynaud.xml.gz as in
    ../shared/data/lbd). They are ingested, then, on the documents published before the
    discovery: the rank of each linking concept the discoverer named in closed discovery
    (A -> ? <- C; targets: top 15) and the rank of C among the diseases A reaches in open
    discovery (target: top 10), for the chosen measure and every other."""
    from .evaluate.discovery import run, summary_lines
    settings = load_settings(**obj.overrides)
    scores = run(Path(folder), case, settings, store=Path(store) if store else None,
                 cases=Path(cases_file) if cases_file else None, measure=measure)
    if as_json:
        _echo_json(scores)
        return
    for line in summary_lines(scores):
        click.echo(line)


def _pages_table(blocks: dict[str, dict[str, Any]]) -> None:
    def row(label: str, get: Any) -> None:
        click.echo(f"{label:<30}" + "".join(f"{get(b):>12}" for b in blocks.values()))

    click.echo(f"{'':<30}" + "".join(f"{name:>12}" for name in blocks))
    row("files", lambda b: b["files"])
    row("content kept", lambda b: f"{b['content_kept']['share']:.3f}")
    row("boilerplate dropped", lambda b: f"{b['boilerplate_dropped']['share']:.3f}")
    row("comments exact", lambda b: f"{b['comments']['share']:.3f}")
    row("source kind accuracy", lambda b: f"{b['source_kinds']['accuracy']:.3f}")
    row("  peer_reviewed = review", lambda b: f"{b['source_kinds']['accuracy_review_merged']:.3f}")
    row("copies joined / gold pairs",
        lambda b: f"{b['duplicates']['found']}/{b['duplicates']['gold_pairs']}")
    row("false merges", lambda b: b["duplicates"]["false_merges"])
    row("claims gold / predicted", lambda b: f"{b['claims']['gold']}/{b['claims']['predicted']}")
    row("claims matched", lambda b: b["claims"]["matched"])
    for key in ("p", "r", "f1"):
        row(f"claims {key.upper()}", lambda b, k=key: f"{b['claims'][k]:.3f}")
    for key in ("design", "n", "hedged", "negated"):
        row(f"  {key} accuracy (matched)", lambda b, k=key: f"{b['claims']['on_matched'][k]:.3f}")
    first_name, first = next(iter(blocks.items()))
    claims = first["claims"]
    click.echo(f"\nclaims by extractor ({first_name}): predicted, matched, P")
    for name, e in claims["by_extractor"].items():
        click.echo(f"  {name:<28}{e['predicted']:>6}{e['matched']:>8}{e['p']:>8.3f}")
    click.echo(f"claims by predicate ({first_name}): gold, predicted, P, R, F1")
    for name, s in claims["by_predicate"].items():
        click.echo(f"  {name:<28}{s['gold']:>6}{s['predicted']:>8}{s['p']:>8.3f}"
                   f"{s['r']:>8.3f}{s['f1']:>8.3f}")


@cli.group("bench", short_help="Measure speed and memory (JSON).")
def bench() -> None:
    """Measure speed and memory on real input (JSON output)."""


@bench.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes for the "
              "end-to-end ingest [default 1].")
@click.option("--limit", type=int, default=None, help="Process at most N documents "
              "(skips the end-to-end ingest).")
@click.option("--no-store", is_flag=True, help="Measure the stages only, not the store.")
@pass_ctx
def bench_ingest_cmd(obj: Context, paths: tuple[str, ...], jobs: int | None,
                     limit: int | None, no_store: bool) -> None:
    """Stage timings, documents per second and peak memory for PATHS."""
    from .bench import bench_ingest
    if jobs is not None:
        obj.overrides["jobs"] = jobs
    settings = load_settings(**obj.overrides)
    _echo_json(bench_ingest(list(paths), settings, limit=limit, store=not no_store))


@bench.command("scale")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder for the corpus, the stores and their parts (several GB at the "
              "defaults).")
@click.option("--docs", "n_docs", type=int, default=20000, show_default=True,
              help="Abstracts in the corpus (real ones, repeated under new PMIDs past what "
              "the data holds).")
@click.option("--workers", type=int, default=2, show_default=True,
              help="Workers of the multi-worker runs (the single-worker run is the baseline).")
@click.option("--grow-to", type=int, default=1_000_000, show_default=True,
              help="Claims in the store the lookups are timed on.")
@pass_ctx
def bench_scale_cmd(obj: Context, out_dir: str, n_docs: int, workers: int,
                    grow_to: int) -> None:
    """The Dask engine at scale: documents per second with 1 and N workers, scaling
    efficiency, workers' peak memory at half and all of the corpus, merge and statement
    times, and the p50/p95 of evidence and statement lookups on a store of GROW_TO claims.
    Takes minutes to hours (about 15 minutes at the defaults on two cores); progress on
    standard error."""
    from .bench import bench_scale
    settings = load_settings(**obj.overrides)
    _echo_json(bench_scale(settings, Path(out_dir), n_docs=n_docs, grow_to=grow_to,
                           workers=workers, log=lambda m: click.echo(m, err=True)))


@bench.command("serve")
@click.option("--clients", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Concurrent clients, each on its own keep-alive connection.")
@click.option("--requests", "n_requests", type=click.IntRange(1, 1_000_000), default=3000,
              show_default=True, help="Requests in all.")
@click.option("--max-seconds", type=click.FloatRange(1, 3600), default=120.0,
              show_default=True, help="Stop sending after this long.")
@click.option("--think-ms", type=click.FloatRange(0, 60_000), default=0.0, show_default=True,
              help="Each client's pause between two requests, on average (0: none, the "
                   "hardest case); clients start spread over one pause.")
@pass_ctx
def bench_serve_cmd(obj: Context, clients: int, n_requests: int, max_seconds: float,
                    think_ms: float) -> None:
    """The server under load: `evimap serve` over the store (--db) on a free loopback port
    (never another machine); once it has loaded its lexicon (/api/health), CLIENTS
    concurrent clients sending a reader's mix of pages and API calls (the map, statements,
    documents, concepts). Latency p50/p95/p99 (ms), overall and per kind of request,
    requests per second, errors, seconds to ready and the machine's load, as JSON."""
    from .bench import bench_serve
    settings = load_settings(**obj.overrides)
    _echo_json(bench_serve(settings, Path(settings.db), clients=clients, requests=n_requests,
                           max_seconds=max_seconds, think_ms=think_ms,
                           log=lambda m: click.echo(m, err=True)))


@cli.group("train", short_help="Rebuild the shipped models.")
def train_group() -> None:
    """Rebuild the models evimap ships, from the reference data."""


@train_group.command("pico")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Model file [default: the package's claims/models/pico.crfsuite].")
@click.option("--iterations", type=int, default=100, show_default=True,
              help="L-BFGS iterations.")
@pass_ctx
def train_pico_cmd(obj: Context, out: str | None, iterations: int) -> None:
    """Rebuild the study frame's intervention/comparator span tagger from the PICO corpus
    (its tune part only; every 5th PMID is held out)."""
    from .claims.study import MODEL_DIR, MODEL_FILE
    from .entities import load_lexicon, load_ner
    from .evaluate.pico import train_pico
    from .pipeline import Resources
    settings = load_settings(**obj.overrides)
    path = Path(out) if out else MODEL_DIR / MODEL_FILE
    record = train_pico(Path(settings.data_dir) / "pico-corpus", settings,
                        Resources(load_lexicon(settings), load_ner(settings)), path,
                        iterations=iterations)
    _echo_json({**record, "model": str(path)})


@train_group.command("ner")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder to write the model to [default: the package's models folder].")
@click.option("--iterations", type=int, default=150, show_default=True,
              help="L-BFGS iterations.")
@click.option("--corpus", "corpora", multiple=True,
              type=click.Choice(["bc5cdr", "ncbi", "biored"]),
              help="Training corpus (repeatable) [default: all three: BC5CDR Training, NCBI "
                   "Disease train less its held-out fold 4/5, BioRED Train].")
@pass_ctx
def train_ner_cmd(obj: Context, out: str | None, iterations: int,
                  corpora: tuple[str, ...]) -> None:
    """Train the chemical/disease CRF (a few minutes on 2 cores). Documents whose PMID is
    in BC5CDR Development, BioRED Dev or NCBI Disease's held-out fold are never trained
    on."""
    from .entities import load_lexicon
    from .entities.ner import MODEL_DIR
    from .entities.train import CORPORA, train_ner
    settings = load_settings(**obj.overrides)
    result = train_ner(settings, load_lexicon(settings), Path(out) if out else MODEL_DIR,
                       iterations=iterations, corpora=corpora or tuple(CORPORA))
    _echo_json(result)


@train_group.command("cid")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder to write the model to [default: the package's models folder].")
@click.option("--iterations", type=int, default=200, show_default=True,
              help="L-BFGS iterations.")
@pass_ctx
def train_cid_cmd(obj: Context, out: str | None, iterations: int) -> None:
    """Train the chemical-induced disease classifier on BC5CDR Training and choose its
    decision rule (threshold on Development; then the lower threshold for documents that
    report harm and the fraction of the document's best pair, on Development and
    cross-validation over Training; about 15 seconds)."""
    from .claims.cid import MODEL_DIR
    from .claims.train_cid import train_cid
    settings = load_settings(**obj.overrides)
    _echo_json(train_cid(settings, Path(out) if out else MODEL_DIR, iterations=iterations))


@train_group.command("relations")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder to write the model to [default: the package's models folder].")
@click.option("--iterations", type=int, default=200, show_default=True,
              help="L-BFGS iterations.")
@pass_ctx
def train_relations_cmd(obj: Context, out: str | None, iterations: int) -> None:
    """Train the typed chemical-disease relation model on BioRED Train, BC5CDR Training's
    CID pairs and Evidence Inference, and choose its decision rule on five-fold
    cross-validation over BioRED Train (BioRED Dev is never read)."""
    from .claims.relation import MODEL_DIR
    from .claims.train_relation import train_relation
    settings = load_settings(**obj.overrides)
    _echo_json(train_relation(settings, Path(out) if out else MODEL_DIR,
                              iterations=iterations))


@train_group.command("boilerplate")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Model file [default: the package's clean/models/boilerplate.json].")
@pass_ctx
def train_boilerplate_cmd(obj: Context, out: str | None) -> None:
    """Rebuild the cleaner's line model (chrome versus content in plain-text scrapes) from
    pages-dev 001-040 and the project's own training pages (041-060 are never read); the
    threshold is chosen on five-fold cross-validation over files (a second or two)."""
    from .clean.linemodel import MODEL_DIR, MODEL_FILE
    from .clean.train import train_boilerplate
    settings = load_settings(**obj.overrides)
    _echo_json(train_boilerplate(Path(settings.data_dir) / "pages-dev",
                                 Path(out) if out else MODEL_DIR / MODEL_FILE))

@train_group.command("pairs")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder to write the model to [default: the package's models folder].")
@click.option("--iterations", type=int, default=150, show_default=True,
              help="L-BFGS iterations.")
@click.option("--with-biored", is_flag=True, help="Add BioRED Train as distant supervision "
              "(measured and left out of the shipped model: see its model card).")
@pass_ctx
def train_pairs_cmd(obj: Context, out: str | None, iterations: int, with_biored: bool) -> None:
    """Train the sentence-level claim model on pages-dev 001-040 (041-060 are never read)
    and choose its setting (words as features or not, threshold) on pages it did not see:
    five-fold cross-validation over those pages and a topic shift (001-030 -> 031-040),
    scored as `evimap eval pages` scores claims."""
    import dataclasses

    from .claims.pairs import MODEL_DIR
    from .claims.train_pairs import train_pairs
    from .pipeline import load_resources
    settings = load_settings(**obj.overrides)
    resources = dataclasses.replace(load_resources(settings), pairs=None)
    result = train_pairs(settings, resources, Path(out) if out else MODEL_DIR,
                         iterations=iterations, use_biored=with_biored)
    result.pop("all_settings", None)
    _echo_json(result)


@cli.command("settings", short_help="Show every setting, its variable and default.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def settings_cmd(as_json: bool) -> None:
    """Show every setting, its environment variable, default and meaning."""
    rows = describe()
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['name']} ({r['env']}, default {r['default']})")
        click.echo(textwrap.indent(textwrap.fill(r["help"], 92), "    "))


#: The group's options a user may also type after the command (``ingest PATH --db FILE``).
_GLOBAL = ("db", "data_dir", "mesh_dir", "cache_dir", "extractors")


def _global_options_everywhere(group: click.Group,
                               shared: list[click.Option] | None = None) -> None:
    """Give every command (in subgroups too) the group's options above, unless it has an
    option of that name: a value typed after the command wins over one before it."""
    if shared is None:
        shared = [p for p in group.params if isinstance(p, click.Option) and p.name in _GLOBAL]
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _global_options_everywhere(command, shared)
        else:
            _add_options(command, shared)


def _add_options(command: click.Command, shared: list[click.Option]) -> None:
    names = {p.name for p in command.params}
    extra = [copy.copy(p) for p in shared if p.name not in names]
    if not extra or command.callback is None:
        return
    command.params.extend(extra)
    callback = command.callback
    extra_names = tuple(p.name for p in extra if p.name)

    @functools.wraps(callback)
    def with_globals(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        obj = ctx.find_object(Context)
        for name in extra_names:
            value = kwargs.pop(name, None)
            if value is not None and obj is not None:
                obj.overrides[name] = value
        return callback(*args, **kwargs)

    command.callback = with_globals


_global_options_everywhere(cli)


def main() -> None:
    """Console entry point: runs the CLI and turns user errors into one-line messages."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except EvimapError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
