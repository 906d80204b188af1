"""Source kinds on real pages: pages-dev's tune half (001-040, with the gold kinds its
annotators gave) and the seeds, read and cleaned as ``evimap ingest`` reads them; the kind
is checked with the page's address (as a sidecar gives it) and on the text alone."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from evimap.clean import segment
from evimap.model import SOURCE_KINDS, RawDocument, Segment, SourceProfile
from evimap.read import read_file
from evimap.settings import Settings
from evimap.sources import PRIORS, profile_source
from evimap.sources.kinds import FEATURES, address, decide
from evimap.vocab.source_cues import KINDS, source_cues

TUNE = range(1, 41)


def _read(path: Path, settings: Settings) -> tuple[RawDocument, list[Segment]]:
    raw = next(d for d in read_file(path, settings) if isinstance(d, RawDocument))
    return raw, segment(raw)


@pytest.fixture(scope="module")
def tune_pages(data_dir: Path, settings: Settings
               ) -> dict[str, tuple[dict[str, Any], RawDocument, list[Segment]]]:
    """pages-dev 001-040: gold object, the page as read (no address), its segments."""
    folder = data_dir / "pages-dev"
    out = {}
    for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        if int(gold["file"][:3]) in TUNE:
            raw, segs = _read(folder / "docs" / gold["file"], settings)
            out[gold["file"][:3]] = (gold, raw, segs)
    assert len(out) == 40
    return out


def _with_url(raw: RawDocument, url: str | None) -> RawDocument:
    meta = {k: v for k, v in raw.metadata.items() if k != "url"}
    if url:
        meta["url"] = url
    return dataclasses.replace(raw, metadata=meta)


def _profile(page: tuple[dict[str, Any], RawDocument, list[Segment]], with_address: bool = True
             ) -> SourceProfile:
    gold, raw, segs = page
    return profile_source(_with_url(raw, gold["address"] if with_address else None), segs)


@pytest.mark.parametrize(("with_address", "floor"), [(True, 0.9), (False, 0.85)])
def test_tune_pages_get_their_gold_kind(tune_pages, with_address, floor):
    wrong = {name: (gold["source_kind"], _profile((gold, raw, segs), with_address).kind)
             for name, (gold, raw, segs) in tune_pages.items()}
    wrong = {name: pair for name, pair in wrong.items() if pair[0] != pair[1]}
    assert 1 - len(wrong) / len(tune_pages) >= floor, wrong


@pytest.mark.parametrize(("number", "kind", "cue"), [
    ("006", "forum_or_comments", "forum address"),           # a forum thread
    ("019", "forum_or_comments", "blog or forum platform"),   # a personal blog post
    ("037", "government", "government domain"),              # an agency's fact sheet
    ("024", "government", "official government website banner"),
    ("008", "commercial", "booking prompt"),                 # a clinic's treatment page
    ("027", "commercial", "price shown"),                    # a shop's product guide
    ("014", "news", "new-study report"),
    ("003", "peer_reviewed", "PMID shown"),                  # a pilot trial's abstract
    ("038", "review", "PMID shown"),                         # a meta-analysis's abstract
])
def test_kind_carries_the_signal_that_decided_it(tune_pages, number, kind, cue):
    prof = _profile(tune_pages[number])
    assert prof.kind == kind
    head = next(s for s in prof.signals if s.name == "source_kind")
    assert head.detail.startswith(kind)
    cues = [s.detail for s in prof.signals if s.name == "kind_cue"]
    assert any(f": {cue}: " in d for d in cues), cues
    assert max(prof.kind_scores, key=lambda k: prof.kind_scores[k]) in (kind, "peer_reviewed",
                                                                          "review")


def test_scholarly_pages_split_by_design(tune_pages):
    """An abstract of a review or meta-analysis is a review, of an original study
    peer-reviewed, whatever site carries it."""
    for number in ("001", "003", "005", "010", "015", "025", "028", "036"):
        prof = _profile(tune_pages[number])
        assert prof.kind == "peer_reviewed", (number, prof.signals[0].detail)
    for number in ("007", "018", "031", "034", "038", "039"):
        prof = _profile(tune_pages[number])
        assert prof.kind == "review", (number, prof.signals[0].detail)


def test_a_clinic_page_that_quotes_studies_stays_commercial(seed_paths, settings):
    raw, segs = _read(seed_paths["004"], settings)
    assert "Journal of" in raw.text         # it cites journals and a case series
    assert profile_source(raw, segs).kind == "commercial"


def test_seed_kinds(seed_paths, settings):
    kinds = {k: profile_source(*_read(p, settings)).kind for k, p in seed_paths.items()}
    assert kinds["000"] == "review"
    assert kinds["001"] in ("peer_reviewed", "review")
    assert kinds["002"] == "news"           # a news post with eight reader comments
    assert kinds["003"] == "patient_education"
    assert kinds["004"] == "commercial"


def test_the_address_decides_an_agency_page(tune_pages):
    """The same text is an agency's page under a government domain and not without it."""
    _, raw, segs = tune_pages["037"]
    assert profile_source(_with_url(raw, None), segs).kind != "government"
    for url in ("https://www.nccih.nih.gov/health/turmeric", "https://www.nhs.uk/x/",
                "https://www.canada.ca/en/health-canada/x.html"):
        assert profile_source(_with_url(raw, url), segs).kind == "government", url


def test_a_pubmed_record_on_a_government_host_is_scholarly(tune_pages):
    _, raw, segs = tune_pages["038"]
    url = "https://pubmed.ncbi.nlm.nih.gov/36049498/"
    assert profile_source(_with_url(raw, url), segs).kind == "review"


def test_address_parts():
    assert address({"url": "https://www.ncbi.nlm.nih.gov./books/n/x/"}) == (
        "ncbi.nlm.nih.gov", "/books/n/x/")
    assert address({"url": "example.org/a?b=1"}) == ("example.org", "/a?b=1")
    assert address({}) is None


def test_credibility_follows_the_kind(tune_pages):
    """Research and agency pages start above forums and adverts."""
    def cred(number: str) -> float:
        return _profile(tune_pages[number]).credibility
    assert min(cred("038"), cred("037"), cred("003")) > max(cred("006"), cred("013"),
                                                              cred("027"), cred("040"))
    assert PRIORS.keys() == set(SOURCE_KINDS)


def test_the_cue_table_is_consistent():
    cues = source_cues()
    assert set(KINDS) == set(SOURCE_KINDS)
    assert {c.kind for c in cues} == set(SOURCE_KINDS)      # every kind has a cue
    assert {c.pattern for c in cues if c.scope == "feature"} <= set(FEATURES)
    assert all(c.cap >= 1 and c.weight > 0 for c in cues)
    assert len({(c.kind, c.name) for c in cues}) == len(cues)


def test_a_page_with_nothing_to_go_on_is_other():
    raw = RawDocument("x.txt", 0, "text", "Notes.\n\nSome words here.")
    segs = [Segment("body", 8, 23, "Some words here.")]
    assert decide(raw, segs).kind == "other"
