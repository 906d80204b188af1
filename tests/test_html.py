"""HTML pages through trafilatura: main-content marks, metadata, fallback, and ``eval html``."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import trafilatura
from click.testing import CliRunner
from lxml import html as lxml_html

from evimap.clean import segment
from evimap.clean.mainmarks import OUTSIDE_MAIN_REASON
from evimap.cli import cli
from evimap.errors import EvimapError
from evimap.evaluate.html import (
    BODY_KINDS,
    evaluate_html,
    metrics,
    read_benchmark,
    shingle_counts,
    trafilatura_body,
)
from evimap.model import Block, RawDocument
from evimap.read import read_file
from evimap.read.html import html_document, parse_html
from evimap.read.htmlmain import MainContent, mark_blocks
from evimap.settings import Settings

BENCH = Path(__file__).parent / "data" / "html-bench"
_PROSE = ("Magnesium blocks the NMDA receptor channel and several small studies found lower "
          "magnesium levels in people with migraine, especially during attacks, which is why "
          "researchers have tested supplements for prevention over the past three decades.")
_PROSE_2 = ("In the largest trial, eighty-one adults took 600 mg a day or a placebo for twelve "
            "weeks, and attack frequency fell by 42 percent with magnesium and 16 percent "
            "with placebo, although a smaller trial found no benefit at all.")
_PROSE_3 = ("Most studies used between 400 and 600 mg of elemental magnesium a day, and it can "
            "take two to three months to see whether the supplement is working for you at "
            "all, so a headache diary helps to judge the effect.")
_BIO = ("Claire is a teacher from Leeds who has lived with chronic migraine since she was "
        "fourteen years old and writes about what she learns from doctors, from studies and "
        "from trial and error on this blog, which she started in the spring of 2015.")

PAGE = f"""<!DOCTYPE html><html><head><title>Magnesium and migraine - A blog</title></head>
<body><div id="page"><div class="content">
<div class="post"><h1>Magnesium and migraine</h1>
<p>{_PROSE}</p><p>{_PROSE_2}</p><h2>How people take it</h2><p>{_PROSE_3}</p></div>
<div class="box"><h3>The author</h3><p>{_BIO}</p></div>
<div class="comments"><ol>
<li class="comment"><div class="comment-meta"><span class="comment-author">Deb H</span>
<time datetime="2023-05-14T19:02">May 14, 2023</time></div>
<p>I tried magnesium oxide and gave up after a week because of the stomach problems.</p></li>
<li class="comment"><div class="comment-meta"><span class="comment-author">Marcus</span>
<time datetime="2023-05-16T12:15">May 16, 2023</time></div>
<p>Is there any research in children? My daughter has migraines too.</p></li>
</ol></div></div></div></body></html>"""


def _segments(html: str, main_content: bool = True) -> tuple[RawDocument, list]:  # type: ignore[type-arg]
    raw = parse_html(html, "page.html", main_content=main_content)
    return raw, segment(raw)


def _at(segs: list, text: str):  # type: ignore[no-untyped-def,type-arg]
    """The segment holding ``text``."""
    return next(s for s in segs if text in s.text)


def test_blocks_carry_main_marks() -> None:
    raw, _ = _segments(PAGE)
    marks = {raw.text[b.start:b.end][:20]: b.attrs.get("main") for b in raw.blocks}
    assert marks[_PROSE[:20]] is True and marks[_PROSE_3[:20]] is True
    assert marks["How people take it"] is True
    assert marks[_BIO[:20]] is False


def test_outside_main_content_is_boilerplate_with_reason() -> None:
    raw, segs = _segments(PAGE)
    bio = _at(segs, _BIO[:30])
    assert (bio.kind, bio.label, bio.reason) == ("boilerplate", "outside_main",
                                                  OUTSIDE_MAIN_REASON)
    assert [_at(segs, p[:30]).kind for p in (_PROSE, _PROSE_2, _PROSE_3)] == ["body"] * 3
    assert _at(segs, "Magnesium and migraine").kind == "title"
    for s in segs:                                      # offsets into evimap's own text
        assert raw.text[s.start:s.end] == s.text
    _, own = _segments(PAGE, main_content=False)
    assert _at(own, _BIO[:30]).kind == "body"           # the cleaner alone kept the bio


def test_comments_stay_one_segment_each_with_author_and_date() -> None:
    _, segs = _segments(PAGE)
    comments = [s for s in segs if s.kind == "comment"]
    assert [(c.author, c.date) for c in comments] == [("Deb H", "2023-05-14"),
                                                      ("Marcus", "2023-05-16")]
    assert comments[0].text.startswith("I tried magnesium oxide")


def test_example_news_comments_through_the_reader(examples_dir: Path,
                                                  settings: Settings) -> None:
    raw = next(d for d in read_file(examples_dir / "illustrative_news_comments.html", settings)
               if isinstance(d, RawDocument))
    assert any(b.attrs.get("main") for b in raw.blocks)
    segs = segment(raw)
    comments = [s for s in segs if s.kind == "comment"]
    assert [(c.author, c.date) for c in comments] == [
        ("Rosa M.", "2023-03-03T21:04"), ("kevinleeds", "2023-03-04T08:15"),
        ("Priya Nair", "2023-03-04T12:40"), ("Tom", "2023-03-05T19:02")]
    assert comments[0].text.endswith("may not work for everyone.")
    body = [s.text[:16] for s in segs if s.kind == "body"]
    assert body == ["Memantine, a dru", "In a small rando", "Memantine is not"]
    assert raw.metadata["authors"] == ["Hannah Okafor"] and raw.metadata["date"] == "2023-03-03"


def test_trafilatura_fills_missing_metadata_only() -> None:
    page = ('<html><head><title>Statins and muscle pain | Northern Herald</title>'
            '<meta property="og:site_name" content="Northern Herald">'
            '<link rel="canonical" href="https://example.org/statins"></head><body><article>'
            '<h1>Statins and muscle pain</h1><p class="byline">By James Thornton</p>'
            f'<time datetime="2022-09-02">2 September 2022</time><p>{_PROSE}</p>'
            f'<p>{_PROSE_2}</p></article><footer>© 2022 Northern Herald</footer></body></html>')
    raw = parse_html(page, "p.html")
    assert raw.metadata["url"] == "https://example.org/statins"      # the page's own tag
    assert raw.metadata["site_name"] == "Northern Herald"
    assert raw.metadata["date"] == "2022-09-02" and raw.metadata["year"] == 2022
    assert raw.metadata["authors"] == ["James Thornton"]


def test_bare_year_is_not_a_date() -> None:
    page = (f"<html><body><h1>Gout</h1><p>{_PROSE}</p><p>{_PROSE_2}</p>"
            "<p>© 2024 Example Clinic</p></body></html>")
    assert "date" not in parse_html(page, "p.html").metadata


@pytest.mark.parametrize("failure", ["raise", "none"])
def test_without_trafilatura_the_page_reads_as_before(monkeypatch: pytest.MonkeyPatch,
                                                      failure: str) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        if failure == "raise":
            raise ValueError("no tree")
        return None

    own = parse_html(PAGE, "p.html", main_content=False)
    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    raw = parse_html(PAGE, "p.html")
    assert raw.blocks == own.blocks and raw.text == own.text
    assert [s.kind for s in segment(raw)] == [s.kind for s in segment(own)]


def test_mark_blocks_short_blocks_follow_their_neighbours() -> None:
    text = "Intro words of the article here.\n\nShare\n\nTrial results\n\nMore article text now."
    spans = [(0, 32), (34, 39), (41, 54), (56, 78)]
    blocks = [Block(s, e, "paragraph") for s, e in spans]
    main = MainContent(("Intro words of the article here.", "Trial results now",
                        "More article text now."))
    marks = [b.attrs["main"] for b in mark_blocks(text, blocks, main)]
    assert marks == [True, False, True, True]
    assert mark_blocks(text, blocks, MainContent(())) == blocks       # nothing found: no marks


def test_shingle_scores() -> None:
    assert shingle_counts("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = shingle_counts("one two three four five", "one two three four six")
    assert (tp, fp, fn) == (1 / 3, 1 / 3, 1 / 3)
    assert metrics([(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)]) == {
        "precision": 1.0, "recall": 0.5, "f1": round(2 / 3, 4)}


def test_evimap_at_least_as_good_as_trafilatura_on_the_bench() -> None:
    scores = evaluate_html(BENCH)
    assert scores["pages"] == 11 and scores["title_counted"] is False
    for baseline in ("trafilatura", "trafilatura_no_comments", "evimap_own"):
        assert scores["evimap"]["f1"] >= scores[baseline]["f1"] - 0.005, baseline
    assert scores["evimap"]["f1"] >= 0.93


def test_eval_html_cli_reads_gzipped_pages(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    source = BENCH / "html" / "example-news-comments.html"
    (tmp_path / "html" / "news.html.gz").write_bytes(gzip.compress(source.read_bytes()))
    gold = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    (tmp_path / "ground-truth.json").write_text(
        json.dumps({"news": gold["example-news-comments"]}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "html", str(tmp_path), "--json", "--pages"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["evimap"]["f1"] == 1.0 and scores["per_page_f1"]["news"]["evimap"] == 1.0
    assert scores["trafilatura"]["f1"] < 1.0            # its default output adds the comments
    shutil.rmtree(tmp_path / "html")
    result = CliRunner().invoke(cli, ["eval", "html", str(tmp_path)])
    assert isinstance(result.exception, EvimapError) and "missing" in str(result.exception)


# --- pages of real size (tests/data/html-bench-large, made by its generate.py) ---------------

LARGE = Path(__file__).parent / "data" / "html-bench-large"
_WORD = re.compile(r"[^\W_]+")


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("html_bench_large", LARGE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module                     # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def large() -> dict[str, tuple[bytes, str, RawDocument, list]]:  # type: ignore[type-arg]
    """Each large page: its bytes, gold body, evimap's reading and segments (read once)."""
    out = {}
    for page_id, data, gold in read_benchmark(LARGE):
        raw = html_document(data, page_id)
        out[page_id] = (data, gold, raw, segment(raw))
    return out


