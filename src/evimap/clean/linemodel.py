"""The line model: how likely a unit of a plain-text scrape is site chrome.

A logistic regression over general features of a unit and its neighbours: shape (length,
stopwords, capitals, punctuation, digits), place in the page (position, before the first
prose, distance to the nearest prose), repetition, the cue lexicons of :mod:`.cues`, the
metadata detectors, and the term groups of ``chrome_terms.tsv`` (interface words, paywall,
account, banner, credit, promo, share, navigation, related, comment form, bio, copyright,
erratum). No feature names a site. It is trained on pages-dev 001-040 (``evimap train
boilerplate``) and shipped as ``models/boilerplate.json`` (weights, feature names and the
threshold chosen on cross-validation so that no gold content line of those pages is dropped).

The classifier asks it only about plain text (units without reader hints) and only for units
its rules left undecided, and only those with evidence in their own text (:func:`droppable`):
a unit at or above the threshold becomes chrome with the label of
its strongest term group and the reason ``line model p=...``.
"""

from __future__ import annotations

import csv
import json
import math
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..text import Caseless, lowered, sentences
from .cues import CueAssessment
from .features import Features

HERE = Path(__file__).resolve().parent
TERMS_FILE = HERE / "chrome_terms.tsv"
MODEL_DIR = HERE / "models"
MODEL_FILE = "boilerplate.json"

_DIGIT_RE = re.compile(r"\d")
_YOU_RE = re.compile(r"\b(?:you|your|you['’](?:ve|re|ll)|we|our|us)\b", re.I)
#: A trail of short items between separators: "Home / Health A to Z / Migraine",
#: "Forum index › Treatments", "Print | Email | Share" (two or more spaced separators).
_TRAIL_SEP_RE = re.compile(r"\s(?:/|›|»|>|\||•|·|→|::)\s")
#: An address: what ``\S+@\S+\.\w{2,}|https?://\S+|www\.\S+`` finds, read without the
#: regex's cost on a long run of non-spaces (see :func:`_email_or_url`).
_URL_START_RE = re.compile(r"https?://\S|www\.\S")
_AT_RUN_RE = re.compile(r"(?<!\S)\S*@\S*")      # a run of non-spaces holding an "@"
_DOMAIN_END_RE = re.compile(r"\.\w\w")
#: A reference: a year, then later an author list, volume(issue), DOI or "Name AB,"; or a
#: line that starts with "Name AB, C" (see :func:`_reference_like`).
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
_REFERENCE_TAIL_RE = re.compile(r"\bet al\b|(?<!\d)\d+\s*\(\s*\d+\s*\)|\bdoi\b|"
                                r"[A-Z][a-z]+ [A-Z]{1,2}[,.]|\.\s+[A-Z][a-z]+\.")
_REFERENCE_HEAD_RE = re.compile(r"[A-Z][a-z]+ [A-Z]{1,2}, [A-Z]")


def _email_or_url(text: str) -> bool:
    r"""Whether ``\S+@\S+\.\w{2,}|https?://\S+|www\.\S+`` matches in ``text``, in time linear in
    its length (the regex retries every start in a long run of non-spaces): an e-mail address
    needs, in one run of non-spaces, an "@" after its first character and then, at least two
    characters on, a full stop and two word characters."""
    if _URL_START_RE.search(text):
        return True
    for run in _AT_RUN_RE.finditer(text):
        at = text.find("@", run.start() + 1, run.end())
        if at != -1 and _DOMAIN_END_RE.search(text, at + 2, run.end()):
            return True
    return False


def _reference_like(text: str) -> bool:
    r"""Whether ``\b(?:19|20)\d\d\b.*(?:TAIL)|^HEAD`` (dot matching newlines) matches in
    ``text``, in linear time: only the first year needs looking after (the regex looked
    after every year to the end of the text)."""
    if _REFERENCE_HEAD_RE.match(text):
        return True
    year = _YEAR_RE.search(text)
    return year is not None and _REFERENCE_TAIL_RE.search(text, year.end()) is not None


def is_trail(text: str) -> bool:
    """A breadcrumb or menu trail: one line of at least three short items (at most five words
    each) between spaced separators."""
    t = " ".join(text.split())
    parts = _TRAIL_SEP_RE.split(t)
    return len(parts) >= 3 and all(1 <= len(p.split()) <= 5 for p in parts) and not t.endswith(
        (".", "?", "!"))


def plain_sentences(text: str, cues: CueAssessment,
                    groups: Mapping[str, Caseless] | None = None) -> float:
    """The share of a unit's sentences of 8 words or more that carry no chrome term and no
    cue (a content paragraph that ends with a call to action has one)."""
    spans = [(a, b) for a, b in sentences(text) if len(_WORD_RE.findall(text[a:b])) >= 8]
    if not spans:
        return 0.0
    hits = sorted(h.start for h in cues.hits)
    plain = sum(1 for a, b in spans if not find_terms(text[a:b], groups).counts
                and bisect_left(hits, a) == bisect_left(hits, b))
    return plain / len(spans)


