"""Dedup keys, belief assembly and discovery as pure functions (no store)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from evimap import assemble, dedup
from evimap.discover import Edge, discover


def _longest_paragraph(path: Path) -> str:
    return max(path.read_text(encoding="utf-8").split("\n\n"), key=len)


def test_same_abstract_on_two_sites_has_same_hash_and_signature(seed_paths):
    a = _longest_paragraph(seed_paths["000"])
    b = _longest_paragraph(seed_paths["001"])
    assert dedup.content_hash(a) == dedup.content_hash(b)
    assert dedup.similarity(dedup.minhash(a), dedup.minhash(b)) == 1.0


def test_unrelated_pages_are_dissimilar(seed_paths):
    texts = [seed_paths[k].read_text(encoding="utf-8") for k in ("002", "003", "004")]
    sigs = [dedup.minhash(t) for t in texts]
    for i in range(3):
        for j in range(i + 1, 3):
            assert dedup.similarity(sigs[i], sigs[j]) < 0.2


def test_minhash_estimates_jaccard_of_edited_copy(seed_paths):
    text = seed_paths["004"].read_text(encoding="utf-8")
    words = text.split()
    edited = " ".join(words[: len(words) * 9 // 10])  # drop the last tenth
    true = len(dedup.shingles(dedup.normalise(text)) & dedup.shingles(dedup.normalise(edited))) / \
        len(dedup.shingles(dedup.normalise(text)) | dedup.shingles(dedup.normalise(edited)))
    est = dedup.similarity(dedup.minhash(text), dedup.minhash(edited))
    assert abs(est - true) < 0.12
    # the LSH bands of near copies collide in at least one band
    assert set(enumerate(dedup.band_hashes(dedup.minhash(text)))) & set(
        enumerate(dedup.band_hashes(dedup.minhash(edited))))


def _claim(work: str, design: str, cred: float, n: int | None = None, hedged: bool = False,
           predicate: str = "treats", negated: bool = False, segment_kind: str = "body",
           source_kind: str = "peer_reviewed", asserted_by: str = "authors") -> dict:
    return {"statement_key": f"k-{predicate}-{negated}", "subject_id": "D007649",
            "predicate": predicate, "object_id": "D008881", "negated": negated,
            "hedged": hedged, "hypothetical": False, "work_id": work, "design": design,
            "n": n, "credibility": cred, "segment_kind": segment_kind,
            "source_kind": source_kind, "asserted_by": asserted_by}


def test_belief_by_hand():
    # README's example: an RCT of n=100 in a peer-reviewed article of credibility 0.8, and
    # a hedged case series of n=6 in a news story of credibility 0.4
    rct = 0.80 * 0.95 * (0.5 + 0.5 * 0.8) * (0.8 + 0.2 * (2 / 3))
    series = 0.45 * 0.60 * (0.5 + 0.5 * 0.4) * (0.8 + 0.2 * (math.log10(6) / 3)) * 0.6
    (st,) = assemble.assemble([_claim("w1", "RCT", 0.8, n=100),
                               _claim("w2", "case_series", 0.4, n=6, hedged=True,
                                      source_kind="news")])
    assert st.belief == pytest.approx(1 - (1 - rct) * (1 - series), abs=1e-3)
    assert st.belief == pytest.approx(0.673, abs=1e-3)
    assert st.best_design == "RCT"
    assert len(st.works) == 2
    factors = st.basis["w2"]["factors"]
    assert factors == {"design": 0.45, "source": 0.6, "credibility": 0.7,
                       "size": pytest.approx(0.8519, abs=1e-4), "modality": 0.6}


def test_an_advert_quoting_a_study_weighs_less_than_the_study_or_a_review():
    study = _claim("paper", "case_series", 0.7, n=61)
    advert = _claim("advert", "case_series", 0.13, n=61, source_kind="commercial",
                    asserted_by="quoted_study")
    review = _claim("review", "expert_opinion", 0.9, hedged=True)
    weights = {s.key: s for s in assemble.assemble([study, advert, review])}
    (st,) = weights.values()
    assert st.works["advert"] < st.works["review"] < st.works["paper"]
    assert st.basis["advert"]["second_hand"] and not st.basis["paper"]["second_hand"]


def test_copies_of_one_work_count_once():
    (one,) = assemble.assemble([_claim("w1", "cohort", 0.7, n=50)])
    (two,) = assemble.assemble([_claim("w1", "cohort", 0.7, n=50),
                                _claim("w1", "cohort", 0.7, n=50)])
    assert one.belief == two.belief
    (indep,) = assemble.assemble([_claim("w1", "cohort", 0.7, n=50),
                                  _claim("w2", "cohort", 0.7, n=50)])
    assert indep.belief > one.belief


def test_anecdotes_never_outweigh_a_trial():
    anecdotes = [_claim(f"c{i}", "anecdote", 0.9, segment_kind="comment") for i in range(3)]
    (an,) = assemble.assemble(anecdotes)
    (rct,) = assemble.assemble([_claim("w1", "RCT", 0.5, n=40)])
    assert an.belief < rct.belief


def test_treats_and_no_effect_are_contested():
    sts = assemble.assemble([_claim("w1", "RCT", 0.8, n=100),
                             _claim("w2", "RCT", 0.8, n=80, predicate="no_effect")])
    assert all(s.contested for s in sts)
    (alone,) = assemble.assemble([_claim("w1", "RCT", 0.8, n=100)])
    assert not alone.contested


def test_open_and_closed_discovery_explain_paths():
    # milnacipran treats fibromyalgia; glutamate elevated in fibromyalgia and in migraine
    edges = [Edge("milnacipran", "approved_for", "fibromyalgia", 0.6, "s1"),
             Edge("glutamate", "elevated_in", "fibromyalgia", 0.5, "s2"),
             Edge("glutamate", "elevated_in", "migraine", 0.7, "s3"),
             Edge("ketamine", "treats", "migraine", 0.8, "s4")]
    types = {"milnacipran": "chemical", "fibromyalgia": "disease", "glutamate": "mechanism",
             "migraine": "disease", "ketamine": "chemical"}
    hyps = discover(edges, "milnacipran", types)
    assert [h.target_id for h in hyps] == ["migraine"]
    (path,) = hyps[0].paths
    assert [e.key for e in path] == ["s1", "s2", "s3"]
    assert hyps[0].score == pytest.approx(0.6 * 0.5 * 0.7 * 0.25)
    closed = discover(edges, "milnacipran", types, target_id="ketamine", max_hops=4)
    assert closed and closed[0].paths[0][-1].key == "s4"


def test_specific_statements_support_broader_ones():
    # Migraine with Aura (C10.228.140.546.399.750.500) sits under Migraine Disorders
    trees = {"D008881": ["C10.228.140.546.399.750"],
             "D020325": ["C10.228.140.546.399.750.500"], "D007649": ["D02.455.426.559.389"]}
    broad = _claim("w1", "case_series", 0.5, n=6)
    narrow = {**_claim("w2", "RCT", 0.8, n=120), "statement_key": "narrow",
              "object_id": "D020325"}
    alone = {s.key: s for s in assemble.assemble([broad])}
    sts = {s.key: s for s in assemble.assemble([broad, narrow], trees)}
    b = sts[broad["statement_key"]]
    assert b.supported_by == ["narrow"]
    assert b.belief > alone[broad["statement_key"]].belief
    expected = 1 - (1 - b.works["w1"]) * (1 - sts["narrow"].works["w2"] * assemble.SPECIFIC_SUPPORT)
    assert b.belief == pytest.approx(expected, abs=1e-3)
    # the narrower statement gets nothing back from the broader one
    assert sts["narrow"].belief == assemble.assemble([narrow], trees)[0].belief
    assert assemble.ancestors(trees)["D020325"] == {"D008881"}
