"""The vocabulary tables: every stage reads them, the docs are generated from them, and a row
added to a table is picked up without code changes."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from evimap import assemble, model, vocab
from evimap.claims import extractors, modality
from evimap.claims.evidence import design_from_text
from evimap.claims.rules import RULES
from evimap.cli import cli
from evimap.sources import profile_source
from test_claims import body, extract

ROOT = Path(__file__).resolve().parents[1]


def _rows(name: str) -> list[list[str]]:
    lines = (ROOT / "src" / "evimap" / "vocab" / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")][1:]


def test_docs_are_the_tables():
    assert (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8") == vocab.markdown(), \
        "docs/vocabulary.md is stale: run `evimap vocab show --markdown > docs/vocabulary.md`"


def test_model_vocabularies_come_from_the_tables():
    assert tuple(r[0] for r in _rows("predicates.tsv")) == model.PREDICATES
    assert set(model.DESIGNS) == {r[0] for r in _rows("designs.tsv")}
    assert {r[0]: float(r[2]) for r in _rows("designs.tsv")} == assemble.DESIGN_WEIGHT


def test_every_rule_predicate_is_in_the_table():
    assert {r.predicate for r in RULES} <= set(vocab.predicates())


def test_opposites_are_symmetric_and_known():
    opp = vocab.opposites()
    assert opp["treats"] == "no_effect" and opp["no_effect"] == "treats"
    assert opp["elevated_in"] == "reduced_in" and opp["reduced_in"] == "elevated_in"
    assert set(opp.values()) <= set(vocab.predicates())


def test_strongest_design_is_by_rank_not_alphabetical():
    # min() over names would pick expert_opinion ("e" < "s")
    assert min(["systematic_review", "expert_opinion"]) == "expert_opinion"
    assert vocab.strongest_design(["systematic_review", "expert_opinion"]) == "systematic_review"
    assert vocab.strongest_design(["case_report", "RCT", "cohort"]) == "RCT"
    assert vocab.strongest_design([]) == "unspecified"


def test_work_design_in_the_store_is_the_strongest_copy():
    con = duckdb.connect()
    con.execute("CREATE TABLE documents (work_id VARCHAR, design VARCHAR)")
    con.executemany("INSERT INTO documents VALUES (?, ?)", [
        ("w1", "expert_opinion"), ("w1", "systematic_review"), ("w1", "unspecified"),
        ("w2", "case_report"), ("w2", "cohort"), ("w3", "unspecified")])
    rows = dict(con.execute("WITH " + assemble.WORK_DESIGN_CTE +
                            " SELECT work_id, design FROM work_design").fetchall())
    assert rows == {"w1": "systematic_review", "w2": "cohort"}


@pytest.mark.parametrize("types,design", [
    (["Journal Article", "Review"], "expert_opinion"),
    (["Journal Article", "Systematic Review", "Review"], "systematic_review"),
    (["Randomized Controlled Trial", "Clinical Trial"], "RCT"),
    (["Case Reports"], "case_report"),
    (["Journal Article"], None),
])
def test_publication_types(types, design):
    assert vocab.design_from_publication_types(types) == design


def test_sources_and_claims_agree_on_publication_types():
    """One table: the source profile's design hint and the claim stage's document design."""
    from evimap.claims.evidence import document_design
    from evimap.model import RawDocument, Segment
    for types in (["Review"], ["Randomized Controlled Trial"], ["Controlled Clinical Trial"],
                  ["Systematic Review", "Review"], ["Meta-Analysis"], ["Case Reports"]):
        raw = RawDocument("x", 0, "pubmed", "Title. Text.", metadata={"publication_types": types})
        prof = profile_source(raw, [Segment("title", 0, 6, "Title.")])
        assert prof.design == document_design("peer_reviewed", prof.design, raw.metadata)


# --- modality cues: the tests read the table, so a new row is tested too ---------------------

_PLAIN = re.compile(r"[a-z ]+")


@pytest.mark.parametrize("cue", [r[3] for r in _rows("cues.tsv")
                                 if r[0] == "hedge" and _PLAIN.fullmatch(r[3])])
def test_every_plain_hedge_cue_hedges_a_claim(cue):
    sentence = f"Ketamine {cue} relieves migraine."
    assert modality.hedged(sentence)


def test_ketamine_probably_relieves_migraine_is_hedged():
    claims = extract(body("Ketamine probably relieves migraine."))
    assert [(c.subject.name, c.predicate, c.object.name, c.hedged) for c in claims] == [
        ("Ketamine", "treats", "Migraine Disorders", True)]
    plain = extract(body("Ketamine relieves migraine."))
    assert [c.hedged for c in plain] == [False]


@pytest.mark.parametrize("cue", [r[3] for r in _rows("cues.tsv")
                                 if r[0] == "negation" and _PLAIN.fullmatch(r[3])])
def test_every_plain_negation_cue_negates_a_trigger(cue):
    assert modality.negated(f"ketamine {cue} relieves")


def test_a_cue_added_to_the_table_is_read(monkeypatch, tmp_path):
    """Adding a cue is one line: a copy of the tables with one more row changes the regex."""
    for name in ("predicates.tsv", "designs.tsv", "design_cues.tsv", "cues.tsv"):
        (tmp_path / name).write_text((vocab.HERE / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    with (tmp_path / "cues.tsv").open("a", encoding="utf-8") as fh:
        fh.write("hedge\tclause\tyes\tconceivably\n")
    monkeypatch.setattr(vocab, "HERE", tmp_path)
    vocab.cues.cache_clear()
    vocab.cue_regex.cache_clear()
    try:
        assert vocab.cue_regex("hedge").search("Ketamine conceivably relieves migraine.")
    finally:
        monkeypatch.undo()
        vocab.cues.cache_clear()
        vocab.cue_regex.cache_clear()
    assert not vocab.cue_regex("hedge").search("Ketamine conceivably relieves migraine.")


def test_design_cues_read_from_the_table():
    assert design_from_text("In this randomised, double-blind trial of 120 adults") == "RCT"
    assert design_from_text("A retrospective chart analysis of treated patients") == \
        "case_series"
    assert design_from_text("a retrospective cohort compared with untreated controls") == \
        "cohort"


def test_vocab_show_lists_tables_and_extractors():
    result = CliRunner().invoke(cli, ["vocab", "show", "--json"])
    assert result.exit_code == 0, result.output
    import json
    data = json.loads(result.output)
    assert [p["name"] for p in data["predicates"]] == list(model.PREDICATES)
    assert [e["name"] for e in data["extractors"]] == [e.name for e in extractors()]
    assert {"rules", "frames", "cid", "relation"} <= {e["name"] for e in data["extractors"]}


def test_caseless_patterns_find_what_ignorecase_finds(data_dir):
    """Every case-insensitive table (clean cues, chrome terms, source-kind cues, claim rules)
    runs lower-cased on lower-cased text (evimap.text.Caseless): on real pages the matches
    must be those of the pattern as written, under IGNORECASE."""
    import re

    from evimap.claims.rules import RULES
    from evimap.clean.cues import CUES
    from evimap.clean.linemodel import term_groups
    from evimap.text import Caseless, lowered
    from evimap.vocab.source_cues import source_cues

    patterns: list[Caseless] = [c.pattern for c in CUES] + list(term_groups().values())
    patterns += [c.regex for c in source_cues() if c.regex is not None]
    patterns += [r.caseless for r in RULES]
    assert sum(p.folded is not None for p in patterns) >= len(patterns) - 5
    pages = sorted((data_dir / "pages-dev" / "docs").glob("*.txt"))[:20]
    texts = [p.read_text(encoding="utf-8") for p in pages]
    texts.append("Dr. İnci wrote: ASPIRIN «0|chemical» reduced «1|disease» (KELVIN K)")
    found = 0
    for text in texts:
        low = lowered(text)
        for p in patterns:
            want = [(m.span(), m.groupdict()) for m in p.exact.finditer(text)]
            got = [(m.span(), {k: v and v.lower() for k, v in m.groupdict().items()})
                   for m in p.finditer(text, low)]
            assert got == [(s, {k: v and v.lower() for k, v in g.items()}) for s, g in want], \
                p.pattern[:80]
            found += len(want)
    assert found > 100
    assert lowered("İ") is None            # lower case of another length: run as written
    assert Caseless(r"(?-i:[A-Z]{2}) x").folded is None
    assert Caseless(r"(?P<Subj>A)").folded.groupindex == {"Subj": 1}
    assert Caseless(r"\Bb\S").folded.pattern == r"\Bb\S"
    assert Caseless("A", re.M).exact.flags & re.M
