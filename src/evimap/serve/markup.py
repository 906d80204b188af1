"""Text from documents as safe HTML with spans marked: entity mentions linked to their
concept, a claim's sentence highlighted in its paragraph. Every piece of text is escaped;
only the tags written here are markup."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from ..report import highlight


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` (document offsets) wrapped in ``open`` ... ``close``."""

    start: int
    end: int
    open: Markup
    close: Markup


Inner = Callable[[str, int], Markup]


def _escaped(text: str, base: int) -> Markup:
    return escape(text)


def mark(text: str, base: int, spans: Iterable[Span], inner: Inner = _escaped) -> Markup:
    """``text`` (starting at document offset ``base``) with each span wrapped; overlapping
    or out-of-range spans are skipped; the pieces are rendered by ``inner``."""
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        s, e = span.start - base, span.end - base
        if s < pos or s < 0 or e > len(text) or e <= s:
            continue
        out += [inner(text[pos:s], base + pos), span.open, inner(text[s:e], base + s),
                span.close]
        pos = e
    out.append(inner(text[pos:], base + pos))
    return Markup("").join(out)


def mention_spans(mentions: Sequence[dict[str, Any]]) -> list[Span]:
    """Entity mentions as links to their concept pages, coloured by type."""
    return [Span(m["start"], m["end"], Markup(
        '<a class="ent {}" href="/concepts/{}" title="{} ({}, MeSH {})">').format(
            m["type"], m["concept_id"], m["concept_name"], m["type"], m["concept_id"]),
        Markup("</a>")) for m in mentions]


def segment_with_sentence(segment: dict[str, Any], start: int, end: int,
                          roles: Sequence[dict[str, Any]]) -> Markup:
    """A claim's paragraph with its sentence highlighted and, inside the sentence, the
    subject and object marked (as in the static report)."""
    spans = [(m["start"], m["end"], m["role"]) for m in roles]

    def sentence(text: str, base: int) -> Markup:
        return highlight(text, base, spans)

    focus = Span(start, end, Markup('<mark class="sentence">'), Markup("</mark>"))
    return mark(segment["text"], segment["start"], [focus],
                inner=lambda t, b: sentence(t, b) if b == start else escape(t))
