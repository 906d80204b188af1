"""Stage 5, recognise entities: lexicon, matcher, abbreviations, context, evaluation."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from evimap.entities import Lexicon, build_lexicon, load_lexicon, recognise
from evimap.entities.abbrev import best_long_form, find_abbreviations
from evimap.entities.context import context
from evimap.entities.keys import is_case_sensitive, singular
from evimap.entities.lexicon import lexicon_path, read_package_tsv
from evimap.entities.stoplist import stoplist_rows
from evimap.errors import ConfigError
from evimap.evaluate.ner import (
    gold_documents,
    gold_type,
    recognise_raw,
    score,
)
from evimap.model import Mention, Segment, Sentence
from evimap.pipeline import Resources
from evimap.settings import Settings
from evimap.text import sentences

# --- fixtures and helpers ------------------------------------------------------------------

@pytest.fixture(scope="session")
def lexicon_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return replace(settings, cache_dir=str(tmp_path_factory.mktemp("lexicon-cache")))


@pytest.fixture(scope="session")
def lexicon_file(lexicon_settings: Settings) -> Path:
    return build_lexicon(lexicon_settings)


@pytest.fixture(scope="session")
def lexicon(lexicon_settings: Settings, lexicon_file: Path) -> Lexicon:
    return load_lexicon(lexicon_settings)


def paragraphs(text: str) -> list[Segment]:
    """Every blank-line-separated paragraph as a ``body`` segment (until the cleaner exists)."""
    segments = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n[ \t]*\n|\s*$)", text, re.DOTALL):
        segments.append(Segment("body", m.start(), m.end(), m.group(0)))
    return segments


def run(text: str, lexicon: Lexicon, segments: list[Segment] | None = None) -> list[Mention]:
    segments = segments if segments is not None else paragraphs(text)
    sents = [Sentence(s, e, i) for i, seg in enumerate(segments)
             for s, e in sentences(text, seg.start, seg.end)]
    return recognise(text, segments, sents, lexicon)


def found(mentions: list[Mention]) -> dict[str, str]:
    """Mention text (lower-cased) -> concept id."""
    return {m.text.lower(): m.concept.id for m in mentions}


@pytest.fixture(scope="session")
def seed_mentions(seed_paths: dict[str, Path], lexicon: Lexicon) -> dict[str, list[Mention]]:
    return {key: run(path.read_text(encoding="utf-8"), lexicon)
            for key, path in seed_paths.items()}


# --- lexicon ------------------------------------------------------------------------------

def test_build_writes_one_file_in_cache_dir(lexicon_settings: Settings, lexicon_file: Path,
                                            lexicon: Lexicon) -> None:
    assert lexicon_file.parent == Path(lexicon_settings.cache_dir)
    assert lexicon_file == lexicon_path(lexicon_settings)
    assert list(lexicon_file.parent.glob("lexicon-*")) == [lexicon_file]
    assert len(lexicon) > 100_000
    assert lexicon.concept_count > 15_000


def test_missing_mesh_is_a_config_error(settings: Settings, tmp_path: Path) -> None:
    broken = replace(settings, mesh_dir=str(tmp_path), cache_dir=str(tmp_path / "cache"))
    with pytest.raises(ConfigError, match="MeSH files not found"):
        build_lexicon(broken)
    with pytest.raises(ConfigError):
        load_lexicon(broken)


def test_cache_key_follows_the_sources(settings: Settings, tmp_path: Path) -> None:
    mesh_dir = tmp_path / "mesh"
    shutil.copytree(settings.mesh_path, mesh_dir)
    copied = replace(settings, mesh_dir=str(mesh_dir), cache_dir=str(tmp_path / "cache"))
    before = lexicon_path(copied)
    trees = mesh_dir / "mesh_trees.tsv.gz"
    os.utime(trees, ns=(trees.stat().st_atime_ns, trees.stat().st_mtime_ns + 10**9))
    assert lexicon_path(copied) == before           # keyed by content, not by times
    pharm = mesh_dir / "mesh_pharmacological_actions.tsv"
    pharm.write_bytes(pharm.read_bytes() + b"\n")
    assert lexicon_path(copied) != before           # new content: a new build


@pytest.mark.parametrize(("name", "ui", "type_"), [
    ("ketamine", "D007649", "chemical"),
    ("Provigil", "D000077408", "chemical"),
    ("Viagra", "D000068677", "chemical"),
    ("glutamate", "D018698", "mechanism"),
    ("NMDA receptor", "D016194", "mechanism"),
    ("N-Methyl-D-Aspartate Receptors", "D016194", "mechanism"),
    ("NMDA", "D016194", "mechanism"),
    ("CGRP", "D015740", "mechanism"),
    ("monoamine oxidase", "D008995", "mechanism"),
    ("cortical spreading depression", "D013181", "mechanism"),
    ("migraines", "D008881", "disease"),
    ("Major Depressive Disorder", "D003865", "disease"),
    ("pain", "D010146", "disease"),
    ("MAO inhibitors", "D008996", "chemical"),
    ("triptans", "D014363", "chemical"),
    ("Botox", "D019274", "chemical"),
    ("acupuncture", "D015670", "procedure"),
    ("diet therapy", "D004035", "procedure"),
    ("D007649", "D007649", "chemical"),
])
def test_lookup(lexicon: Lexicon, name: str, ui: str, type_: str) -> None:
    concept = lexicon.lookup(name)
    assert concept is not None and (concept.id, concept.type) == (ui, type_)


@pytest.mark.parametrize("name", ["Therapeutics", "Drug Therapy", "patients", "lead", "the",
                                  "aura", "ms", "camp", ""])
def test_generic_or_stoplisted_names_are_not_concepts(lexicon: Lexicon, name: str) -> None:
    assert lexicon.lookup(name) is None


def test_concept_and_synonyms(lexicon: Lexicon) -> None:
    assert lexicon.concept("D007649").name == "Ketamine"
    assert lexicon.synonyms("D000077408")[0] == "Modafinil"
    assert "Provigil" in lexicon.synonyms("D000077408")
    assert lexicon.category("D016194") == "receptor"
    assert lexicon.category("D018698") == "ligand"
    with pytest.raises(KeyError):
        lexicon.concept("D999999")


def test_supplement_rows_agree_with_the_lexicon(lexicon: Lexicon) -> None:
    for row in read_package_tsv("supplement.tsv"):
        concept = lexicon.lookup(row["term"])
        if row["ui"] == "-":
            assert concept is None or concept.id != "D004827", row
        else:
            assert concept is not None and (concept.id, concept.type) == (row["ui"], row["type"])


# --- keys and matcher ----------------------------------------------------------------------

@pytest.mark.parametrize(("word", "expected"), [
    ("migraines", "migraine"), ("therapies", "therapy"), ("triptans", "triptan"),
    ("kynurenines", "kynurenine"), ("diabetes", "diabete"), ("sclerosis", "sclerosis"),
    ("virus", "virus"), ("gas", "gas"),
])
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


@pytest.mark.parametrize(("term", "expected"), [
    ("MS", True), ("ADHD", True), ("5-HT", True), ("cAMP", True), ("Pain", False),
    ("SEROTONIN", False), ("ms", False),
])
def test_case_sensitive_terms(term: str, expected: bool) -> None:
    assert is_case_sensitive(term) is expected


def test_matching_rules(lexicon: Lexicon) -> None:
    text = ("Ketamine-induced relief of migraines; ADHD but not adhd; PDE5 is not PDE; "
            "Huntington’s disease and NMDA antagonists.")
    got = {(m.text, m.concept.id) for m in run(text, lexicon)}
    assert ("Ketamine", "D007649") in got                       # hyphen splits
    assert ("migraines", "D008881") in got                      # plural
    assert ("ADHD", "D001289") in got
    assert not any(t == "adhd" for t, _ in got)                 # short caps are case-sensitive
    assert not any(t == "PDE" for t, _ in got)                  # never inside a longer word
    assert ("Huntington’s disease", "D006816") in got           # possessive, typographic
    assert ("NMDA", "D016194") in got


def test_longest_match_wins(lexicon: Lexicon) -> None:
    got = found(run("Familial hemiplegic migraine and serotonin syndrome.", lexicon))
    assert got == {"familial hemiplegic migraine": "D020325", "serotonin syndrome": "D020230"}


# --- abbreviations -------------------------------------------------------------------------

def test_schwartz_hearst() -> None:
    assert best_long_form("MDD", "treatment of major depressive disorder") == 13
    assert best_long_form("XYZ", "nothing here") is None
    text = "They used proton magnetic resonance spectroscopy (MRS) in the study."
    (abbr,) = find_abbreviations(text, [(0, len(text))])
    assert (abbr.short, abbr.long) == ("MRS", "magnetic resonance spectroscopy")


def test_abbreviation_takes_the_long_form_concept_everywhere(lexicon: Lexicon) -> None:
    text = "Pain in FMS is common.\n\nPeople with fibromyalgia (FMS) hurt. FMS patients rest."
    fms = [m for m in run(text, lexicon) if m.text == "FMS"]
    assert len(fms) == 3
    assert {(m.concept.id, m.source) for m in fms} == {("D005356", "abbreviation")}
    assert [m.segment for m in fms] == [0, 1, 1]


def test_abbreviation_without_concept_blocks_the_dictionary(lexicon: Lexicon) -> None:
    assert found(run("A TIA is a warning.", lexicon)) == {"tia": "D002546"}
    text = "The Technology Innovation Agency (TIA) funds work. TIA grants help."
    assert not [m for m in run(text, lexicon) if m.text == "TIA"]


def test_abbreviation_confirmed_by_its_long_form(lexicon: Lexicon) -> None:
    text = "Milnacipran is a serotonin-norepinephrine reuptake inhibitor (SNRI)."
    got = found(run(text, lexicon))
    assert got["snri"] == got["serotonin-norepinephrine reuptake inhibitor"] == "D000068760"
    assert "serotonin" not in got


# --- context -------------------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "word", "flags"), [
    ("Patients did not report nausea after ketamine.", "nausea", (True, False, False)),
    ("Relief without nausea was reported.", "nausea", (True, False, False)),
    ("Milnacipran may help reduce pain.", "pain", (False, True, False)),
    ("The evidence for magnesium is not strong.", "magnesium", (False, True, False)),
    ("We investigated whether sildenafil induces migraine.", "sildenafil", (False, False, True)),
    ("Does ketamine help migraine?", "ketamine", (False, False, True)),
    ("Not only migraine but also pain improved.", "migraine", (False, False, False)),
    ("Ketamine reduced pain, but nausea persisted.", "nausea", (False, False, False)),
])
def test_context(sentence: str, word: str, flags: tuple[bool, bool, bool]) -> None:
    start = sentence.index(word)
    got = context(sentence, start, start + len(word))
    assert (got.negated, got.hedged, got.hypothetical) == flags


# --- recognise -----------------------------------------------------------------------------

def test_every_segment_but_boilerplate_is_read_with_its_index(lexicon: Lexicon) -> None:
    text = "Ketamine for migraine.\n\nShare: ketamine deals\n\nKeywords: aspirin"
    segments = [Segment("body", 0, 22, text[:22]), Segment("boilerplate", 24, 45, text[24:45]),
                Segment("metadata", 47, len(text), text[47:], label="keywords")]
    mentions = run(text, lexicon, segments)
    assert [(m.text, m.segment) for m in mentions] == [
        ("Ketamine", 0), ("migraine", 0), ("aspirin", 2)]
    assert all(text[m.start:m.end] == m.text for m in mentions)


SEED_EXPECTED = [
    ("000", "glutamate", "D018698"), ("000", "kynurenines", "D007737"),
    ("000", "magnesium", "D008274"), ("000", "topiramate", "D000077236"),
    ("000", "memantine", "D008559"), ("000", "ketamine", "D007649"),
    ("000", "migraine", "D008881"), ("000", "familial hemiplegic migraine", "D020325"),
    ("000", "cortical spreading depression", "D013181"),
    ("000", "glutamate receptors", "D017470"),
    ("002", "fibromyalgia", "D005356"), ("002", "fms", "D005356"),
    ("002", "serotonin", "D012701"), ("002", "norepinephrine", "D009638"),
    ("002", "acupuncture", "D015670"), ("002", "provigil", "D000077408"),
    ("002", "modafinil", "D000077408"),
    ("003", "milnacipran", "D000078764"), ("003", "major depressive disorder", "D003865"),
    ("003", "mdd", "D003865"), ("003", "serotonin syndrome", "D020230"),
    ("003", "mao inhibitor", "D008996"), ("003", "triptans", "D014363"),
    ("003", "sildenafil", "D000068677"), ("003", "cgrp", "D015740"),
    ("003", "snri", "D000068760"), ("003", "fibromyalgia", "D005356"),
    ("004", "ketamine", "D007649"), ("004", "nmda", "D016194"), ("004", "glutamate", "D018698"),
    ("004", "migraines", "D008881"),
]


@pytest.mark.parametrize(("seed", "text", "ui"), SEED_EXPECTED)
def test_seed_entities(seed_mentions: dict[str, list[Mention]], seed: str, text: str,
                       ui: str) -> None:
    assert found(seed_mentions[seed]).get(text) == ui


@pytest.mark.parametrize(("seed", "text"), [
    ("002", "lead"), ("002", "biological"), ("001", "aura"), ("003", "aura"),
    ("003", "dissection"), ("004", "analgesic"), ("002", "neurotransmitter"),
])
def test_seed_false_positives_are_gone(seed_mentions: dict[str, list[Mention]], seed: str,
                                       text: str) -> None:
    assert text not in found(seed_mentions[seed])


def test_seed_context_flags(seed_mentions: dict[str, list[Mention]]) -> None:
    by_text = {m.text: m for m in seed_mentions["003"]}
    assert by_text["sildenafil"].hypothetical                  # "investigated whether"
    negated = [m for m in seed_mentions["003"]
               if m.text == "milnacipran" and m.negated]       # "Do not use milnacipran if"
    assert negated and negated[0].hypothetical


# --- evaluation ----------------------------------------------------------------------------

PUBTATOR = """\
1|t|Lithium toxicity.
1|a|Lithium caused tremor and lead in water.
1\t0\t7\tLithium\tChemical\tD008094
1\t18\t25\tLithium\tChemical\tD008094
1\t33\t39\ttremor\tDisease\tD014202
1\tCID\tD008094\tD014202

