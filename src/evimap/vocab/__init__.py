"""The vocabulary every stage reads: predicates, study designs and modality cues, as data.

Three tables beside this module, each one row per item, are the only place these are defined:

* ``predicates.tsv``: name, polarity (benefit / harm / mechanism / neutral), opposite, what a
  negated trigger becomes, allowed subject and object types, the BioRED relation type it
  scores as, and the words the UI shows;
* ``designs.tsv``: name, rank (0 strongest), belief weight, label and the PubMed publication
  types that give it; ``design_cues.tsv``: text cues for a design, tried in order;
* ``cues.tsv``: negation, hedge, hypothetical and other modality cues with their scope.

Adding a predicate, a design or a cue is one line in a table; :func:`markdown` renders the
tables for ``docs/vocabulary.md`` (``evimap vocab show --markdown``), and the tests check the
docs and every stage against them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import ConfigError

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Predicate:
    name: str
    polarity: str                   # benefit | harm | mechanism | neutral
    opposite: str | None            # the predicate that contests it
    negated_as: str                 # what a negated trigger of this predicate becomes
    subject: frozenset[str]         # allowed subject entity types
    object: frozenset[str]          # allowed object entity types
    biored: str | None              # BioRED chemical-disease type it scores as
    label: str                      # words shown to a reader


@dataclass(frozen=True, slots=True)
class Design:
    name: str
    rank: int                       # 0 is the strongest
    weight: float                   # design factor of a claim's belief weight
    label: str
    publication_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    scope: str
    bounded: bool
    pattern: str


POLARITIES = ("benefit", "harm", "mechanism", "neutral")
CUE_SCOPES = ("trigger", "clause", "aside", "sentence", "frame", "before", "window")


def _rows(name: str) -> list[dict[str, str]]:
    return read_table(HERE / name, "the vocabulary table")


def read_table(path: Path, what: str) -> list[dict[str, str]]:
    """The rows of a tab-separated table with a header (``#`` lines are comments), each a
    dict by column; :class:`ConfigError` naming the file and ``what`` it is when it cannot be
    read or a row has the wrong number of columns."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
    except OSError as exc:  # pragma: no cover - the tables ship with the package
        raise ConfigError(f"{path}: cannot read {what} ({exc})") from exc
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ConfigError(f"{path}: row {i} has the wrong number of columns")
    return rows


def _types(value: str) -> frozenset[str]:
    return frozenset(t for t in value.split("|") if t)


@cache
def predicates() -> Mapping[str, Predicate]:
    """Every predicate by name, in table order."""
    table = {r["name"]: Predicate(
        name=r["name"], polarity=r["polarity"], opposite=r["opposite"] or None,
        negated_as=r["negated_as"] or r["name"], subject=_types(r["subject"]),
        object=_types(r["object"]), biored=r["biored"] or None, label=r["label"] or r["name"])
        for r in _rows("predicates.tsv")}
    for p in table.values():
        if p.polarity not in POLARITIES:
            raise ConfigError(f"predicates.tsv: {p.name}: unknown polarity {p.polarity!r}")
        for other in (p.opposite, p.negated_as):
            if other is not None and other not in table:
                raise ConfigError(f"predicates.tsv: {p.name}: unknown predicate {other!r}")
    return table


@cache
def designs() -> Mapping[str, Design]:
    """Every design by name, strongest first."""
    rows = sorted(_rows("designs.tsv"), key=lambda r: int(r["rank"]))
    return {r["name"]: Design(
        name=r["name"], rank=int(r["rank"]), weight=float(r["weight"]), label=r["label"],
        publication_types=tuple(t.strip().lower() for t in r["publication_types"].split("|")
                                if t.strip()))
        for r in rows}


@cache
def cues() -> tuple[Cue, ...]:
    """Every modality cue, in table order."""
    out = tuple(Cue(r["kind"], r["scope"], r["bounded"] == "yes", r["pattern"])
                for r in _rows("cues.tsv"))
    for cue in out:
        if cue.scope not in CUE_SCOPES:
            raise ConfigError(f"cues.tsv: {cue.kind} {cue.pattern!r}: unknown scope {cue.scope!r}")
    return out


@cache
def cue_regex(kind: str) -> re.Pattern[str]:
    """One case-insensitive regex matching any cue of ``kind``."""
    parts = [rf"\b(?:{c.pattern})\b" if c.bounded else f"(?:{c.pattern})"
             for c in cues() if c.kind == kind]
    if not parts:
        raise ConfigError(f"cues.tsv has no cue of kind {kind!r}")
    return re.compile("|".join(parts), re.I)


@cache
def design_cues() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(design, regex) text cues, in the order they are tried."""
    known = designs()
    out = []
    for r in _rows("design_cues.tsv"):
        if r["design"] not in known and r["design"] != "retrospective":
            raise ConfigError(f"design_cues.tsv: unknown design {r['design']!r}")
        out.append((r["design"], re.compile(r["pattern"], re.I)))
    return tuple(out)


# --- conveniences every stage uses ---------------------------------------------------------------

def predicate_names() -> tuple[str, ...]:
    return tuple(predicates())


def design_names() -> tuple[str, ...]:
    return tuple(designs())


def of_polarity(*polarities: str) -> frozenset[str]:
    """The predicates of the given polarities ("benefit", "harm", ...)."""
    return frozenset(p.name for p in predicates().values() if p.polarity in polarities)


def opposites() -> Mapping[str, str]:
    """Predicate -> the predicate that contests it (symmetric)."""
    out: dict[str, str] = {}
    for p in predicates().values():
        if p.opposite:
            out[p.name] = p.opposite
            out.setdefault(p.opposite, p.name)
    return out


def design_rank(design: str) -> int:
    """0 for the strongest design; unknown names rank last."""
    d = designs().get(design)
    return d.rank if d else len(designs())


def design_weight(design: str) -> float:
    d = designs().get(design) or designs()["unspecified"]
    return d.weight


def strongest_design(names: Iterable[str]) -> str:
    """The strongest of ``names`` by rank (never alphabetical); ``unspecified`` if none."""
    return min(names, key=design_rank, default="unspecified")


def design_from_publication_types(types: Iterable[str]) -> str | None:
    """The strongest design any PubMed publication type gives ("Review" -> expert_opinion)."""
    lowered = [" ".join(str(t).lower().split()) for t in types]
    for design in designs().values():
        if any(needle in t for needle in design.publication_types for t in lowered):
            return design.name
    return None


def markdown() -> str:
    """The tables as Markdown (docs/vocabulary.md is this text)."""
    lines = ["# Vocabulary", "",
             "Generated from `src/evimap/vocab/*.tsv` by `evimap vocab show --markdown`; every "
             "stage reads these tables. Adding a predicate, a design or a cue is one line in "
             "its table.", "", "## Predicates", "",
             "| predicate | polarity | opposite | negated becomes | subject | object | BioRED |",
             "|---|---|---|---|---|---|---|"]
    for p in predicates().values():
        lines.append(f"| `{p.name}` | {p.polarity} | {p.opposite or ''} | {p.negated_as} | "
                     f"{', '.join(sorted(p.subject))} | {', '.join(sorted(p.object))} | "
                     f"{p.biored or ''} |")
    lines += ["", "## Designs (strongest first)", "",
              "| design | rank | weight | PubMed publication types | text cues |",
              "|---|---|---|---|---|"]
    cue_of: dict[str, list[str]] = {}
    for design, rx in design_cues():
        cue_of.setdefault("cohort" if design == "retrospective" else design, []).append(
            rx.pattern)
    for d in designs().values():
        cues_md = "<br>".join(f"`{_md(c)}`" for c in cue_of.get(d.name, []))
        lines.append(f"| `{d.name}` | {d.rank} | {d.weight:.2f} | "
                     f"{', '.join(d.publication_types)} | {cues_md} |")
    lines += ["", "## Modality cues", "", "| kind | scope | cues |", "|---|---|---|"]
    kinds: dict[tuple[str, str], list[str]] = {}
    for c in cues():
        kinds.setdefault((c.kind, c.scope), []).append(c.pattern)
    for (kind, scope), patterns in kinds.items():
        lines.append(f"| {kind} | {scope} | {', '.join(f'`{_md(p)}`' for p in patterns)} |")
    return "\n".join(lines) + "\n"


def _md(pattern: str) -> str:
    return pattern.replace("|", "\\|")


__all__: Sequence[str] = (
    "Cue", "Design", "Predicate", "cue_regex", "cues", "design_cues",
    "design_from_publication_types", "design_names", "design_rank", "design_weight", "designs",
    "markdown", "of_polarity", "opposites", "predicate_names", "predicates", "strongest_design")
