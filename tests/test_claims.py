"""Stage 6, extract claims: evidence attributes, modality, rules, frames, and the seeds.

Most tests build a document from code: segments by hand, sentences from ``evimap.text``,
mentions from a small term table (longest match first), so the extractor is tested apart
from the recogniser. The seed tests at the end run the real stages 2-5 on the seed pages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from evimap.claims import evidence as ev
from evimap.claims import extract_claims, modality
from evimap.model import (
    ASSERTERS,
    DESIGNS,
    PREDICATES,
    Claim,
    Concept,
    Mention,
    Segment,
    Sentence,
    SourceProfile,
)
from evimap.text import sentences as split_sentences

# --- a document built from code ------------------------------------------------------------------

TERMS: dict[str, tuple[str, str, str]] = {
    "ketamine": ("D007649", "Ketamine", "chemical"),
    "milnacipran": ("D000078764", "Milnacipran", "chemical"),
    "topiramate": ("D000077236", "Topiramate", "chemical"),
    "magnesium": ("D008274", "Magnesium", "chemical"),
    "memantine": ("D008559", "Memantine", "chemical"),
    "provigil": ("D000077408", "Modafinil", "chemical"),
    "sildenafil": ("D000068677", "Sildenafil Citrate", "chemical"),
    "mao inhibitor": ("D008996", "Monoamine Oxidase Inhibitors", "chemical"),
    "triptans": ("D014363", "Tryptamines", "chemical"),
    "acupuncture": ("D015670", "Acupuncture Therapy", "procedure"),
    "glutamate receptors": ("D017470", "Receptors, Glutamate", "mechanism"),
    "glutamate": ("D018698", "Glutamic Acid", "mechanism"),
    "serotonin syndrome": ("D020230", "Serotonin Syndrome", "disease"),
    "serotonin": ("D012701", "Serotonin", "mechanism"),
    "norepinephrine": ("D009638", "Norepinephrine", "mechanism"),
    "nmda": ("D016194", "Receptors, N-Methyl-D-Aspartate", "mechanism"),
    "migraine headaches": ("D008881", "Migraine Disorders", "disease"),
    "migraines": ("D008881", "Migraine Disorders", "disease"),
    "migraine": ("D008881", "Migraine Disorders", "disease"),
    "headaches": ("D006261", "Headache", "disease"),
    "headache": ("D006261", "Headache", "disease"),
    "fibromyalgia": ("D005356", "Fibromyalgia", "disease"),
    "fms": ("D005356", "Fibromyalgia", "disease"),
    "major depressive disorder": ("D003865", "Depressive Disorder, Major", "disease"),
    "mdd": ("D003865", "Depressive Disorder, Major", "disease"),
    "nausea": ("D009325", "Nausea", "disease"),
    "insomnia": ("D007319", "Sleep Initiation and Maintenance Disorders", "disease"),
    "constipation": ("D003248", "Constipation", "disease"),
    "pain": ("D010146", "Pain", "disease"),
    "drug": ("D004364", "Pharmaceutical Preparations", "chemical"),
}
_TERM_RE = re.compile(r"\b(?:" + "|".join(
    re.escape(t) for t in sorted(TERMS, key=len, reverse=True)) + r")\b", re.I)

MIGRAINE, KETAMINE, MILNACIPRAN = "D008881", "D007649", "D000078764"


def profile(kind: str = "patient_education", design: str = "unspecified") -> SourceProfile:
    return SourceProfile(kind=kind, credibility=0.5, design=design)


Part = tuple[Any, ...]     # (segment kind, text) or (kind, text, extra Segment fields)


def document(parts: Sequence[Part]) -> tuple[str, list[Segment], list[Sentence], list[Mention]]:
    """Text, segments, sentences and mentions from (kind, text[, Segment fields]) parts."""
    text, segments = "", []
    for part in parts:
        kind, body, extra = part[0], part[1], (part[2] if len(part) > 2 else {})
        start = len(text)
        text += body
        segments.append(Segment(kind, start, len(text), body, **extra))
        text += "\n\n"
    sents = [Sentence(s, e, i) for i, seg in enumerate(segments)
             for s, e in split_sentences(text, seg.start, seg.end)]
    mentions = [Mention(m.start(), m.end(), m.group(0), Concept(*TERMS[m.group(0).lower()]), i)
                for i, seg in enumerate(segments)
                for m in _TERM_RE.finditer(text, seg.start, seg.end)]
    return text, segments, sents, mentions


def extract(parts: Sequence[Part], kind: str = "patient_education",
            metadata: dict[str, Any] | None = None, design: str = "unspecified") -> list[Claim]:
    text, segments, sents, mentions = document(parts)
    return extract_claims(text, segments, sents, mentions, profile(kind, design), metadata or {})


def body(*paragraphs: str) -> list[Part]:
    return [("body", p) for p in paragraphs]


def triples(claims: Iterable[Claim]) -> set[tuple[str, str, str]]:
    return {(c.subject.name, c.predicate, c.object.name) for c in claims}


def find(claims: Iterable[Claim], subject: str, predicate: str, obj: str) -> list[Claim]:
    return [c for c in claims
            if (c.subject.name, c.predicate, c.object.name) == (subject, predicate, obj)]


# --- evidence: numbers, sample size, outcomes, dose, population ----------------------------------

@pytest.mark.parametrize(("words", "value"), [
    ("six", 6), ("sixty-one", 61), ("seventy seven", 77), ("one hundred and five", 105),
    ("1,234", 1234), ("3.5", 3.5), ("four million", 4_000_000), ("banana", None),
])
def test_parse_number(words: str, value: float | None) -> None:
    assert ev.parse_number(words) == value


@pytest.mark.parametrize(("text", "n"), [
    ("reported that six individuals who underwent IV ketamine", 6),
    ("the study examined sixty-one patients who underwent", 61),
    ("This study involved seventy-seven patients receiving ketamine", 77),
    ("a cohort (n = 61) of adults", 61),
    ("we enrolled 1,234 participants", 1234),
    ("61 consecutive adult patients", 61),
    ("three studies on the effects of extended infusion", None),
    ("an impressive forty-eight responded positively", None),
    ("around 40% of patients experience relief", None),
])
def test_sample_size(text: str, n: int | None) -> None:
    assert ev.sample_size(text) == n


def test_mask_names_keeps_offsets() -> None:
    text = "featured in the Journal of Emergency Medicine, seventy-seven patients"
    masked = ev.mask_names(text)
    assert len(masked) == len(text) and "Emergency" not in masked
    assert ev.sample_size(masked) == 77


def test_outcomes_from_the_clinic_page() -> None:
    text = ("Among the sixty-one participants, an impressive forty-eight responded positively "
            "to the treatment, resulting in a 77% success rate, with 40% experiencing "
            "sustained relief.")
    assert ev.outcomes(text) == [
        "48 of 61 responded", "77% success rate", "40% experiencing sustained relief"]


@pytest.mark.parametrize(("text", "expected"), [
    ("headache days went 21.8 -> 16.1 headache days", ["21.8 -> 16.1 headache days"]),
    ("reduced monthly headache days from 21.8 to 16.1 headache days",
     ["21.8 -> 16.1 headache days"]),
    ("48 of 61 patients responded", ["48 of 61 responded"]),
    ("the difference was significant (p < 0.05)", ["p < 0.05"]),
    ("significant (P=.03)", ["p = 0.03"]),
    ("lasting from thirty to one hundred days", []),
    ("(4–14 days)", []),
])
def test_outcomes(text: str, expected: list[str]) -> None:
    assert ev.outcomes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a 25-milligram dose of ketamine nasal spray", ["25-milligram dose"]),
    ("doses ranging from 10 to 50 milligrams were safe", ["10 to 50 milligrams"]),
    ("an infusion of 0.5 mg/kg over 40 minutes", ["0.5 mg/kg"]),
    ("in the December 2016 edition", []),
    ("in the past 14 days", []),
])
def test_doses(text: str, expected: list[str]) -> None:
    assert ev.doses(text) == expected


@pytest.mark.parametrize(("text", "mention", "expected"), [
    ("pain severity associated with chronic migraines.", "migraines", "chronic migraines"),
    ("for the treatment of refractory headaches.", "headaches", "refractory headaches"),
    ("in individuals with chronic migraine and comorbid fibromyalgia", "fibromyalgia",
     "comorbid fibromyalgia"),
    ("for the treatment of migraine.", "migraine", None),
])
def test_population(text: str, mention: str, expected: str | None) -> None:
    start = text.index(mention)
    assert ev.population(text, start, start + len(mention)) == expected


# --- evidence: design ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "design"), [
    ("A meta-analysis of 12 trials", "meta_analysis"),
    ("We performed a systematic review of", "systematic_review"),
    ("A randomized, double-blind, placebo-controlled study published in", "RCT"),
    ("a randomised trial", "RCT"),
    ("a placebo-controlled crossover study", "RCT"),
    ("In another prospective cohort, open-label study", "cohort"),
    ("an open-label extension", "cohort"),
    ("the retrospective analysis undertaken by Thomas Jefferson University", "case_series"),
    ("a retrospective review compared with matched controls", "cohort"),
    ("a retrospective cohort study", "cohort"),
    ("a case series featured in the December 2016 edition", "case_series"),
    ("We report a case of", "case_report"),
    ("Animal studies indicate that glutamate plays a key role", "animal"),
    ("ketamine reduced allodynia in rats", "animal"),
    ("in vitro experiments on cell cultures", "in_vitro"),
    ("Population genetic studies implicate genes", None),
    ("a non-randomized comparison", None),
])
def test_design_from_text(text: str, design: str | None) -> None:
    assert ev.design_from_text(text) == design


def test_design_ignores_journal_names() -> None:
    assert ev.design_from_text("published in the Journal of Animal Studies Research") is None


@pytest.mark.parametrize(("kind", "hint", "types", "design"), [
    ("peer_reviewed", "unspecified", ["Journal Article", "Randomized Controlled Trial"], "RCT"),
    ("peer_reviewed", "unspecified", ["Meta-Analysis", "Review"], "meta_analysis"),
    ("review", "unspecified", ["Journal Article", "Review"], "expert_opinion"),
    ("review", "unspecified", [], "expert_opinion"),
    ("peer_reviewed", "unspecified", ["Case Reports"], "case_report"),
    ("peer_reviewed", "RCT", [], "RCT"),
    ("peer_reviewed", "unspecified", [], "unspecified"),
    ("news", "RCT", [], "unspecified"),
    ("commercial", "unspecified", [], "unspecified"),
])
def test_document_design(kind: str, hint: str, types: list[str], design: str) -> None:
    assert ev.document_design(kind, hint, {"publication_types": types}) == design


def test_name_spans_cover_journals_and_institutions() -> None:
    text = ("a case series featured in the December 2016 edition of the Journal of Headache "
            "and Pain reported; during the American Academy of Pain’s annual meeting; as "
            "published in Regional Anesthesia & Pain Medicine 2018.")
    names = [text[s:e] for s, e in ev.name_spans(text)]
    assert "Journal of Headache and Pain" in names
    assert any(n.startswith("American Academy of Pain") for n in names)
    assert "Regional Anesthesia & Pain Medicine 2018" in names


def test_quoted_expert() -> None:
    assert ev.quoted_expert("According to Dr. Eric Schwenk, Director of") == "Dr. Eric Schwenk"
    assert ev.quoted_expert("According to findings in the British Journal") is None


# --- modality ------------------------------------------------------------------------------------

def test_hedges_of_an_aside_do_not_count() -> None:
    sentence = ("Levels of glutamate are higher in the brain and possibly also in the "
                "peripheral circulation in migraine patients.")
    assert not modality.hedged(sentence)
    assert modality.hedged("Ketamine may be beneficial in chronic migraine.")


def test_hedges_are_scoped_to_the_clause() -> None:
    sentence = "Studies implicate X in migraine, and mutations may influence glutamate signaling."
    assert not modality.hedged(sentence, 0, 30)
    assert modality.hedged(sentence, 40, 60)


@pytest.mark.parametrize(("sentence", "expected"), [
    ("A study investigated whether sildenafil could induce migraine attacks.", True),
    ("How Does Ketamine Relieve Migraine Headaches?", True),
    ("Further studies are needed to delineate the roles of glutamate.", True),
    ("Ketamine relieved migraine in six patients.", False),
])
def test_hypothetical(sentence: str, expected: bool) -> None:
    assert modality.hypothetical(sentence) is expected


@pytest.mark.parametrize(("sentence", "expected"), [
    ("forty-eight responded positively to the treatment", "positive"),
    ("experienced temporary reductions in pain severity", "positive"),
    ("topiramate did not reduce migraine frequency", "negative"),
    ("there was no significant effect on headache days", "negative"),
    ("This study involved seventy-seven patients", None),
])
def test_efficacy(sentence: str, expected: str | None) -> None:
    assert modality.efficacy(sentence) == expected


# --- relation rules ------------------------------------------------------------------------------

REVIEW_SENTENCE = (
    "Multiple therapies that target glutamate receptors including magnesium, topiramate, "
    "memantine, and ketamine have been reported to have efficacy in the treatment of migraine, "
    "although with the exception of topiramate, the evidence for the efficacy of these "
    "therapies is not strong.")


def test_coordinated_list_expands_and_exception_is_not_hedged() -> None:
    claims = extract([("abstract", REVIEW_SENTENCE)], kind="review")
    treats = {c.subject.name: c for c in claims if c.predicate == "treats"}
    assert set(treats) == {"Magnesium", "Topiramate", "Memantine", "Ketamine"}
    assert not treats["Topiramate"].hedged
    assert all(treats[n].hedged for n in ("Magnesium", "Memantine", "Ketamine"))
    targets = find(claims, "Ketamine", "targets", "Receptors, Glutamate")
    assert targets and all(c.object.id == "D017470" for c in targets)
    assert {c.evidence.design for c in claims} == {"expert_opinion"}
    assert {c.evidence.asserted_by for c in claims} == {"authors"}


@pytest.mark.parametrize(("sentence", "triple", "qualifiers"), [
    ("Milnacipran works by inhibiting the reuptake of serotonin and norepinephrine.",
     ("Milnacipran", "targets", "Serotonin"), {"action": "reuptake inhibitor"}),
    ("This stems from ketamine’s role as an NMDA antagonist, which blocks pain pathways.",
     ("Ketamine", "targets", "Receptors, N-Methyl-D-Aspartate"), {"action": "antagonist"}),
    ("There is evidence suggesting that ketamine can decrease glutamate activity.",
     ("Ketamine", "targets", "Glutamic Acid"), {"action": "inhibitor"}),
    ("Milnacipran is a prescription medication that is FDA-approved to treat fibromyalgia.",
     ("Milnacipran", "approved_for", "Fibromyalgia"), {}),
    ("Do not use milnacipran if you have used an MAO inhibitor in the past 14 days.",
     ("Milnacipran", "contraindicated_with", "Monoamine Oxidase Inhibitors"), {}),
    ("There is substantial evidence indicating a role for glutamate in migraine.",
     ("Glutamic Acid", "associated_with", "Migraine Disorders"), {}),
    ("As the brain’s primary excitatory neurotransmitter, glutamate is intricately linked to "
     "migraine pain.", ("Glutamic Acid", "associated_with", "Migraine Disorders"), {}),
    ("Levels of glutamate are higher in the brain and possibly also in the peripheral "
     "circulation in migraine patients.", ("Glutamic Acid", "elevated_in", "Migraine Disorders"),
     {}),
    ("Ketamine-induced nausea was common.", ("Ketamine", "causes_adverse_effect", "Nausea"), {}),
    ("Ketamine can cause nausea.", ("Ketamine", "causes_adverse_effect", "Nausea"), {}),
    ("Topiramate prevents migraine.", ("Topiramate", "prevents", "Migraine Disorders"), {}),
    ("Magnesium is used for the prophylaxis of migraine.",
     ("Magnesium", "prevents", "Migraine Disorders"), {}),
    ("Milnacipran was associated with a significant reduction in migraine frequency.",
     ("Milnacipran", "treats", "Migraine Disorders"), {}),
])
def test_single_sentence_rules(sentence: str, triple: tuple[str, str, str],
                               qualifiers: dict[str, str]) -> None:
    claims = find(extract(body(sentence)), *triple)
    assert len(claims) == 1, triples(extract(body(sentence)))
    claim = claims[0]
    assert qualifiers.items() <= claim.qualifiers.items()
    assert not claim.negated
    assert claim.sentence == sentence and claim.segment_kind == "body"


def test_levels_too_low_and_too_high_in_people_with() -> None:
    sentence = ("Another neurotransmitter is not quite right in people with fibromyalgia (FMS) "
                "- but while serotonin and norepinephrine levels are too low, glutamate is too "
                "high.")
    claims = extract(body(sentence), kind="news")
    assert triples(claims) == {
        ("Serotonin", "reduced_in", "Fibromyalgia"),
        ("Norepinephrine", "reduced_in", "Fibromyalgia"),
        ("Glutamic Acid", "elevated_in", "Fibromyalgia"),
    }
    assert not any(c.negated for c in claims)


def test_side_effect_list_with_an_unrecognised_item() -> None:
    claims = extract(body("Common side effects of milnacipran include nausea, headache, dry "
                          "mouth, insomnia, and constipation."))
    assert {c.object.name for c in claims if c.predicate == "causes_adverse_effect"} == {
        "Nausea", "Headache", "Sleep Initiation and Maintenance Disorders", "Constipation"}


@pytest.mark.parametrize("sentence", [
    "Topiramate did not reduce migraine frequency in this trial.",
    "Topiramate was not effective in treating migraine.",
])
def test_negated_treatment_verb_is_a_negated_treats(sentence: str) -> None:
    # pages-dev's convention: a negated verb keeps the positive relation, negated
    claims = extract(body(sentence))
    assert [(c.predicate, c.negated) for c in claims] == [("treats", True)]


@pytest.mark.parametrize("sentence", [
    "Topiramate had no significant effect on migraine.",
    "Topiramate showed no benefit in migraine.",
    "There was no overall effect of topiramate on migraine in this trial.",
    "The researchers observed no difference in migraine between topiramate and placebo.",
])
def test_no_effect_wording_is_no_effect(sentence: str) -> None:
    claims = extract(body(sentence))
    assert [(c.predicate, c.negated) for c in claims] == [("no_effect", False)]


def test_not_approved_is_a_negated_approval_and_makes_use_off_label() -> None:
    claims = extract(body(
        "Milnacipran is not approved by the FDA for the treatment of migraine. "
        "Milnacipran may also be beneficial for those with migraine."))
    approval = find(claims, "Milnacipran", "approved_for", "Migraine Disorders")
    assert len(approval) == 1 and approval[0].negated
    treats = find(claims, "Milnacipran", "treats", "Migraine Disorders")
    assert len(treats) == 1 and treats[0].hedged and treats[0].qualifiers["off_label"] is True


def test_off_label_sentence_and_coreference() -> None:
    claims = extract(body(
        "Milnacipran is FDA-approved to treat fibromyalgia. It is also used off-label, at "
        "times, for the treatment of major depressive disorder (MDD) and migraine."))
    treats = [c for c in claims if c.predicate == "treats"]
    assert {c.object.name for c in treats} == {"Depressive Disorder, Major", "Migraine Disorders"}
    assert all(c.subject.id == MILNACIPRAN and c.qualifiers["off_label"] for c in treats)
    assert all(c.qualifiers["via"] == "coreference" for c in treats)
    assert not find(claims, "Milnacipran", "treats", "Fibromyalgia")


def test_implicit_subject_from_section_heading() -> None:
    parts = [("title", "Milnacipran for Migraine"),
             ("body", "Other Considerations for Milnacipran", {"label": "heading"}),
             ("body", "Risk of serotonin syndrome if used with triptans, but unlikely.")]
    claims = extract(parts)
    interaction = find(claims, "Milnacipran", "interacts_with", "Tryptamines")
    assert len(interaction) == 1
    assert interaction[0].qualifiers["effect"] == "Serotonin Syndrome"
    assert interaction[0].qualifiers["via"] == "implicit_subject:heading"
    assert not [c for c in claims if c.predicate == "causes_adverse_effect"]
    assert find(claims, "Milnacipran", "treats", "Migraine Disorders")[0].segment_kind == "title"


def test_x_for_y_only_in_titles_and_headings() -> None:
    assert not extract(body("We talked about ketamine for hours; migraine came up too."))
    assert triples(extract([("title", "Ketamine for Migraine")])) == {
        ("Ketamine", "treats", "Migraine Disorders")}


@pytest.mark.parametrize("sentence", [
    "Ketamine and migraine were both discussed at the meeting.",
    "Patients with migraine often ask about ketamine.",
    "Glutamate levels in the insula were lower, and migraine was not measured.",
    "The drug was discussed for hours.",
])
def test_co_occurrence_alone_is_no_claim(sentence: str) -> None:
    assert extract(body(sentence)) == []


def test_no_claims_outside_content_segments() -> None:
    claims = extract([("boilerplate", "Ketamine helps treat migraine headaches. Book now!"),
                      ("metadata", "Keywords: ketamine treats migraine"),
                      ("cited_source", "Source: ketamine relieves migraine, J Pain 2010")])
    assert claims == []


def test_question_and_aim_are_hypothetical() -> None:
    claims = extract(body(
        "A randomized, double-blind, placebo-controlled study investigated whether sildenafil "
        "could induce migraine attacks."))
    assert [(c.predicate, c.hypothetical, c.evidence.design) for c in claims] == [
        ("causes_adverse_effect", True, "RCT")]


def test_negation_outside_the_trigger_does_not_negate() -> None:
    claims = extract([("comment", "I didn’t know Provigil acted on glutamate.",
                       {"author": "Heather"})], kind="news")
    assert [(c.predicate, c.negated, c.qualifiers["action"]) for c in claims] == [
        ("targets", False, "modulator")]


def test_comment_claims_are_anecdotes_by_commenters() -> None:
    parts = [("title", "Glutamate tied to fibromyalgia"),
             ("comment", "I didn’t know Provigil acted on glutamate. I see it prescribed for "
                         "FMS patients. A randomized trial showed it helps treat fibromyalgia.",
              {"author": "Heather"})]
    claims = [c for c in extract(parts, kind="news") if c.segment_kind == "comment"]
    assert {c.predicate for c in claims} == {"targets", "treats"}
    assert {(c.evidence.design, c.evidence.asserted_by) for c in claims} == {
        ("anecdote", "commenter")}


def test_every_claim_uses_the_model_vocabularies() -> None:
    claims = extract(body(REVIEW_SENTENCE, "Ketamine can cause nausea."))
    assert claims
    for c in claims:
        assert c.predicate in PREDICATES and c.evidence.design in DESIGNS
        assert c.evidence.asserted_by in ASSERTERS


# --- study frames --------------------------------------------------------------------------------

CLINIC_PAGE: list[Part] = [
    ("title", "How Ketamine Helps Treat Migraine Headaches"),
    ("body", "For instance, a case series featured in the December 2016 edition of the Journal "
             "of Headache and Pain reported that six individuals who underwent IV ketamine "
             "treatment experienced temporary reductions in pain severity associated with "
             "chronic migraines."),
    ("body", "Exploring Ketamine’s Potential for Migraine Relief: Recent Research",
     {"label": "heading"}),
    ("body", "Consider, for instance, the retrospective analysis undertaken by Thomas Jefferson "
             "University, as published in Regional Anesthesia & Pain Medicine 2018. Over a span "
             "of three years, the study examined sixty-one patients who underwent five-day "
             "intravenous ketamine therapy sessions."),
    ("body", "Patients with a pain rating of two were monitored during follow-up visits. Among "
             "the sixty-one participants, an impressive forty-eight responded positively to the "
             "treatment, resulting in a 77% success rate, with 40% experiencing sustained "
             "relief. Intriguingly, research shows that ketamine can provide rapid relief."),
    ("body", "Another study, featured in the Journal of Emergency Medicine, explored the "
             "potential of ketamine infusions for the treatment of refractory headaches. This "
             "study involved seventy-seven patients receiving ketamine treatments, with "
             "sixty-three suffering from chronic migraines. The findings indicated that "
             "Subanesthetic ketamine infusions may be beneficial in individuals with chronic "
             "migraines who have not responded to other aggressive treatment options."),
]


def test_each_study_frame_is_one_evidence_item() -> None:
    claims = find(extract(CLINIC_PAGE, kind="commercial"), "Ketamine", "treats",
                  "Migraine Disorders")
    studies = sorted((c for c in claims if c.evidence.asserted_by == "quoted_study"),
                     key=lambda c: c.start)
    assert [(c.evidence.design, c.evidence.n, c.hedged) for c in studies] == [
        ("case_series", 6, False), ("case_series", 61, False), ("unspecified", 77, True)]
    series, retrospective, infusion = studies
    assert series.evidence.population == "chronic migraines"
    assert retrospective.evidence.outcomes == [
        "48 of 61 responded", "77% success rate", "40% experiencing sustained relief"]
    assert retrospective.sentence.startswith("Among the sixty-one participants")
    assert retrospective.qualifiers["object_from"] == "heading"
    assert retrospective.evidence.study == (
        "the retrospective analysis undertaken by Thomas Jefferson University")
    assert "may be beneficial" in infusion.sentence
    text = document(CLINIC_PAGE)[0]
    assert all(text[c.start:c.end] == c.sentence for c in claims)
    page = [c for c in claims if c.evidence.asserted_by == "page_author"]
    assert [(c.segment_kind, c.hedged) for c in page] == [("title", False), ("body", True)]
    assert page[1].sentence.startswith("Exploring Ketamine")


def test_venue_names_give_no_conditions() -> None:
    claims = extract(CLINIC_PAGE[:2], kind="commercial")
    assert {c.object.name for c in claims} == {"Migraine Disorders"}


def test_frame_without_an_effect_claims_nothing() -> None:
    claims = extract(body("In a recently published study, researchers measured glutamate in "
                          "people with fibromyalgia who underwent acupuncture sessions."))
    assert claims == []


def test_frame_hits_take_the_frame_evidence() -> None:
    claims = extract(body(
        "In another prospective cohort, open-label study, milnacipran was associated with a "
        "significant reduction in headache and migraine frequency, especially in those with "
        "episodic migraine."))
    assert {(c.object.name, c.evidence.design, c.evidence.asserted_by) for c in claims} == {
        ("Headache", "cohort", "quoted_study"), ("Migraine Disorders", "cohort", "quoted_study")}
    assert len(claims) == 2


def test_extraction_is_deterministic() -> None:
    first = extract(CLINIC_PAGE, kind="commercial")
    second = extract(CLINIC_PAGE, kind="commercial")
    assert [(c.key, c.start, c.evidence) for c in first] == [
        (c.key, c.start, c.evidence) for c in second]


# --- the seeds, through the real stages 2-5 ------------------------------------------------------

SeedClaims = dict[str, list[Claim]]


@pytest.fixture(scope="module")
def seed_claims(seed_paths: dict[str, Path], settings: Any) -> SeedClaims:
    """Claims of every seed page through the real pipeline (read, stages 2-6)."""
    from evimap.pipeline import load_resources, process
    from evimap.read import read_file

    resources = load_resources(settings)
    return {key: [c for raw in read_file(path, settings) if not isinstance(raw, Exception)
                  for c in process(raw, resources).claims]
            for key, path in seed_paths.items()}


def _ids(claims: Iterable[Claim], subject: str, predicate: str, obj: str) -> list[Claim]:
    return [c for c in claims
            if (c.subject.id, c.predicate, c.object.id) == (subject, predicate, obj)]


def test_seed_004_ketamine_studies(seed_claims: SeedClaims) -> None:
    claims = _ids(seed_claims["004"], KETAMINE, "treats", MIGRAINE)
    studies = {c.evidence.n: c for c in claims if c.evidence.asserted_by == "quoted_study"}
    assert {6, 61, 77} <= set(studies)
    assert studies[6].evidence.design == "case_series"
    assert studies[61].evidence.design == "case_series"
    assert "77% success rate" in studies[61].evidence.outcomes
    assert studies[77].hedged and not studies[6].hedged and not studies[61].hedged
    nmda = _ids(seed_claims["004"], KETAMINE, "targets", "D016194")
    assert nmda and nmda[0].qualifiers["action"] == "antagonist"


def test_seed_003_milnacipran(seed_claims: SeedClaims) -> None:
    claims = seed_claims["003"]
    assert _ids(claims, MILNACIPRAN, "approved_for", "D005356")
    assert any(c.negated for c in _ids(claims, MILNACIPRAN, "approved_for", MIGRAINE))
    treats = _ids(claims, MILNACIPRAN, "treats", MIGRAINE)
    assert any(c.hedged and c.qualifiers.get("off_label") for c in treats)
    assert _ids(claims, MILNACIPRAN, "contraindicated_with", "D008996")
    interaction = _ids(claims, MILNACIPRAN, "interacts_with", "D014363")
    assert interaction and interaction[0].qualifiers["effect_id"] == "D020230"
    assert not any(c.object.id == "D010146" and c.evidence.asserted_by == "quoted_study"
                   for c in claims)


def test_seed_000_001_review(seed_claims: SeedClaims) -> None:
    for key in ("000", "001"):
        claims = seed_claims[key]
        assert _ids(claims, "D018698", "elevated_in", MIGRAINE)
        topiramate = _ids(claims, "D000077236", "treats", MIGRAINE)
        assert topiramate and not any(c.hedged for c in topiramate)
        assert all(c.hedged for c in _ids(claims, "D008274", "treats", MIGRAINE))
    assert {c.evidence.design for c in seed_claims["000"]} <= {"expert_opinion", "animal"}


def test_seed_002_news_and_comments(seed_claims: SeedClaims) -> None:
    claims = seed_claims["002"]
    assert _ids(claims, "D018698", "associated_with", "D005356")
    assert _ids(claims, "D018698", "elevated_in", "D005356")
    comments = [c for c in claims if c.segment_kind == "comment"]
    assert comments
    assert {(c.evidence.design, c.evidence.asserted_by) for c in comments} == {
        ("anecdote", "commenter")}


def test_seed_claims_quote_their_sentences(seed_claims: SeedClaims,
                                           seed_paths: dict[str, Path]) -> None:
    for key, claims in seed_claims.items():
        text = unicodedata.normalize("NFC", seed_paths[key].read_text(encoding="utf-8"))
        assert all(" ".join(text[c.start:c.end].split()) == " ".join(c.sentence.split())
                   for c in claims)
        assert not any(c.segment_kind not in ("title", "abstract", "body", "comment")
                       for c in claims)


@pytest.mark.parametrize("sentence", [
    "Migraine is relieved by ketamine in most patients.",
    "Migraine attacks were reduced with low-dose ketamine.",
])
def test_passive_relief_names_the_treatment_after_by(sentence: str) -> None:
    claims = extract(body(sentence))
    assert [(c.subject.name, c.predicate, c.object.name, c.negated) for c in claims] == [
        ("Ketamine", "treats", "Migraine Disorders", False)]
