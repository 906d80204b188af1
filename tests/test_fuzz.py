"""Hostile and odd input never aborts or stalls a batch (issue 13, point 9).

A deterministic fuzz run over every reader: real samples from the reference data, mutated by
a seeded random mutator (bytes flipped, inserted, deleted, repeated, spliced from another
format, re-encoded, gzip-compressed, markup, escapes and numbers injected), and crafted hostile
files (one very long line, 100,000 short lines, thousands of headings, 60,000 combining marks,
bidi controls, a gzip bomb, deep nesting, a 5,000-digit number, lone surrogates, charsets that
are no charset). For each input, read it (:func:`evimap.read.read_file`) and run the stages on
every document (:func:`evimap.pipeline.process`), and assert:

* it is ingested, or gives errors of one line that name the file (never another exception,
  never a stage that fails);
* within a time budget per megabyte (generous: CI machines are slow, and shared);
* without the process's peak memory growing by more than a bound per megabyte.

``EVIMAP_FUZZ_INPUTS`` sets the mutated inputs per reader (a longer local run: 300) and
``EVIMAP_FUZZ_SEED`` the seed; the default run is bounded to well under two minutes.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from evimap.errors import InputError, ProcessingError
from evimap.model import RawDocument
from evimap.pipeline import Resources, load_resources, process
from evimap.read import read_file
from evimap.settings import Settings
from test_formats import make_pdf

#: Mutated inputs per reader.
INPUTS = int(os.environ.get("EVIMAP_FUZZ_INPUTS", "24"))
SEED = int(os.environ.get("EVIMAP_FUZZ_SEED", "9"))
#: The time allowed for one input: a fixed part (loading models, the first document's warm
#: up) and a part per megabyte read (normal text runs at 5-40 s/MB on two shared cores).
BASE_SECONDS = 20.0
SECONDS_PER_MB = 200.0
#: The growth of the process's peak memory allowed for one input.
BASE_MEMORY_MB = 400.0
MEMORY_PER_MB = 150.0
#: Mutated inputs are cut to this size.
MAX_MUTATED = 96 * 1024
#: The size of most crafted inputs.
CRAFTED = 48 * 1024
MB = 1024 * 1024

READERS = ("text", "html", "pubmed", "jats", "pubtator", "jsonl", "pdf", "medline", "bioc")


@dataclass(frozen=True)
class Case:
    """One input file: its name (the suffix picks the reader) and bytes."""

    name: str
    data: bytes


def _blank(case: Case) -> bool:
    """Whether the file holds only white space (once decompressed)."""
    if not case.name.endswith(".gz"):
        return not case.data.strip()
    try:
        with gzip.open(io.BytesIO(case.data)) as stream:
            return all(not chunk.strip() for chunk in iter(lambda: stream.read(MB), b""))
    except (OSError, EOFError):
        return False


# --- seeds: real samples of every format -----------------------------------------------------


def _pubtator_records(data_dir: Path, n: int) -> list[str]:
    text = (data_dir / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text(encoding="utf-8")
    return text.strip().split("\n\n")[:n]


def _page_text(data_dir: Path, name: str, size: int = 6000) -> str:
    return (data_dir / "pages-dev" / "docs" / name).read_text(encoding="utf-8")[:size]


def _jats_sample(data_dir: Path) -> bytes:
    """A small JATS article made of the real one's title, abstract and first paragraphs."""
    root = etree.parse(str(data_dir / "formats" / "pone.0046493.nxml")).getroot()

    def text(xpath: str, n: int = 1) -> list[str]:
        return [" ".join("".join(str(t) for t in e.itertext()).split())
                for e in root.findall(xpath)[:n]]
    title = text(".//article-title")[0]
    abstract = " ".join(text(".//abstract//p", 4))
    paragraphs = "".join(f"<p>{p}</p>" for p in text(".//body//p", 4))
    article = (f"<article><front><article-meta><title-group><article-title>{title}"
               f"</article-title></title-group><abstract><p>{abstract}</p></abstract>"
               f"</article-meta></front><body><sec><title>Introduction</title>{paragraphs}"
               f"</sec></body></article>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + article).encode("utf-8")


def _medline_sample(pubtator: str) -> bytes:
    pmid, title, abstract = _pubtator_parts(pubtator)
    lines = [f"PMID- {pmid}", "DP  - 2010 Mar", f"TI  - {title}"]
    words = abstract.split()
    lines.append("AB  - " + " ".join(words[:12]))
    lines += ["      " + " ".join(words[i:i + 12]) for i in range(12, len(words), 12)]
    lines += ["AU  - Smith J", "AU  - Doe A", "JT  - Journal of Tests", "PT  - Journal Article"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _pubtator_parts(record: str) -> tuple[str, str, str]:
    lines = record.splitlines()
    pmid, _, title = lines[0].split("|", 2)
    return pmid, title, lines[1].split("|", 2)[2]


def _bioc_samples(pubtator: str) -> tuple[bytes, bytes]:
    """The record as BioC XML and BioC JSON, with its gold mentions."""
    pmid, title, abstract = _pubtator_parts(pubtator)
    mentions = [line.split("\t") for line in pubtator.splitlines()[2:]]
    mentions = [m for m in mentions if len(m) >= 6]
    anns = [{"id": str(i), "infons": {"type": m[4], "identifier": m[5]},
             "text": m[3], "locations": [{"offset": int(m[1]),
                                          "length": int(m[2]) - int(m[1])}]}
            for i, m in enumerate(mentions)]
    passages: list[dict[str, Any]] = [
        {"infons": {"type": "title"}, "offset": 0, "text": title, "annotations": []},
        {"infons": {"type": "abstract"}, "offset": len(title) + 1, "text": abstract,
         "annotations": anns}]
    as_json = json.dumps({"source": "fuzz", "documents": [{"id": pmid, "passages": passages}]})
    xml = ["<?xml version='1.0' encoding='UTF-8'?><collection><source>fuzz</source>"
           f"<document><id>{pmid}</id>"]
    for p in passages:
        xml.append(f"<passage><infon key='type'>{p['infons']['type']}</infon>"
                   f"<offset>{p['offset']}</offset><text>{_escape(str(p['text']))}</text>")
        for a in p["annotations"]:
            loc = a["locations"][0]
            xml.append(f"<annotation id='{a['id']}'><infon key='type'>{a['infons']['type']}"
                       f"</infon><infon key='identifier'>{a['infons']['identifier']}</infon>"
                       f"<location offset='{loc['offset']}' length='{loc['length']}'/>"
                       f"<text>{_escape(a['text'])}</text></annotation>")
        xml.append("</passage>")
    xml.append("</document></collection>")
    return "".join(xml).encode("utf-8"), as_json.encode("utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing the first 45 of ``lines`` (:func:`test_formats.make_pdf`),
    characters Helvetica's encoding lacks replaced."""
    return make_pdf([[(50, 770 - 16 * i, 10, line.encode("cp1252", "replace").decode("cp1252"))
                      for i, line in enumerate(lines[:45])]])


def seeds(data_dir: Path) -> dict[str, list[Case]]:
    """Real samples of each format, small enough to process many times."""
    html_dir = Path(__file__).parent / "data" / "html-bench" / "html"
    records = _pubtator_records(data_dir, 3)
    bioc_xml, bioc_json = _bioc_samples(records[0])
    pages = [_page_text(data_dir, n) for n in ("001.txt", "012.txt", "030.txt")]
    jsonl = "".join(json.dumps({"title": p.splitlines()[0], "body": p, "url":
                                f"https://example.org/{i}"}) + "\n"
                    for i, p in enumerate(pages))
    fish = gzip.decompress((data_dir / "lbd" / "fish_oil.xml.gz").read_bytes()).decode()
    cut = fish.index("</PubmedArticle>", fish.index("</PubmedArticle>") + 1)
    return {
        "text": [Case(f"page{i}.txt", p.encode()) for i, p in enumerate(pages)]
        + [Case("seed.txt", next((data_dir / "seeds").glob("*.txt")).read_bytes())],
        "html": [Case(p.name, p.read_bytes()) for p in sorted(html_dir.glob("*.html"))[:4]],
        "pubmed": [Case("pubmed.xml", (data_dir / "formats" / "pubmed-29768149.xml")
                        .read_bytes()),
                   Case("fish.xml", (fish[:cut] + "</PubmedArticle></PubmedArticleSet>\n")
                        .encode())],
        "jats": [Case("article.nxml", _jats_sample(data_dir))],
        "pubtator": [Case("bc5cdr.pubtator", ("\n\n".join(records) + "\n").encode())],
        "jsonl": [Case("pages.jsonl", jsonl.encode())],
        "pdf": [Case("page.pdf", _pdf(pages[0].splitlines()))],
        "medline": [Case("record.nbib", _medline_sample(records[1]))],
        "bioc": [Case("record.bioc.xml", bioc_xml), Case("record.bioc.json", bioc_json)],
    }


# --- the mutator -----------------------------------------------------------------------------

#: Fragments that readers and stages have choked on: controls, broken and odd UTF-8, bidi
#: and combining marks, markup, escapes, numbers, separators of the line formats.
NASTY: tuple[bytes, ...] = (
    b"\x00", b"\r", b"\r\n", b"\x1b", b"\x0c", b"\xff\xfe", b"\xef\xbb\xbf", b"\xed\xa0\x80",
    b"\xc3", b"\xe2\x80\xae", b"\xe2\x80\x8f", b"\xcc\x81" * 200, b"\xe2\x80\x8b",
    b"<", b"</", b"<h1>", b"<p>", b"<br>" * 50, b"&#0;", b"&#xD800;", b"&amp;", b"]]>",
    b"<!--", b"<![CDATA[", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", b"&a;",
    b"\\ud800", b"\\udfff", b"\"", b"{", b"[" * 300, b"9" * 5000, b"1e999", b"NaN",
    b"|t|", b"|a|", b"\t", b"\t-5\t99999999999\tx\tChemical\tD1\n", b"PMID- ", b"AU  - ",
    b"(" * 100, b"." * 300, b". " * 200, b"e.g. " * 50, b"www.", b"@", b"2020 " * 30,
    b"KETAMINE MIGRAINE " * 30, b"ketamine (KT) ", b" " * 500, b"\n" * 500, b"-" * 100,
    b"%PDF-1.4", b"stream\n", b"endobj",
)


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _insert(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    junk = rng.choice(NASTY) if rng.random() < 0.7 else rng.randbytes(rng.randint(1, 64))
    return data[:at] + junk + data[at:]


def _delete(rng: random.Random, data: bytes) -> bytes:
    a = rng.randint(0, len(data))
    return data[:a] + data[a + rng.randint(1, max(1, len(data) // 4)):]


def _repeat(rng: random.Random, data: bytes) -> bytes:
    a = rng.randint(0, len(data))
    chunk = data[a:a + rng.randint(1, 400)]
    return data[:a] + chunk * rng.randint(2, 200) + data[a:]


def _repeat_line(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    lines[i:i + 1] = [lines[i]] * rng.randint(2, 500)
    return b"\n".join(lines)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randint(0, len(data))]


def _reencode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    choice = rng.randrange(4)
    if choice == 0:
        return b"\xff\xfe" + text.encode("utf-16-le")
    if choice == 1:
        return text.encode("latin-1", errors="replace")
    if choice == 2:
        return text.replace("\n", "\r\n").encode("utf-8")
    return text.replace("\n", "\r").encode("utf-8")


def _nest(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    n = rng.randint(10, 3000)
    opener, closer = rng.choice(((b"<div>", b"</div>"), (b"[", b"]"), (b"{\"a\":", b"}"),
                                 (b"<sec>", b"</sec>")))
    return data[:at] + opener * n + b"x" + closer * n + data[at:]


MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    _flip, _insert, _insert, _delete, _repeat, _repeat_line, _truncate, _reencode, _nest)


def mutated(reader: str, samples: dict[str, list[Case]], n: int) -> list[Case]:
    """``n`` mutants of the reader's samples, from a generator seeded by the reader's name."""
    rng = random.Random(f"{SEED}:{reader}")
    everything = [c for cases in samples.values() for c in cases]
    out = []
    for i in range(n):
        seed = rng.choice(samples[reader])
        data = seed.data
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.08:         # splice with a sample of another format
                other = rng.choice(everything).data
                data = data[:rng.randint(0, len(data))] + other[rng.randint(0, len(other)):]
            else:
                data = rng.choice(MUTATIONS)(rng, data)
        data = data[:MAX_MUTATED]
        name = f"m{i:03d}-{seed.name}"
        if rng.random() < 0.1:
            data, name = gzip.compress(data, 6), name + ".gz"
        out.append(Case(name, data))
    return out


# --- crafted inputs --------------------------------------------------------------------------


def _fill(unit: str, size: int = CRAFTED) -> str:
    return (unit * (size // len(unit) + 1))[:size]


SENTENCE = "Ketamine reduced migraine pain in 40 patients with chronic migraine. "


def crafted(reader: str) -> list[Case]:
    """Hostile files of the kinds a fuzz run found slow or fatal, per reader."""
    if reader == "text":
        return [
            Case("long-line.txt", _fill(SENTENCE.replace(". ", ", ")).encode()),
            Case("no-spaces.txt", _fill("a").encode()),
            Case("full-stops.txt", _fill(".").encode()),
            Case("parentheses.txt", _fill("(").encode()),
            Case("digits.txt", _fill("1234567890").encode()),
            Case("short-lines.txt", b"a\n" * 100_000),
            Case("combining.txt", ("a" + "\u0301" * 60_000).encode()),
            Case("bidi.txt", _fill("\u202eKetamine\u202c reduced \u200fmigraine\u200e "
                                   "pain. ").encode()),
            Case("capitals.txt", _fill("KETAMINE MIGRAINE ASPIRIN ").encode()),
            Case("abbreviations.txt", _fill("e.g. i.e. Dr. vs. al. Fig. ").encode()),
            Case("definitions.txt", " ".join(
                f"ketamine {i} (K{i:04d})" for i in range(4000)).encode()),
            Case("dates.txt", _fill("January 1, 2020 ").encode()),
            Case("emails.txt", _fill("a.b@c.de ").encode()),
            Case("repeated-line.txt", _fill(SENTENCE.strip() + "\n").encode()),
            Case("spaces.txt", ("x" + " " * CRAFTED + "y").encode()),
            Case("latin-1.txt", _fill("café naïve résumé ").encode("latin-1")),
            Case("headings.txt", _fill("RESULTS\nMETHODS\nBACKGROUND\n").encode()),
            Case("blank.txt.gz", gzip.compress(b" " * (100 * MB), 9)),
        ]
    if reader == "html":
        return [
            Case("h1s.html", ("<html><body>" + "".join(
                f"<h1>Heading {i} ketamine</h1>" for i in range(5000))
                + "</body></html>").encode()),
            Case("brs.html", b"<html><body><p>" + b"a<br>" * 60_000 + b"</p></body></html>"),
            Case("deep.html", b"<html><body>" + b"<div>" * 5000 + b"text" + b"</div>" * 5000
                 + b"</body></html>"),
            Case("long-p.html", ("<html><body><p>" + _fill(SENTENCE) + "</p></body></html>")
                 .encode()),
            *[Case(f"charset-{c}.html", b'<html><head><meta charset="' + c.encode()
                   + b'"></head><body><p>Ketamine reduced migraine.</p></body></html>')
              for c in ("undefined", "punycode", "idna", "utf-7", "utf-16", "base64",
                        "unicode_escape", "x-no-such")],
        ]
    if reader == "jsonl":
        return [
            Case("surrogates.jsonl", b'{"text": "Ketamine \\ud800 reduced migraine."}\n'
                 b'{"title": "\\udfff", "abstract": "x \\ud83d", "journal": "\\udc00"}\n'),
            Case("big-number.jsonl", b'{"text": "Ketamine.", "n": ' + b"1" * 5000 + b"}\n"
                 b'{"text": "Ketamine.", "pmid": ' + b"9" * 5000 + b"}\n"),
            Case("deep.jsonl", b'{"text": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000
                 + b"}\n"),
            Case("long-record.jsonl", json.dumps({"text": _fill(SENTENCE)}).encode() + b"\n"),
            Case("odd-numbers.jsonl", b'{"text": "Ketamine.", "n": NaN, "m": 1e999}\n'),
            Case("odd-types.jsonl", b'{"text": ["x"]}\n[]\n1\nnull\n{"text": "x", "url": '
                 b'"http://[::1", "authors": [1]}\n'),
            Case("blank.jsonl.gz", gzip.compress(b" \n" * (50 * MB), 9)),
        ]
    if reader == "pubtator":
        return [
            Case("long.pubtator", ("1|t|Ketamine in migraine.\n1|a|" + _fill(SENTENCE)
                                   + "\n1\t0\t8\tKetamine\tChemical\tD007649\n").encode()),
            Case("offsets.pubtator", b"1|t|Ketamine.\n1|a|x\n1\t-5\t99999999999999999999\tK"
                 b"\tChemical\tD1\n1\t5\t2\tx\tChemical\tD1\n1\tCID\tD1\n1\t0\t" + b"9" * 5000
                 + b"\tx\tChemical\tD1\n"),
            Case("mention-lines.pubtator", b"1|t|Ketamine.\n1|a|x\n" + b"".join(
                b"1\t0\t8\tKetamine\tChemical\tD%d\n" % i for i in range(20_000))),
            Case("blank.pubtator.gz", gzip.compress(b"\n" * (100 * MB), 9)),
        ]
    if reader == "medline":
        return [
            Case("long.nbib", ("PMID- 1\nTI  - Ketamine in migraine.\nAB  - "
                               + _fill(SENTENCE) + "\n").encode()),
            Case("continued.nbib", b"PMID- 1\nTI  - Ketamine.\nAB  - x\n"
                 + b"      continued line\n" * 20_000),
        ]
    if reader == "pubmed":
        article = ("<?xml version='1.0'?><PubmedArticleSet><PubmedArticle><MedlineCitation>"
                   "<PMID>1</PMID><Article><ArticleTitle>Ketamine</ArticleTitle>{}</Article>"
                   "</MedlineCitation></PubmedArticle></PubmedArticleSet>")
        return [
            Case("long.xml", article.format("<Abstract><AbstractText>" + _fill(SENTENCE)
                                            + "</AbstractText></Abstract>").encode()),
            Case("authors.xml", article.format("<AuthorList>" + "<Author><LastName>Smith"
                                               "</LastName></Author>" * 5000
                                               + "</AuthorList>").encode()),
            Case("entities.xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'>"
                 b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;"
                 b"&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>"
                 b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
                 b"<ArticleTitle>&d;&d;&d;</ArticleTitle></Article></MedlineCitation>"
                 b"</PubmedArticle></PubmedArticleSet>"),
            Case("encoding.xml", b"<?xml version='1.0' encoding='undefined'?>"
                 b"<PubmedArticleSet></PubmedArticleSet>"),
        ]
    if reader == "jats":
        return [
            Case("long.nxml", ("<article><front><article-meta><title-group><article-title>"
                               "Ketamine</article-title></title-group></article-meta></front>"
                               "<body><sec><p>" + _fill(SENTENCE)
                               + "</p></sec></body></article>").encode()),
            Case("deep.nxml", b"<article><body>" + b"<sec>" * 3000 + b"<p>x</p>"
                 + b"</sec>" * 3000 + b"</body></article>"),
        ]
    if reader == "bioc":
        return [
            Case("annotations.bioc.xml", ("<collection><source>x</source><document><id>1</id>"
                                          "<passage><offset>0</offset><text>Ketamine x.</text>"
                                          + "<annotation id='1'><infon key='type'>Chemical"
                                            "</infon><location offset='0' length='8'/><text>"
                                            "Ketamine</text></annotation>" * 5000
                                          + "</passage></document></collection>").encode()),
            Case("offsets.bioc.xml", b"<collection><source>x</source><document><id>1</id>"
                 b"<passage><offset>99999999999999999999999</offset><text>Ketamine x.</text>"
                 b"<annotation id='1'><location offset='-5' length='999999999999999'/>"
                 b"<text>K</text></annotation></passage></document></collection>"),
            Case("numbers.bioc.json", b'{"documents": [{"id": 1, "passages": [{"offset": '
                 + b"9" * 5000 + b', "text": "x y"}]}]}'),
            Case("surrogates.bioc.json", b'{"documents": [{"id": "1", "passages": [{"offset":'
                 b' 0, "text": "x \\ud800 y", "annotations": [{"text": "\\udc00"}]}]}]}'),
            Case("deep.bioc.json", b'{"documents": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
        ]
    if reader == "pdf":
        return [
            Case("long-line.pdf", _pdf([_fill("ketamine migraine ", 4000)] * 40)),
            Case("not-really.pdf", b"%PDF-1.4\n" + b"1 0 obj << /Length 999999 >> stream\n"
                 + b"x" * 1000),
        ]
    raise AssertionError(reader)


# --- running one input -----------------------------------------------------------------------


@dataclass
class Outcome:
    documents: int = 0
    errors: int = 0
    seconds: float = 0.0
    memory_mb: float = 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _check_error(error: InputError, path: Path, what: str) -> None:
    message = str(error)
    assert "\n" not in message, f"{what}: an error of more than one line: {message!r}"
    assert error.path.startswith(str(path)), f"{what}: the error names another file: {message}"
    assert not isinstance(error, ProcessingError), f"{what}: a stage failed: {message}"


def _check_document(raw: RawDocument, what: str) -> None:
    """What the store needs of a document: UTF-8 text and metadata (no lone surrogate)."""
    try:
        raw.text.encode("utf-8")
        (raw.title or "").encode("utf-8")
        json.dumps(raw.metadata, default=str, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AssertionError(f"{what}: a document the store cannot hold ({exc})") from None


def ingest_one(case: Case, folder: Path, settings: Settings, resources: Resources) -> Outcome:
    """Read ``case`` and run the stages on every document, checking what comes out."""
    path = folder / case.name
    path.write_bytes(case.data)
    outcome = Outcome()
    before = _peak_mb()
    started = time.perf_counter()
    try:
        for item in read_file(path, settings):
            if isinstance(item, InputError):
                _check_error(item, path, case.name)
                outcome.errors += 1
                continue
            _check_document(item, case.name)
            process(item, resources)
            outcome.documents += 1
    except InputError as exc:
        _check_error(exc, path, case.name)
        outcome.errors += 1
    outcome.seconds = time.perf_counter() - started
    outcome.memory_mb = _peak_mb() - before
    size_mb = len(case.data) / MB
    budget = BASE_SECONDS + SECONDS_PER_MB * size_mb
    assert outcome.seconds <= budget, (
        f"{case.name}: {outcome.seconds:.1f} s for {size_mb:.2f} MB (budget {budget:.0f} s)")
    memory = BASE_MEMORY_MB + MEMORY_PER_MB * size_mb
    assert outcome.memory_mb <= memory, (
        f"{case.name}: peak memory grew {outcome.memory_mb:.0f} MB (bound {memory:.0f} MB)")
    assert outcome.documents or outcome.errors or _blank(case), (
        f"{case.name}: neither a document nor an error")
    path.unlink()
    return outcome


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_resources(settings: Settings) -> Resources:
    """Every stage's resources, the claim models included (they read pairs of mentions)."""
    return load_resources(settings)


@pytest.fixture(scope="module")
def samples(data_dir: Path) -> dict[str, list[Case]]:
    return seeds(data_dir)


def _cases(reader: str, samples: dict[str, list[Case]]) -> Iterator[Case]:
    yield from samples[reader]
    yield from crafted(reader)
    yield from mutated(reader, samples, INPUTS)


@pytest.mark.parametrize("reader", READERS)
def test_hostile_input_is_read_or_refused_in_time(reader: str, samples: dict[str, list[Case]],
                                                  settings: Settings, full_resources: Resources,
                                                  tmp_path: Path) -> None:
    results = {case.name: ingest_one(case, tmp_path, settings, full_resources)
               for case in _cases(reader, samples)}
    # the real samples are read (the mutants may well be refused)
    for case in samples[reader]:
        assert results[case.name].documents, f"{case.name}: a real sample was not read"


def test_the_decompressed_size_is_capped(tmp_path: Path, settings: Settings) -> None:
    """A gzip file that inflates past EVIMAP_MAX_DECOMPRESSED_MB is refused early, in one
    line naming the file and the setting; under the cap it is read."""
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b" \n" * (50 * MB), 9))     # 100 MB of blank lines
    capped = replace(settings, max_decompressed_mb=8.0)
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        list(read_file(bomb, capped))
    assert time.perf_counter() - started < 10
    assert info.value.path == str(bomb)
    assert "EVIMAP_MAX_DECOMPRESSED_MB" in info.value.reason and "\n" not in str(info.value)
    small = tmp_path / "small.jsonl.gz"
    small.write_bytes(gzip.compress(b'{"text": "Ketamine reduced migraine."}\n' * 1000))
    assert len(list(read_file(small, capped))) == 1000
    started = time.perf_counter()        # under the default cap: blank lines cost little
    assert list(read_file(bomb, settings)) == []
    assert time.perf_counter() - started < 30


def test_the_mutator_is_deterministic(samples: dict[str, list[Case]]) -> None:
    assert mutated("html", samples, 5) == mutated("html", samples, 5)
    assert len({c.data for c in mutated("text", samples, 20)}) == 20
