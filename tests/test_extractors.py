"""The extractor contract: registered extractors, merged claims, provenance on every claim."""

from __future__ import annotations

from evimap.claims import Extractor, extract_claims, extractors, register
from evimap.claims import extract as extract_module
from evimap.model import Claim, Concept
from test_claims import body, document, extract, profile


def test_builtin_extractors_in_order():
    assert [e.name for e in extractors()] == ["rules", "frames", "relation", "pairs", "cid",
                                              "study"]
    assert all(e.version and e.description for e in extractors())


def test_every_claim_names_its_extractor_and_rule():
    claims = extract(body("Ketamine relieves migraine.",
                          "Topiramate did not reduce migraine frequency in this trial."))
    assert claims
    for c in claims:
        assert c.evidence.extractor == "rules/0.2"
        assert c.evidence.rule
    assert "did_not_reduce" in {c.evidence.rule for c in claims}


def test_only_runs_the_named_extractors():
    text, segments, sents, mentions = document(body("Ketamine relieves migraine."))
    assert extract_claims(text, segments, sents, mentions, profile(), {}, only=["frames"]) == []
    assert extract_claims(text, segments, sents, mentions, profile(), {}, only=["rules"])


def test_a_registered_extractor_runs_merges_and_is_type_checked(monkeypatch):
    monkeypatch.setattr(extract_module, "_REGISTRY", dict(extract_module._REGISTRY))

    def echo(view, model, prior):
        # the same claim as the rules found (merged), plus one with a disallowed object type
        out = [Claim(c.subject, c.predicate, c.object, c.sentence, c.start, c.end, c.segment,
                     c.segment_kind) for c in prior]
        if prior:
            p = prior[0]
            out.append(Claim(p.subject, "treats", Concept("D000001", "X", "chemical"),
                             p.sentence, p.start, p.end, p.segment, p.segment_kind))
        return out

    register(Extractor("echo", "9", echo, model="echo", description="test"))
    text, segments, sents, mentions = document(body("Ketamine relieves migraine."))
    without = extract_claims(text, segments, sents, mentions, profile(), {})
    assert all("also_by" not in c.qualifiers for c in without)   # no model: skipped
    claims = extract_claims(text, segments, sents, mentions, profile(), {},
                            models={"echo": object()})
    assert len(claims) == len(without) == 1
    assert claims[0].evidence.extractor == "rules/0.2"
    assert claims[0].qualifiers["also_by"] == ["echo/9"]


def test_a_writer_s_own_experience_is_an_anecdote():
    """pages-dev's convention: personal stories are anecdotes, on any page but research."""
    told = extract(body("I took ketamine and it relieved my migraine within a day."))
    assert told and {c.evidence.design for c in told} == {"anecdote"}
    stated = extract(body("Ketamine relieves migraine."))
    assert {c.evidence.design for c in stated} == {"unspecified"}
    paper = extract(body("I took ketamine and it relieved my migraine within a day."),
                    kind="peer_reviewed", design="case_report")
    assert {c.evidence.design for c in paper} == {"case_report"}
