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
