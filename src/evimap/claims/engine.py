"""Apply the rule table to one sentence.

The sentence is *rendered*: every mention becomes a placeholder token, coordinated lists of
mentions of one class ("magnesium, topiramate, memantine, and ketamine", "major depressive
disorder (MDD) and migraine") collapse into one group token that expands to every member.
Each rule's regex is then run over the rendered text; each match yields one
:class:`Hit` per (subject member, object member).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from evimap.model import Concept, Mention

from ..text import lowered
from . import modality
from .rules import ACTIONS, GENERIC_CONCEPTS, LIGAND_RECEPTORS, RULES, Rule

_NOT_MODIFIER = (r"(?!(?:which|who|that|but|is|are|was|were|can|may|the|a|an|with|in|of|for|"
                 r"to|from|by|on|as)\b)")
#: Text between two mentions that coordinates them: a conjunction with at most one modifier
#: word ("chronic migraine and comorbid fibromyalgia"), or a list item the recogniser missed
#: ("nausea, headache, dry mouth, insomnia").
_COORDINATION = re.compile(
    r"^\s*(?:,|;|/|-|&|,?\s+(?:and|or|and/or|as well as|plus)|,\s+(?:and|or))\s*"
    rf"(?:{_NOT_MODIFIER}[a-z][a-z-]*\s+)?$"
    rf"|^\s*,(?:\s+{_NOT_MODIFIER}[a-z][a-z-]*){{1,3}},(?:\s+(?:and|or))?\s+$")
_PLACEHOLDER = re.compile(r"«[^»]*»")
_PAREN_OPEN = re.compile(r"^\s*[(\[]\s*$")
_PAREN_CLOSE = re.compile(r"^\s*[)\]]")

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def entity_class(mention: Mention) -> str:
    """Coarse class for coordination: conditions coordinate with conditions only."""
    return "condition" if mention.concept.type == "disease" else "agent"


@dataclass(frozen=True, slots=True)
class Group:
    """One placeholder: a mention or a coordinated list of mentions."""

    members: tuple[Mention, ...]
    start: int
    end: int

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(sorted({m.concept.type for m in self.members}))


@dataclass(frozen=True, slots=True)
class Rendered:
    """A sentence with its mentions replaced by group tokens."""

    text: str
    groups: tuple[Group, ...]
    exempt: frozenset[str]          # concepts exempt from sentence hedges ("except for X")


def _groups(text: str, mentions: Sequence[Mention]) -> list[Group]:
    """Coordinated and parenthesised mentions merged into groups."""
    groups: list[Group] = []
    members: list[Mention] = []
    end = 0
    for mention in mentions:
        if members:
            between = text[end:mention.start]
            same = entity_class(mention) == entity_class(members[-1])
            closing = _PAREN_CLOSE.match(between)
            after_paren = between[closing.end():] if closing else between
            if same and (_PAREN_OPEN.match(between) or _COORDINATION.match(after_paren)):
                members.append(mention)
                end = mention.end
                continue
            groups.append(Group(tuple(members), members[0].start, _group_end(text, end)))
        members = [mention]
        end = mention.end
    if members:
        groups.append(Group(tuple(members), members[0].start, _group_end(text, end)))
    return groups


def _group_end(text: str, end: int) -> int:
    """A group that ends inside parentheses ("fibromyalgia (FMS)") swallows the ")"."""
    opened = text.rfind("(", 0, end)
    closed = text.rfind(")", 0, end)
    if opened > closed and end < len(text) and text[end] == ")":
        return end + 1
    return end


def render(text: str, start: int, end: int, mentions: Sequence[Mention]) -> Rendered:
    """Render ``text[start:end]`` with ``mentions`` (document offsets, sorted, disjoint)."""
    groups = _groups(text, mentions)
    parts: list[str] = []
    exempt: set[str] = set()
    pos = start
    for i, group in enumerate(groups):
        before = _normalise(text[pos:group.start])
        parts.append(before)
        if modality.introduces_exception(before):
            exempt.update(m.concept.id for m in group.members)
        parts.append(f"«{i}|{'|'.join(group.types)}»")
        pos = group.end
    parts.append(_normalise(text[pos:end]))
    rendered = "".join(parts).strip()
    return Rendered(rendered, tuple(groups), frozenset(exempt))


def _normalise(text: str) -> str:
    """Whitespace runs to one space (kept where it was: "ketamine-induced" stays joined)."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES))


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule match for one (subject, object) pair in one sentence."""

    rule: Rule
    predicate: str                      # the rule's; a negated "treats" is "no_effect"
    subject: Concept
    object: Concept
    subject_mention: Mention | None     # None for an implicit subject
    object_mention: Mention
    negated: bool
    hedged: bool
    hypothetical: bool
    off_label: bool
    qualifiers: Mapping[str, Any]


def _slots_fillable(rule: Rule, present: frozenset[str]) -> bool:
    """Whether the sentence's entity types can fill every slot of the rule (a cheap test
    before its regex)."""
    return all(types & present for types in rule.slot_types)


def match_sentence(rendered: Rendered, implicit_subject: Mention | None = None,
                   in_heading: bool = False,
                   rules: Sequence[Rule] = RULES, in_comment: bool = False) -> list[Hit]:
    """Every hit of ``rules`` in one rendered sentence, first rule per pair winning.

    ``implicit_subject`` (the section's or page's intervention) fills rules without a
    subject slot; ``in_heading`` enables the rules for titles and headings; ``in_comment``
    (a reader's comment) disables the rules for authored statements only.
    """
    # every rule needs a subject (a group or the implicit one) and an object group
    if len(rendered.groups) < (1 if implicit_subject is not None else 2):
        return []
    # placeholders blanked to the same length, so match offsets hold for the modality cues
    plain = _PLACEHOLDER.sub(lambda t: "X" * len(t.group(0)), rendered.text)
    hypothetical = modality.hypothetical(plain)
    off_label = modality.off_label(plain)
    claimed: set[tuple[str, str]] = set()
    consumed: dict[int, str] = {}       # qualifier mention -> predicate that used it
    hits: list[Hit] = []
    present = frozenset(t for g in rendered.groups for t in g.types)
    low = lowered(rendered.text)
    for rule in rules:
        if (rule.headings_only and not in_heading) or (
                rule._implicit and implicit_subject is None) or (
                rule.authored_only and in_comment):
            continue
        fillable = True
        for types in rule.slot_types:       # _slots_fillable, inline (it runs per rule)
            if not types & present:
                fillable = False
                break
        if not fillable:
            continue
        for m in rule.caseless.finditer(rendered.text, low):
            if rule.implicit_subject and _names_intervention(rendered, m):
                continue
            pairs, used = _pairs(rule, m, rendered, implicit_subject)
            for subject, obj, qualifiers, exempt in pairs:
                pair = (subject.concept.id, obj.concept.id)
                if pair in claimed or consumed.get(obj.start, rule.predicate) != rule.predicate:
                    continue
                claimed.add(pair)
                negated = rule.negates or (not rule.polarity_fixed
                                           and modality.negated(plain[m.start():m.end()]))
                predicate = rule.predicate
                if negated:
                    predicate, negated = modality.negated_predicate(
                        predicate, plain[m.start():m.end()])
                hits.append(Hit(
                    rule=rule, predicate=predicate, subject=subject.concept, object=obj.concept,
                    subject_mention=None if subject is implicit_subject else subject,
                    object_mention=obj, negated=negated,
                    hedged=not exempt and modality.hedged(plain, m.start(), m.end()),
                    hypothetical=hypothetical, off_label=off_label and predicate == "treats",
                    qualifiers=MappingProxyType(qualifiers)))
            for mention in used:
                consumed.setdefault(mention.start, rule.predicate)
    return hits


def _names_intervention(rendered: Rendered, m: re.Match[str]) -> bool:
    """Whether the sentence names an intervention outside the match's slots (then an
    implicit subject would be wrong)."""
    slots = {int(m.group(name)) for name in ("O", "Q") if name in m.re.groupindex}
    return any(i not in slots and ({"chemical", "procedure"} & set(group.types))
               for i, group in enumerate(rendered.groups))


def _members(rendered: Rendered, m: re.Match[str], role: str,
             types: frozenset[str]) -> list[Mention]:
    """The members of the group in slot ``role`` whose type the rule allows."""
    group = rendered.groups[int(m.group(role))]
    return [x for x in group.members if x.concept.type in types
            and x.concept.id not in GENERIC_CONCEPTS]


def _pairs(rule: Rule, m: re.Match[str], rendered: Rendered,
           implicit_subject: Mention | None
           ) -> tuple[list[tuple[Mention, Mention, dict[str, Any], bool]], list[Mention]]:
    """(subject, object, qualifiers, exempt) for every member pair of one match, and the
    qualifier mentions the match used (an interaction's effect is no adverse-effect object)."""
    if rule.implicit_subject:
        assert implicit_subject is not None
        subjects = [implicit_subject]
    else:
        subjects = _members(rendered, m, "S", rule.subject)
    objects = _members(rendered, m, "O", rule.object)
    qualifiers: dict[str, Any] = dict(rule.qualifiers)
    groups = m.re.groupindex
    effects: list[Mention] = []
    if "action" in groups and m.group("action"):
        qualifiers["action"] = ACTIONS.get(m.group("action").lower(), m.group("action").lower())
    if "Q" in groups:
        effects = _members(rendered, m, "Q", rule.qualifier)
        if not effects:
            return [], []
        qualifiers[rule.qualifier_key] = effects[0].concept.name
        qualifiers[f"{rule.qualifier_key}_id"] = effects[0].concept.id
    pairs = []
    for subject in _unique_concepts(subjects):
        for obj in _unique_concepts(objects):
            obj = _receptor_for(obj, qualifiers.get("action"))
            if subject.concept.id != obj.concept.id:
                exempt = bool({subject.concept.id, obj.concept.id} & rendered.exempt)
                pairs.append((subject, obj, qualifiers, exempt))
    return pairs, effects


def _unique_concepts(mentions: Sequence[Mention]) -> list[Mention]:
    """One mention per concept ("major depressive disorder (MDD)" is one object)."""
    seen: dict[str, Mention] = {}
    for mention in mentions:
        seen.setdefault(mention.concept.id, mention)
    return list(seen.values())


def _receptor_for(mention: Mention, action: str | None) -> Mention:
    """"NMDA antagonist": an antagonist or agonist of a ligand acts on its receptor."""
    if action not in ("antagonist", "agonist") or mention.concept.id not in LIGAND_RECEPTORS:
        return mention
    rid, name = LIGAND_RECEPTORS[mention.concept.id]
    return Mention(mention.start, mention.end, mention.text, Concept(rid, name, "mechanism"),
                   mention.segment, mention.source, mention.negated, mention.hedged,
                   mention.hypothetical)
