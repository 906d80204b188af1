"""Negation, hedging and hypothetical context of a mention within its sentence.

* ``negated`` (NegEx-style, Chapman et al. 2001): a negation cue ("no", "not", "without",
  "denied", "absence of", "did not", "failed to", ...) at most :data:`NEG_WINDOW` words
  before the mention, or a post-cue ("was ruled out", "was not observed", "is absent") at most
  :data:`NEG_WINDOW` words after it, with no scope terminator ("but", "however", ";", ...) in
  between. Pseudo-negations ("not only", "no longer", "not strong") are not cues.
* ``hedged``: a speculation cue anywhere in the sentence ("may", "might", "could",
  "possibly", "suggest", "potential", "preliminary", "not strong", "further studies are
  needed", ...).
* ``hypothetical``: a condition or open question ("if", "whether", "could be", a sentence
  ending in "?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import vocab

NEG_WINDOW = 5

# The cue lists are tables in ``evimap/vocab/cues.tsv`` (kinds negation_pre, negation_post,
# pseudo_negation, terminator, hedge, conditional): one row per cue.
_PSEUDO_RE = vocab.cue_regex("pseudo_negation")
_PRE_RE = vocab.cue_regex("negation_pre")
_POST_RE = vocab.cue_regex("negation_post")
_TERM_RE = vocab.cue_regex("terminator")
_HEDGE_RE = vocab.cue_regex("hedge")
_HYPO_RE = vocab.cue_regex("conditional")
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Context:
    negated: bool
    hedged: bool
    hypothetical: bool


def _words(text: str) -> int:
    return len(_WORD_RE.findall(text))


def _negated(sentence: str, start: int, end: int) -> bool:
    """NegEx over one sentence; ``start``/``end`` are the mention's offsets in it."""
    return _negated_masked(_masked(sentence), start, end)


def _masked(sentence: str) -> str:
    """The sentence with its pseudo-negations blanked (same length)."""
    return _PSEUDO_RE.sub(lambda m: "_" * len(m.group(0)), sentence)


def _negated_masked(masked: str, start: int, end: int) -> bool:
    for cue in _PRE_RE.finditer(masked, 0, start):
        between = masked[cue.end():start]
        if _words(between) <= NEG_WINDOW and not _TERM_RE.search(between):
            return True
    for cue in _POST_RE.finditer(masked, end):
        between = masked[end:cue.start()]
        if _words(between) <= NEG_WINDOW and not _TERM_RE.search(between):
            return True
    return False


def sentence_flags(sentence: str) -> tuple[bool, bool]:
    """(hedged, hypothetical) for a whole sentence."""
    hypothetical = bool(_HYPO_RE.search(sentence)) or sentence.rstrip().endswith("?")
    return bool(_HEDGE_RE.search(sentence)), hypothetical


def context(sentence: str, start: int, end: int) -> Context:
    """The context of the mention at ``sentence[start:end]``."""
    hedged, hypothetical = sentence_flags(sentence)
    return Context(_negated(sentence, start, end), hedged, hypothetical)


class SentenceContext:
    """:func:`context` for many mentions of one sentence, the sentence read once."""

    def __init__(self, sentence: str) -> None:
        self.masked = _masked(sentence)
        self.hedged, self.hypothetical = sentence_flags(sentence)

    def of(self, start: int, end: int) -> Context:
        """The context of the mention at ``sentence[start:end]``."""
        return Context(_negated_masked(self.masked, start, end), self.hedged,
                       self.hypothetical)
