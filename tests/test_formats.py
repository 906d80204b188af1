"""The formats real users have: PDF, MEDLINE text (.nbib), BioC XML and JSON, PubTator3
exports and saved-page folders.

No sample of these formats is in the reference data and none may be copied into the
repository, so each test writes its sample at test time from a real record of the data
folder (the PubMed XML record, BioRED Dev, BC5CDR Development, an Evidence Inference
abstract) and checks the reading against the reading of the original.
"""

from __future__ import annotations

import gzip
import io
import json
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import bioc
import pytest
from bioc import biocjson, biocxml
from lxml import etree

from evimap.errors import InputError
from evimap.model import RawDocument
from evimap.read import expand_paths
from evimap.read.xmlsafe import mixed_text
from evimap.settings import Settings
from test_read import docs_of, read_all


def file_error(path: Path, settings: Settings) -> str:
    """The reason of the InputError naming ``path`` that reading it raises."""
    with pytest.raises(InputError) as info:
        read_all(path, settings)
    assert info.value.path == str(path)
    return info.value.reason


def mention_tuples(doc: RawDocument) -> list[tuple[int, int, str, str, tuple[str, ...]]]:
    return sorted((m.start, m.end, m.text, m.type, m.ids) for m in doc.gold_mentions)


# --- MEDLINE text (.nbib) ----------------------------------------------------------------------

_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec"]


def medline_from_xml(article: etree._Element) -> str:
    """A ``PubmedArticle`` as PubMed's "Save as MEDLINE" writes it: tags padded to four,
    values wrapped with six-space continuation lines, empty fields left out."""
    cit = article.find("MedlineCitation")
    art = cit.find("Article")
    journal = art.find("Journal")
    issue = journal.find("JournalIssue")
    fields: list[tuple[str, str]] = [
        ("PMID", cit.findtext("PMID")), ("OWN", "NLM"), ("STAT", "MEDLINE"),
        ("IS", f"{journal.findtext('ISSN')} (Electronic)" if journal.findtext("ISSN") else ""),
        ("VI", issue.findtext("Volume")), ("IP", issue.findtext("Issue"))]
    date = issue.find("PubDate")
    month = date.findtext("Month") or ""
    month = _MONTH_NAMES[int(month) - 1] if month.isdigit() else month
    day = str(int(date.findtext("Day"))) if date.findtext("Day") else ""
    fields.append(("DP", date.findtext("MedlineDate")
                   or " ".join(p for p in (date.findtext("Year"), month, day) if p)))
    fields.append(("TI", mixed_text(art.find("ArticleTitle"))))
    fields.append(("PG", art.findtext("Pagination/MedlinePgn")))
    doi = art.findtext("ELocationID[@EIdType='doi']")
    fields.append(("LID", f"{doi} [doi]" if doi else ""))
    fields.append(("AB", " ".join(f"{s.get('Label')}: {mixed_text(s)}" if s.get("Label")
                                  else mixed_text(s)
                                  for s in art.iterfind("Abstract/AbstractText"))))
    for author in art.iterfind("AuthorList/Author"):
        if not author.findtext("LastName"):
            fields.append(("CN", mixed_text(author.find("CollectiveName"))))
            continue
        fields += [("FAU", f"{author.findtext('LastName')}, {author.findtext('ForeName')}"),
                   ("AU", f"{author.findtext('LastName')} {author.findtext('Initials') or ''}"
                    .strip()),
                   ("AD", author.findtext("AffiliationInfo/Affiliation"))]
    fields.append(("LA", art.findtext("Language")))
    fields += [("PT", mixed_text(p)) for p in art.iterfind("PublicationTypeList/PublicationType")]
    info = cit.find("MedlineJournalInfo")
    info = info if info is not None else etree.Element("MedlineJournalInfo")
    fields += [("PL", info.findtext("Country")),
               ("TA", journal.findtext("ISOAbbreviation") or info.findtext("MedlineTA")),
               ("JT", journal.findtext("Title")), ("JID", info.findtext("NlmUniqueID")),
               ("SB", "IM")]
    for heading in cit.iterfind("MeshHeadingList/MeshHeading"):
        name = heading.find("DescriptorName")
        star = "*" if name.get("MajorTopicYN") == "Y" else ""
        qualifiers = "".join(f"/{'*' if q.get('MajorTopicYN') == 'Y' else ''}{q.text}"
                             for q in heading.iterfind("QualifierName"))
        fields.append(("MH", f"{star}{name.text}{qualifiers}"))
    fields += [("OT", mixed_text(k)) for k in cit.iterfind("KeywordList/Keyword")]
    fields.append(("COIS", mixed_text(cit.find("CoiStatement"))))
    fields.append(("AID", f"{doi} [doi]" if doi else ""))
    fields.append(("PMC", article.findtext("PubmedData/ArticleIdList/ArticleId[@IdType='pmc']")))
    lines = []
    for tag, value in fields:
        if not value:
            continue
        wrapped = textwrap.wrap(value, width=82 - 6, break_long_words=False,
                                break_on_hyphens=False)
        lines.append(f"{tag:<4}- {wrapped[0]}")
        lines += [f"      {rest}" for rest in wrapped[1:]]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def pubmed_xml(data_dir: Path) -> Path:
    return data_dir / "formats" / "pubmed-29768149.xml"


