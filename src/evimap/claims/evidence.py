"""Evidence attributes read from text: study design, sample size, outcomes, dose, population.

Every function here is a pure function of a string (and, for the document fallback, of the
source profile and metadata), so each is tested on its own. The extractor combines them per
sentence or per study frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from .. import vocab

# --- numbers written as digits or words ---------------------------------------------------------

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}

_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_SCALE = "|".join(_SCALES)
#: A number in words ("sixty-one", "one hundred and five", "four million").
NUMBER_WORDS = (
    rf"(?:{_WORD})(?:[\s-]+(?:and[\s-]+)?(?:{_WORD}|{_SCALE})\b)*"
)
#: A number in digits ("61", "1,234", "3.5") or in words.
NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|\b(?:{NUMBER_WORDS})\b)"


def parse_number(value: str) -> float | None:
    """The value of a number written in digits or English words; None if it is neither."""
    text = value.strip().lower().replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text):
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        else:
            return None
    return float(total + current)


def _as_int(value: str) -> int | None:
    number = parse_number(value)
    return int(number) if number is not None and number == int(number) else None


# --- venue and institution names ----------------------------------------------------------------

_CAP = r"(?:[A-Z][\w'’.-]*|&|\d{4})"
_LINK = r"(?:of|and|for|the|in|&)"
_NAME_RUN = rf"{_CAP}(?:\s+(?:{_LINK}\s+)*{_CAP})*"
_INSTITUTION = re.compile(
    r"\b(?:Journal|Academy|Association|Society|Foundation|University|Institute|College|"
    r"Hospital|Clinic|Clinics|Center|Centre|Meeting|Conference|Congress|Health Systems?)\b")
_VENUE_AFTER = re.compile(
    r"\b(?:published|featured|reported|presented|appeared|appearing)\s+in\s+(?:the\s+)?"
    r"|\bedition\s+of\s+(?:the\s+)?|\bissue\s+of\s+(?:the\s+)?|\bfindings\s+in\s+(?:the\s+)?")


def name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of journal, institution and meeting names in ``text`` (relative offsets).

    Entities inside them ("Journal of Headache and Pain", "Migraine Research Foundation")
    are part of a name, never the subject or object of a claim.
    """
    spans: list[tuple[int, int]] = []
    for m in re.finditer(_NAME_RUN, text):
        if _INSTITUTION.search(m.group(0)) and " " in m.group(0):
            spans.append((m.start(), m.end()))
    for m in _VENUE_AFTER.finditer(text):
        run = re.match(_NAME_RUN, text[m.end():])
        if run:
            spans.append((m.end(), m.end() + run.end()))
    return sorted(spans)


@lru_cache(maxsize=4096)
def mask_names(text: str) -> str:
    """``text`` with venue and institution names blanked (same length), for cue matching."""
    chars = list(text)
    for start, end in name_spans(text):
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# --- study design ---------------------------------------------------------------------------------

_COMPARATOR = re.compile(
    r"\b(?:compared (?:with|to)|versus|vs\.?|control group|controls|placebo)\b", re.I)

#: Design cue phrases, strongest design first; the first that matches decides
#: (``evimap/vocab/design_cues.tsv``).
DESIGN_CUES: tuple[tuple[str, re.Pattern[str]], ...] = vocab.design_cues()


@lru_cache(maxsize=4096)
def design_from_text(text: str) -> str | None:
    """The study design a sentence or frame names, or None.

    A retrospective analysis of treated patients without a comparator is a case series; with
    one ("compared with", "control group") it is a cohort.
    """
    text = mask_names(text)
    for design, pattern in DESIGN_CUES:
        if pattern.search(text):
            if design == "retrospective":
                return "cohort" if _COMPARATOR.search(text) or "cohort" in text.lower() \
                    else "case_series"
            return design
    return None


#: Source kinds whose own statements carry the document's design.
_DESIGNED_KINDS = frozenset({"peer_reviewed", "review"})
_DESIGN_ALIASES = {"review": "expert_opinion", "rct": "RCT", "meta-analysis": "meta_analysis",
                   "systematic review": "systematic_review", "case report": "case_report",
                   "case series": "case_series"}


def design_from_publication_types(types: Iterable[str]) -> str | None:
    """The strongest design among PubMed publication types ("Review" -> expert_opinion)."""
    return vocab.design_from_publication_types(types)


