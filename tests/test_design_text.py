"""Design read from a report's text (claims/study.py, vocab/design_cues.tsv): own-study cues,
titles, unlabelled abstracts, and trials that say they were not randomised."""

from __future__ import annotations

import pytest

from evimap.claims import study
from evimap.claims.document import build_document
from evimap.claims.evidence import design_from_text
from evimap.model import RawDocument
from evimap.pipeline import Resources, process


@pytest.mark.parametrize("sentence, design", [
    ("Patients were randomly allocated to ketamine or saline.", "RCT"),
    ("Participants were assigned by computer-generated list to two arms.", "RCT"),
    ("Eighty participants randomly were assigned to four groups.", "RCT"),
    ("Participants were divided into two groups of mobile health and workshop, randomly.",
     "RCT"),
    ("In a double-blind, placebo-controlled study of 40 adults", "RCT"),
    ("Healthy men received both diets in a crossover design.", "RCT"),
    ("A non-randomised controlled trial of a school programme", "cohort"),
    ("Patients were not randomized; allocation followed surgeon preference.", "cohort"),
    ("Case-based exercises fail to improve skills: a controlled trial", "cohort"),
    ("In this quasi-experimental study, mothers were enrolled by convenience sampling.",
     "cohort"),
    ("Sixty molars were selected randomly and divided into two groups.", None),
    ("Suspected events were identified by systematic review of data collection forms.", None),
])
def test_design_cues(sentence, design):
    assert design_from_text(sentence) == design


@pytest.fixture(scope="module")
def quiet(resources):
    return Resources(resources.lexicon, resources.ner, extractors=())


def _design(text: str, quiet: Resources) -> str | None:
    raw = RawDocument(path="x.txt", record=0, format="text", text=text)
    doc = process(raw, quiet)
    built = build_document(raw.text, doc.segments, doc.sentences, doc.mentions)
    frame = study.study_frame(built, doc.profile.kind, raw.metadata, tagger=False)
    return frame.design if frame is not None else None


def test_an_unlabelled_abstract_that_says_the_trial_done_is_an_rct(quiet):
    text = ("Effects of low-dose tamoxifen on breast cancer biomarkers\n\n"
            "Breast carcinoma is the most common malignancy among women. Studies of "
            "chemoprevention with tamoxifen have generated high expectations. A prospective "
            "randomized clinical trial was conducted with 38 patients divided into two groups. "
            "Tamoxifen significantly reduced Ki-67 positivity (p < 0.001).")
    assert _design(text, quiet) == "RCT"


def test_a_title_that_names_its_design_makes_a_report(quiet):
    text = ("TITLE: \nOral vocabulary training for third-graders: A randomized controlled "
            "trial\n\n\n\nBoth explicit methods were more effective than reading aloud.")
    assert _design(text, quiet) == "RCT"


def test_a_trial_called_for_is_not_the_reports_design(quiet):
    text = ("TITLE: \nCoffee intake and pain during computer work\n\n"
            "ABSTRACT.METHODS:\nForty eight subjects were recruited to perform a task.\n\n"
            "ABSTRACT.RESULTS:\nCoffee consumers had lower pain increase (p < 0.05).\n\n"
            "ABSTRACT.CONCLUSIONS:\nHowever, studies with a double blind placebo controlled "
            "randomized design are needed.\n")
    assert _design(text, quiet) != "RCT"


def test_randomised_animals_make_an_animal_study(quiet):
    text = ("TITLE: \nSub-chronic safety of a herbal formulation in rats\n\n"
            "ABSTRACT.OBJECTIVE:\nTo determine target organ safety.\n\n"
            "ABSTRACT.METHODS:\nForty rats were randomly assigned to four groups.\n\n"
            "ABSTRACT.RESULTS:\nNo organ toxicity was seen.\n")
    assert _design(text, quiet) == "animal"