@pytest.fixture(scope="module")
def medline_record(pubmed_xml: Path) -> str:
    tree = etree.parse(str(pubmed_xml), etree.XMLParser(load_dtd=False, no_network=True,
                                                        resolve_entities=False))
    return medline_from_xml(tree.find("PubmedArticle"))


def test_medline_reads_as_the_pubmed_xml_record(pubmed_xml: Path, medline_record: str,
                                                tmp_path: Path, settings: Settings) -> None:
    """The real record saved as MEDLINE (wrapped lines, structured abstract, MeSH with
    qualifiers, [doi] ids) reads to the same document as its XML: text, blocks, metadata,
    and so the same source id."""
    (xml_doc,) = docs_of(pubmed_xml, settings)
    path = tmp_path / "citation.nbib"
    path.write_text(medline_record, encoding="utf-8")
    assert any(line.startswith("      ") for line in medline_record.splitlines())
    (doc,) = docs_of(path, settings)
    assert doc.format == "pubmed" and doc.path == str(path)
    assert doc.text == xml_doc.text
    assert doc.title == xml_doc.title
    assert doc.blocks == xml_doc.blocks
    assert [b.label for b in doc.blocks if b.hint == "abstract"] == [
        "BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert doc.metadata == xml_doc.metadata
    assert doc.metadata["doi"] == "10.1056/NEJMoa1715274"
    assert doc.metadata["date"] == "2018-05-17" and doc.metadata["year"] == 2018
    assert "Asthma" in doc.metadata["mesh_terms"]
    assert doc.id == xml_doc.id


def test_lbd_records_saved_as_medline_read_as_their_xml(data_dir: Path, tmp_path: Path,
                                                       settings: Settings) -> None:
    """Swanson's 153 fish-oil records (1960s-1985: unstructured and missing abstracts,
    collective authors, season and range dates) read the same from MEDLINE as from XML."""
    source = data_dir / "lbd" / "fish_oil.xml.gz"
    xml_docs = docs_of(source, settings)
    with gzip.open(source) as fh:
        tree = etree.parse(fh, etree.XMLParser(load_dtd=False, no_network=True,
                                               resolve_entities=False))
    path = tmp_path / "fish_oil.nbib"
    path.write_text("\n".join(medline_from_xml(a) for a in tree.iter("PubmedArticle")),
                    encoding="utf-8")
    docs = docs_of(path, settings)
    assert len(docs) == len(xml_docs) == 153
    for ours, theirs in zip(docs, xml_docs, strict=True):
        assert (ours.text, ours.blocks, ours.metadata) == (
            theirs.text, theirs.blocks, theirs.metadata), theirs.metadata["pmid"]


def test_medline_is_sniffed_from_content(medline_record: str, tmp_path: Path,
                                         settings: Settings) -> None:
    for name in ("pubmed-export.txt", "export", "citations.medline"):
        path = tmp_path / name
        path.write_text(medline_record, encoding="utf-8")
        (doc,) = docs_of(path, settings)
        assert doc.metadata["pmid"] == "29768149", name


def test_medline_bad_record_is_yielded_and_the_rest_read(medline_record: str, tmp_path: Path,
                                                         settings: Settings) -> None:
    second = medline_record.replace("PMID- 29768149", "PMID- 29768150")
    no_pmid = "\n".join(line for line in medline_record.splitlines()
                        if not line.startswith("PMID"))
    odd = second.replace("LA  - eng", "LA  - eng\n<html>stray line</html>")
    path = tmp_path / "three.nbib"
    path.write_text(f"{medline_record}\n{no_pmid}\n\n{odd}", encoding="utf-8")
    items = read_all(path, settings)
    assert [type(i).__name__ for i in items] == ["RawDocument", "InputError", "RawDocument"]
    first, bad, third = items
    assert isinstance(bad, InputError) and "PMID" in bad.reason
    n_lines = len(medline_record.splitlines())
    assert bad.path == f"{path}:{n_lines + 2}"
    assert isinstance(first, RawDocument) and isinstance(third, RawDocument)
    assert (first.record, third.record) == (0, 2)
    assert third.metadata["pmid"] == "29768150"
    assert len(third.metadata["warnings"]) == 1 and "stray" in third.metadata["warnings"][0]
    assert third.text == first.text


def test_medline_records_without_blank_lines(medline_record: str, tmp_path: Path,
                                             settings: Settings) -> None:
    second = medline_record.replace("PMID- 29768149", "PMID- 1")
    path = tmp_path / "packed.nbib"
    path.write_text("\ufeff" + medline_record + second, encoding="utf-8")
    assert [d.metadata["pmid"] for d in docs_of(path, settings)] == ["29768149", "1"]


def test_not_medline_is_an_error_naming_the_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "saved.nbib"
    path.write_text("<html><body>Sign in to PubMed</body></html>", encoding="utf-8")
    assert file_error(path, settings).startswith("not MEDLINE text")


# --- BioC XML and JSON -------------------------------------------------------------------------


def pubtator_records(path: Path, limit: int) -> Iterator[dict[str, Any]]:
    """Raw PubTator records: title and abstract as written, mention and relation rows."""
    for chunk in path.read_text(encoding="utf-8").split("\n\n")[:limit]:
        lines = chunk.strip("\n").split("\n")
        pmid, _, title = lines[0].split("|", 2)
        abstract = lines[1].split("|", 2)[2]
        rows = [line.split("\t") for line in lines[2:]]
        yield {"pmid": pmid, "title": title, "abstract": abstract,
               "mentions": [r for r in rows if len(r) >= 6 or (len(r) == 5 and r[1].isdigit())],
               "relations": [r for r in rows if len(r) in (4, 5) and not r[1].isdigit()]}


def bioc_collection(records: Iterator[dict[str, Any]], *, id_key: str, pubtator3: bool = False,
                    nodes: bool = False) -> bioc.BioCCollection:
    """PubTator records as a BioC collection: a title and an abstract passage, annotations
    with their IDs under ``id_key``, relations BC5CDR-style (``relation``, ``Chemical``,
    ``Disease``), BioRED-style (``type``, ``entity1``, ``entity2``; with ``nodes``, every
    third relation through its annotations' ids instead) or PubTator3-style (``role1``,
    ``role2``; types renamed, ``MESH:`` prefixes)."""
    collection = bioc.BioCCollection()
    collection.source = "evimap tests"
    for rec in records:
        doc = bioc.BioCDocument()
        doc.id = rec["pmid"]
        passages = []
        for kind, text, offset in (("title", rec["title"], 0),
                                   ("abstract", rec["abstract"], len(rec["title"]) + 1)):
            passage = bioc.BioCPassage()
            passage.offset, passage.text = offset, text
            passage.infons["type"] = kind
            doc.add_passage(passage)
            passages.append(passage)
        by_id: dict[str, str] = {}
        for n, row in enumerate(rec["mentions"]):
            ann = bioc.BioCAnnotation()
            ann.id = f"T{n}"
            start, end = int(row[1]), int(row[2])
            ann.text = row[3]
            ann.infons["type"] = PUBTATOR3_TYPES.get(row[4], row[4]) if pubtator3 else row[4]
            ids = row[5] if len(row) > 5 else ""
            ann.infons[id_key] = mesh_prefixed(ids) if pubtator3 else ids
            ann.add_location(bioc.BioCLocation(start, end - start))
            by_id.setdefault(ids, ann.id)
            passages[0 if start < len(rec["title"]) else 1].add_annotation(ann)
        for n, row in enumerate(rec["relations"]):
            rel = bioc.BioCRelation()
            rel.id = f"R{n}"
            kind, id1, id2 = row[1], row[2], row[3]
            if kind == "CID":
                rel.infons.update({"relation": "CID", "Chemical": id1, "Disease": id2})
            elif pubtator3:
                rel.infons.update({"type": kind, "score": "0.99",
                                   "role1": {"identifier": mesh_prefixed(id1)},
                                   "role2": {"identifier": mesh_prefixed(id2)}})
            elif nodes and n % 3 == 0 and id1 in by_id and id2 in by_id:
                rel.infons["type"] = kind
                rel.add_node(bioc.BioCNode(by_id[id1], "Arg1"))
                rel.add_node(bioc.BioCNode(by_id[id2], "Arg2"))
            else:
                rel.infons.update({"type": kind, "entity1": id1, "entity2": id2,
                                   "novel": row[4] if len(row) > 4 else ""})
            doc.add_relation(rel)
        collection.add_document(doc)
    return collection


#: BioRED's mention types as PubTator3 exports name them.
PUBTATOR3_TYPES = {"ChemicalEntity": "Chemical", "DiseaseOrPhenotypicFeature": "Disease",
                   "GeneOrGeneProduct": "Gene", "OrganismTaxon": "Species",
                   "SequenceVariant": "Mutation", "CellLine": "CellLine"}


def mesh_prefixed(ids: str) -> str:
    """PubTator3 writes MeSH IDs as ``MESH:D001241``."""
    return ",".join(f"MESH:{i}" if i[:1] in "DC" and i[1:].isdigit() else i
                    for i in ids.split(","))


@pytest.fixture(scope="module")
def bc5cdr_dev(data_dir: Path) -> Path:
    return data_dir / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"


@pytest.fixture(scope="module")
def biored_dev(data_dir: Path) -> Path:
    return data_dir / "biored" / "Dev.PubTator"


def assert_same_reading(bioc_docs: list[RawDocument], pubtator_docs: list[RawDocument],
                        *, types: dict[str, str] | None = None) -> None:
    assert len(bioc_docs) == len(pubtator_docs)
    for ours, theirs in zip(bioc_docs, pubtator_docs, strict=True):
        assert ours.format == "bioc"
        assert ours.metadata["pmid"] == theirs.metadata["pmid"]
        assert ours.text == theirs.text and ours.title == theirs.title
        assert [b.hint for b in ours.blocks] == ["title", "abstract"]
        expected = [replace(m, type=(types or {}).get(m.type, m.type))
                    for m in theirs.gold_mentions]
        assert mention_tuples(ours) == sorted(
            (m.start, m.end, m.text, m.type, m.ids) for m in expected)
        assert ours.gold_relations == theirs.gold_relations
        assert "warnings" not in ours.metadata
        assert all(ours.text[m.start:m.end] == m.text for m in ours.gold_mentions)


def test_bioc_xml_from_bc5cdr(bc5cdr_dev: Path, tmp_path: Path, settings: Settings) -> None:
    """BC5CDR Development documents written as BioC XML by the bioc package (IDs under
    ``MESH``, CID relations as ``Chemical``/``Disease`` infons) read as their PubTator."""
    n = 60
    path = tmp_path / "CDR_Dev.BioC.xml"
    path.write_text(biocxml.dumps(bioc_collection(pubtator_records(bc5cdr_dev, n),
                                                       id_key="MESH")), encoding="utf-8")
    pubtator = docs_of(bc5cdr_dev, settings)[:n]
    docs = docs_of(path, settings)
    assert_same_reading(docs, pubtator)
    assert any(len(m.ids) > 1 for d in docs for m in d.gold_mentions)   # D1|D2 composites
    assert sum(len(d.gold_relations) for d in docs) > n


def test_bioc_json_from_biored(biored_dev: Path, tmp_path: Path, settings: Settings) -> None:
    """All of BioRED Dev as BioC JSON (IDs under ``identifier``, relations by infons or
    through their annotations' nodes) reads as its PubTator: text, mentions, relations."""
    path = tmp_path / "biored-dev.json"
    collection = bioc_collection(pubtator_records(biored_dev, 100), id_key="identifier",
                                 nodes=True)
    path.write_text(biocjson.dumps(collection, indent=1), encoding="utf-8")
    docs = docs_of(path, settings)
    assert_same_reading(docs, docs_of(biored_dev, settings))
    assert {"Association", "Positive_Correlation", "Bind"} <= {
        r[0] for d in docs for r in d.gold_relations}


def test_pubtator3_bioc_json_export(biored_dev: Path, tmp_path: Path,
                                    settings: Settings) -> None:
    """PubTator3's export shape: ``{"PubTator3": [documents]}``, its type names, ``MESH:``
    IDs and ``role1``/``role2`` relations; IDs read as the MeSH IDs evimap keys on."""
    collection = bioc_collection(pubtator_records(biored_dev, 10), id_key="identifier",
                                 pubtator3=True)
    obj = {"PubTator3": [json.loads(biocjson.dumps(d)) for d in collection.documents]}
    path = tmp_path / "pubtator3-export.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    docs = docs_of(path, settings)
    assert_same_reading(docs, docs_of(biored_dev, settings)[:10], types=PUBTATOR3_TYPES)
    assert not any(i.startswith("MESH:") for d in docs for m in d.gold_mentions for i in m.ids)


def test_bioc_json_lines_and_bad_documents(biored_dev: Path, tmp_path: Path,
                                           settings: Settings) -> None:
    """One document per line (PubTator's older exports); a broken line or a document with
    a non-numeric offset is an error naming its line, and the rest are read."""
    collection = bioc_collection(pubtator_records(biored_dev, 3), id_key="identifier")
    lines = [biocjson.dumps(d) for d in collection.documents]
    bad = json.loads(lines[1])
    bad["passages"][1]["offset"] = "abc"
    path = tmp_path / "docs.json"
    path.write_text("\n".join([lines[0], json.dumps(bad), '{"id": "9", "passa', lines[2]]),
                    encoding="utf-8")
    items = read_all(path, settings)
    assert [type(i).__name__ for i in items] == [
        "RawDocument", "InputError", "InputError", "RawDocument"]
    assert isinstance(items[1], InputError) and items[1].path == f"{path}:2"
    assert "offset 'abc' is not a number" in items[1].reason
    assert isinstance(items[2], InputError) and items[2].path == f"{path}:3"
    jsonl = tmp_path / "docs.jsonl"                 # BioC, not evimap's JSONL records
    jsonl.write_text("\n".join(lines), encoding="utf-8")
    assert [d.format for d in docs_of(jsonl, settings)] == ["bioc"] * 3


def test_bioc_odd_annotations_are_skipped_with_a_warning(biored_dev: Path, tmp_path: Path,
                                                         settings: Settings) -> None:
    collection = bioc_collection(pubtator_records(biored_dev, 1), id_key="identifier")
    doc = collection.documents[0]
    abstract = doc.passages[1]
    stray = bioc.BioCAnnotation()
    stray.id, stray.text = "X1", "nowhere"
    stray.add_location(bioc.BioCLocation(10**6, 7))
    abstract.add_annotation(stray)
    unplaced = bioc.BioCAnnotation()
    unplaced.id = "X2"
    abstract.add_annotation(unplaced)
    lonely = bioc.BioCRelation()
    lonely.id = "R99"
    doc.add_relation(lonely)
    path = tmp_path / "odd.bioc.xml"
    path.write_text(biocxml.dumps(collection), encoding="utf-8")
    (read,) = docs_of(path, settings)
    (expected,) = docs_of(biored_dev, settings)[:1]
    assert mention_tuples(read) == sorted((m.start, m.end, m.text, m.type, m.ids)
                                          for m in expected.gold_mentions)
    assert len(read.metadata["warnings"]) == 3


def test_bioc_passages_placed_by_offset(tmp_path: Path, settings: Settings) -> None:
    """PMC-style passages: a wide gap after the front matter (a blank line), a heading and
    its paragraph one space apart as BioC's offsets say, an overlapping offset (moved after
    a blank line, its annotation with it)."""
    collection = bioc.BioCCollection()
    doc = bioc.BioCDocument()
    doc.id = "PMC123"
    doc.infons["article-id_doi"] = "10.1/x"
    layout = [("front", "Ketamine in migraine", 0), ("title_1", "Methods", 30),
              ("paragraph", "We gave ketamine.", 38), ("paragraph", "It helped.", 40)]
    for kind, text, offset in layout:
        passage = bioc.BioCPassage()
        passage.offset, passage.text = offset, text
        passage.infons["type"] = kind
        doc.add_passage(passage)
    ann = bioc.BioCAnnotation()
    ann.id, ann.text = "A1", "helped"
    ann.infons.update({"type": "Chemical", "MESH": "D1"})
    ann.add_location(bioc.BioCLocation(43, 6))
    doc.passages[3].add_annotation(ann)
    collection.add_document(doc)
    path = tmp_path / "pmc.xml"
    path.write_text(biocxml.dumps(collection), encoding="utf-8")
    (read,) = docs_of(path, settings)
    assert read.text == "Ketamine in migraine\n\nMethods We gave ketamine.\n\nIt helped."
    assert [b.hint for b in read.blocks] == ["title", "heading", "body", "body"]
    assert read.title == "Ketamine in migraine"
    assert read.metadata == {"pmcid": "PMC123", "doi": "10.1/x"}
    (mention,) = read.gold_mentions
    assert read.text[mention.start:mention.end] == "helped" and mention.ids == ("D1",)


def test_bad_bioc_files_are_errors_naming_the_file(tmp_path: Path,
                                                   settings: Settings) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<collection><document><id>1</id><passage><offset>0",
                      encoding="utf-8")
    assert file_error(broken, settings).startswith("malformed XML")
    bad_json = tmp_path / "bad.bioc.json"
    bad_json.write_text('{"source": "x", "documents": [{"id": 1,', encoding="utf-8")
    assert file_error(bad_json, settings).startswith("malformed JSON")
    empty = tmp_path / "empty.bioc.json"
    empty.write_text('{"source": "x", "documents": {}}', encoding="utf-8")
    assert file_error(empty, settings).startswith("no BioC documents")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(f'<?xml version="1.0"?><!DOCTYPE collection [<!ENTITY x SYSTEM '
                   f'"file://{secret}">]><collection><document><id>1</id><passage>'
                   "<offset>0</offset><text>Leak &x; here</text></passage></document>"
                   "</collection>", encoding="utf-8")
    (doc,) = docs_of(xxe, settings)
    assert "TOP-SECRET-VALUE" not in repr(doc)


