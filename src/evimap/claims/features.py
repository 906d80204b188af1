"""Feature helpers shared by the learned claim models (``cid``, ``relation``, ``pairs``).

Each model keeps its own word classes (they are its features, and changing them means
retraining it); what they share is how a class is written, how a count is bucketed, and the
vocabulary's negation and hedge cues.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import vocab

#: A lower-case word.
WORD = re.compile(r"[a-z][a-z'-]*")

#: The learned pair readers (the CID and relation classifiers, the sentence pair model) read
#: the pairs of a sentence only up to this size: a "sentence" of more mentions or characters
#: is a list, a table or no sentence at all (the reference data's largest: 19 mentions, 1,260
#: characters), and its pairs would cost the square of its size. Its claims come from the
#: rules alone.
PAIR_SENTENCE_MENTIONS = 100
PAIR_SENTENCE_CHARS = 5_000
#: The document-level classifiers (CID, relation) score every chemical-disease pair of a
#: document: one of more pairs than this (the reference data's largest: 371) is not read by
#: them (their cost is the number of pairs, the square of a long text's length: 15,846 pairs
#: in 48 KB of joined abstracts took 4 s; a 20 MB text would hold millions).
DOCUMENT_PAIRS = 5_000


def pairwise_readable(start: int, end: int, mentions: int) -> bool:
    """Whether the learned pair readers read the sentence ``[start, end)`` holding
    ``mentions`` mentions (see :data:`PAIR_SENTENCE_MENTIONS`)."""
    return end - start <= PAIR_SENTENCE_CHARS and mentions <= PAIR_SENTENCE_MENTIONS
#: Only spaces or hyphens between two mentions ("X-induced", "X Y").
ADJACENT = re.compile(r"^[\s-]*$")


def cue_groups(**groups: str) -> dict[str, re.Pattern[str]]:
    """Word classes, each a regex of word prefixes ("induc|caus"), then the vocabulary's
    ``negation`` and ``hedge`` cues (``evimap/vocab/cues.tsv``)."""
    out = {name: re.compile(rf"\b(?:{alternatives})", re.I)
           for name, alternatives in groups.items()}
    out["negation"] = vocab.cue_regex("negation")
    out["hedge"] = vocab.cue_regex("hedge")
    return out


def bucket(value: int, edges: Sequence[int]) -> str:
    """The first edge ``value`` does not exceed ("<=2"), or ">" the last."""
    for edge in edges:
        if value <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"
