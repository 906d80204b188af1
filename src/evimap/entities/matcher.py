"""Longest-match dictionary tagging over :func:`evimap.text.tokens`.

At each token the matcher tries the longest key the lexicon holds for that first word, then
shorter ones; it takes the first that is in the lexicon and not part of a longer
alphanumeric word ("PDE5" is not "PDE"), and moves past it. Case-sensitive abbreviations and
case-insensitive terms are tried at each length, the case-sensitive one first. Which
descriptor a key denotes was decided when the lexicon was compiled (see
:mod:`evimap.entities.lexicon`), so matching is a handful of dict lookups per token.
"""

from __future__ import annotations

from dataclasses import dataclass

from .keys import prepare, singular, token_spans, word_form
from .lexicon import Entry, Lexicon


@dataclass(frozen=True, slots=True)
class Match:
    """A dictionary hit: document offsets, the lexicon entry and the key that found it."""

    start: int
    end: int
    entry: Entry
    key: str
    case_sensitive: bool


def find_matches(text: str, lexicon: Lexicon, start: int = 0, end: int | None = None
                 ) -> list[Match]:
    """Non-overlapping longest matches in ``text[start:end]``, left to right.

    Only the window (and one character either side, for the whole-word test) is prepared,
    so matching every sentence of a document costs the document's length, not its square.
    """
    end = len(text) if end is None else end
    lo, hi = max(0, start - 1), min(len(text), end + 1)
    prepared = prepare(text[lo:hi])
    spans = token_spans(prepared, start - lo, end - lo)
    raw = [prepared[s:e] for s, e in spans]
    folded = [word_form(w) for w in raw]
    single = [singular(w) for w in folded]
    matches: list[Match] = []
    i, n = 0, len(spans)
    while i < n:
        found = _longest_at(i, raw, folded, single, spans, prepared, lexicon)
        if found is None:
            i += 1
            continue
        m = found[1]
        matches.append(Match(m.start + lo, m.end + lo, m.entry, m.key, m.case_sensitive)
                       if lo else m)
        i += found[0]
    return matches


def _longest_at(i: int, raw: list[str], folded: list[str], single: list[str],
                spans: list[tuple[int, int]], text: str, lexicon: Lexicon
                ) -> tuple[int, Match] | None:
    """The longest acceptable match starting at token ``i`` as (token count, match);
    ``single`` holds the singular of each folded token (a key's last word)."""
    # a one-word key is filed under its singular, so length 1 is always tried
    longest = min(max(lexicon.exact_span.get(raw[i], 0), lexicon.folded_span.get(folded[i], 1)),
                  len(spans) - i)
    if longest > 1:
        longest = _viable(i, longest, raw, folded, lexicon)
    for length in range(longest, 0, -1):
        last = i + length
        m_start, m_end = spans[i][0], spans[last - 1][1]
        if raw[last - 1].endswith("'s") and len(raw[last - 1]) > 2:
            m_end -= 2                   # the possessive is not part of the name
        if not _whole_word(text, m_start, m_end):
            continue
        key = " ".join(raw[i:last]) if length > 1 else raw[i]
        entry = lexicon.exact.get(key)
        if entry is not None:
            return length, Match(m_start, m_end, entry, key, True)
        key = (" ".join(folded[i:last - 1]) + " " + single[last - 1] if length > 1
               else single[i])
        entry = lexicon.folded.get(key)
        if entry is not None:
            return length, Match(m_start, m_end, entry, key, False)
    return None


def _viable(i: int, longest: int, raw: list[str], folded: list[str], lexicon: Lexicon) -> int:
    """The most tokens from ``i`` (at most ``longest``) whose words may still start a key: a
    longer candidate's first words are no key's first words, so no key of that length is
    there ("a" starts ten-word keys, "a patient" none)."""
    folded_prefixes, exact_prefixes = lexicon.prefixes
    best = 1
    for words, prefixes in ((folded, folded_prefixes), (raw, exact_prefixes)):
        length, key = 1, words[i]
        while length < longest and key in prefixes:
            key = f"{key} {words[i + length]}"
            length += 1
        best = max(best, length)
    return best


def _whole_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is not glued to letters or digits on either side."""
    if start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        return False
    return not (end < len(text) and text[end].isalnum() and text[end - 1].isalnum())