# --- PubTator variants -------------------------------------------------------------------------


def test_pubtator3_export_reads_as_biored(biored_dev: Path, tmp_path: Path,
                                          settings: Settings) -> None:
    """BioRED Dev rewritten as a PubTator3 export: its type names, ``MESH:`` IDs, an extra
    column, relation arguments written ``Type|MESH:ID``, and odd lines that are skipped
    with a warning, never fatal."""
    out = []
    for rec in pubtator_records(biored_dev, 20):
        out += [f"{rec['pmid']}|t|{rec['title']}", f"{rec['pmid']}|a|{rec['abstract']}"]
        for row in rec["mentions"]:
            out.append("\t".join([*row[:4], PUBTATOR3_TYPES[row[4]], mesh_prefixed(row[5]),
                                  "PubTator3"]))
        for row in rec["relations"]:
            out.append("\t".join([row[0], row[1], f"Entity|{mesh_prefixed(row[2])}",
                                  f"Entity|{mesh_prefixed(row[3])}"]))
        out.append(f"{rec['pmid']}\tjunk")
        out.append("")
    path = tmp_path / "export.pubtator"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    docs = docs_of(path, settings)
    expected = docs_of(biored_dev, settings)[:20]
    assert len(docs) == 20
    for ours, theirs in zip(docs, expected, strict=True):
        assert ours.text == theirs.text
        assert [(m.start, m.end, m.type, m.ids) for m in ours.gold_mentions] == [
            (m.start, m.end, PUBTATOR3_TYPES[m.type], m.ids) for m in theirs.gold_mentions]
        assert ours.gold_relations == theirs.gold_relations
        assert len(ours.metadata["warnings"]) == 1
    variants = [m for d in docs for m in d.gold_mentions if m.type == "Mutation"]
    assert variants and all(len(m.ids) == 1 for m in variants)


