"""Stage 1, read: every format on real samples, bad inputs, and the security guarantees."""

from __future__ import annotations

import gzip
import json
import socket
import time
from pathlib import Path

import pytest

from evimap.errors import InputError
from evimap.model import RawDocument
from evimap.read import FORMATS, expand_paths, from_original, read_file, to_original
from evimap.read.decode import normalise_text
from evimap.settings import Settings

# --- helpers ---------------------------------------------------------------------------------


def read_all(path: Path, settings: Settings) -> list[RawDocument | InputError]:
    return list(read_file(path, settings))


def docs_of(path: Path, settings: Settings) -> list[RawDocument]:
    items = read_all(path, settings)
    errors = [i for i in items if isinstance(i, InputError)]
    assert not errors, errors
    return [i for i in items if isinstance(i, RawDocument)]


def one_doc(path: Path, settings: Settings) -> RawDocument:
    docs = docs_of(path, settings)
    assert len(docs) == 1
    return docs[0]


def read_error(path: Path, settings: Settings) -> str:
    """The reason of the InputError that reading ``path`` raises."""
    with pytest.raises(InputError) as info:
        read_all(path, settings)
    assert info.value.path == str(path)
    return info.value.reason


def block_texts(doc: RawDocument, hint: str) -> list[str]:
    return [doc.text[b.start:b.end] for b in doc.blocks if b.hint == hint]


def assert_blocks_consistent(doc: RawDocument) -> None:
    """Blocks are ordered, inside the text, stripped, and separated by a blank line."""
    previous_end = -2
    for block in doc.blocks:
        assert previous_end + 2 <= block.start < block.end <= len(doc.text)
        span = doc.text[block.start:block.end]
        assert span == span.strip()
        previous_end = block.end


@pytest.fixture(scope="module")
def pubmed(data_dir: Path, settings: Settings) -> RawDocument:
    return one_doc(data_dir / "formats" / "pubmed-29768149.xml", settings)


@pytest.fixture(scope="module")
def jats(data_dir: Path, settings: Settings) -> RawDocument:
    return one_doc(data_dir / "formats" / "pone.0046493.nxml", settings)


# --- PubMed XML --------------------------------------------------------------------------------


def test_pubmed_fields(pubmed: RawDocument) -> None:
    assert pubmed.format == "pubmed"
    assert pubmed.record == 0
    meta = pubmed.metadata
    assert meta["pmid"] == "29768149"
    assert meta["doi"] == "10.1056/NEJMoa1715274"
    assert meta["journal"] == "The New England journal of medicine"
    assert meta["date"] == "2018-05-17" and meta["year"] == 2018
    assert meta["authors"][:2] == ["O'Byrne PM", "FitzGerald JM"]
    assert len(meta["authors"]) == 10
    assert meta["publication_types"] == [
        "Clinical Trial, Phase III", "Comparative Study", "Journal Article",
        "Multicenter Study", "Randomized Controlled Trial", "Research Support, Non-U.S. Gov't",
    ]
    assert "Asthma" in meta["mesh_terms"]
    assert meta["language"] == "eng"
    assert pubmed.title is not None
    assert pubmed.title.startswith("Inhaled Combined Budesonide-Formoterol as Needed")