def document_design(kind: str, hint: str, metadata: Mapping[str, Any]) -> str:
    """The design of a document's own statements (its authors' claims).

    Publication types decide first, then the source profile's design hint, then the source
    kind (a review's own claims are expert opinion). Pages that are not peer-reviewed
    literature make no design claim for their own statements: ``unspecified``.
    """
    types = metadata.get("publication_types") or []
    from_types = design_from_publication_types(types if isinstance(types, Sequence) else [])
    hinted = _DESIGN_ALIASES.get(hint.lower(), hint) if hint else ""
    if kind not in _DESIGNED_KINDS and from_types is None:
        return "unspecified"
    if from_types:
        return from_types
    if hinted and hinted != "unspecified":
        return hinted
    return "expert_opinion" if kind == "review" else "unspecified"


# --- sample size ----------------------------------------------------------------------------------

_PARTICIPANTS = (r"patients|participants|individuals|subjects|people|persons|adults|children|"
                 r"adolescents|women|men|volunteers|cases|migraineurs|sufferers|veterans|"
                 r"survivors|girls|boys|infants|smokers|residents|nurses|couples|families|"
                 r"dyads|outpatients|inpatients")
_COUNT = rf"(?<![\d.,%/])(?P<count>{NUMBER})(?!\s*(?:%|percent|years?|months?|weeks?|days?|mg)\b)"
#: A count of participants: "sixty-one patients", "1,234 postmenopausal women".
_SAMPLE_RE = re.compile(
    rf"\b[nN]\s*=\s*(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+)\b"
    rf"|{_COUNT}\s+(?:[a-z-]+\s+){{0,3}}?(?:{_PARTICIPANTS})\b",
    re.I)
#: What makes a count the study's total: "a total of", "were randomized", "we enrolled".
_STRONG_BEFORE = re.compile(
    r"\b(?:a total of|in total,?|total of|altogether,?|overall,?)\s+(?:the\s+)?$"
    r"|\bN\s*=\s*$", re.I)
_TOTAL_BEFORE = re.compile(
    r"\b(?:sample of|consisting of|comprised|comprising|including|included|enrolled|"
    r"recruited|randomi[sz]ed|randomly assigned|studied|involving|involved|analy[sz]ed)\s+"
    r"(?:the\s+)?$", re.I)
#: The first verb of the count's clause says whether it is the sample or those who left.
_CLAUSE_VERB = re.compile(
    r"\b(?P<total>randomi[sz]ed|randomly|enrolled|recruited|included|assigned|allocated|"
    r"entered|accrued|registered|studied|investigated|evaluated|examined|identified|"
    r"participated|took part|were eligible|treated|received|underwent)\b"
    r"|\b(?P<left>withdrew|withdrawn|dropped out|drop out|discontinued|lost to|were lost|"
    r"died|deaths?|excluded|did not|declined|refused|ineligible|had (?:a )?(?:recurrence|"
    r"relapse|progression|events?)|developed|experienced|responded|achieved|completed|"
    r"remained|were (?:evaluable|assessable|analy[sz]ed))\b", re.I)
_ATTRITION_BEFORE = re.compile(
    r"\b(?:of (?:whom|these|them|those)|among (?:them|these|whom)|remaining|only|"
    r"excluding|except|another|additional|further)\s+$|\([^)]*$", re.I)
_CLAUSE_END = re.compile(r"[.;:]\s|,\s+\d|\bof whom\b|\band\s+(?:the\s+)?(?:other\s+)?"
                         r"(?:\d|[a-z]+-?[a-z]*\s+(?:patients|women|were))", re.I)
#: "580 enrolled patients", "120 randomized women".
_NAMED_INSIDE = re.compile(r"\b(?:enrolled|randomi[sz]ed|recruited|eligible|included|"
                           r"consecutive)\b", re.I)
#: One arm's size: "(n = 45)", "n=47".
_ARM_RE = re.compile(r"\(\s*n\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)\s*[;,)]")


