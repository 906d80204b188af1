"""Lookup keys shared by the lexicon compiler and the matcher.

A term and a stretch of text match when their keys are equal. The key is built from
:func:`evimap.text.tokens` so both sides split words the same way, then:

* hyphens are dropped ("N-methyl-D-aspartate" == "N methyl D aspartate",
  "serotonin-norepinephrine" == "serotonin norepinephrine"); other punctuation stays;
* tokens are lower-cased and a possessive "'s" is removed ("Huntington's" == "Huntington");
* British spellings read as MeSH's American ones ("oedema" == "edema", "anaemia" == "anemia",
  "diarrhoea" == "diarrhea", "oestrogen" == "estrogen", "tumour" == "tumor");
* the last token is reduced to a singular form (``migraines`` -> ``migraine``,
  ``therapies`` -> ``therapy``), so inflected text finds the base term.

Short all-caps or mixed-case terms (``MS``, ``ADHD``, ``cAMP``) are matched case-sensitively:
their *exact* key keeps the case and skips the singular rule, so "ms", "Ms." or "camp" never
match Multiple Sclerosis or Cyclic AMP.
"""

from __future__ import annotations

import re

from evimap.text import tokens

#: Characters dropped from keys (token-level): hyphens and dashes of every kind.
DROPPED = frozenset("-‐‑‒–—")
#: Typographic apostrophes read as ASCII ones (same length, so offsets are unchanged).
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
#: Longest term kept as an all-caps case-sensitive abbreviation (letters and digits).
SHORT_CAPS_MAX = 5
#: Endings left alone by :func:`singular` (Latin/Greek singulars and -ss words).
_KEEP_ENDINGS = ("ss", "us", "is", "ys", "as", "os")


def prepare(text: str) -> str:
    """The text as the matcher reads it: typographic apostrophes made ASCII, same length."""
    return text.translate(_APOSTROPHES)


def singular(word: str) -> str:
    """A crude singular of a lower-case word, identical for a term and its plural.

    Only used on the last token of keys; it need not be correct English, only the same on
    both sides (``diabetes`` -> ``diabete`` in the lexicon and in the text alike).
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(_KEEP_ENDINGS):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


#: British spellings -> American ones, for words of five letters or more: a leading "oe"
#: (oedema, oestrogen), "ae" before m/s/d/c (anaemia, haemorrhage, anaesthesia, paediatric,
#: caecum), "oe" before a/l/t (diarrhoea, coeliac, foetal), a final "our(s)" after two
#: letters or more (tumour, behaviour; not "four" or "hour"), a leading "leuco" (leucocyte,
#: leucopenia; not leucine).
_BRITISH = ((re.compile(r"^oe(?=[a-z])"), "e"),
            (re.compile(r"(?<=[a-z])ae(?=[msdc])"), "e"),
            (re.compile(r"(?<=[a-z])oe(?=[alt])"), "e"),
            (re.compile(r"(?<=[a-z]{2})our(?=s?$)"), "or"),
            (re.compile(r"^leuco"), "leuko"))


def word_form(token: str) -> str:
    """One token as it appears in a case-insensitive key (no singular rule)."""
    low = token.lower()
    if low.endswith("'s") and len(low) > 2:
        low = low[:-2]
    if len(low) >= 5 and ("ae" in low or "oe" in low or "our" in low or "leuco" in low):
        for pattern, american in _BRITISH:
            low = pattern.sub(american, low)
    return low


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Token spans of ``text`` that take part in keys (hyphens dropped)."""
    return [(s, e) for s, e in tokens(text, start, end) if text[s:e] not in DROPPED]


def is_case_sensitive(term: str) -> bool:
    """Whether a term is a short abbreviation matched case-sensitively.

    Up to :data:`SHORT_CAPS_MAX` letters and digits, and either no lower-case letter
    (MS, 5-HT, ADHD) or a capital after the first character (cAMP, cGMP).
    """
    core = "".join(ch for ch in term if ch.isalnum())
    if not 0 < len(core) <= SHORT_CAPS_MAX or not any(ch.isupper() for ch in core):
        return False
    return not any(ch.islower() for ch in core) or any(ch.isupper() for ch in core[1:])


def folded_key(words: list[str]) -> str:
    """Case-insensitive key of a token sequence (already passed through :func:`word_form`)."""
    if not words:
        return ""
    return " ".join([*words[:-1], singular(words[-1])])


def exact_key(words: list[str]) -> str:
    """Case-sensitive key of a token sequence (tokens as written)."""
    return " ".join(words)


def term_keys(term: str) -> tuple[str, str]:
    """The (folded, exact) keys of a lexicon term."""
    text = prepare(term)
    toks = [text[s:e] for s, e in token_spans(text)]
    return folded_key([word_form(t) for t in toks]), exact_key(toks)