def test_pubmed_text_and_blocks(pubmed: RawDocument) -> None:
    assert_blocks_consistent(pubmed)
    assert pubmed.text.startswith(f"{pubmed.title}\n\nBACKGROUND: In patients with mild asthma")
    # <sub>2</sub> after a pretty-printed line break joins its word
    assert "fast-acting β2-agonist" in pubmed.text
    sections = [b for b in pubmed.blocks if b.hint == "abstract"]
    assert [b.label for b in sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert pubmed.text[sections[1].start:].startswith("METHODS: We conducted a 52-week")
    labels = {b.label: pubmed.text[b.start:b.end] for b in pubmed.blocks if b.hint == "metadata"}
    assert labels["authors"].startswith("Authors: O'Byrne PM, FitzGerald JM")
    assert labels["journal"] == "Journal: The New England journal of medicine. 2018-05-17"
    assert "Randomized Controlled Trial" in labels["publication_type"]


PUBMED_SET = """<?xml version="1.0"?>
<PubmedArticleSet>
{articles}
<DeleteCitation><PMID Version="1">111</PMID></DeleteCitation>
</PubmedArticleSet>"""

ARTICLE = """<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>
<Journal><Title>J</Title><JournalIssue><PubDate><Year>2020</Year><Month>Mar</Month></PubDate>
</JournalIssue></Journal><ArticleTitle>{title}</ArticleTitle>
<Abstract><AbstractText>Magnesium <i>reduces</i> migraine days.</AbstractText></Abstract>
</Article><KeywordList><Keyword>migraine</Keyword></KeywordList>
<CoiStatement>None declared.</CoiStatement></MedlineCitation></PubmedArticle>"""


def test_pubmed_bad_record_is_yielded_and_stream_goes_on(tmp_path: Path,
                                                         settings: Settings) -> None:
    articles = [ARTICLE.format(pmid="1", title="First."),
                ARTICLE.format(pmid="", title="No PMID."),
                ARTICLE.format(pmid="3", title="Third.")]
    path = tmp_path / "set.xml"
    path.write_text(PUBMED_SET.format(articles="\n".join(articles)), encoding="utf-8")
    items = read_all(path, settings)
    assert [type(i).__name__ for i in items] == ["RawDocument", "InputError", "RawDocument"]
    first, bad, third = items
    assert isinstance(first, RawDocument) and isinstance(third, RawDocument)
    assert isinstance(bad, InputError)
    assert bad.path.startswith(f"{path}:") and "PMID" in bad.reason
    assert [first.record, third.record] == [0, 2]
    assert first.metadata["date"] == "2020-03" and first.metadata["coi"] == "None declared."
    assert first.text.endswith("Keywords: migraine\n\nConflict of interest: None declared.")
    assert "Magnesium reduces migraine days." in first.text


def test_xml_gz_round_trip(data_dir: Path, tmp_path: Path, pubmed: RawDocument,
                           settings: Settings) -> None:
    source = data_dir / "formats" / "pubmed-29768149.xml"
    packed = tmp_path / "pubmed.xml.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    doc = one_doc(packed, settings)
    assert (doc.text, doc.metadata, doc.blocks) == (pubmed.text, pubmed.metadata, pubmed.blocks)
    assert doc.path == str(packed)


def test_truncated_gzip_is_an_error(data_dir: Path, tmp_path: Path,
                                    settings: Settings) -> None:
    packed = gzip.compress((data_dir / "formats" / "pubmed-29768149.xml").read_bytes())
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(packed[: len(packed) // 2])
    assert "truncated gzip" in read_error(path, settings)


# --- JATS ------------------------------------------------------------------------------------


def test_jats_sample(jats: RawDocument) -> None:
    assert jats.format == "jats"
    assert jats.title is not None
    assert jats.title.startswith("MmPPOX Inhibits Mycobacterium tuberculosis Lipolytic Enzymes")
    meta = jats.metadata
    assert meta["doi"] == "10.1371/journal.pone.0046493"
    assert meta["pmid"] == "23029536" and meta["pmcid"] == "PMC3460867"
    assert meta["journal"] == "PLoS ONE"
    assert meta["authors"][:3] == ["Delorme V", "Diomandé SV", "Dedieu L"]
    assert "Canaan S" in meta["authors"]
    assert "no competing interests" in meta["coi"]
    assert_blocks_consistent(jats)
    references = block_texts(jats, "references")
    assert len(references) == 58
    assert references[0].startswith("1. Chakroborty A (2011) Drug-resistant tuberculosis")
    assert block_texts(jats, "abstract")[0].startswith("Lipid metabolism plays an important")
    headings = block_texts(jats, "heading")
    assert {"Introduction", "Materials and Methods", "Results", "Discussion"} <= set(headings)
    assert any(b.label == "conflict_of_interest" for b in jats.blocks if b.hint == "metadata")


# --- PubTator --------------------------------------------------------------------------------


def test_bc5cdr_development(data_dir: Path, settings: Settings) -> None:
    docs = docs_of(data_dir / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt", settings)
    assert len(docs) == 500
    assert [d.record for d in docs] == list(range(500))
    for doc in docs:
        assert "warnings" not in doc.metadata
        for mention in doc.gold_mentions:
            assert doc.text[mention.start:mention.end] == mention.text
            assert mention.type in ("Chemical", "Disease")
        title, abstract = doc.blocks
        assert (title.hint, abstract.hint) == ("title", "abstract")
        assert doc.text == f"{doc.title} {doc.text[abstract.start:]}"
    first = docs[0]
    assert first.metadata["pmid"] == "6794356"
    assert first.title == ("Tricuspid valve regurgitation and lithium carbonate toxicity in a "
                           "newborn infant.")
    relations = [r for d in docs for r in d.gold_relations]
    assert len(relations) > 900 and {r[0] for r in relations} == {"CID"}
    composite = [m for d in docs for m in d.gold_mentions if len(m.ids) > 1]
    assert composite and all("|" not in i for m in composite for i in m.ids)
    assert any(m.ids == ("-1",) for d in docs for m in d.gold_mentions)


def test_ncbi_disease_train(data_dir: Path, settings: Settings) -> None:
    docs = docs_of(data_dir / "ncbi-disease" / "NCBItrainset_corpus.txt", settings)
    assert len(docs) == 593
    assert all(d.text[m.start:m.end] == m.text for d in docs for m in d.gold_mentions)
    assert {m.type for d in docs for m in d.gold_mentions} >= {"SpecificDisease",
                                                               "DiseaseClass"}
    # one annotation in this corpus writes quotes as spaces: kept, with a warning
    warned = [d for d in docs if "warnings" in d.metadata]
    assert len(warned) == 1 and "differs from the text" in warned[0].metadata["warnings"][0]


def test_ncbi_disease_ids_and_types(data_dir: Path, settings: Settings) -> None:
    from evimap.read.pubtator import entity_class
    docs = docs_of(data_dir / "ncbi-disease" / "NCBItrainset_corpus.txt", settings)
    mentions = [m for d in docs for m in d.gold_mentions]
    assert {entity_class(m.type) for m in mentions} == {"Disease"}
    assert any(i.startswith("OMIM:") for m in mentions for i in m.ids)
    # composites are written D1|D2 and D1+D2: both become lists
    assert all("|" not in i and "+" not in i for m in mentions for i in m.ids)
    assert sum(len(m.ids) > 1 for m in mentions) > 80


@pytest.mark.parametrize(("name", "n_docs"), [("Train.PubTator", 400), ("Dev.PubTator", 100)])
def test_biored(data_dir: Path, settings: Settings, name: str, n_docs: int) -> None:
    from evimap.read.pubtator import entity_class
    docs = docs_of(data_dir / "biored" / name, settings)
    assert len(docs) == n_docs
    assert not any("warnings" in d.metadata for d in docs)
    mentions = [m for d in docs for m in d.gold_mentions]
    assert all(d.text[m.start:m.end] == m.text for d in docs for m in d.gold_mentions)
    assert {m.type for m in mentions} == {
        "ChemicalEntity", "DiseaseOrPhenotypicFeature", "GeneOrGeneProduct",
        "SequenceVariant", "OrganismTaxon", "CellLine"}
    assert {entity_class(m.type) for m in mentions} == {"Chemical", "Disease", None}
    genes = [m for m in mentions if m.type == "GeneOrGeneProduct"]
    assert any(len(m.ids) > 1 for m in genes)              # "3630,3667": a list
    assert all(i.isdigit() or i in ("-1", "-") for m in genes for i in m.ids)
    variants = [m for m in mentions if m.type == "SequenceVariant"]
    assert any("|" in m.ids[0] for m in variants)          # "p|SUB|P|75|A": kept whole
    assert all(len(m.ids) <= 1 for m in variants)
    relations = [r for d in docs for r in d.gold_relations]
    assert all(len(r) == 3 for r in relations)
    assert {"Association", "Positive_Correlation", "Negative_Correlation", "Bind"} <= {
        r[0] for r in relations}
    assert len(relations) > 3 * n_docs


def test_pubtator_odd_lines_are_skipped_with_a_warning(tmp_path: Path,
                                                       settings: Settings) -> None:
    path = tmp_path / "odd.pubtator"
    path.write_text(
        "7|t|Aspirin and asthma.\n7|a|Text.\n"
        "7\t0\t7\tAspirin\tChemicalEntity\tD001241\n"
        "7\t12\t18\tasthma\tDiseaseOrPhenotypicFeature\tD001249,OMIM:600807\n"
        "7\tx\t3\tAsp\tChemical\tD001241\n"              # offsets not numbers
        "8\t0\t7\tAspirin\tChemical\tD001241\n"          # another PMID
        "7\tjunk\n"                                      # too few columns
        "7\tNegative_Correlation\tD001241\tD001249\tNovel\n"
        "7\tCID\tD001241\tD001249\n\n"
        "9|t|Next.\n9|a|Fine.\n", encoding="utf-8")
    first, second = docs_of(path, settings)
    assert [(m.text, m.type, m.ids) for m in first.gold_mentions] == [
        ("Aspirin", "ChemicalEntity", ("D001241",)),
        ("asthma", "DiseaseOrPhenotypicFeature", ("D001249", "OMIM:600807"))]
    assert first.gold_relations == [("Negative_Correlation", "D001241", "D001249"),
                                    ("CID", "D001241", "D001249")]
    assert len(first.metadata["warnings"]) == 3
    assert second.title == "Next."


def test_pubtator_offsets_survive_nfc(tmp_path: Path, settings: Settings) -> None:
    title = "Cafe\u0301 study."              # decomposed é: NFC shortens the text by one
    abstract = "Ketamine helped."
    path = tmp_path / "nfc.pubtator"
    path.write_text(f"9|t|{title}\n9|a|{abstract}\n9\t13\t21\tKetamine\tChemical\tD007649\n"
                    "9\tCID\tD007649\tD008881\n", encoding="utf-8")
    doc = one_doc(path, settings)
    assert doc.text == "Café study. Ketamine helped."
    [mention] = doc.gold_mentions
    assert (mention.start, mention.end, mention.text) == (12, 20, "Ketamine")
    assert to_original(doc.offset_map, mention.start) == 13
    assert doc.gold_relations == [("CID", "D007649", "D008881")]


def test_pubtator_bad_record_is_yielded(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "bad.pubtator"
    path.write_text("1|t|One.\n1|a|A.\n\n2|a|No title line.\n\n3|t|Three.\n3|a|C.\n",
                    encoding="utf-8")
    items = read_all(path, settings)
    assert [type(i).__name__ for i in items] == ["RawDocument", "InputError", "RawDocument"]
    bad = items[1]
    assert isinstance(bad, InputError) and bad.path == f"{path}:4"
    assert "title" in bad.reason


# --- plain text ------------------------------------------------------------------------------


def test_seed_text_file(seed_paths: dict[str, Path], settings: Settings) -> None:
    doc = one_doc(seed_paths["002"], settings)
    assert doc.format == "text"
    assert doc.metadata["encoding"] == "utf-8"
    assert doc.title is None and doc.blocks == []
    assert "Neurotransmitter Glutamate Tied to Fibromyalgia Pain" in doc.text
    assert "(8)\u00a0Julie\u00a0says:" in doc.text       # no-break spaces kept as written


def test_all_seeds_read(seed_paths: dict[str, Path], settings: Settings) -> None:
    assert len(seed_paths) == 5
    for path in seed_paths.values():
        assert one_doc(path, settings).text.strip()


def test_normalisation_offset_map(tmp_path: Path, settings: Settings) -> None:
    original = "Cafe\u0301 au lait\r\nsecond line\rthird"
    path = tmp_path / "mixed.txt"
    path.write_bytes(original.encode("utf-8"))
    doc = one_doc(path, settings)
    assert doc.text == "Café au lait\nsecond line\nthird"
    assert doc.offset_map == [(4, 5), (13, 15)]
    # the start of a changed span maps to the start of the original span ("\n" -> "\r\n")
    for new, old in ((0, 0), (3, 3), (4, 5), (12, 13), (13, 15), (25, 27),
                     (len(doc.text), len(original))):
        assert to_original(doc.offset_map, new) == old
        assert from_original(doc.offset_map, old) == new
    word = doc.text.index("second")
    assert original[to_original(doc.offset_map, word):].startswith("second")


def test_unchanged_text_has_no_offset_map() -> None:
    assert normalise_text("plain\nascii") == ("plain\nascii", None)
    assert to_original(None, 7) == 7


def test_latin1_file_is_decoded(tmp_path: Path, settings: Settings) -> None:
    text = "Le café du médecin: la migraine est traitée par kétamine à 0,5 mg/kg (±).\n"
    path = tmp_path / "legacy.txt"
    path.write_bytes((text * 3).encode("latin-1"))
    doc = one_doc(path, settings)
    assert doc.text == text * 3
    assert doc.metadata["encoding"] == "cp1252"


def test_utf8_bom_and_utf16(tmp_path: Path, settings: Settings) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfK\xc3\xa9tamine")
    assert one_doc(bom, settings).text == "Kétamine"
    wide = tmp_path / "wide.txt"
    wide.write_bytes("Kétamine".encode("utf-16"))
    doc = one_doc(wide, settings)
    assert doc.text == "Kétamine" and doc.metadata["encoding"].startswith("utf-16")


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (b"  \n\t\n ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (NUL bytes), not text"),
    (bytes(range(1, 32)) * 40, "binary file"),
])
def test_not_text(tmp_path: Path, settings: Settings, content: bytes, reason: str) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert read_error(path, settings).startswith(reason)


def test_broken_utf8_names_the_byte(tmp_path: Path, settings: Settings) -> None:
    data = "Kétamine réduit la douleur. ".encode() * 40 + b"\xff broken"
    path = tmp_path / "broken.txt"
    path.write_bytes(data)
    offset = data.index(b"\xff")
    assert read_error(path, settings) == f"not valid UTF-8 (invalid byte 0xff at offset {offset})"


def test_large_text_file_is_refused_before_reading(tmp_path: Path,
                                                   settings: Settings) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"migraine " * (50 * 1024 * 1024 // 9 + 1))
    started = time.perf_counter()
    reason = read_error(path, settings)
    assert time.perf_counter() - started < 1.0
    assert reason == ("file is 50.0 MB, over the 20 MB limit for a single document "
                      "(set EVIMAP_MAX_FILE_MB)")


def test_unknown_extension_is_sniffed(tmp_path: Path, settings: Settings) -> None:
    pubtator = tmp_path / "corpus.dat"
    pubtator.write_text("5|t|Title.\n5|a|Abstract.\n", encoding="utf-8")
    assert one_doc(pubtator, settings).format == "pubtator"
    page = tmp_path / "saved"
    page.write_text("<!DOCTYPE html><html><body><p>Hello page.</p></body></html>")
    assert one_doc(page, settings).format == "html"
    note = tmp_path / "notes.log"
    note.write_text("Just a note about magnesium.")
    assert one_doc(note, settings).format == "text"


# --- HTML ------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>Ketamine for migraine | Health News</title>
<meta name="citation_doi" content="doi:10.1000/xyz123">
<meta name="citation_author" content="Smith, Jane"><meta name="citation_author" content="Roe, R">
<meta name="keywords" content="ketamine, migraine; NMDA">
<meta property="og:site_name" content="Health News">
<meta property="article:published_time" content="2008-03-18T09:00:00Z">
<style>p { color: red }</style>
</head><body class="single has-sidebar comments-open">
<header class="site-header"><a class="site-title" href="/">Health News</a></header>
<nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<main><article>
<header class="entry-header"><h1>Ketamine for migraine: what the studies say</h1>
<div class="byline">By <span class="author">Jane Smith</span></div></header>
<p>Ketamine is an <a href="/nmda">NMDA receptor</a> antagonist.<br>It may shorten aura.</p>
<h2>Other options</h2>
<ul><li>Magnesium</li><li>Memantine</li></ul>
<table><tr><th>Drug</th><th>Response</th></tr><tr><td>Ketamine</td><td>77%</td></tr></table>
<div class="share-bar"><a href="https://facebook.com/sharer">Share</a><a href="/tw">Tweet</a></div>
<h2>References</h2>
<ol><li>Smith J. Ketamine in migraine. Lancet 2007.</li></ol>
</article></main>
<aside class="sidebar"><h3>Related posts</h3><a href="/mg">Magnesium and migraine</a></aside>
<div id="comments" class="comments-area">
 <h3>2 Comments</h3>
 <ol class="comment-list">
  <li class="comment" id="comment-1">
   <div class="comment-author vcard"><cite class="fn">Mary</cite>
    <span class="says">says:</span></div>
   <div class="comment-meta">
    <a href="#c1"><time datetime="2008-03-19T10:12">March 19, 2008</time></a></div>
   <p>Ketamine cured my migraine.</p><p>Seriously, try it.</p>
   <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
   <ul class="children">
    <li class="comment" id="comment-2">
     <div class="comment-author vcard"><cite class="fn">Bob</cite> says:</div>
     <div class="comment-meta">March 20, 2008 at 8:00 am</div>
     <p>Please talk to your doctor first.</p></li>
   </ul>
  </li>
 </ol>
 <div class="comment-respond">
  <form><label>Name</label><input name="n"><button>Post</button></form></div>
</div>
<div class="cookie-consent">We use cookies.</div>
<footer class="site-footer">© 2008 Health News</footer>
<script>var hidden = "SCRIPT TEXT";</script><noscript>NOSCRIPT TEXT</noscript>
</body></html>"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> RawDocument:
    path = tmp_path_factory.mktemp("html") / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    return one_doc(path, settings)


def hint_of(doc: RawDocument, text: str) -> str | None:
    """The hint of the one block whose text is ``text``."""
    [block] = [b for b in doc.blocks if doc.text[b.start:b.end] == text]
    return block.hint


def test_html_hints(page: RawDocument) -> None:
    assert page.format == "html"
    assert_blocks_consistent(page)
    assert "SCRIPT TEXT" not in page.text and "NOSCRIPT" not in page.text
    assert "color: red" not in page.text
    expected = {
        "Ketamine for migraine: what the studies say": "title",
        "Home": "nav", "News": "nav",
        "By Jane Smith": "metadata",
        "Ketamine is an NMDA receptor antagonist.\nIt may shorten aura.": "paragraph",
        "Other options": "heading",
        "Magnesium": "list_item",
        "Drug | Response\nKetamine | 77%": "table",
        "Share Tweet": "share",
        "Smith J. Ketamine in migraine. Lancet 2007.": "reference",
        "Related posts": "aside",
        "We use cookies.": "share",
        "© 2008 Health News": "footer",
        "2 Comments": "comment",
    }
    for text, hint in expected.items():
        assert hint_of(page, text) == hint, text
    assert page.text.startswith("Health News\n\nHome\n\nNews\n\n")


def test_html_block_attrs(page: RawDocument) -> None:
    [paragraph] = [b for b in page.blocks if b.hint == "paragraph"]
    assert page.text[paragraph.start:paragraph.end] == (
        "Ketamine is an NMDA receptor antagonist.\nIt may shorten aura.")
    assert paragraph.attrs["tag"] == "p"
    assert paragraph.attrs["path"] == "html>body>main>article>p"
    assert paragraph.attrs["links"] == ["/nmda"]
    assert paragraph.attrs["link_density"] == pytest.approx(12 / 51, abs=0.01)
    [byline] = [b for b in page.blocks if b.hint == "metadata" and b.label == "authors"]
    assert page.text[byline.start:byline.end] == "By Jane Smith"


def test_html_comments(page: RawDocument) -> None:
    comments = [b for b in page.blocks if b.hint == "comment" and b.label != "heading"]
    assert [page.text[b.start:b.end] for b in comments] == [
        "Ketamine cured my migraine.\nSeriously, try it.", "Please talk to your doctor first."]
    mary, bob = comments
    assert (mary.attrs["author"], mary.attrs["date"]) == ("Mary", "March 19, 2008")
    assert mary.attrs["datetime"] == "2008-03-19T10:12"
    assert mary.attrs["comment_id"] == "comment-1"
    assert (bob.attrs["author"], bob.attrs["date"]) == ("Bob", "March 20, 2008 at 8:00 am")
    assert mary.attrs["path"] == "html>body>div.comments-area>ol.comment-list>li.comment"
    headers = [page.text[b.start:b.end] for b in page.blocks if b.label == "comment_header"]
    assert headers[0].startswith("Mary") and "Reply" in headers[0]
    assert all("says" not in page.text[b.start:b.end] for b in comments)


def test_html_metadata(page: RawDocument) -> None:
    meta = page.metadata
    assert page.title == "Ketamine for migraine: what the studies say"
    assert meta["html_title"] == "Ketamine for migraine | Health News"
    assert meta["doi"] == "10.1000/xyz123"
    assert meta["authors"] == ["Smith, Jane", "Roe, R"]
    assert meta["keywords"] == ["ketamine", "migraine", "NMDA"]
    assert meta["site_name"] == "Health News"
    assert meta["date"] == "2008-03-18T09:00:00Z" and meta["year"] == 2008
    assert meta["encoding"] == "utf-8"


def test_html_declared_legacy_charset(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes('<html><head><meta http-equiv="Content-Type" content="text/html; '
                     'charset=iso-8859-1"><title>Caf\xe9</title></head><body>'
                     '<p>Caf\xe9 \x96 na\xefve</p></body></html>'.encode("latin-1"))
    doc = one_doc(path, settings)
    assert doc.text == "Café – naïve"        # 0x96 is an en dash in Windows-1252
    assert doc.metadata["encoding"] == "cp1252" and doc.title == "Café"


def test_html_without_visible_text(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><body><script>x()</script></body></html>")
    assert read_error(path, settings) == "no visible text in the HTML page"


# --- JSONL -----------------------------------------------------------------------------------


def test_jsonl_bad_line_in_the_middle(tmp_path: Path, settings: Settings) -> None:
    lines = [
        json.dumps({"id": "a", "title": "Magnesium for migraine", "abstract": "It helps.",
                    "pmid": 123, "authors": ["Roe R"], "source": "PubMed", "extra": [1, 2]}),
        '{"title": "broken", ',
        "",
        json.dumps({"text": "Ketamine\r\nworked for me.", "url": "https://x.example"}),
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read_all(path, settings)
    assert [type(i).__name__ for i in items] == ["RawDocument", "InputError", "RawDocument"]
    first, bad, last = items
    assert isinstance(first, RawDocument) and isinstance(last, RawDocument)
    assert isinstance(bad, InputError)
    assert bad.path == f"{path}:2" and bad.reason.startswith("invalid JSON")
    assert first.text == "Magnesium for migraine\n\nIt helps."
    assert first.title == "Magnesium for migraine"
    assert [b.hint for b in first.blocks] == ["title", "abstract"]
    assert first.metadata == {"id": "a", "pmid": "123", "authors": ["Roe R"],
                              "site_name": "PubMed", "extra": [1, 2]}
    assert last.text == "Ketamine\nworked for me." and last.offset_map == [(9, 10)]
    assert last.metadata == {"url": "https://x.example"}
    assert (first.record, last.record) == (0, 2)


@pytest.mark.parametrize(("line", "reason"), [
    ('["a list"]', "expected a JSON object, found an array"),
    ('{"title": "Only a title"}', "no text"),
    ('{"text": 42}', "field 'text' must be a string"),
])
def test_jsonl_record_errors(tmp_path: Path, settings: Settings, line: str,
                             reason: str) -> None:
    path = tmp_path / "one.ndjson"
    path.write_text(line + "\n", encoding="utf-8")
    [item] = read_all(path, settings)
    assert isinstance(item, InputError) and item.path == f"{path}:1"
    assert item.reason.startswith(reason)


def test_jsonl_must_be_utf8(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes('{"text": "caf\xe9"}\n'.encode("latin-1"))
    [item] = read_all(path, settings)
    assert isinstance(item, InputError) and "not valid UTF-8" in item.reason


# --- XML errors and security -----------------------------------------------------------------


def test_malformed_xml(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "bad.nxml"
    path.write_text("<article>\n<front>\n<title></front></article>")
    reason = read_error(path, settings)
    assert reason.startswith("malformed XML: ") and reason.endswith("(line 3)")


def test_unsupported_xml_root(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?><rss><channel/></rss>')
    assert read_error(path, settings).startswith("unsupported XML document: root element <rss>")


XXE = """<?xml version="1.0"?>
<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>
{body}"""


@pytest.mark.parametrize(("name", "root", "body"), [
    ("xxe.nxml", "article", "<article><front><article-meta><title-group><article-title>"
                            "Leak &xxe; here</article-title></title-group></article-meta>"
                            "</front></article>"),
    ("xxe.xml", "PubmedArticleSet", PUBMED_SET.split("\n", 1)[1].format(
        articles=ARTICLE.format(pmid="7", title="Leak &xxe; here"))),
])
def test_external_entities_are_not_expanded(tmp_path: Path, settings: Settings, name: str,
                                            root: str, body: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    path = tmp_path / name
    path.write_text(XXE.format(root=root, secret=secret, body=body))
    doc = one_doc(path, settings)
    assert "TOP-SECRET-VALUE" not in repr(doc)
    assert doc.title is not None and doc.title.startswith("Leak")


@pytest.mark.parametrize(("name", "root", "body"), [
    ("lol.nxml", "article", "<article><body><p>&lol9;</p></body></article>"),
    ("lol.xml", "PubmedArticleSet", "<PubmedArticleSet>" + ARTICLE.format(
        pmid="1", title="&lol9;") + "</PubmedArticleSet>"),
])
def test_billion_laughs_fails_fast(tmp_path: Path, settings: Settings, name: str, root: str,
                                   body: str) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(entities)}]>{body}')
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        read_all(path, settings)
    assert time.perf_counter() - started < 2.0
    assert "lol" * 100 not in info.value.reason


def test_no_network_access(tmp_path: Path, settings: Settings) -> None:
    """An external DTD, external entity and HTML resources pointing at a local server are
    never fetched: the server sees no connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    try:
        jats = tmp_path / "net.nxml"
        jats.write_text(f'<?xml version="1.0"?><!DOCTYPE article SYSTEM "{url}/jats.dtd" '
                        f'[<!ENTITY remote SYSTEM "{url}/entity">]><article><front>'
                        "<article-meta><title-group><article-title>T &remote;</article-title>"
                        "</title-group></article-meta></front></article>")
        html = tmp_path / "net.html"
        html.write_text(f'<!DOCTYPE html SYSTEM "{url}/html.dtd"><html><head>'
                        f'<link rel="stylesheet" href="{url}/s.css"></head><body>'
                        f'<img src="{url}/i.png"><p>Text.</p></body></html>')
        for path in (jats, html):
            one_doc(path, settings)
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()


# --- paths and formats -----------------------------------------------------------------------


def test_expand_paths(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/z.txt", "a.txt", "b/c.html", ".hidden.txt", ".git/config"):
        (tmp_path / name).write_text("x")
    (tmp_path / "empty").mkdir()
    missing = str(tmp_path / "nope.txt")
    files, errors = expand_paths([str(tmp_path), str(tmp_path / "a.txt"),
                                  str(tmp_path / "b" / "*.html"), missing,
                                  str(tmp_path / "*.pdf"), str(tmp_path / "empty")])
    assert files == [tmp_path / "a.txt", tmp_path / "b" / "c.html", tmp_path / "b" / "z.txt"]
    assert [(e.path, e.reason) for e in errors] == [
        (missing, "no such file or directory"),
        (str(tmp_path / "*.pdf"), "no files match this pattern"),
        (str(tmp_path / "empty"), "folder holds no files (hidden files are skipped)"),
    ]


def test_missing_file_raises(tmp_path: Path, settings: Settings) -> None:
    assert read_error(tmp_path / "gone.txt", settings) == "no such file"


def test_formats_table() -> None:
    names = [f.name for f in FORMATS]
    assert names == ["text", "html", "pubmed", "jats", "pubtator", "jsonl", "pdf", "medline",
                     "bioc"]
    extensions = {e for f in FORMATS for e in f.extensions}
    assert {".txt", ".html", ".xml", ".nxml", ".pubtator", ".jsonl", ".pdf", ".nbib",
            ".json"} <= extensions


def test_sidecar_metadata_joins_the_page_and_is_not_a_document(data_dir: Path, tmp_path: Path,
                                                               settings: Settings) -> None:
    """A scraper's ``FILE.meta.json`` gives a real page its address; the sidecar itself is
    not listed as a file to ingest, and a broken one is an error naming it while the page
    is still read."""
    page = tmp_path / "041.txt"
    page.write_bytes((data_dir / "pages-dev" / "docs" / "041.txt").read_bytes())
    (tmp_path / "041.txt.meta.json").write_text(
        json.dumps({"url": "https://www.nhs.uk/medicines/", "unknown": 1, "pmid": 123}),
        encoding="utf-8")
    files, errors = expand_paths([str(tmp_path)])
    assert files == [page] and not errors
    (doc,) = list(read_file(page, settings))
    assert isinstance(doc, RawDocument)
    assert doc.metadata["url"] == "https://www.nhs.uk/medicines/"
    assert doc.metadata["pmid"] == "123" and "unknown" not in doc.metadata
    (tmp_path / "041.txt.meta.json").write_text("[1, 2]", encoding="utf-8")
    out = list(read_file(page, settings))
    assert isinstance(out[0], InputError) and "041.txt.meta.json" in str(out[0])
    assert isinstance(out[1], RawDocument) and "url" not in out[1].metadata
