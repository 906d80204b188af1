"""The pages-dev scorer (``evimap eval pages``), checked on the real gold: results built from
the gold itself score 1.0, and each matching rule of the README holds one at a time. The
pipeline run itself is scored once, in tests/test_eval_gate.py."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from math import comb

import pytest

from evimap.errors import EvimapError
from evimap.evaluate.pages import (
    PageResult,
    PredictedClaim,
    claim_errors,
    match_claims,
    parse_files,
    read_gold,
    same_relation,
    score_pages,
    score_split,
    split_files,
)
from evimap.model import PREDICATES


@pytest.fixture(scope="module")
def pages_dir(data_dir):
    return data_dir / "pages-dev"


@pytest.fixture(scope="module")
def gold(pages_dir):
    return read_gold(pages_dir)


def _root(gold, file):
    parent = {g["file"]: g["duplicate_of"] for g in gold}
    while parent[file]:
        file = parent[file]
    return file


def _claim(c, **change) -> PredictedClaim:
    """A predicted claim that says exactly what a gold claim says."""
    claim = PredictedClaim(
        sentence=c["quote"], subject=c["intervention"], subject_terms=(),
        predicate=c["relation"], object=c["target"], design=c["evidence"], n=c["n"],
        hedged=c["hedged"], negated=c["negated"], extractor="gold")
    return dataclasses.replace(claim, **change)


def from_gold(gold, claim=_claim, work=None) -> dict[str, PageResult]:
    """What a perfect pipeline would have stored: content kept, boilerplate dropped, one
    comment segment per reader comment, the gold kind, one work per gold group, and the
    gold claims (through ``claim``, which may change or multiply them)."""
    out = {}
    for g in gold:
        segments = ([("boilerplate", b) for b in g["boilerplate"]]
                    + [("body", c) for c in g["content"]]
                    + [("comment", f"comment {i}") for i in range(g["reader_comments"])])
        claims: list[PredictedClaim] = []
        for c in g["claims"]:
            made = claim(c)
            claims.extend(made if isinstance(made, list) else [made])
        out[g["file"]] = PageResult(g["file"], g["source_kind"],
                                    work(g) if work else _root(gold, g["file"]),
                                    tuple(segments), tuple(claims))
    return out


def test_gold_itself_scores_perfectly(gold):
    scores = score_pages(from_gold(gold), gold)
    assert scores["files"] == 60
    claims = scores["claims"]
    assert claims["gold"] == claims["predicted"] == claims["matched"] == 696
    assert claims["p"] == claims["r"] == claims["f1"] == 1.0
    assert set(claims["on_matched"].values()) == {1.0}
    assert claims["by_extractor"] == {"gold": {"predicted": 696, "matched": 696, "p": 1.0}}
    for predicate, s in claims["by_predicate"].items():
        assert s["p"] == s["r"] == 1.0, predicate
    assert scores["content_kept"]["share"] == 1.0
    assert scores["boilerplate_dropped"]["share"] == 1.0
    assert scores["comments"]["share"] == 1.0
    assert scores["source_kinds"]["accuracy"] == 1.0
    assert scores["source_kinds"]["accuracy_review_merged"] == 1.0
    dup = scores["duplicates"]
    assert dup["gold_pairs"] == 10 and dup["found"] == 10 and dup["false_merges"] == 0
    assert claim_errors(from_gold(gold), gold) == []


def _wrong_predicate(gold):
    """A predicted claim like the gold one but with a predicate that matches no gold claim
    of its sentence."""
    on_sentence: dict[str, set[str]] = {}
    for g in gold:
        for c in g["claims"]:
            on_sentence.setdefault(c["quote"], set()).add(c["relation"])

    def wrong(c, **change):
        taken = on_sentence[c["quote"]]
        predicate = next(p for p in PREDICATES
                         if not any(same_relation(r, p) for r in taken))
        return _claim(c, predicate=predicate, **change)
    return wrong


def test_wrong_predicate_does_not_match(gold):
    wrong = _wrong_predicate(gold)
    scores = score_pages(from_gold(gold, wrong), gold)
    assert scores["claims"]["matched"] == 0
    assert scores["claims"]["p"] == scores["claims"]["r"] == 0.0
    errors = claim_errors(from_gold(gold, wrong), gold)
    assert len(errors) == 2 * 696
    assert {e["why"] for e in errors} == {"wrong_predicate"}


def test_treats_and_prevents_count_as_one(gold):
    swap = {"treats": "prevents", "prevents": "treats",
            "associated_with": "elevated_in", "elevated_in": "associated_with",
            "reduced_in": "associated_with"}
    scores = score_pages(from_gold(gold, lambda c: _claim(
        c, predicate=swap.get(c["relation"], c["relation"]))), gold)
    assert scores["claims"]["r"] == scores["claims"]["p"] == 1.0
    # but elevated_in is not reduced_in
    reduced = next(c for g in gold for c in g["claims"] if c["relation"] == "reduced_in")
    assert not match_claims([reduced], [_claim(reduced, predicate="elevated_in")])
    assert match_claims([reduced], [_claim(reduced, predicate="associated_with")]) == {0: 0}


def test_subject_must_name_the_intervention(gold):
    scores = score_pages(from_gold(gold, lambda c: _claim(c, subject="Zzyzx")), gold)
    assert scores["claims"]["matched"] == 0
    # the MeSH names or the mention text are enough
    scores = score_pages(from_gold(gold, lambda c: _claim(
        c, subject="Zzyzx", subject_terms=("Zzyzx", c["intervention"].upper()))), gold)
    assert scores["claims"]["r"] == 1.0
    # generic words ("low-dose", "therapy") do not make a match
    first = next(c for g in gold for c in g["claims"]
                 if c["intervention"] == "low-dose naltrexone")
    assert not match_claims([first], [_claim(first, subject="low-dose aspirin")])
    assert match_claims([first], [_claim(first, subject="Naltrexone")]) == {0: 0}


def test_sentences_overlap_whitespace_and_case_aside(gold):
    def loose(c):
        words = c["quote"].split()
        return _claim(c, sentence="  \n".join(words).upper())
    assert score_pages(from_gold(gold, loose), gold)["claims"]["r"] == 1.0

    def part(c):   # a sentence inside the quote (or the quote inside a longer one) overlaps
        return _claim(c, sentence=c["quote"][: max(20, len(c["quote"]) // 2)])
    assert score_pages(from_gold(gold, part), gold)["claims"]["r"] == 1.0
    other = {g["file"]: g["content"][0] for g in gold}
    file_of = {id(c): g["file"] for g in gold for c in g["claims"]}
    scores = score_pages(from_gold(gold, lambda c: _claim(
        c, sentence="Nothing here is said by the page " + other[file_of[id(c)]][::-1])), gold)
    assert scores["claims"]["matched"] == 0


def test_matching_is_one_to_one(gold):
    scores = score_pages(from_gold(gold, lambda c: [_claim(c), _claim(c)]), gold)
    claims = scores["claims"]
    assert claims["predicted"] == 2 * 696 and claims["matched"] == 696
    assert claims["r"] == 1.0 and claims["p"] == 0.5
    # two predictions, two gold claims on one sentence (a list of side effects): both match
    file = next(g for g in gold if g["file"] == "002.txt")
    same = [c for c in file["claims"]
            if c["quote"] == file["claims"][0]["quote"]] or file["claims"][:1]
    assert len(match_claims(same, [_claim(c) for c in reversed(same)])) == len(same)


def test_precision_per_extractor(gold):
    wrong = _wrong_predicate(gold)

    def tagged(c):
        return [_claim(c, extractor="rules/0.1"), wrong(c, extractor="noise/1")]
    by = score_pages(from_gold(gold, tagged), gold)["claims"]["by_extractor"]
    assert by["rules/0.1"] == {"predicted": 696, "matched": 696, "p": 1.0}
    assert by["noise/1"]["predicted"] == 696 and by["noise/1"]["p"] == 0.0


def test_attributes_scored_on_matched_claims(gold):
    scores = score_pages(from_gold(gold, lambda c: _claim(
        c, hedged=not c["hedged"], design="in_vitro" if c["evidence"] != "in_vitro"
        else "RCT")), gold)
    assert scores["claims"]["r"] == 1.0
    on = scores["claims"]["on_matched"]
    assert on["hedged"] == on["design"] == 0.0 and on["negated"] == on["n"] == 1.0


def test_segments_comments_kinds_and_works(gold):
    results = from_gold(gold, work=lambda g: "one work")
    for file, r in list(results.items()):
        results[file] = dataclasses.replace(
            r, segments=tuple(("body", t) for _, t in r.segments),
            source_kind="review" if r.source_kind == "peer_reviewed" else r.source_kind)
    scores = score_pages(results, gold)
    assert scores["boilerplate_dropped"]["share"] == 0.0
    assert scores["content_kept"]["share"] == 1.0
    assert scores["comments"]["share"] == round(
        sum(g["reader_comments"] == 0 for g in gold) / 60, 4)
    kinds = scores["source_kinds"]
    assert kinds["accuracy"] == round(48 / 60, 4) and kinds["accuracy_review_merged"] == 1.0
    assert kinds["confusion"]["peer_reviewed"] == {"review": 12}
    dup = scores["duplicates"]
    assert dup["found"] == 10 and dup["false_merges"] == comb(60, 2) - 10
    # a file the pipeline lost counts as nothing found
    scores = score_pages({}, gold)
    assert scores["content_kept"]["share"] == 0.0 and scores["claims"]["matched"] == 0


def test_split_halves_partition_the_files(gold):
    halves = split_files(gold)
    tune, held_out = set(halves["tune"]), set(halves["held_out"])
    assert len(tune) == 40 and len(held_out) == 20 and not tune & held_out
    assert tune | held_out == set(halves["all"]) == {g["file"] for g in gold}
    assert max(tune) == "040.txt" and min(held_out) == "041.txt"
    scores = score_split(from_gold(gold), gold)
    assert [scores[k]["files"] for k in ("all", "tune", "held_out")] == [60, 40, 20]
    assert (scores["tune"]["claims"]["gold"] + scores["held_out"]["claims"]["gold"]
            == scores["all"]["claims"]["gold"])


def test_parse_files(gold):
    known = [g["file"] for g in gold]
    assert parse_files("041-060", known) == [f"{i:03d}.txt" for i in range(41, 61)]
    assert parse_files("3, 7,12-14", known) == ["003.txt", "007.txt", "012.txt", "013.txt",
                                                "014.txt"]
    for bad in ("41-", "x", "60-41", "61"):
        with pytest.raises(EvimapError, match="--files"):
            parse_files(bad, known)
    scores = score_pages(from_gold(gold), gold, set(parse_files("041-060", known)))
    assert scores["files"] == 20


def test_missing_gold_or_docs_names_the_path(tmp_path):
    with pytest.raises(EvimapError, match=r"no gold\.jsonl") as err:
        read_gold(tmp_path)
    assert str(tmp_path) in str(err.value)
    (tmp_path / "gold.jsonl").write_text('{"file": "001.txt"}\n', encoding="utf-8")
    with pytest.raises(EvimapError, match="no docs/"):
        read_gold(tmp_path)
    r = subprocess.run([sys.executable, "-m", "evimap.cli", "eval", "pages", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and str(tmp_path) in r.stderr and "Traceback" not in r.stderr
