"""Weighted cue lexicons, one per boilerplate label, and their assessment of a unit.

A cue is a regular expression with a label (share, login, cookie, ...) and a weight: 1.0 is
enough on its own ("All rights reserved"), 0.5 only counts on a very short line or together
with another cue ("subscribe"). Some cues *open a region* ("Related posts", "Leave a Comment",
"As seen on"): when they head a short line, what follows them is chrome until strong prose.

A unit is boilerplate by its cues only when every sentence in it carries a cue (or it is short):
a content paragraph that ends with "Get in touch with us today" keeps all its sentences.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from ..text import Caseless, lowered, sentences


@dataclass(frozen=True, slots=True)
class Cue:
    pattern: Caseless
    label: str
    weight: float
    opens: str | None = None    # the label of the region this cue opens, when it heads a line


def _cue(regex: str, label: str, weight: float = 1.0, opens: str | None = None) -> Cue:
    return Cue(Caseless(regex), label, weight, opens)


CUES: tuple[Cue, ...] = (
    # share, like, save, follow
    _cue(r"\badd (?:like|dislike)\b", "share"),
    _cue(r"\badd to (?:saved|favou?rites|my library|collections?|reading list)", "share"),
    _cue(r"^(?:like|dislike|share|tweet|pin it|e-?mail|print|save|reply|report|"
         r"flag|upvote|downvote|like \(\d+\))$", "share"),
    _cue(r"\bshare (?:this|on|via|article|post|story)\b|\bsharing is caring\b", "share"),
    _cue(r"\bfollow (?:me|us) on\b|\bfollow us\b", "share"),
    _cue(r"\b(?:facebook|twitter|linkedin|pinterest|instagram|whatsapp|tiktok)\b", "share", 0.5),
    # sign-in, subscription, paywall
    _cue(r"\b(?:sign|log)(?:ging)?[- ]?in\b|\bsign up\b|\bcreate (?:an|your) account\b",
         "login", 0.6),
    _cue(r"\b(?:institutional|university) (?:access|subscription|login)\b", "login"),
    _cue(r"\binstitution(?:al)?\b|\bsubscri(?:be|ption|bers?)\b", "login", 0.5),
    _cue(r"\bcan'?t access (?:the|this) (?:paper|article)\b|\bpurchase (?:access|this article)\b"
         r"|\brent this article\b|\bget access\b", "login"),
    _cue(r"\bfull[- ]text (?:links|access|sources)\b", "login", 1.0, opens="login"),
    # app download prompts
    _cue(r"\bmobile app\b|\b(?:download|get|install) (?:the|our) app\b|\bapp store\b"
         r"|\bgoogle play\b", "app_prompt"),
    _cue(r"\b1-tap access\b|\bone[- ]click\b|\bfor the best experience\b", "app_prompt", 0.6),
    # continuing-education offers
    _cue(r"\bCME\b|\bCE credits?\b|\bcontinuing (?:medical )?education\b", "cme_prompt"),
    _cue(r"\bclaim (?:now|your|free)\b", "cme_prompt", 0.8),
    # cookies, privacy, terms
    _cue(r"\b(?:we|this (?:site|website)) uses? cookies\b|\bcookie (?:policy|settings|"
         r"preferences|consent|notice)\b|\baccept (?:all )?cookies\b", "cookie"),
    _cue(r"\bcookies?\b", "cookie", 0.4),
    _cue(r"\bprivacy (?:policy|choices|notice|statement|settings|center)\b", "privacy"),
    _cue(r"\bterms (?:of (?:use|service)|and conditions|& conditions)\b|\bdo not sell my\b",
         "privacy"),
    _cue(r"\bopt[- ]out\b|\bunsubscribe\b|\bagree to (?:our|the)\b", "privacy", 0.8),
    # copyright
    _cue(r"©|\(c\)\s*(?:19|20)\d\d|\bcopyright(?:ed)?\b|\ball rights reserved\b", "copyright"),
    # navigation
    _cue(r"\bskip to\b|\bjump to (?:main|content|navigation)\b|\bback to top\b", "navigation"),
    _cue(r"\bmain (?:navigation|content|menu)\b|\bhomepage\b|\baccess keys\b|\bsite ?map\b"
         r"|\bbreadcrumbs?\b", "navigation", 0.8),
    _cue(r"\bclick (?:here|for|to)\b|\b(?:see|view) (?:the )?full list\b|\bfull list of\b",
         "navigation", 0.8),
    _cue(r"\bdiscuss (?:this )?in (?:my|our|the) forums?\b", "navigation"),
    _cue(r"^(?:home|menu|search|next|previous|prev|back|top|more|close|open menu)$",
         "navigation"),
    _cue(r"^back to (?:blog|home|articles|news|all posts|posts)\b", "navigation", 1.0,
         opens="related_teaser"),
    # related content, teasers
    _cue(r"\bsimilar articles\b|^cited by\b|\bsee all similar\b", "related_teaser", 1.0,
         opens="related_teaser"),
    _cue(r"\bsee all\b|\bcited by \d+\b|\bview (?:all|more)\b", "related_teaser"),
    _cue(r"\brelated (?:posts?|articles?|stories|content|reading|links)\b|\byou (?:may|might) "
         r"also (?:like|enjoy)\b|\brecommended (?:for you|reading|articles|posts)\b"
         r"|\bpopular posts\b|\bmore (?:from|stories|articles|posts) (?:on|from|like|in)?\b"
         r"|\bread next\b|\blatest posts\b|\brecent posts\b", "related_teaser", 1.0,
         opens="related_teaser"),
    _cue(r"\bread (?:more|the full (?:story|post))\b|\bcontinue reading\b", "related_teaser"),
    # comment forms
    _cue(r"\bleave a (?:comment|reply)\b|\bpost a comment\b|\badd (?:a|your) comment\b"
         r"|\bwrite a comment\b|\bjoin the (?:discussion|conversation)\b", "comment_form", 1.0,
         opens="comment_form"),
    _cue(r"\bsome html allowed\b|\bline and paragraph breaks are automatic\b|\byour email "
         r"address will not be published\b|\brequired fields are marked\b|\bnotify me of\b"
         r"|\bsave my name\b", "comment_form"),
    # promotion, calls to action
    _cue(r"\bas (?:seen|featured) (?:on|in)\b", "promo", 1.0, opens="promo"),
    _cue(r"\bcontact us\b|\bget in touch\b|\bbook (?:now|online|an appointment|a consultation|"
         r"your (?:consultation|appointment|visit))\b|\bcall (?:us )?(?:today|now)\b|\bschedule "
         r"(?:a|your) (?:free )?(?:consultation|appointment|visit)\b|\bfree consultation\b"
         r"|\brequest an appointment\b", "promo"),
    _cue(r"\bsign up (?:for|to) (?:our|the) (?:\w+ )?newsletter\b", "promo"),
    _cue(r"\bwelcome to\b|\byou'?re in the right place\b|\bmade for you\b|\blearn (?:more )?about "
         r"our\b|\blearn more\b|\bwe'?ve changed our\b|\bnewsletter\b|\bour (?:clinics?|team "
         r"of|services|locations)\b|\bare you looking for\b|\bsign up today\b|\bpersonali[sz]ed "
         r"(?:plan|treatment plan|infusion plan|care)\b|\bboard-certified team\b", "promo", 0.6),
    _cue(r"[$€£]\s?\d|\bper session\b|\b\d+% off\b|\bspecial offer\b", "promo", 0.6),
    # pagination
    _cue(r"^(?:page\s+)?\d+\s+(?:of|/)\s+\d+$", "pagination"),
    _cue(r"^[«‹<]?\s*(?:previous|next|older|newer)(?: (?:page|posts?|articles?|entries))?\s*"
         r"[»›>]?$", "pagination"),
    # trust badges and advertising
    _cue(r"\bhoncode\b|\bverify here\b|\btrustworthy health information\b", "trust_badge"),
    _cue(r"^(?:advertisement|sponsored(?: content)?|ad|promoted)$", "advertisement"),
)


@dataclass(frozen=True, slots=True)
class CueHit:
    start: int
    end: int
    cue: Cue

    @property
    def label(self) -> str:
        return self.cue.label


@dataclass(frozen=True, slots=True)
class CueAssessment:
    """The cues found in one unit and what they say about it."""

    hits: tuple[CueHit, ...]
    score: float                # sum of weights
    label: str                  # the label with the largest total weight ("" without hits)
    evidence: str               # the text of the strongest hit, for the reason
    every_sentence: bool        # every sentence of the unit carries at least one cue
    opens: str | None           # region label, when a region-opening cue starts the unit

    def says_boilerplate(self, words: int) -> bool:
        """Cues enough to call the unit chrome: strong and covering it, or a very short unit."""
        if self.score >= 1.0 and (words <= 12 or self.every_sentence):
            return True
        return self.score >= 0.5 and words <= 4


def cues_present(texts: Sequence[str]) -> tuple[Cue, ...]:
    """The cues that may occur in one of ``texts`` (a document's units): the others cannot
    fire on any of them, so :func:`assess` of each unit need not try them."""
    low = lowered("\n".join(texts))
    return tuple(c for c in CUES if c.pattern.may_match(low))


def find_cues(text: str, cues: Sequence[Cue] = CUES) -> list[CueHit]:
    """Every cue occurrence in ``text`` (whole-line cues match the stripped text); ``cues``:
    :func:`cues_present` of the document, when known."""
    stripped = text.strip()
    offset = text.find(stripped) if stripped else 0
    line = stripped.rstrip(" :")
    low_text, low_line = lowered(text), lowered(line)
    hits: list[CueHit] = []
    for cue in cues:
        if cue.pattern.pattern.startswith("^"):
            target, low, base = line, low_line, offset
        else:
            target, low, base = text, low_text, 0
        for m in cue.pattern.finditer(target, low):
            hits.append(CueHit(base + m.start(), base + m.end(), cue))
    return sorted(hits, key=lambda h: (h.start, -h.end))


def assess(text: str, cues: Sequence[Cue] = CUES) -> CueAssessment:
    """Cue hits, score, dominant label, sentence coverage and region opening of ``text``
    (``cues``: :func:`cues_present` of its document, when known)."""
    hits = find_cues(text, cues)
    if not hits:
        return CueAssessment((), 0.0, "", "", False, None)
    by_label: dict[str, float] = {}
    for h in hits:
        by_label[h.label] = by_label.get(h.label, 0.0) + h.cue.weight
    label = max(by_label, key=lambda k: (by_label[k], -min(
        h.start for h in hits if h.label == k)))
    top = max((h for h in hits if h.label == label), key=lambda h: h.cue.weight)
    spans = list(sentences(text)) or [(0, len(text))]
    starts = [h.start for h in hits]        # sorted: find_cues sorts by start
    covered = all(
        sum(h.cue.weight for h in hits[bisect_left(starts, s):bisect_left(starts, e)]) >= 0.5
        for s, e in spans
    )
    first_opener = next((h for h in hits if h.cue.opens), None)
    opens = None
    if first_opener is not None and len(re.findall(r"\w+", text[:first_opener.start])) <= 1:
        opens = first_opener.cue.opens
    return CueAssessment(
        hits=tuple(hits),
        score=sum(by_label.values()),
        label=label,
        evidence=text[top.start:top.end],
        every_sentence=covered,
        opens=opens,
    )