def _candidates(text: str) -> list[tuple[int, int, int]]:
    """(position, value, strength) of the participant counts of ``text``, counts of those
    who left aside. Strength 2: named as the total ("a total of", "N ="); 1: the clause
    says they were randomized, enrolled, included, treated...; 0: a bare count."""
    arms = len(_ARM_RE.findall(text))
    out = []
    for m in _SAMPLE_RE.finditer(text):
        value = _as_int(m.group("n") or m.group("count"))
        if not value or value <= 0:
            continue
        before = text[max(0, m.start() - 40):m.start()]
        after = text[m.end():m.end() + 160]
        stop = _CLAUSE_END.search(after)
        clause = after[:stop.start()] if stop else after
        verb = _CLAUSE_VERB.search(clause)
        arm = m.group("n") is not None and m.group(0)[:1] == "n"
        if arm and arms >= 2:
            continue                                    # one arm of several: summed below
        strong = bool((m.group("n") and not arm) or _STRONG_BEFORE.search(before))
        named = bool(_NAMED_INSIDE.search(m.group(0)))
        if not strong and not named and ((verb and verb.group("left")) or (
                not arm and _ATTRITION_BEFORE.search(before))):
            continue
        strength = 2 if strong else 1 if named or (verb and verb.group("total")) or \
            _TOTAL_BEFORE.search(before) else 0
        out.append((m.start(), value, strength))
    return out


def arms_total(text: str) -> int | None:
    """The sum of the arm sizes one sentence lists ("X (n = 45) or Y (n = 47)" -> 92)."""
    arms = [_as_int(m.group("n")) or 0 for m in _ARM_RE.finditer(text)]
    return sum(arms) if len(arms) >= 2 and all(arms) else None


@lru_cache(maxsize=4096)
def sample_size(text: str) -> int | None:
    """The sample size ``text`` states, sentence by sentence: a count named as the total
    ("A total of 120 patients were randomized", "N = 61") or the first whose clause says
    they were randomized, enrolled or included ("we enrolled sixty women"; two such counts
    in one sentence are arms, summed: "Fifty patients were treated with A and 51 with B");
    else the arms a sentence lists ("n = 45 and n = 47" -> 92); else the first count of
    participants ("sixty-one patients"). Counts of those who withdrew, died or were excluded
    and subsets ("of whom 12 ...") are never the sample.
    """
    text = mask_names(text)
    sentences = re.split(r"(?<=[.;])\s+(?=[A-Z0-9(])", text)
    found = [_candidates(sentence) for sentence in sentences]
    strong = next((v for cands in found for _, v, st in cands if st == 2), None)
    if strong:
        return strong
    for cands in found:
        named = [v for _, v, st in cands if st == 1]
        if named:
            return sum(named) if len(named) >= 2 else named[0]
    for sentence in sentences:
        arms = arms_total(sentence)
        if arms:
            return arms
    return next((cands[0][1] for cands in found if cands), None)


# --- outcome figures ------------------------------------------------------------------------------

_PERCENT_RE = re.compile(
    r"(?<![\w.])(?P<value>\d+(?:\.\d+)?)\s?%(?P<what>(?:\s+(?!and\b|or\b|with\b|in\b|at\b)"
    r"[a-z][a-z-]*){0,3})", re.I)
_FRACTION_RE = re.compile(
    rf"\b(?P<k>{NUMBER})\s+(?:out\s+)?of\s+(?:the\s+)?(?P<n>{NUMBER})\s+(?:[a-z]+\s+)?"
    r"(?P<verb>responded|improved|recovered|remitted|benefit(?:ed)?|reported)", re.I)
_AMONG_RE = re.compile(
    rf"\bamong\s+the\s+(?P<n>{NUMBER})\s+(?:{_PARTICIPANTS}),\s+(?:(?:an?|the)\s+)?"
    rf"(?:[a-z]+\s+)?(?P<k>{NUMBER})\s+(?P<verb>responded|improved|recovered|benefit(?:ed)?)",
    re.I)
_CHANGE_RE = re.compile(
    r"(?P<a>\d+(?:\.\d+)?)\s*(?:->|→|=>)\s*(?P<b>\d+(?:\.\d+)?)\s*(?P<unit>(?:[a-z-]+\s+){0,2}?"
    r"(?:days?|attacks?|points?|hours?|episodes?|mm|score)\b)?"
    r"|(?:reduc|decreas|improv|fell|dropped|declin|lower)\w*[^.;]{0,40}?\bfrom\s+"
    r"(?P<fa>\d+(?:\.\d+)?)\s+(?:[a-z-]+\s+){0,2}?to\s+(?P<fb>\d+(?:\.\d+)?)\s+"
    r"(?P<funit>(?:[a-z-]+\s+){0,2}?(?:days?|attacks?|points?|hours?|episodes?|score)\b)",
    re.I)