@cache
def term_groups(path: Path = TERMS_FILE) -> dict[str, Caseless]:
    """One compiled pattern per label of ``chrome_terms.tsv``, in the table's order."""
    rows: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as fh:
        lines = (line for line in fh if line.strip() and not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t"):
            rows.setdefault(row["label"], []).append(row["pattern"])
    return {label: Caseless(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in pats) + r")(?!\w)")
            for label, pats in rows.items()}


@dataclass(frozen=True, slots=True)
class TermHits:
    counts: dict[str, int]      # hits per group
    coverage: float             # share of the unit's characters inside a hit
    label: str                  # the group with most covered characters ("" without hits)
    evidence: str               # the longest hit's text


def _visible(text: str) -> int:
    return len(text) - sum(1 for c in text if c.isspace())


def terms_present(texts: Sequence[str]) -> dict[str, Caseless]:
    """The term groups that may occur in one of ``texts`` (a document's units), for
    :func:`find_terms` of each: the others cannot match any of them."""
    low = lowered("\n".join(texts))
    return {label: p for label, p in term_groups().items() if p.may_match(low)}


def find_terms(text: str, groups: Mapping[str, Caseless] | None = None) -> TermHits:
    """The chrome terms of ``text``, by group (``groups``: :func:`terms_present` of its
    document, when known)."""
    spans: list[tuple[int, int]] = []
    counts: dict[str, int] = {}
    chars: dict[str, int] = {}
    evidence = ""
    low = lowered(text)
    for label, pattern in (term_groups() if groups is None else groups).items():
        for m in pattern.finditer(text, low):
            start, end = m.span()
            if end == start:
                continue
            counts[label] = counts.get(label, 0) + 1
            chars[label] = chars.get(label, 0) + end - start
            spans.append((start, end))
            if end - start > len(evidence):
                evidence = text[start:end]
    if not spans:
        return TermHits({}, 0.0, "", "")
    inside, reach = 0, 0
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            inside += _visible(text[start:end])
            reach = end
    letters = _visible(text)
    label = max(chars, key=lambda k: chars[k])
    return TermHits(counts, inside / letters if letters else 0.0, label, evidence)


def _groups() -> list[str]:
    return list(term_groups())


#: Parts of a host name that say nothing about the site ("www.", ".org", ".co.uk").
_HOST_NOISE = frozenset({"www", "com", "org", "net", "gov", "edu", "int", "info", "co", "uk",
                         "au", "ca", "nz", "ie", "de", "fr", "in", "us", "eu", "io", "ac",
                         "http", "https", "html", "htm", "php", "aspx"})
_WORD_RE = re.compile(r"[^\W\d_]+")


def host_words(url: str | None) -> frozenset[str]:
    """The words of a page address's host that name the site ("www.ncbi.nlm.nih.gov" ->
    ncbi, nlm, nih; "mayoclinic.org" -> mayoclinic); none without an address."""
    if not url:
        return frozenset()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower()).split("/")[0]
    host = host.split("@")[-1].split(":")[0]
    return frozenset(p for p in re.split(r"[.-]+", host)
                     if len(p) >= 3 and p.isalpha() and p not in _HOST_NOISE)


def site_words(text: str, host: frozenset[str]) -> set[str]:
    """The words of ``text`` that name the site: a word, or two or three adjacent words run
    together ("Mayo Clinic" for mayoclinic), that is a word of the address's host."""
    if not host:
        return set()
    words = [w.lower() for w in _WORD_RE.findall(text)]
    found: set[str] = set()
    for n in (1, 2, 3):
        for k in range(len(words) - n + 1):
            if "".join(words[k:k + n]) in host:
                found.update(words[k:k + n])
    return found


def names_site(texts: Sequence[str], prose: Sequence[bool], url: str | None) -> list[bool]:
    """Per unit: it names the site with words that are not the page's topic (words of the
    host that at most one prose unit uses: "migraine" of migraine.com is a topic there)."""
    host = host_words(url)
    if not host:
        return [False] * len(texts)
    found = [site_words(t, host) for t in texts]
    uses: dict[str, int] = {}
    for words, p in zip(found, prose, strict=True):
        if p:
            for w in words:
                uses[w] = uses.get(w, 0) + 1
    return [bool(words) and all(uses.get(w, 0) <= 1 for w in words) for words in found]


def feature_names() -> list[str]:
    base = ["words", "chars", "stopwords", "titlecase", "all_caps", "terminal", "truncated",
            "question", "colon_end", "sentences", "digits", "url_or_email", "list_item",
            "position", "before_prose", "prose_distance", "repeated", "cue_score",
            "cue_chrome", "metadata", "reference_like", "bar_separator", "prose",
            "term_coverage", "short_covered", "second_person", "names_site", "trail",
            "plain_sentences"]
    base += [f"term_{g}" for g in _groups()]
    near = ["prose", "chrome", "words", "covered"]
    return base + [f"prev_{n}" for n in near] + [f"next_{n}" for n in near] + ["bias"]


