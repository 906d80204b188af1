"""Stage 2, clean and segment: invariants, the five seeds, the example corpus, HTML and
structured inputs, and the small parts (dates, comment headers, block splitting)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from lxml import html as lxml_html

from evimap.clean import segment
from evimap.clean.blocks import split_text
from evimap.clean.comments import parse_header
from evimap.clean.dates import is_date_line, parse_date
from evimap.model import SEGMENT_KINDS, Block, RawDocument, Segment

# --- helpers ----------------------------------------------------------------------------------


def _text_doc(path: Path) -> RawDocument:
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    return RawDocument(path=str(path), record=0, format="text", text=text)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK_TAGS = _HEADINGS | {"p", "li", "blockquote", "table", "div", "nav", "header", "footer",
                           "aside", "section", "article", "main", "ol", "ul", "body"}


def _html_doc(path: Path) -> RawDocument:
    """What an HTML reader gives: text of the block elements, one Block each, with hints."""
    tree = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0

    def inline(el: lxml_html.HtmlElement) -> tuple[str, int]:
        chunks, linked = [el.text or ""], 0
        for child in el:
            if isinstance(child.tag, str) and child.tag not in _BLOCK_TAGS:
                content = child.text_content()
                chunks.append(content)
                linked += len(content) if child.tag == "a" else 0
            chunks.append(child.tail or "")
        return " ".join("".join(chunks).split()), linked

    def hint_of(el: lxml_html.HtmlElement) -> tuple[str, dict[str, object]]:
        for anc in (el, *el.iterancestors()):
            if anc.tag == "li" and "comment" in (anc.get("class") or "").split():
                author = anc.find(".//*[@class='comment-author']")
                when = anc.find(".//time")
                return "comment", {"author": author.text if author is not None else None,
                                   "date": when.get("datetime") if when is not None else None}
            if anc.tag in ("nav", "footer", "aside", "header"):
                return anc.tag, {}
        if el.tag in _HEADINGS:
            return "heading", {}
        return {"li": "list_item", "blockquote": "blockquote", "table": "table"}.get(
            el.tag, "paragraph"), {}

    body = tree.find("body")
    assert body is not None
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag not in _BLOCK_TAGS:
            continue
        text, linked = inline(el)
        if not text:
            continue
        hint, attrs = hint_of(el)
        attrs.update(tag=el.tag, path=el.getroottree().getpath(el),
                     link_density=linked / len(text))
        if pos:
            parts.append("\n\n")
            pos += 2
        blocks.append(Block(pos, pos + len(text), hint=hint, attrs=attrs))
        parts.append(text)
        pos += len(text)
    title = tree.findtext(".//title")
    return RawDocument(path=str(path), record=0, format="html", text="".join(parts),
                       title=title, blocks=blocks)


def _at(raw: RawDocument, segs: list[Segment], snippet: str) -> Segment:
    """The segment holding the first character of ``snippet`` (which must be in the text)."""
    at = raw.text.find(snippet)
    assert at >= 0, f"not in the text: {snippet!r}"
    hits = [s for s in segs if s.start <= at < s.end]
    assert len(hits) == 1, f"{snippet!r} in {len(hits)} segments"
    return hits[0]


def _kind(raw: RawDocument, segs: list[Segment], snippet: str) -> str:
    return _at(raw, segs, snippet).kind


def check_invariants(raw: RawDocument, segs: list[Segment]) -> None:
    """In order, no overlap, text is the slice, every non-space character in one segment."""
    covered = bytearray(len(raw.text))
    prev_end = 0
    for s in segs:
        assert s.kind in SEGMENT_KINDS
        assert prev_end <= s.start < s.end <= len(raw.text)
        assert s.text == raw.text[s.start:s.end]
        if s.kind == "boilerplate":
            assert s.label and s.reason
        if s.kind == "comment":
            assert s.author
        prev_end = s.end
        covered[s.start:s.end] = b"\x01" * (s.end - s.start)
    lost = [c for i, c in enumerate(raw.text) if not c.isspace() and not covered[i]]
    assert not lost, f"characters outside every segment: {''.join(lost)[:80]!r}"


@pytest.fixture(scope="module")
def seeds(seed_paths: dict[str, Path]) -> dict[str, tuple[RawDocument, list[Segment]]]:
    out = {}
    for key, path in seed_paths.items():
        raw = _text_doc(path)
        out[key] = (raw, segment(raw))
    return out


def _example(examples_dir: Path, name: str) -> tuple[RawDocument, list[Segment]]:
    path = examples_dir / name
    raw = _html_doc(path) if path.suffix == ".html" else _text_doc(path)
    return raw, segment(raw)


# --- invariants -------------------------------------------------------------------------------


def test_invariants_on_every_seed(seeds: dict[str, tuple[RawDocument, list[Segment]]]) -> None:
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]
    for raw, segs in seeds.values():
        check_invariants(raw, segs)


def test_invariants_on_every_example(examples_dir: Path) -> None:
    names = sorted(p.name for p in examples_dir.iterdir())
    assert len(names) == 5
    for name in names:
        raw, segs = _example(examples_dir, name)
        check_invariants(raw, segs)
        assert any(s.kind == "title" for s in segs), name


def test_segment_is_pure_and_deterministic(seed_paths: dict[str, Path]) -> None:
    raw = _text_doc(seed_paths["002"])
    assert segment(raw) == segment(raw)


def test_empty_and_whitespace_documents() -> None:
    for text in ("", "  \n\n \t"):
        assert segment(RawDocument(path="x", record=0, format="text", text=text)) == []


# --- the seeds --------------------------------------------------------------------------------


def test_seed_000_literature_app(seeds: dict[str, tuple[RawDocument, list[Segment]]]) -> None:
    raw, segs = seeds["000"]
    for chrome in ("Add like", "Add dislike", "Add to saved papers",
                   "You can now claim free CME credits",
                   "For the best experience, use the Read mobile app",
                   "Get seemless 1-tap access", "Mobile app image", "Full text links",
                   "Can't access the paper?", "Try logging in through your university",
                   "By using this service, you agree to our terms of use",
                   "Your Privacy Choices", "All material on this website is protected",
                   "This website also contains material copyrighted"):
        assert _kind(raw, segs, chrome) == "boilerplate", chrome
    assert _at(raw, segs, "You can now claim free CME").label == "cme_prompt"
    assert _at(raw, segs, "Mobile app image").label == "app_prompt"
    assert _at(raw, segs, "Add like").label == "share"
    assert _at(raw, segs, "All material on this website").label == "copyright"
    for pubtype in ("JOURNAL ARTICLE", "REVIEW"):
        seg = _at(raw, segs, pubtype)
        assert (seg.kind, seg.label) == ("metadata", "publication_type")
    title = _at(raw, segs, "Glutamate and Its Receptors as Therapeutic Targets for Migraine.")
    assert title.kind == "title"
    abstract = _at(raw, segs, "There is substantial evidence")
    assert abstract.kind in ("abstract", "body")
    assert abstract.text.endswith("targeting glutamate for migraine therapy.")


def test_seed_001_pubmed(seeds: dict[str, tuple[RawDocument, list[Segment]]]) -> None:
    raw, segs = seeds["001"]
    for chrome in ("Skip to main page content", "Access keys NCBI Homepage",
                   "Similar articles", "See all similar articles",
                   "Cited by 5 PubMed Central articles", "MeSH terms"):
        assert _kind(raw, segs, chrome) == "boilerplate", chrome
    titles = [s for s in segs if s.text == "Glutamate and Its Receptors as Therapeutic Targets "
              "for Migraine"]
    assert [(s.kind, s.label) for s in titles] == [("title", ""),
                                                   ("boilerplate", "duplicate_title")]
    assert (_kind(raw, segs, ", 15 (2), 361-370"),
            _at(raw, segs, ", 15 (2), 361-370").label) == ("metadata", "citation")
    assert _at(raw, segs, "Jan Hoffmann\u00a0et al.").label in ("authors", "journal")
    assert _kind(raw, segs, "Jan Hoffmann\u00a0et al.") == "metadata"
    assert _at(raw, segs, "Keywords: Aura;").label == "keywords"
    for coi in ("Conflict of interest statement", "Required Author Forms",
                "Disclosure forms provided by the authors",
                "Jan Hoffmann has consulted for", "Andrew Charles has served"):
        seg = _at(raw, segs, coi)
        assert (seg.kind, seg.label) == ("metadata", "conflict_of_interest"), coi
    assert _kind(raw, segs, "There is substantial evidence") in ("abstract", "body")


COMMENTERS = {
    "Deborah": "2008-03-19T18:48", "VaBreeze": "2008-03-22T17:14", "Heather": "2009-04-14T15:52",
    "chronicfatigue": "2009-04-14T16:09", "Nancy": "2010-01-08T15:46", "Jen": "2010-08-30T17:21",
    "Dean Goedde": "2010-10-06T00:02", "Julie": "2011-04-15T12:24",
}


def test_seed_002_news_with_comments(seeds: dict[str, tuple[RawDocument, list[Segment]]]) -> None:
    raw, segs = seeds["002"]
    comments = [s for s in segs if s.kind == "comment"]
    assert {c.author: c.date for c in comments} == COMMENTERS
    assert len(comments) == 8
    heather = next(c for c in comments if c.author == "Heather")
    assert heather.text.startswith("I didn’t know Provigil")
    assert heather.text.endswith("reading these things right.")
    dean = next(c for c in comments if c.author == "Dean Goedde")
    assert dean.text.startswith("I researched glutamate toxicity")
    assert "1) avoid dietary glutamate at all costs" in dean.text
    assert dean.text.endswith("2) ingest adequate fish/flax/hemp oil")
    for c in comments:      # the comment text is the body, not the "says:" header
        assert "says:" not in c.text and "2008 at" not in c.text
    assert _at(raw, segs, "(1)\u00a0Deborah").label == "comment_header"
    for chrome in ("1. About.com", "2. Health", "3. Fibromyalgia & Chronic Fatigue",
                   "©2014 About.com. All rights reserved.", "We comply with the HONcode",
                   "information: verify here.", "Leave a Comment",
                   "Line and paragraph breaks are automatic", "1. Health",
                   "You can opt-out at any time", "Discuss in my forum", "Follow me on:"):
        assert _kind(raw, segs, chrome) == "boilerplate", chrome
    assert _at(raw, segs, "Adrienne Dellwo").label == "authors"
    date = _at(raw, segs, "By March 18, 2008")
    assert (date.kind, date.label) == ("metadata", "date")
    title = [s for s in segs if s.kind == "title"]
    assert [t.text for t in title] == ["Neurotransmitter Glutamate Tied to Fibromyalgia Pain"]
    body = [s for s in segs if s.kind == "body"]
    assert len(body) == 6
    assert body[0].text.startswith("Another neurotransmitter is joining")
    assert body[-1].text.endswith("Fibromyalgia & Chronic Fatigue Syndrome forum.")


def test_seed_003_blog(seeds: dict[str, tuple[RawDocument, list[Segment]]]) -> None:
    raw, segs = seeds["003"]
    title = "Milnacipran for Migraine (uncommon preventive drug series)"
    assert [(s.kind, s.label) for s in segs if s.text == title] == [
        ("title", ""), ("boilerplate", "duplicate_title")]
    click = _at(raw, segs, "Click for the full list")
    assert (click.kind, click.label) == ("boilerplate", "navigation")
    for heading in ("What is Milnacipran?", "How Does Milnacipran Work?",
                    "Potential Side Effects of Milnacipran",
                    "Other Considerations for Milnacipran"):
        seg = _at(raw, segs, heading)
        assert (seg.kind, seg.label) == ("body", "heading"), heading
    sources = [s for s in segs if s.kind == "cited_source"]
    assert [s.text.split("/")[2] for s in sources] == ["www.jpain.org", "link.springer.com"]
    start = raw.text.index("What is Milnacipran?")
    end = raw.text.index("neurologist with.") + len("neurologist with.")
    for s in segs:
        if start <= s.start < end:
            assert s.kind in ("body", "cited_source"), s
        if s.start >= end:
            assert s.kind == "boilerplate", s
    assert _at(raw, segs, "Back to blog").kind == "boilerplate"
    assert _at(raw, segs, "Cerebral Torque").kind == "boilerplate"
    assert _at(raw, segs, "1 of 4").label == "pagination"


def test_seed_004_clinic(seeds: dict[str, tuple[RawDocument, list[Segment]]]) -> None:
    raw, segs = seeds["004"]
    titles = [s for s in segs if s.kind == "title"]
    assert [t.text for t in titles] == ["How Ketamine Helps Treat Migraine Headaches"]
    start = raw.text.index("If you’ve ever had a migraine")
    end = raw.text.index("overcome migraine headaches.") + len("overcome migraine headaches.")
    inside = [s for s in segs if start <= s.start < end]
    assert inside and all(s.kind == "body" for s in inside)
    assert inside[-1].text.rstrip().endswith("overcome migraine headaches.")
    for chrome in ("As Seen On:", "as seen on:", "Mental healthcare Made for You",
                   "Bespoke Treatment Clinics offer", "Your personalized plan",
                   "Are you looking for TMS", "You’re in the right place!",
                   "Welcome to Bespoke Treatment.", "Related Posts",
                   "Learn about our most common treatment options."):
        assert _kind(raw, segs, chrome) == "boilerplate", chrome
    assert all(s.kind == "boilerplate" for s in segs if s.start >= end)


# --- the example corpus -----------------------------------------------------------------------


def test_example_abstract_app(examples_dir: Path) -> None:
    raw, segs = _example(examples_dir, "illustrative_abstract_app.txt")
    assert _kind(raw, segs, "Intravenous Magnesium Sulfate") == "title"
    assert _at(raw, segs, "RANDOMIZED CONTROLLED TRIAL").label == "publication_type"
    abstract = _at(raw, segs, "Background: Magnesium blocks")
    assert abstract.kind == "abstract" and "23 of 60 patients (38%)" in abstract.text
    labels = {s.label for s in segs if s.kind == "boilerplate"}
    assert {"share", "login", "app_prompt", "cme_prompt", "copyright", "privacy"} <= labels


def test_example_abstract_html(examples_dir: Path) -> None:
    raw, segs = _example(examples_dir, "illustrative_abstract_pubmed.html")
    assert _kind(raw, segs, "Intravenous Magnesium Sulfate for Acute Migraine") == "title"
    for section in ("Background:", "Methods:", "Results:", "Conclusions:"):
        assert _kind(raw, segs, section) == "abstract", section
    assert _at(raw, segs, "Keywords: Emergency").label == "keywords"
    assert _at(raw, segs, "Headache Med Rep.").label in ("citation", "doi")
    assert _at(raw, segs, "Laura Mendes").label == "authors"
    assert _at(raw, segs, "L. Mendes has received").label == "conflict_of_interest"
    for chrome in ("Skip to main page content", "Similar articles", "See all similar",
                   "Magnesium for migraine prophylaxis", "Example Literature Index home"):
        assert _kind(raw, segs, chrome) == "boilerplate", chrome


def test_example_news_comments_html(examples_dir: Path) -> None:
    raw, segs = _example(examples_dir, "illustrative_news_comments.html")
    comments = [s for s in segs if s.kind == "comment"]
    assert [(c.author, c.date) for c in comments] == [
        ("Rosa M.", "2023-03-03T21:04"), ("kevinleeds", "2023-03-04T08:15"),
        ("Priya Nair", "2023-03-04T12:40"), ("Tom", "2023-03-05T19:02")]
    assert comments[0].text.startswith("My rheumatologist")
    assert comments[0].text.endswith("may not work for everyone.")
    assert _kind(raw, segs, "Could an Alzheimer's drug") == "title"
    assert _at(raw, segs, "By Hannah Okafor").label == "authors"
    assert _at(raw, segs, "Published 3 March 2023").label == "date"
    assert [s.kind for s in segs if s.text.startswith(("Memantine, a drug", "In a small",
                                                       "Memantine is not"))] == ["body"] * 3
    for chrome in ("Leave a reply", "Your email address", "Sign up for our weekly newsletter",
                   "© 2023 Example Health News", "Subscribe"):
        assert _kind(raw, segs, chrome) == "boilerplate", chrome


def test_example_clinic_ad(examples_dir: Path) -> None:
    raw, segs = _example(examples_dir, "illustrative_clinic_ad.txt")
    assert [s.kind for s in segs if s.text == "Ketamine Infusions for Chronic Migraine"] == [
        "title", "boilerplate"]
    for content in ("Living with chronic migraine", "What does the research say?",
                    "Ketamine is not FDA-approved"):
        assert _kind(raw, segs, content) == "body", content
    assert "45 patients" in _at(raw, segs, "What does the research say?").text
    for chrome in ("Book your free consultation today!", "As seen on:", "Example Morning News",
                   "Flexible payment plans", "Contact us", "Call (555) 010-2040",
                   "Related articles", "© 2024 Example Wellness Clinic"):
        assert _kind(raw, segs, chrome) == "boilerplate", chrome


def test_example_blog_topiramate(examples_dir: Path) -> None:
    raw, segs = _example(examples_dir, "illustrative_blog_topiramate.txt")
    title = "Topiramate for Migraine Prevention: What Patients Should Know"
    assert [s.kind for s in segs if s.text == title] == ["title", "boilerplate"]
    assert _at(raw, segs, "Posted on 4 February 2024").label == "date"
    assert len([s for s in segs if s.kind == "cited_source"]) == 2
    items = [s for s in segs if s.label == "list_item"]
    assert len(items) == 4 and all(s.kind == "body" for s in items)
    for content in ("How does topiramate work?", "Topiramate should not be used in pregnancy",
                    "Two large placebo-controlled trials"):
        assert _kind(raw, segs, content) == "body", content
    for chrome in ("Share this post", "Related posts", "Magnesium for migraine: what",
                   "Read more", "« Previous post"):
        assert _kind(raw, segs, chrome) == "boilerplate", chrome


def test_examples_through_the_reader(examples_dir: Path) -> None:
    """End to end with stage 1: whatever blocks the reader gives, the invariants hold."""
    read = pytest.importorskip("evimap.read")
    from evimap.settings import load_settings

    settings = load_settings()
    for path in sorted(examples_dir.iterdir()):
        docs = [d for d in read.read_file(path, settings) if isinstance(d, RawDocument)]
        assert len(docs) == 1, path.name
        segs = segment(docs[0])
        check_invariants(docs[0], segs)
        if path.name == "illustrative_news_comments.html":
            assert [c.author for c in segs if c.kind == "comment"] == [
                "Rosa M.", "kevinleeds", "Priya Nair", "Tom"]


# --- HTML and structured inputs built by hand ---------------------------------------------------


def _doc(fmt: str, pieces: list[tuple[str, str | None, dict[str, object]]],
         title: str | None = None) -> RawDocument:
    text, blocks = "", []
    for body, hint, attrs in pieces:
        if text:
            text += "\n\n"
        label = str(attrs.pop("label", ""))
        blocks.append(Block(len(text), len(text) + len(body), hint, label, dict(attrs)))
        text += body
    return RawDocument(path="built", record=0, format=fmt, text=text, title=title, blocks=blocks)


def test_html_hints_are_features_not_verdicts() -> None:
    raw = _doc("html", [
        ("Home Drugs Conditions Log in", "nav", {"link_density": 1.0}),
        ("Memantine for migraine", "heading", {}),
        ("We use cookies to improve your experience. By continuing you accept our cookie "
         "policy.", "paragraph", {}),
        ("Memantine is an NMDA receptor antagonist approved for Alzheimer's disease. Small "
         "open-label studies suggest it may reduce migraine frequency, but controlled trials are "
         "few and the evidence remains weak.", "paragraph", {}),
        ("Editor's note: the open-label studies had no placebo group, so part of the benefit "
         "may be a placebo response or regression to the mean.", "aside", {}),
        ("Share", "share", {}),
        ("Posted by Ana on 2 May 2022", "comment", {"author": "Ana", "date": "2022-05-02"}),
        ("It helped me a little.", "comment", {"author": "Ana", "date": "2022-05-02"}),
        ("Side effects were mild.", "comment", {"author": "Ana", "date": "2022-05-02"}),
        ("Me too!", "comment", {"author": "Bo", "date": "3 May 2022"}),
        ("Terms of use", "footer", {}),
    ], title="Memantine for migraine | Example")
    segs = segment(raw)
    check_invariants(raw, segs)
    assert _kind(raw, segs, "Home Drugs") == "boilerplate"
    assert _kind(raw, segs, "Memantine for migraine") == "title"
    assert _at(raw, segs, "We use cookies").label == "cookie"
    assert _kind(raw, segs, "Memantine is an NMDA") == "body"
    assert _kind(raw, segs, "Editor's note") == "body"     # an aside can hold content
    comments = [s for s in segs if s.kind == "comment"]
    assert [(c.author, c.date) for c in comments] == [("Ana", "2022-05-02"),
                                                      ("Bo", "2022-05-03")]
    assert comments[0].text == "It helped me a little.\n\nSide effects were mild."
    assert _at(raw, segs, "Posted by Ana").label == "comment_header"


def test_html_region_ends_with_its_container() -> None:
    raw = _doc("html", [
        ("Magnesium and migraine", "heading", {"path": "/html/body/article/h1"}),
        ("Magnesium deficiency has been reported in people with migraine, and intravenous "
         "magnesium is used in some emergency departments for acute attacks.", "paragraph",
         {"path": "/html/body/article/p[1]"}),
        ("Related posts", "heading", {"path": "/html/body/article/aside/h3"}),
        ("Ketamine and headache", "list_item", {"path": "/html/body/article/aside/ul/li[1]"}),
        ("Trials in children are lacking.", "paragraph", {"path": "/html/body/article/p[2]"}),
    ])
    segs = segment(raw)
    check_invariants(raw, segs)
    assert _kind(raw, segs, "Ketamine and headache") == "boilerplate"
    assert _kind(raw, segs, "Trials in children") == "body"


def test_structured_hints_map_straight_to_segments() -> None:
    raw = _doc("pubmed", [
        ("Topiramate in chronic migraine.", "title", {}),
        ("BACKGROUND: Topiramate is used for prevention.", "abstract", {"label": "BACKGROUND"}),
        ("RESULTS: Share of responders was 40%.", "abstract", {"label": "RESULTS"}),
        ("Smith J, Doe A", "metadata", {"label": "authors"}),
        ("10.5555/abc", "metadata", {"label": "doi"}),
    ])
    segs = segment(raw)
    check_invariants(raw, segs)
    assert [(s.kind, s.label) for s in segs] == [
        ("title", ""), ("abstract", "BACKGROUND"), ("abstract", "RESULTS"),
        ("metadata", "authors"), ("metadata", "doi")]


def test_overlapping_and_gapped_blocks_still_cover_the_text() -> None:
    text = "Intro line\n\nKetamine blocks NMDA receptors in the brain and spinal cord.\n\nTail"
    raw = RawDocument(path="x", record=0, format="html", text=text,
                      blocks=[Block(12, 60, "paragraph"), Block(30, 75, "paragraph")])
    check_invariants(raw, segment(raw))


# --- the parts --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "iso"), [
    ("March 19, 2008 at 6:48 pm", "2008-03-19T18:48"),
    ("October 6, 2010 at 12:02 am", "2010-10-06T00:02"),
    ("12 Mar 2023, 21:04", "2023-03-12T21:04"),
    ("2018 Apr 3", "2018-04-03"),
    ("2021-05-04", "2021-05-04"),
    ("no date here", None),
])
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_date_lines() -> None:
    assert is_date_line("Posted on 4 February 2024")
    assert is_date_line("By March 18, 2008")
    assert not is_date_line("©2014 About.com. All rights reserved.")


@pytest.mark.parametrize(("lines", "author", "date"), [
    (["March 19, 2008 at 6:48 pm", "(1)\u00a0Deborah\u00a0says:"], "Deborah", "2008-03-19T18:48"),
    (["Posted by Rosa M. on 3 March 2023"], "Rosa M.", "2023-03-03"),
    (["Rosa M. · 3 March 2023 at 21:04"], "Rosa M.", "2023-03-03T21:04"),
    (["kevinleeds | 2023-03-04"], "kevinleeds", "2023-03-04"),
])
def test_comment_headers(lines: list[str], author: str, date: str) -> None:
    units = split_text("\n".join(lines) + "\n\nThe comment itself.")
    head = parse_header(units, 0, after_content=True)
    assert head is not None and (head.author, head.date) == (author, date)


def test_byline_is_not_a_comment_before_the_article() -> None:
    units = split_text("Jane Smith · 3 March 2023\n\nArticle text follows here.")
    assert parse_header(units, 0, after_content=False) is None


def test_split_keeps_wrapped_prose_and_splits_items() -> None:
    text = ("Bespoke clinics offer therapy for depression,\nPTSD, anxiety and more.\n\n"
            "Home\nAbout us\n- first item\n- second item\n  continued here\n\n"
            "Dean wrote this:\n1) avoid glutamate\n2) eat fish")
    units = [u.text for u in split_text(text)]
    assert units == ["Bespoke clinics offer therapy for depression,\nPTSD, anxiety and more.",
                     "Home", "About us", "- first item", "- second item\n  continued here",
                     "Dean wrote this:", "1) avoid glutamate", "2) eat fish"]


def _plain(text: str) -> tuple[RawDocument, list[Segment]]:
    raw = RawDocument(path="built", record=0, format="text", text=text)
    segs = segment(raw)
    check_invariants(raw, segs)
    return raw, segs


def test_strong_prose_closes_a_teaser_region_and_references_are_kept() -> None:
    raw, segs = _plain(
        "We use cookies to give you the best experience. Accept all cookies\n\n"
        "Magnesium for Migraine: A Review of the Evidence\n\n"
        "Magnesium blocks the NMDA receptor channel. Several small trials suggest that oral "
        "magnesium may reduce the frequency of migraine attacks, although results are mixed.\n\n"
        "You may also like\nKetamine and the brain...\nMemantine explained...\n\n"
        "Intravenous magnesium has also been studied in the emergency department for acute "
        "attacks. In some trials patients with aura seemed to benefit more than those without "
        "aura, but the overall evidence is inconsistent and larger, well-designed studies are "
        "still needed to settle the question.\n\n"
        "References\n1. Smith J, Doe A. Magnesium in migraine. Headache. 2015;55(3):101-110.\n\n"
        "Contact us | Privacy policy\n© 2024 Example")
    assert _at(raw, segs, "We use cookies").label == "cookie"
    assert _kind(raw, segs, "Magnesium for Migraine") == "title"
    assert _kind(raw, segs, "Memantine explained") == "boilerplate"
    assert _kind(raw, segs, "Intravenous magnesium has also") == "body"
    assert _kind(raw, segs, "1. Smith J, Doe A.") == "references"
    assert _kind(raw, segs, "Contact us") == "boilerplate"


def test_plain_text_forum_thread() -> None:
    raw, segs = _plain(
        "Forum: ketamine for migraine?\n\n"
        "1. Alex says:\nJune 3, 2021 at 10:00 am\n"
        "Has anyone tried ketamine nasal spray for migraine? My neurologist mentioned it.\n\n"
        "2. Sam says:\nJune 4, 2021 at 9:12 am\n"
        "I tried it twice. It helped the pain but I felt very spaced out.\n\nReply\n\n"
        "Leave a Reply\nYour email address will not be published.")
    comments = [(s.author, s.date) for s in segs if s.kind == "comment"]
    assert comments == [("Alex", "2021-06-03T10:00"), ("Sam", "2021-06-04T09:12")]
    assert _kind(raw, segs, "Reply\n") == "boilerplate"
    assert _kind(raw, segs, "Your email address") == "boilerplate"


def test_call_to_action_inside_content_keeps_the_paragraph() -> None:
    raw, segs = _plain(
        "Ketamine for Migraine\n\n"
        "Ketamine blocks NMDA receptors and has been tried for refractory migraine in small "
        "case series. Call today to book your consultation.\n\n"
        "Call today to book your consultation.")
    assert _kind(raw, segs, "Ketamine blocks NMDA") == "body"
    assert _at(raw, segs, "Call today to book your consultation.\n").kind == "body"
    assert segs[-1].kind == "boilerplate" and segs[-1].label == "promo"


def test_menu_words_are_not_names_and_bylines_need_context() -> None:
    from evimap.clean.metadata import byline_context, is_name_like
    assert is_name_like("Adrienne Dellwo") and is_name_like("J. Smith")
    assert not is_name_like("Department Chair") and not is_name_like("Health Topics")
    texts = ["Menu", "Maria Gomez", "Published March 3, 2023", "Lone Name", "Text"]
    assert byline_context(texts, 1)             # a date line next to it
    assert byline_context(["By", "Maria Gomez"], 1)
    assert byline_context(["Ana Ruiz, MD"], 0)  # credentials
    assert not byline_context(["Search", "Lone Name", "Some text here"], 1)


def test_site_name_is_not_the_title() -> None:
    """With the page's address known, a line that names the site is not chosen as its title."""
    from evimap.clean.linemodel import host_words, site_words
    assert host_words("https://www.ncbi.nlm.nih.gov/books/") == {"ncbi", "nlm", "nih"}
    assert site_words("Mayo Clinic Press", host_words("https://www.mayoclinic.org/x")) == {
        "mayo", "clinic"}
    text = ("Migraine Relief Center\n\nWhat helps a throbbing headache\n\nMigraine attacks can "
            "often be relieved at home with rest and simple painkillers taken early in the "
            "attack.\n\nTriptans help many people whose migraine attacks do not respond to "
            "simple painkillers.\n")
    plain = RawDocument(path="x.txt", record=0, format="text", text=text)
    assert _at(plain, segment(plain), "Migraine Relief Center").kind == "title"
    raw = RawDocument(path="x.txt", record=0, format="text", text=text,
                      metadata={"url": "https://www.reliefcenter.com/throbbing-headache"})
    segs = segment(raw)
    assert _at(raw, segs, "Migraine Relief Center").kind == "boilerplate"
    assert _at(raw, segs, "What helps a throbbing headache").kind == "body"