_P_VALUE_RE = re.compile(r"\b[pP]\s*(?P<op><|>|=|≤|≥|<=|>=)\s*(?P<v>0?\.\d+)")


def outcomes(text: str) -> list[str]:
    """Outcome figures in ``text``, normalised: "77% success rate", "48 of 61 responded",
    "21.8 -> 16.1 headache days", "p < 0.05"."""
    text = " ".join(text.split())
    found: list[tuple[int, str]] = []
    for m in _PERCENT_RE.finditer(text):
        what = m.group("what").strip()
        found.append((m.start(), f"{m.group('value')}%" + (f" {what}" if what else "")))
    for rx in (_FRACTION_RE, _AMONG_RE):
        for m in rx.finditer(text):
            k, n = _as_int(m.group("k")), _as_int(m.group("n"))
            if k is not None and n is not None and k <= n:
                found.append((m.start(), f"{k} of {n} {m.group('verb').lower()}"))
    for m in _CHANGE_RE.finditer(text):
        a, b = m.group("a") or m.group("fa"), m.group("b") or m.group("fb")
        unit = (m.group("unit") or m.group("funit") or "").strip()
        found.append((m.start(), f"{a} -> {b}" + (f" {unit}" if unit else "")))
    for m in _P_VALUE_RE.finditer(text):
        value = m.group("v") if m.group("v").startswith("0") else "0" + m.group("v")
        found.append((m.start(), f"p {m.group('op')} {value}"))
    return _unique(figure for _, figure in sorted(found))


# --- dose -----------------------------------------------------------------------------------------

_DOSE_UNIT = (r"mg/kg(?:/h(?:our)?|/day)?|mg/day|mg|milligrams?|micrograms?|mcg|µg|μg|"
              r"grams?|g|ml|mL|milliliters?|IU|international units|units")
_DOSE_RE = re.compile(
    rf"(?<![\w.])(?P<dose>(?:{NUMBER})(?:\s*(?:to|-|–)\s*(?:{NUMBER}))?[\s-]*"
    rf"(?:{_DOSE_UNIT})(?![\w/])(?:[\s-]+doses?\b)?)", re.I)


def doses(text: str) -> list[str]:
    """Doses in ``text`` as written: "25-milligram dose", "10 to 50 milligrams", "0.5 mg/kg"."""
    return _unique(" ".join(m.group("dose").split()) for m in _DOSE_RE.finditer(text))


# --- population -----------------------------------------------------------------------------------

_MODIFIERS = (r"chronic|refractory|episodic|severe|acute|persistent|treatment-resistant|"
              r"intractable|new daily|daily|recurrent|mild|moderate|menstrual|pediatric|"
              r"paediatric|adult|elderly|medication-overuse|comorbid|concomitant|"
              r"difficult-to-treat")
_MODIFIER_RUN = re.compile(rf"(?:\b(?:{_MODIFIERS})(?:,|\s)+)+$", re.I)
_LEADING_MODIFIER = re.compile(rf"^(?:{_MODIFIERS})\b", re.I)


def population(text: str, start: int, end: int) -> str | None:
    """The population a condition mention at ``text[start:end]`` names, with its modifiers
    ("chronic migraine", "refractory headaches"); None when the mention has no modifier."""
    mention = text[start:end]
    if _LEADING_MODIFIER.match(mention):
        return " ".join(mention.split())
    run = _MODIFIER_RUN.search(text[max(0, start - 40):start])
    if not run:
        return None
    return " ".join(f"{run.group(0).strip(' ,')} {mention}".split())


# --- quoted experts -------------------------------------------------------------------------------

_EXPERT_RE = re.compile(
    r"\b(?i:according to) "
    r"(?P<who>(?:Dr\.?|Prof\.?|Professor)\s+[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})")


def quoted_expert(text: str) -> str | None:
    """The expert a sentence attributes its statement to ("According to Dr. Eric Schwenk")."""
    m = _EXPERT_RE.search(text)
    return m.group("who") if m else None


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
