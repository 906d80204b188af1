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

NEG_WINDOW = 5

_PSEUDO = (r"not only|not necessarily|not strong|not possible|not clear|not yet known"
           r"|no longer|no doubt|no change in|not quite|whether or not|not to mention"
           r"|not (?:been )?(?:well )?(?:studied|established)|nothing to do")
_PRE = (r"no|not|without|never|neither|nor|none|cannot|can't|don't|doesn't|didn't|won't"
        r"|denie[sd]|deny|absence of|absent|free of|lack of|lacked|lacking|did not|does not"
        r"|do not|failed to|fails to|ruled out|rule out|negative for")
_POST = (r"(?:was|were|is|are|be|been) (?:ruled out|absent|not (?:seen|observed|detected"
         r"|found|present))|ruled out")
_TERMINATORS = r"but|however|although|though|yet|except|aside from|apart from|whereas|which|who"
_HEDGES = (r"may|might|could|possibly|possible|perhaps|probably|likely|unlikely|suggests?|suggested"
           r"|suggesting|suggestive|potential(?:ly)?|preliminary|not strong|appears? to|seems? to"
           r"|hypothes[ie]s|hypothesi[sz]ed|theori[sz]ed|speculat\w*|uncertain|unclear|promising"
           r"|further (?:studies|research|trials) (?:are|is) (?:needed|required|warranted)"
           r"|more (?:studies|research) (?:need|is needed|are needed)|still scarce|limited evidence"
           r"|not possible to conclude|remains? to be")
_HYPOTHETICAL = r"if|whether|could be|would|in case|unless|suppose|assuming"

_PSEUDO_RE = re.compile(rf"\b(?:{_PSEUDO})\b", re.IGNORECASE)
_PRE_RE = re.compile(rf"\b(?:{_PRE})\b", re.IGNORECASE)
_POST_RE = re.compile(rf"\b(?:{_POST})\b", re.IGNORECASE)
_TERM_RE = re.compile(rf"\b(?:{_TERMINATORS})\b|[;:]", re.IGNORECASE)
_HEDGE_RE = re.compile(rf"\b(?:{_HEDGES})\b", re.IGNORECASE)
_HYPO_RE = re.compile(rf"\b(?:{_HYPOTHETICAL})\b", re.IGNORECASE)
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
    masked = _PSEUDO_RE.sub(lambda m: "_" * len(m.group(0)), sentence)
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