# --- PDF ---------------------------------------------------------------------------------------


def make_pdf(pages: list[list[tuple[float, float, float, str]]],
             info: dict[str, str] | None = None) -> bytes:
    """A PDF whose pages show text lines ``(x, y, font size, text)`` in Helvetica."""
    objects: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                            b"/Encoding /WinAnsiEncoding >>"]
    page_ids = []
    n_pages_obj = 2 + 2 * len(pages)          # font, then (content, page) per page, pages
    for lines in pages:
        ops = []
        for x, y, size, text in lines:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /F1 {size:g} Tf 1 0 0 1 {x:g} {y:g} Tm ({escaped}) Tj ET")
        stream = "\n".join(ops).encode("cp1252")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources "
                       b"<< /Font << /F1 1 0 R >> >> /Contents %d 0 R >>"
                       % (n_pages_obj, len(objects)))
        page_ids.append(len(objects))
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>"
                   % (b" ".join(b"%d 0 R" % i for i in page_ids), len(pages)))
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % n_pages_obj)
    trailer = b"/Root %d 0 R" % len(objects)
    if info:
        objects.append(b"<< " + b" ".join(b"/%s (%s)" % (k.encode(), v.encode("cp1252"))
                                          for k, v in info.items()) + b" >>")
        trailer += b" /Info %d 0 R" % len(objects)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, trailer, xref))
    return out.getvalue()


