"""The study frame of a research report (claims/study.py) on real abstracts: PICO corpus
and Evidence Inference, gold read from the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.claims import study
from evimap.claims.document import build_document
from evimap.claims.evidence import sample_size
from evimap.evaluate.pico import gold_number, read_ann, split_parts
from evimap.model import RawDocument
from evimap.pipeline import Resources, process


@pytest.fixture(scope="module")
def quiet(resources):
    return Resources(resources.lexicon, resources.ner, extractors=())


def _frame(text: str, quiet: Resources, fmt: str = "text"):
    raw = RawDocument(path="x.txt", record=0, format=fmt, text=text)
    doc = process(raw, quiet)
    built = build_document(raw.text, doc.segments, doc.sentences, doc.mentions)
    return built, study.study_frame(built, doc.profile.kind, raw.metadata)


def test_frame_of_a_held_out_pico_abstract_has_the_gold_intervention_and_n(data_dir, quiet):
    # 17229772: "Venlafaxine is superior to clonidine as treatment of hot flashes ..."
    folder = data_dir / "pico-corpus"
    text = (folder / "17229772.txt").read_text(encoding="utf-8")
    gold = read_ann((folder / "17229772.ann").read_text(encoding="utf-8"))
    _, frame = _frame(text, quiet)
    assert frame is not None and frame.design == "RCT"
    gold_iv = next(g for g in gold if g.type == "intervention")
    assert any(a.start < gold_iv.end and gold_iv.start < a.end for a in frame.interventions)
    totals = [gold_number(g.text) for g in gold if g.type == "total-participants"]
    assert frame.n in totals
    comparator_ids = {c.id for arm in frame.comparators for c in arm.concepts}
    assert not comparator_ids & {c.id for c in frame.intervention_concepts}


def test_held_out_part_is_every_fifth_pmid(data_dir):
    from evimap.evaluate.pico import read_corpus
    parts = split_parts(read_corpus(data_dir / "pico-corpus"))
    assert len(parts["held_out"]) == 161 and len(parts["tune"]) == 648
    assert not {d.pmid for d in parts["held_out"]} & {d.pmid for d in parts["tune"]}


@pytest.mark.parametrize("text, n", [
    ("A total of 120 patients were randomized to X or placebo.", 120),
    ("Sixty women with migraine were enrolled.", 60),
    ("Patients were randomized to X (n=45) or Y (n=47).", 92),
    ("80 patients were recruited, of whom 64 were assessable.", 80),
    ("Twelve patients withdrew. Fifty patients were enrolled.", 50),
    ("A total of 123 patients were recruited, of whom five were excluded. Blue dye was "
     "used in 57 women.", 123),
])
def test_sample_size(text, n):
    assert sample_size(text) == n


def test_design_from_text_of_an_evidence_inference_abstract(data_dir, quiet):
    text = (data_dir / "evidence-inference" / "abstracts" / "PMC1134663.abst").read_text(
        encoding="utf-8")
    _, frame = _frame(text, quiet)
    assert frame is not None and frame.design == "RCT"      # "randomised ... cross over"


def test_a_long_title_under_a_title_label_is_kept_and_names_the_design(data_dir, quiet):
    """A 35-word title ("... Follow-Up Results of a Prospective Randomized Double-Blind
    Placebo-Controlled Trial ...") under "TITLE:" was dropped as navigation before the text."""
    text = (data_dir / "evidence-inference" / "abstracts" / "PMC4666408.abst").read_text(
        encoding="utf-8")
    built, frame = _frame(text, quiet)
    title = text.split("\n")[1].strip()
    assert any(s.text.strip() == title and s.kind != "boilerplate" for s in built.segments)
    assert frame is not None and frame.design == "RCT"


def test_result_sentence_without_the_drug_is_a_claim_of_the_intervention(data_dir, quiet):
    """PMC1821024 (hydrotherapy in rheumatoid arthritis, read as plain text): "There was
    however no difference between treatment groups." names no treatment; it is a claim of
    the studied intervention, no_effect, with the report's design and size."""
    from evimap.claims.extract import extract_claims
    path = data_dir / "evidence-inference" / "abstracts" / "PMC1821024.abst"
    raw = RawDocument(path=path.name, record=0, format="text",
                      text=path.read_text(encoding="utf-8"))
    doc = process(raw, quiet)
    claims = extract_claims(raw.text, doc.segments, doc.sentences, doc.mentions, doc.profile,
                            raw.metadata, only=["study"])
    found = [c for c in claims if "no difference between treatment groups" in c.sentence]
    assert found, [c.sentence for c in claims]
    claim = found[0]
    assert claim.subject.name == "Hydrotherapy" and claim.predicate == "no_effect"
    assert claim.object.name == "Arthritis, Rheumatoid"
    assert claim.evidence.design == "RCT" and claim.evidence.n == 115
    assert claim.evidence.extractor == "study/1"
    assert all(c.predicate in ("treats", "no_effect") for c in claims)


def test_comparator_is_never_a_subject_on_evidence_inference(data_dir, quiet):
    """Over real trial abstracts, no study claim has a comparator (or placebo) as subject."""
    from evimap.claims.extract import extract_claims
    paths = sorted((data_dir / "evidence-inference" / "abstracts").glob("*.abst"))[:60]
    seen = 0
    for path in paths:
        raw = RawDocument(path=path.name, record=0, format="text",
                          text=path.read_text(encoding="utf-8"))
        doc = process(raw, quiet)
        built = build_document(raw.text, doc.segments, doc.sentences, doc.mentions)
        frame = study.study_frame(built, doc.profile.kind, raw.metadata)
        claims = extract_claims(raw.text, doc.segments, doc.sentences, doc.mentions,
                                doc.profile, raw.metadata, only=["study"])
        if frame is None:
            assert not claims
            continue
        comparators = {c.id for arm in frame.comparators for c in arm.concepts} | {"D010919"}
        for claim in claims:
            seen += 1
            assert claim.subject.id not in comparators
            assert claim.predicate in ("treats", "no_effect")
    assert seen >= 1


def test_study_extractor_is_registered():
    from evimap.claims import extractors
    assert "study" in [e.name for e in extractors()]


def test_shipped_tagger_is_present():
    assert (Path(study.MODEL_DIR) / study.MODEL_FILE).is_file()
    assert study.shipped_tagger() is not None