def _body(segs: list) -> str:  # type: ignore[type-arg]
    return "\n".join(s.text for s in segs if s.kind in BODY_KINDS)


def _words(text: str) -> str:
    """The words of ``text`` between spaces (a table's " | " and line breaks left out)."""
    return " " + " ".join(_WORD.findall(text)) + " "


def test_large_set_is_what_its_generator_writes() -> None:
    generated = _generator().pages()
    stored = {page_id: (data, gold) for page_id, data, gold in read_benchmark(LARGE)}
    assert sorted(generated) == sorted(stored) and len(stored) == 10
    for page_id, (page, gold) in generated.items():
        assert stored[page_id] == (page.encode("utf-8"), gold), page_id
        assert 45_000 <= len(page) <= 300_000, page_id      # the size of real news pages


def test_large_pages_keep_the_article_and_drop_the_chrome(
        large: dict[str, tuple[bytes, str, RawDocument, list]]) -> None:  # type: ignore[type-arg]
    chrome = ("We and our 143 partners", "Get the Health Check newsletter", "Advertisement",
              "Read more", "Most read", "Sponsored", "Leave a Reply", "says:", "min ago",
              "Subscribe", "Privacy policy", "More from", "You May Like", "webpackChunk")
    for page_id, (_, gold, raw, segs) in large.items():
        body = _body(segs)
        words = _words(body)
        missing = [line for line in gold.split("\n") if _words(line) not in words]
        assert not missing, (page_id, missing)
        assert not [c for c in chrome if c in body], page_id
        assert "function(" not in raw.text and "@context" not in raw.text, page_id
        title = [s.text for s in segs if s.kind == "title"]
        assert title and title[0] == raw.title, page_id


