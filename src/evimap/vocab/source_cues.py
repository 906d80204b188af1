"""The source-kind cue table (``source_cues.tsv``): what on a page says which kind of source it is.

One row per cue: the kind it speaks for, its weight, where it is looked for (the page's
address, its opening, its text, its lines, or a structure feature the code measures), how
many of its hits count, the name shown as the signal and the pattern. Adding a cue is one
line; :mod:`evimap.sources.kinds` reads the table and nothing else decides a kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..errors import ConfigError
from ..text import Caseless
from . import _rows

#: Where a cue is looked for (see the table's header comment).
SCOPES = ("host", "path", "head", "text", "line", "content", "feature", "prior")

#: The kinds a cue may speak for (``evimap.model.SOURCE_KINDS``).
KINDS = ("peer_reviewed", "review", "news", "patient_education", "forum_or_comments",
         "commercial", "government", "other")


@dataclass(frozen=True, slots=True)
class SourceCue:
    kind: str
    weight: float
    scope: str
    cap: int                        # hits counted at most
    name: str                       # the signal shown when the cue fires
    pattern: str                    # a regex (host, path, head, text, line, content) or a
                                    # feature name (feature) or "-" (prior)
    regex: Caseless | None


def _compile(scope: str, pattern: str) -> Caseless | None:
    if scope in ("feature", "prior"):
        return None
    if scope == "line":
        return Caseless(rf"^[ \t\u2022*•·>-]*(?:{pattern})[ \t]*$", re.M)
    return Caseless(pattern)


@cache
def source_cues() -> tuple[SourceCue, ...]:
    """Every source-kind cue, in table order."""
    out = []
    for i, r in enumerate(_rows("source_cues.tsv"), start=2):
        where = f"source_cues.tsv: row {i} ({r['name']!r})"
        if r["kind"] not in KINDS:
            raise ConfigError(f"{where}: unknown kind {r['kind']!r}")
        if r["scope"] not in SCOPES:
            raise ConfigError(f"{where}: unknown scope {r['scope']!r}")
        try:
            weight, cap = float(r["weight"]), int(r["cap"])
            regex = _compile(r["scope"], r["pattern"])
        except (ValueError, re.error) as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        out.append(SourceCue(r["kind"], weight, r["scope"], cap, r["name"], r["pattern"],
                             regex))
    return tuple(out)