def read_abstract(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """An Evidence Inference abstract: its title and (section label, text) pairs."""
    title, sections, label = "", [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("TITLE:"):
            continue
        if line.startswith("ABSTRACT.") and line.endswith(":"):
            label = line[len("ABSTRACT."):-1]
        elif not title:
            title = line.strip()
        else:
            sections.append((label, line.strip()))
    return title, sections


HEADER = "Eur J Clin Pharmacol (2002) 58: {page}"
FOOTER = "© Springer-Verlag 2002. Reprinted for study use only"


def typeset(title: str, sections: list[tuple[str, str]], *, page_lines: int = 9) -> list[
        list[tuple[float, float, float, str]]]:
    """Lay an abstract out on pages: a running header (with the page number), a title set
    larger, headings, paragraphs wrapped with some long words hyphenated, a running footer
    and "Page N of M"."""
    items: list[tuple[float, str]] = [(16, title), (10, "Smith J, Roe R")]
    for label, text in sections:
        items.append((12, label.title()))
        lines = textwrap.wrap(text, width=80, break_on_hyphens=False)
        for i in range(len(lines) - 1):          # hyphenate the next line's first long word
            word = lines[i + 1].split(" ")[0]
            if len(word) >= 9 and word.isalpha() and word.islower() and i % 2 == 0:
                lines[i] += f" {word[:4]}-"
                lines[i + 1] = f"{word[4:]}{lines[i + 1][len(word):]}"
        items += [(10.0, line) for line in lines] + [(0.0, "")]
    pages: list[list[tuple[float, float, float, str]]] = [[]]
    y = 720.0
    for size, text in items:
        if size == 0:                         # paragraph gap
            y -= 12
            continue
        if len(pages[-1]) >= page_lines:
            pages.append([])
            y = 720.0
        pages[-1].append((72, y, size, text))
        y -= size * 1.4
    for number, page in enumerate(pages, start=1):
        page.insert(0, (72, 760, 8, HEADER.format(page=number + 1)))
        page += [(72, 40, 8, FOOTER), (280, 26, 9, f"Page {number} of {len(pages)}")]
    return pages


@pytest.fixture(scope="module")
def abstract(data_dir: Path) -> tuple[str, list[tuple[str, str]]]:
    return read_abstract(data_dir / "evidence-inference" / "abstracts" / "PMC101395.abst")


@pytest.fixture(scope="module")
def article_pdf(abstract: tuple[str, list[tuple[str, str]]],
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    title, sections = abstract
    path = tmp_path_factory.mktemp("pdf") / "article.pdf"
    path.write_bytes(make_pdf(typeset(title, sections),
                              {"Title": title, "Author": "Smith J; Roe R"}))
    return path


def test_pdf_of_a_real_abstract(article_pdf: Path, abstract: tuple[str, list[tuple[str, str]]],
                                settings: Settings) -> None:
    """Three pages: running header and footer and page numbers are gone, every section
    survives whole (hyphenated words rejoined, lines and page breaks joined), headings
    and the title are blocks of their own, the info dictionary gives title and authors."""
    title, sections = abstract
    layout = typeset(title, sections)
    assert sum(text.endswith("-") for page in layout for *_, text in page) >= 2
    assert layout[1][1][2] == 10                  # page 2 opens mid-paragraph (Methods)
    (doc,) = docs_of(article_pdf, settings)
    assert doc.format == "pdf" and doc.metadata["pages"] == 3
    assert doc.title == title
    assert doc.metadata["title"] == title and doc.metadata["authors"] == ["Smith J", "Roe R"]
    for gone in ("Eur J Clin Pharmacol", "Springer", "Page 1", "of 3"):
        assert gone not in doc.text, gone
    assert doc.metadata["dropped_lines"] == ["Eur J Clin Pharmacol (2002) 58: 2", FOOTER,
                                             "3 page numbers"]
    blocks = [(b.hint, doc.text[b.start:b.end], b.attrs["page"]) for b in doc.blocks]
    assert blocks[0] == ("title", title, 1)
    assert blocks[1] == ("paragraph", "Smith J, Roe R", 1)
    headings = [text for hint, text, _ in blocks if hint == "heading"]
    assert headings == [label.title() for label, _ in sections]
    paragraphs = [text for hint, text, _ in blocks[2:] if hint == "paragraph"]
    assert paragraphs == [text for _, text in sections]
    assert {page for _, _, page in blocks} == {1, 2, 3}
    assert "glucuronidation" in doc.text


def test_pdf_errors_name_the_file(article_pdf: Path, tmp_path: Path,
                                  settings: Settings) -> None:
    from pypdf import PdfWriter

    data = article_pdf.read_bytes()
    locked = tmp_path / "locked.pdf"
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with locked.open("wb") as fh:
        writer.write(fh)
    assert file_error(locked, settings) == "encrypted PDF: it needs a password to open"
    # encrypted for permissions only (no user password): read like any other
    opened = tmp_path / "owner-only.pdf"
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    with opened.open("wb") as fh:
        writer.write(fh)
    assert docs_of(opened, settings)[0].text == docs_of(article_pdf, settings)[0].text
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[:400])
    assert file_error(truncated, settings).startswith("broken PDF")
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(make_pdf([[], []]))
    assert file_error(scanned, settings).startswith("PDF has no extractable text (2 pages")
    fake = tmp_path / "fake.pdf"
    fake.write_text("just text", encoding="utf-8")
    assert file_error(fake, settings) == "not a PDF (no %PDF- header)"
    unnamed = tmp_path / "download"
    unnamed.write_bytes(data)
    assert docs_of(unnamed, settings)[0].format == "pdf"


# --- saved pages and folder listings ----------------------------------------------------------


def saved_page(folder: Path) -> None:
    """A page saved "complete": ``Page.html`` and ``Page_files/`` with its assets."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Ketamine for migraine.html").write_text(
        "<!DOCTYPE html><html><head><title>Ketamine</title>"
        '<script src="Ketamine for migraine_files/app.js"></script></head>'
        "<body><p>Ketamine shortened migraine aura in a small trial.</p></body></html>",
        encoding="utf-8")
    assets = folder / "Ketamine for migraine_files"
    assets.mkdir()
    (assets / "app.js").write_text("var page = 'Ketamine';")
    (assets / "style.css").write_text("p { color: red }")
    (assets / "app.js.map").write_text('{"version": 3}')
    (assets / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (assets / "font.woff2").write_bytes(b"wOF2")
    (assets / "ad-frame.html").write_text("<html><body>Buy now</body></html>")


def test_saved_page_folder_ingests_the_page_not_its_assets(tmp_path: Path,
                                                           settings: Settings) -> None:
    saved_page(tmp_path / "saved")
    (tmp_path / "saved" / "notes.txt").write_text("Magnesium notes.")
    (tmp_path / "saved" / "theme.css").write_text("body {}")
    files, errors = expand_paths([str(tmp_path / "saved")])
    assert [f.name for f in files] == ["Ketamine for migraine.html", "notes.txt"]
    assert not errors
    files, _ = expand_paths([str(tmp_path / "saved" / "*")])
    assert [f.name for f in files] == ["Ketamine for migraine.html", "notes.txt", "theme.css"]
    # a folder that is not a saved page's keeps its pages
    (tmp_path / "site_files").mkdir()
    (tmp_path / "site_files" / "a.html").write_text("<p>x</p>")
    assert expand_paths([str(tmp_path / "site_files")])[0] == [tmp_path / "site_files" / "a.html"]


@pytest.mark.parametrize(("name", "what"), [
    ("app.js", "a script (.js file)"), ("style.css", "a style sheet (.css file)"),
    ("app.js.map", "a source map (.map file)"), ("logo.png", "an image (.png file)"),
    ("font.woff2", "a font (.woff2 file)"),
])
def test_an_asset_named_alone_is_an_error(tmp_path: Path, settings: Settings, name: str,
                                          what: str) -> None:
    saved_page(tmp_path)
    path = tmp_path / "Ketamine for migraine_files" / name
    assert expand_paths([str(path)])[0] == [path]
    assert file_error(path, settings) == f"not a document: {what}"


# --- ingest: a batch with a bad file of each kind ----------------------------------------------


def test_batch_with_bad_files_ingests_the_good_ones(tmp_path: Path, settings: Settings,
                                                    resources: Any, medline_record: str,
                                                    article_pdf: Path, biored_dev: Path) -> None:
    from evimap.api import Evimap

    batch = tmp_path / "batch"
    saved_page(batch)
    (batch / "citation.nbib").write_text(medline_record, encoding="utf-8")
    (batch / "article.pdf").write_bytes(article_pdf.read_bytes())
    (batch / "biored.json").write_text(biocjson.dumps(bioc_collection(
        pubtator_records(biored_dev, 2), id_key="identifier")), encoding="utf-8")
    (batch / "broken.pdf").write_bytes(article_pdf.read_bytes()[:300])
    (batch / "broken.bioc.xml").write_text("<collection><document>", encoding="utf-8")
    (batch / "not-medline.nbib").write_text("Sign in", encoding="utf-8")
    db = tmp_path / "formats.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    try:
        report = ev.ingest([str(batch)])
        status = {Path(f.path).name: f for f in report.files}
        assert set(status) == {"Ketamine for migraine.html", "citation.nbib", "article.pdf",
                               "biored.json", "broken.pdf", "broken.bioc.xml",
                               "not-medline.nbib"}
        for name in ("broken.pdf", "broken.bioc.xml", "not-medline.nbib"):
            assert status[name].status == "error", name
            assert name in status[name].errors[0]
        for name in ("Ketamine for migraine.html", "citation.nbib", "article.pdf",
                     "biored.json"):
            assert status[name].status == "added", (name, status[name].errors)
        formats = sorted(d["format"] for d in ev.docs())
        assert formats == ["bioc", "bioc", "html", "pdf", "pubmed"]
    finally:
        ev.close()



def test_readme_lists_every_format() -> None:
    """The read stage's row of the README names each format the readers take."""
    from evimap.read import FORMATS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| 1 read |")]
    for fmt in FORMATS:
        assert fmt.name.lower() in row.lower(), fmt.name