"""


def test_evaluate_on_a_tiny_pubtator_file(tmp_path: Path, lexicon: Lexicon,
                                          settings: Settings) -> None:
    path = tmp_path / "tiny.PubTator.txt"
    path.write_text(PUBTATOR, encoding="utf-8")
    (doc,) = gold_documents(path, settings)
    assert doc.text[33:39] == "tremor"
    dictionary_only = Resources(lexicon)
    scores = score([doc], lambda raw: recognise_raw(raw, dictionary_only), gold_type(lexicon))
    assert scores["mentions"]["micro"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 3, "fp": 0,
                                           "fn": 0}
    assert scores["ids"]["Chemical"]["tp"] == 1 and scores["ids"]["Disease"]["tp"] == 1


def test_stoplist_rule() -> None:
    from collections import Counter

    matched = Counter({(False, "lead"): 10, (False, "carcinoma"): 10, (False, "pain"): 10,
                       (False, "rare"): 2})
    exact = Counter({(False, "carcinoma"): 1, (False, "pain"): 9})
    inside = Counter({(False, "carcinoma"): 10, (False, "pain"): 9})
    assert [r[0] for r in stoplist_rows(matched, exact, inside)] == ["lead"]


@pytest.mark.parametrize(("name", "ui"), [
    ("oedema", "D004487"), ("diarrhoea", "D003967"), ("anaemia", "D000740"),
    ("haemorrhage", "D006470"), ("oestrogens", "D004967"), ("coeliac disease", "D002446"),
    ("tumours", "D009369"), ("leucocytosis", "D007964"), ("leucine", "D007930"),
])
def test_british_spellings_find_american_mesh_names(lexicon: Lexicon, name: str,
                                                    ui: str | None) -> None:
    concept = lexicon.lookup(name)
    assert (concept.id if concept else None) == ui, (name, concept)


def test_british_folding_leaves_other_words_alone() -> None:
    from evimap.entities.keys import word_form
    assert [word_form(w) for w in ("four", "hours", "does", "Aloe", "oestrogen's")] == [
        "four", "hours", "does", "aloe", "estrogen"]


def test_drugs_missing_from_mesh_descriptors_come_from_drugbank(lexicon):
    """Biologics and recent drugs MeSH 2023 has only as supplementary concepts are named by
    their DrugBank ID; a DrugBank variant of a MeSH drug (CoQ10) names the MeSH concept."""
    assert lexicon.lookup("erenumab") is not None
    assert lexicon.lookup("erenumab").id.startswith("DB")
    assert lexicon.lookup("Aimovig") == lexicon.lookup("erenumab")   # brand of the biologic
    assert lexicon.lookup("galcanezumab").id != lexicon.lookup("erenumab").id
    assert lexicon.lookup("CoQ10").id == lexicon.lookup("ubiquinone").id
    assert lexicon.lookup("ketamine").id == "D007649"                 # MeSH keeps its own


@pytest.mark.parametrize("term,name", [
    ("CBD", "Cannabidiol"), ("IBS", "Irritable Bowel Syndrome"),
    ("probiotics", "Probiotics"), ("butterbur", "Petasites"), ("feverfew", "Tanacetum parthenium"),
])
def test_lay_intervention_and_condition_names(lexicon, term, name):
    """Names health pages use that MeSH's entry terms lack or type elsewhere: the usual
    abbreviations (supplement table), supplements (G07.203.300) and herbal remedies (land
    plants) as interventions."""
    concept = lexicon.lookup(term)
    assert concept is not None and concept.name == name
    assert concept.type in ("chemical", "disease")


def test_rose_the_verb_is_not_a_plant(lexicon):
    assert lexicon.lookup("rose") is None