def vectors(texts: Sequence[str], feats: Sequence[Features], cues: Sequence[CueAssessment],
            meta: Sequence[bool], url: str | None = None) -> np.ndarray:
    """The feature matrix of a document's units (rows in order, columns :func:`feature_names`;
    ``url``: the page's address, when known)."""
    n = len(texts)
    groups = _groups()
    present = terms_present(texts)
    terms = [find_terms(t, present) for t in texts]
    cue_chrome = [c.says_boilerplate(f.words) for c, f in zip(cues, feats, strict=True)]
    prose = [f.prose and not cc and not c.hits
             for f, cc, c in zip(feats, cue_chrome, cues, strict=True)]
    prose_at = [i for i in range(n) if prose[i]]
    first = prose_at[0] if prose_at else n
    site = names_site(texts, [f.prose for f in feats], url)
    later = {f.duplicate_of for f in feats} - {None}
    rows: list[list[float]] = []
    for i, (text, f, c, th) in enumerate(zip(texts, feats, cues, terms, strict=True)):
        t = text.strip()
        chars = sum(1 for ch in t if not ch.isspace())
        dist = _nearest_distance(prose_at, i, n)
        row = [
            math.log1p(f.words) / 4, math.log1p(chars) / 7, f.stopword_ratio,
            f.titlecase_ratio, float(f.all_caps), float(f.terminal), float(f.truncated),
            float(f.question), float(t.endswith(":")), min(f.sentences, 5) / 5,
            len(_DIGIT_RE.findall(t)) / chars if chars else 0.0,
            float(_email_or_url(t)), float(f.list_item), f.position,
            float(i < first), math.log1p(dist) / 3,
            float(f.duplicate_of is not None or i in later), min(c.score, 2.0) / 2,
            float(cue_chrome[i]), float(meta[i]), float(_reference_like(t)),
            float("|" in t), float(prose[i]), th.coverage,
            float(th.coverage >= 0.5 and f.words <= 8),
            len(_YOU_RE.findall(t)) / f.words if f.words else 0.0, float(site[i]),
            float(is_trail(t)), plain_sentences(text, c, present),
        ]
        row += [min(th.counts.get(g, 0), 2) / 2 for g in groups]
        rows.append(row)
    out: list[list[float]] = []
    for i, row in enumerate(rows):
        near: list[float] = []
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                near += [float(prose[j]), float(cue_chrome[j]), math.log1p(feats[j].words) / 4,
                         terms[j].coverage]
            else:
                near += [0.0, 0.0, 0.0, 0.0]
        out.append(row + near + [1.0])
    return np.asarray(out, dtype=np.float64).reshape(n, len(feature_names()))


def _nearest_distance(sorted_at: Sequence[int], i: int, default: int) -> int:
    """``min(abs(i - j) for j in sorted_at)`` (``default`` when empty), by bisection."""
    k = bisect_left(sorted_at, i)
    near = [abs(i - sorted_at[j]) for j in (k - 1, k) if 0 <= j < len(sorted_at)]
    return min(near, default=default)


@dataclass(frozen=True, slots=True)
class LineModel:
    weights: np.ndarray
    threshold: float

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(x @ self.weights)))


def read_model(path: Path) -> LineModel | None:
    """The model in ``path``; None when its features are not this code's (then rebuild it)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("features") != feature_names():
        return None
    return LineModel(np.asarray(data["weights"], dtype=np.float64), float(data["threshold"]))


@cache
def shipped_model() -> LineModel | None:
    path = MODEL_DIR / MODEL_FILE
    return read_model(path) if path.exists() else None


_LONG_WORDS = 20
_LONG_COVERAGE = 0.08


def droppable(text: str, feats: Features, cues: CueAssessment) -> bool:
    """Whether the model may drop a unit at all: only one with evidence of chrome in its own
    text (a cue, a chrome term, a trail of links, a reference-like shape, or no letters at
    all; in a unit of more than 20 words, a cue or chrome terms covering 8% of it), so a
    sentence, heading or title without such evidence is never dropped however its
    neighbours look."""
    coverage = find_terms(text).coverage
    if feats.words > _LONG_WORDS and not cues.hits and coverage < _LONG_COVERAGE:
        return False        # a long unit needs more than one chrome word among its words
    return (bool(cues.hits) or coverage > 0 or is_trail(text)
            or _reference_like(text.strip()) or not any(c.isalpha() for c in text))


def label_of(text: str) -> tuple[str, str]:
    """The boilerplate label and the evidence for a unit the model drops."""
    th = find_terms(text)
    if not th.label and is_trail(text):
        return ("navigation", "trail of links")
    return (th.label or "chrome", th.evidence)
