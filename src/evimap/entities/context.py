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
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from re import _constants, _parser  # type: ignore[attr-defined]

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


def _reach(pattern: re.Pattern[str]) -> int | None:
    """How far past its start an attempt of ``pattern`` reads: its longest match and the
    one character a closing ``\\b`` looks at (None when a match has no longest)."""
    longest = _parser.parse(pattern.pattern, pattern.flags).getwidth()[1]
    return None if longest >= _constants.MAXREPEAT else longest + 1


_PRE_REACH = _reach(_PRE_RE)
_POST_REACH = _reach(_POST_RE)


class SentenceContext:
    """:func:`context` for many mentions of one sentence, the sentence read once.

    A mention's negation cues lie within :data:`NEG_WINDOW` words of it, so only that
    window is searched (the whole sentence was, for every mention: a sentence of a
    thousand mentions cost a million searches). The cues found are exactly those of
    :func:`_negated_masked`: before the mention, the regex's matches up to the window are
    those of one scan of the sentence (an attempt that ends before the window is not
    affected by where the search stops); after it, the search stops just past the window.
    """

    def __init__(self, sentence: str) -> None:
        self.masked = _masked(sentence)
        self.hedged, self.hypothetical = sentence_flags(sentence)
        self._words: list[tuple[int, int]] | None = None
        self._word_starts: list[int] = []
        self._word_ends: list[int] = []
        self._pre: list[re.Match[str]] | None = None     # one scan of the whole sentence
        self._pre_starts: list[int] = []
        self._before: dict[int, bool] = {}
        self._after: dict[int, bool] = {}

    def of(self, start: int, end: int) -> Context:
        """The context of the mention at ``sentence[start:end]``."""
        if _PRE_REACH is None or _POST_REACH is None:
            negated = _negated_masked(self.masked, start, end)
        else:
            negated = self._negated_before(start) or self._negated_after(end)
        return Context(negated, self.hedged, self.hypothetical)

    def _runs(self) -> list[tuple[int, int]]:
        if self._words is None:
            self._words = [m.span() for m in _WORD_RE.finditer(self.masked)]
            self._word_starts = [s for s, _ in self._words]
            self._word_ends = [e for _, e in self._words]
        return self._words

    def _cues_before(self, start: int) -> list[re.Match[str]]:
        """``_PRE_RE.finditer(masked, 0, start)`` from where its matches can still end in
        the window (the earlier ones cannot be within it)."""
        assert _PRE_REACH is not None
        runs = self._runs()
        k = bisect_left(self._word_starts, start)
        window = runs[k - NEG_WINDOW - 1][1] if k > NEG_WINDOW else 0
        safe = start - _PRE_REACH          # attempts before it read nothing from ``start`` on
        if safe <= 0:
            return [m for m in _PRE_RE.finditer(self.masked, 0, start) if m.end() >= window]
        if self._pre is None:
            self._pre = list(_PRE_RE.finditer(self.masked))
            self._pre_starts = [m.start() for m in self._pre]
        i = bisect_left(self._pre_starts, safe)
        resume = safe
        if i and self._pre[i - 1].end() > safe:     # ``safe`` falls inside a match
            i -= 1
            resume = self._pre[i].start()
        early = [m for m in self._pre[bisect_left(self._pre_starts, window - _PRE_REACH):i]
                 if m.end() >= window]
        return early + list(_PRE_RE.finditer(self.masked, resume, start))

    def _negated_before(self, start: int) -> bool:
        found = self._before.get(start)
        if found is None:
            found = self._before[start] = any(
                _clear(self.masked[cue.end():start]) for cue in self._cues_before(start))
        return found

    def _negated_after(self, end: int) -> bool:
        found = self._after.get(end)
        if found is None:
            found = self._after[end] = any(
                _clear(self.masked[end:cue.start()]) for cue in self._cues_after(end))
        return found

    def _cues_after(self, end: int) -> list[re.Match[str]]:
        """``_POST_RE.finditer(masked, end)`` as far as a cue can start in the window."""
        assert _POST_REACH is not None
        runs = self._runs()
        k = bisect_right(self._word_ends, end)
        if len(runs) - k <= NEG_WINDOW:
            return list(_POST_RE.finditer(self.masked, end))
        last = runs[k + NEG_WINDOW][0]       # a cue starting later has 6 words before it
        stop = last + _POST_REACH + 1
        found = []
        for cue in _POST_RE.finditer(self.masked, end, min(stop, len(self.masked))):
            if cue.start() > last:
                break
            found.append(cue)
        return found


def _clear(between: str) -> bool:
    """A cue this close to the mention, with no scope terminator between them."""
    return _words(between) <= NEG_WINDOW and not _TERM_RE.search(between)