def test_large_pages_comments_one_segment_each_with_author_and_date(
        large: dict[str, tuple[bytes, str, RawDocument, list]]) -> None:  # type: ignore[type-arg]
    for page_id, expected in (("wordpress-coffee-heart", 21), ("ghost-loneliness-stroke", None),
                              ("local-aspirin-cancer", 20)):
        data, gold, _, segs = large[page_id]
        comments = [s for s in segs if s.kind == "comment"]
        marked = lxml_html.document_fromstring(data).xpath(
            "//li[contains(@class, 'comment ')] | //div[@class='comment-item']")
        assert len(comments) == len(marked) == (expected or len(marked)) > 10, page_id
        for comment in comments:
            assert comment.author and comment.date, (page_id, comment.text[:40])
            assert re.match(r"\d{4}-\d\d-\d\d", comment.date), comment.date
            assert "Reply" not in comment.text and comment.text not in gold
        assert not any(c.author in c.text for c in comments), page_id   # headers apart


def test_evimap_at_least_as_good_as_trafilatura_on_large_pages(
        large: dict[str, tuple[bytes, str, RawDocument, list]]) -> None:  # type: ignore[type-arg]
    ours = [shingle_counts(gold, _body(segs)) for _, gold, _, segs in large.values()]
    theirs = [shingle_counts(gold, trafilatura_body(data, page_id))
              for page_id, (data, gold, _, _) in large.items()]
    assert metrics(ours)["f1"] >= metrics(theirs)["f1"] - 0.005
    assert metrics(ours)["f1"] >= 0.98
