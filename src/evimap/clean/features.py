"""Shape features of a unit: length, punctuation, stopwords, capitals, links, repetition.

These are the jusText-style signals the classifier combines with the cue lexicons: prose has
many words, stopwords and terminal punctuation; chrome is short, title-cased, link-dense,
repeated or truncated ("Read more..." teasers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import normalise_space, sentences
from .blocks import Unit

STOPWORDS = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may",
    "me", "might", "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off",
    "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
    "why", "will", "with", "would", "you", "your", "yours",
})

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_TERMINAL_RE = re.compile(r"[.!?][\"'”’)\]]*$")
_TRUNCATED_RE = re.compile(r"(?:\.\.\.|…)[\"'”’)\]]*$")
_URL_RE = re.compile(r"\bhttps?://\S+|\bwww\.\S+\.\w{2,}\S*")


@dataclass(slots=True)
class Features:
    """What the classifier knows about one unit's shape."""

    words: int
    stopword_ratio: float
    titlecase_ratio: float      # share of words that start with a capital
    all_caps: bool
    terminal: bool              # ends with . ! or ? (not an ellipsis)
    truncated: bool             # ends with "..." or "…"
    question: bool              # ends with "?"
    sentences: int
    link_density: float         # from the HTML reader; 0 for plain text
    url_only: bool              # the whole unit is one URL
    duplicate_of: int | None    # index of an earlier unit with the same text
    list_item: bool
    position: float             # start offset / document length

    @property
    def prose(self) -> bool:
        """Running text: enough words, stopwords and sentence punctuation."""
        return (
            (self.words >= 12 or (self.words >= 8 and self.sentences >= 2))
            and (self.terminal or self.sentences >= 2)
            and self.stopword_ratio >= 0.15
            and not self.truncated
            and self.link_density < 0.4
        )

    @property
    def heading_like(self) -> bool:
        """A short line that is not a sentence (a title, heading, button or menu entry)."""
        if self.truncated or not 1 <= self.words <= 15:
            return False
        if not self.terminal:
            return True
        return self.question and self.sentences == 1 and (
            self.words <= 5 or self.titlecase_ratio >= 0.5)


def normalised(text: str) -> str:
    """Text for repetition checks: case-folded, single-spaced, without trailing punctuation."""
    return normalise_space(text).casefold().rstrip(" .:;!?")


def words_of(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def compute(units: list[Unit], doc_length: int) -> list[Features]:
    """Features of every unit, in order (repetition looks back at earlier units)."""
    seen: dict[str, int] = {}
    out: list[Features] = []
    for i, unit in enumerate(units):
        text = unit.text.strip()
        words = words_of(text)
        n = len(words)
        key = normalised(text)
        dup = seen.get(key) if key else None
        if key and dup is None:
            seen[key] = i
        caps = sum(1 for w in words if w[0].isupper())
        letters = [c for c in text if c.isalpha()]
        out.append(Features(
            words=n,
            stopword_ratio=sum(1 for w in words if w.lower() in STOPWORDS) / n if n else 0.0,
            titlecase_ratio=caps / n if n else 0.0,
            all_caps=len(letters) >= 2 and all(c.isupper() for c in letters),
            terminal=bool(_TERMINAL_RE.search(text)) and not _TRUNCATED_RE.search(text),
            truncated=bool(_TRUNCATED_RE.search(text)),
            question=text.rstrip("\"'”’)] ").endswith("?"),
            sentences=sum(1 for _ in sentences(text)),
            link_density=float(unit.attrs.get("link_density") or 0.0),
            url_only=bool(_URL_RE.fullmatch(text)),
            duplicate_of=dup,
            list_item=unit.list_item,
            position=unit.start / doc_length if doc_length else 0.0,
        ))
    return out
