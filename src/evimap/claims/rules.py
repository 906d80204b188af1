"""The relation rules: one table row per trigger pattern.

A pattern is a regular expression over a *rendered* sentence in which every entity mention
(or coordinated list of mentions, "magnesium, topiramate, memantine, and ketamine") is one
placeholder token ``«index|type|...»``. Slots name the roles:

``{S}``  subject (an intervention or mechanism, per the rule's ``subject`` types)
``{O}``  object (a condition or mechanism, per ``object``)
``{Q}``  a qualifier entity stored under ``qualifiers[qualifier_key]`` (e.g. the effect)
``{_}``  a short gap that crosses no entity (up to 60 characters)
``{__}`` a longer gap that may cross entities (up to 200 characters)

A rule without ``{S}`` takes an *implicit* subject: the section heading's or the page
title's main intervention ("Risk of serotonin syndrome if used with triptans").
Named group ``action`` (if any) is normalised through :data:`ACTIONS`. Rules are tried in
table order; within one sentence the first rule to claim a (subject, object) pair wins, so
the specific rules (approved_for, contraindicated_with) come before the general ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..text import Caseless

INTERVENTION = frozenset({"chemical", "procedure"})
CONDITION = frozenset({"disease"})
MECHANISM = frozenset({"mechanism"})
AGENT = frozenset({"chemical", "mechanism"})
TARGET = frozenset({"mechanism", "chemical"})
CONDITION_OR_MECHANISM = frozenset({"disease", "mechanism"})

#: How a trigger's action word maps to ``qualifiers["action"]``.
ACTIONS: Mapping[str, str] = MappingProxyType({
    "reuptake inhibitor": "reuptake inhibitor", "reuptake inhibitors": "reuptake inhibitor",
    "inhibitor": "inhibitor", "inhibitors": "inhibitor", "inhibit": "inhibitor",
    "inhibits": "inhibitor", "inhibiting": "inhibitor", "decrease": "inhibitor",
    "decreases": "inhibitor", "reduce": "inhibitor", "reduces": "inhibitor",
    "lower": "inhibitor", "lowers": "inhibitor", "suppress": "inhibitor",
    "suppresses": "inhibitor", "antagonist": "antagonist", "antagonists": "antagonist",
    "blocker": "antagonist", "blockers": "antagonist", "block": "antagonist",
    "blocks": "antagonist", "antagonizes": "antagonist", "antagonises": "antagonist",
    "agonist": "agonist", "agonists": "agonist", "activates": "agonist",
    "modulator": "modulator", "modulators": "modulator", "modulates": "modulator",
})

#: "An NMDA antagonist" acts on the receptor, not on the ligand the word names.
LIGAND_RECEPTORS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "D016202": ("D016194", "Receptors, N-Methyl-D-Aspartate"),   # N-Methylaspartate
    "D018698": ("D017470", "Receptors, Glutamate"),              # Glutamic Acid
    "D012701": ("D011985", "Receptors, Serotonin"),              # Serotonin
    "D004298": ("D011954", "Receptors, Dopamine"),               # Dopamine
})

#: Concepts too generic to be the subject or object of a claim.
GENERIC_CONCEPTS = frozenset({
    "D004194",   # Disease
    "D013577",   # Syndrome
    "D004364",   # Pharmaceutical Preparations ("drug")
    "D013812",   # Therapeutics
    "D004358",   # Drug Therapy
    "D018377",   # Neurotransmitter Agents
    "D012816",   # Signs and Symptoms
    "D012996",   # Solutions
    "D001688",   # Biological Products ("biological")
    "D059085",   # Nasal Sprays (a dosage form)
    "D000700",   # Analgesics ("analgesic effects")
    "D004630",   # Emergencies
})

#: A short gap: no entity, no new clause with its own subject ("which I think reduces").
_GAP = r"(?:(?!\b(?:I|we|you|they|he|she|but|whereas|although|though)\b)[^«»]){0,60}?"
_LONG_GAP = r".{0,200}?"


def slot(name: str, types: frozenset[str]) -> str:
    """The regex for a placeholder token in role ``name`` whose types meet ``types``."""
    alternatives = "|".join(sorted(types))
    return rf"«(?P<{name}>\d+)(?:\|[a-z]+)*?\|(?:{alternatives})(?:\|[a-z]+)*»"


@dataclass(frozen=True)
class Rule:
    """One trigger pattern for one predicate."""

    name: str
    predicate: str
    pattern: str
    subject: frozenset[str] = INTERVENTION
    object: frozenset[str] = CONDITION
    qualifier: frozenset[str] = frozenset()
    qualifier_key: str = ""
    qualifiers: Mapping[str, Any] = field(default_factory=dict)
    polarity_fixed: bool = False    # the trigger carries its own negation ("do not use")
    authored_only: bool = False     # a page's or paper's statement, not a reader's: "I see it
                                    # prescribed for FMS" reports practice, not effect
    negates: bool = False           # the trigger is a negated form of the predicate
                                    # ("did not reduce": treats, negated per the vocabulary)
    headings_only: bool = False     # only in titles and headings ("Milnacipran for Migraine")
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    #: the same pattern, for :func:`evimap.text.lowered` text (see :class:`~evimap.text.Caseless`)
    caseless: Caseless = field(init=False, repr=False, compare=False)
    #: the entity types each slot of the pattern takes (the slots a sentence must fill)
    slot_types: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)
    _implicit: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_implicit", "{S}" not in self.pattern)
        object.__setattr__(self, "slot_types", tuple(
            types for name, types in (("{S}", self.subject), ("{O}", self.object),
                                      ("{Q}", self.qualifier)) if name in self.pattern))
        compiled = (self.pattern
                    .replace("{S}", slot("S", self.subject))
                    .replace("{O}", slot("O", self.object))
                    .replace("{Q}", slot("Q", self.qualifier))
                    .replace("{__}", _LONG_GAP)
                    .replace("{_}", _GAP))
        object.__setattr__(self, "caseless", Caseless(compiled))
        object.__setattr__(self, "regex", self.caseless.exact)

    @property
    def implicit_subject(self) -> bool:
        """The rule has no subject slot: the subject comes from the section or page."""
        return self._implicit


_ACT = (r"(?P<action>reuptake inhibitors?|antagonists?|agonists?|inhibitors?|blockers?|"
        r"modulators?)")
_TREATMENT_NOUN = r"(?:treatment|therapy|management|relief|prevention|prophylaxis)"
_POPULATION = (r"(?:individuals|patients|people|those|subjects|adults|children|sufferers)"
               r"(?: who (?:endure|suffer from|have|experience)| with| suffering from)")
_USE_VERB = r"(?:used|prescribed|recommended|given|administered|taken)"
_RELIEF_VERB = (r"(?:treats?|treated|treating|relieves?|relieved|relieving|alleviates?|"
                r"alleviated|eases?|eased|improves?|improved|reduces?|reduced|reducing|"
                r"decreases?|decreased|lessens?|lessened|counteracts?|abort(?:s|ed)?)")

_PEOPLE = r"(?:patients|people|individuals|those|subjects|sufferers)"
#: A gap that may cross condition and mechanism mentions but no other intervention.
_GAP_NO_DRUG = r"(?:[^«».;]|«\d+(?:\|[a-z]+)*\|(?:disease|mechanism)(?:\|[a-z]+)*»){0,80}?"
#: Route or dose words that may precede a drug in a title ("Intravenous Magnesium for ...").
_ROUTE = (r"(?:intravenous|iv|oral|intranasal|nasal|topical|subcutaneous|intramuscular|"
          r"low[- ]dose|high[- ]dose|subanesthetic|adjunctive|add[- ]on|long[- ]term|"
          r"short[- ]term|daily|single[- ]dose)")
#: Words that narrow a condition without changing it ("acute migraine").
_DISEASE_MODIFIER = (r"(?:acute|chronic|episodic|refractory|severe|moderate|mild|pediatric|"
                     r"paediatric|adult|menstrual|treatment[- ]resistant|recurrent)")
#: An outcome phrase between a verb and its condition: words and outcome (disease) mentions.
_OUTCOME_GAP = r"(?:[^«».;]|«\d+(?:\|[a-z]+)*\|disease(?:\|[a-z]+)*»){0,60}?"


def _level_rules(name: str, predicate: str, words: str) -> tuple[Rule, ...]:
    """Rules for "levels of X are higher in Y patients" and its variants, one direction."""
    level = rf"(?:{words})"
    be = r"(?:are|is|were|was|have been|has been)"
    return (
        Rule(f"levels_{name}_in", predicate,
             rf"\blevels? of {{S}} {be} (?:\w+ )?{level}\b{{__}}\b(?:in|among) (?:the )?"
             rf"{{O}} {_PEOPLE}", subject=AGENT),
        Rule(f"levels_{name}_in_people_with", predicate,
             rf"\blevels? of {{S}} {be} (?:\w+ )?{level}\b{{__}}\b(?:in|among) {_PEOPLE} with "
             r"{O}", subject=AGENT),
        Rule(f"{name}_levels_in", predicate,
             rf"\b{level} (?:\w+ )?levels? of {{S}}{{_}}\b(?:in|among) (?:{_PEOPLE} with )?{{O}}",
             subject=AGENT),
        Rule(f"{name}_x_levels_in", predicate,
             rf"\b{level} {{S}} levels?\b{{_}}\b(?:in|among) (?:{_PEOPLE} with )?{{O}}",
             subject=AGENT),
        Rule(f"too_{name}_in", predicate,
             rf"\b(?:in|among) {_PEOPLE} with {{O}}{{__}}{{S}}(?: levels?)? {be} "
             rf"(?:too )?{level}\b",
             subject=AGENT),
    )


R = Rule
#: The rule table, most specific first.
RULES: tuple[Rule, ...] = (
    # --- approved_for (negated when "not approved") -----------------------------------------
    R("approved_to_treat", "approved_for",
      rf"{{S}}{_GAP_NO_DRUG}\b(?:fda|ema)?[- ]?approved (?:by the (?:fda|ema) )?(?:to treat|"
      r"to prevent|for|in)"
      r" (?:the (?:treatment|management|prevention) of )?(?:(?:mild|moderate|severe)"
      r"(?: to (?:moderate|severe))? )?{O}"),
    R("indicated_for", "approved_for",
      r"{S}{_}\bis indicated (?:for|in) (?:the (?:treatment|management) of )?{O}"),
    # --- contraindicated_with -----------------------------------------------------------------
    R("do_not_use_if", "contraindicated_with",
      r"\b(?:do not|don't|never) (?:use|take) {S}{_}\bif you (?:have |are |recently )?"
      r"(?:used|taken|taking|using|take|use|have){_}{O}",
      object=INTERVENTION | CONDITION, polarity_fixed=True),
    R("do_not_use_if_implicit", "contraindicated_with",
      r"^(?:do not|don't|never) (?:use|take) (?:it |this (?:medication|drug) )?if you "
      r"(?:have |are |recently )?(?:used|taken|taking|using|take|use|have){_}{O}",
      object=INTERVENTION | CONDITION, polarity_fixed=True),
    R("contraindicated", "contraindicated_with",
      r"{S}{_}\b(?:is |are )?contraindicated (?:in|with|for){_}{O}",
      object=INTERVENTION | CONDITION, polarity_fixed=True),
    # --- interacts_with -----------------------------------------------------------------------
    R("risk_if_used_with", "interacts_with",
      r"{S}{_}\brisk of {Q}{_}\b(?:if|when) (?:used|taken|combined|given) (?:together )?with {O}",
      object=INTERVENTION, qualifier=CONDITION, qualifier_key="effect"),
    R("risk_if_used_with_implicit", "interacts_with",
      r"^(?:there is an? )?(?:increased )?risk of {Q}{_}\b(?:if|when) (?:used|taken|combined|"
      r"given) (?:together )?with {O}",
      object=INTERVENTION, qualifier=CONDITION, qualifier_key="effect"),
    R("interacts", "interacts_with",
      r"{S}{_}\b(?:interacts?|interaction) with {O}", object=INTERVENTION),
    R("not_combine", "interacts_with",
      r"{S}{_}\bshould not be (?:combined|taken|used) (?:together )?with {O}",
      object=INTERVENTION, polarity_fixed=True),
    # --- negated treatment, no_effect ----------------------------------------------------------
    R("did_not_reduce", "treats",
      r"{S}{_}\b(?:did|does|do|was|were|is|are) not (?:significantly )?(?:reduce|improve|"
      r"relieve|prevent|effective|efficacious|superior|better|help)\w*{_}{O}",
      polarity_fixed=True, negates=True),
    R("no_significant_effect", "no_effect",
      r"{S}{_}\bno (?:significant |statistically significant |clear )?(?:effect|benefit|"
      r"improvement|difference|efficacy)\w*{_}\b(?:on|in|for) {O}", polarity_fixed=True),
    R("no_effect_of_on", "no_effect",
      r"\bno (?:significant |statistically significant |clear |overall |meaningful )?"
      r"(?:effect|benefit|improvement|difference|reduction)s? (?:of|with|from) {S}{_}"
      r"\b(?:on|in|for) {O}", polarity_fixed=True),
    R("no_difference_in_between", "no_effect",
      r"\bno (?:significant |statistically significant |clear )?differences? in {O}{_}"
      r"\bbetween {S}", polarity_fixed=True),
    R("ineffective", "treats",
      r"{S}{_}\b(?:failed to (?:reduce|improve|relieve|prevent)|(?:was|were|is|are) "
      r"ineffective (?:in|for|against)){_}{O}", polarity_fixed=True, negates=True),
    # --- prevents -----------------------------------------------------------------------------
    R("prevents", "prevents",
      r"{S}{_}\b(?:prevents?|prevented|preventing|(?:for|in) (?:the )?prevention of|"
      r"prophylaxis (?:of|for|against)|(?:preventive|preventative|prophylactic) "
      r"(?:treatment|therapy|medication|agent|drug)? ?(?:for|of|in|against)) {O}"),
    R("prevention_with", "prevents",
      r"\b(?:prevention|prophylaxis) of {O} (?:with|using|by) {S}"),
    # --- causes_adverse_effect ----------------------------------------------------------------
    R("side_effects_include", "causes_adverse_effect",
      r"\b(?:side[- ]effects?|adverse (?:effects?|events?|reactions?)) (?:of|from|with) {S}"
      r"{_}\b(?:include|includes|including|are|were|was|such as)\b{_}{O}"),
    R("side_effects_include_implicit", "causes_adverse_effect",
      r"^(?:the )?(?:common |most common |serious |potential )?(?:side[- ]effects?|adverse "
      r"(?:effects?|events?|reactions?)) (?:may |can )?(?:include|includes|are)\b{_}{O}"),
    R("induced", "causes_adverse_effect", r"{S}[- ]?(?:induced|associated|related) {O}"),
    R("can_cause", "causes_adverse_effect",
      r"{S}{_}(?<![-\w])(?:can |may |might |could |will |to |does |did )?(?:cause[sd]?|causing|"
      r"induce[sd]?|inducing|trigger(?:s|ed)?|provoke[sd]?|precipitate[sd]?|lead to|leads to|"
      r"led to) "
      r"(?:a |an )?(?:(?!for |of |to |in )\w+ )?{O}"),
    R("risk_of", "causes_adverse_effect",
      r"{S}{_}\b(?:increases?|raises?|raised|carries|carry|with an?) (?:the )?(?:increased )?"
      r"risk of {O}"),
    R("caused_by", "causes_adverse_effect", r"{O}{_}\b(?:caused|induced|triggered) by {S}"),
    R("relieved_by", "treats",
      r"{O}{_}\b(?:is|are|was|were|can be|may be|could be)? ?(?:significantly |markedly )?"
      r"(?:reduced|relieved|improved|alleviated|eased|lessened) "
      r"(?:by|with) (?:[\w-]+ ){0,2}{S}"),
    R("more_common_with", "causes_adverse_effect",
      r"{O}{_}\b(?:was|were|is|are) (?:more|most) (?:common|frequent)(?: \w+)? (?:with|after|"
      r"in (?:patients|those|people|participants) (?:given|receiving|taking|treated with)) {S}"),
    # --- targets ------------------------------------------------------------------------------
    R("is_a_class", "targets",
      rf"{{S}}{{_}}\b(?:is|are|as|acts as) (?:an?|the) (?:\w+ )?{{O}}[- ]?(?:receptor )?{_ACT}",
      subject=INTERVENTION, object=TARGET),
    R("appositive_class", "targets",
      rf"{{S}}, (?:an?|the) (?:\w+ )?{{O}}[- ]?(?:receptor )?{_ACT}", object=TARGET),
    R("role_as", "targets",
      rf"{{S}}(?:'s)? (?:role|action|activity|function|effect) as an? {{O}}[- ]?(?:receptor )?"
      rf"{_ACT}", object=TARGET),
    R("modulators_of", "targets",
      r"{S}, (?:an? |the )?(?:\w+ )?(?P<action>modulators?|antagonists?|agonists?|inhibitors?|"
      r"blockers?) of {O}", object=TARGET),
    R("inhibits_reuptake", "targets",
      r"{S}{_}\b(?:inhibit(?:s|ed|ing)?|block(?:s|ed|ing)?) the (?:re-?uptake|reabsorption) of"
      r" {O}", object=TARGET, qualifiers={"action": "reuptake inhibitor"}),
    R("therapies_that_target", "targets",
      r"\b(?:therapies|drugs|agents|medications|treatments|compounds) that (?:target|block|"
      r"antagonize|inhibit|modulate) {O}{_}\b(?:including|such as|like|namely) {S}",
      object=TARGET),
    R("decreases_activity", "targets",
      r"{S}{_}\b(?:can |may |to )?(?P<action>decrease|decreases|reduce|reduces|lower|lowers|"
      r"suppress|suppresses|inhibits?|blocks?) {O} (?:activity|release|signal(?:l)?ing|"
      r"transmission|function)", object=TARGET),
    R("antagonizes", "targets",
      r"{S}{_}\b(?P<action>blocks|antagonizes|antagonises|inhibits|activates|modulates) (?:the )?"
      r"{O}(?: receptors?)?(?!\w)(?! (?:levels?|concentrations?))", object=MECHANISM),
    R("acts_on", "targets",
      r"{S}{_}\b(?:acts?|acted|acting|works?|worked) (?:directly |indirectly )?on {O}",
      object=TARGET, qualifiers={"action": "modulator"}),
    R("alters_action", "targets",
      r"{S}{_}\b(?:alters?|altered|modulates?|modulated|affects?) the (?:action|activity|"
      r"effects?|function) of {O}", object=TARGET, qualifiers={"action": "modulator"}),
    # --- treats -------------------------------------------------------------------------------
    R("title_x_for_y", "treats",
      r"^(?:(?:how|why|when) )?{S}(?:'s)? (?:for|in|against|versus) (?:the )?{O}",
      headings_only=True),
    R("title_route_x_for_y", "treats",
      rf"^(?:{_ROUTE} ){{1,2}}{{S}} (?:for|against|versus) (?:the )?(?:{_DISEASE_MODIFIER} )?"
      r"{O}", headings_only=True),
    R("in_patients_with_x_y_improved", "treats",
      rf"\b(?:in|among) (?:{_PEOPLE}|adults|children|participants|women|men) with "
      rf"(?:{_DISEASE_MODIFIER} )?{{O}},{{_}}{{S}}{_GAP_NO_DRUG}\b(?:provided|produced|"
      r"resulted in|led to|achieved|gave|showed|was associated with|improved|reduced|"
      r"decreased|lowered|relieved) (?:a |an )?(?:superior|better|greater|significant(?:ly)?|"
      r"improved|lower|fewer|more|clinically meaningful|marked|substantial)"),
    R("improved_with", "treats",
      r"{O}[^«».;]{0,40}?\b(?:improved|decreased|fell|dropped|declined|lessened)\b"
      r"(?:[^«».;]|\.(?=\d)){0,40}? (?:with|after|on|during) {S}"),
    R("trials_found_reduced_implicit", "treats",
      r"^(?:[\w-]+ ){0,5}(?:trials?|studies|study|analysis) (?:found|showed|reported|"
      r"demonstrated|suggests?|suggested) that\b{_}\b(?:reduced|decreased|lowered|improved|"
      r"prevented) (?:the )?(?:monthly |weekly |mean |average )?(?:number of )?{O}"),
    R("improved_outcome_in", "treats",
      rf"{{S}}{{_}}\b(?:improved|reduced|shortened|lowered)\b{_OUTCOME_GAP} (?:in|among|for) "
      rf"(?:{_PEOPLE} with )?(?:{_DISEASE_MODIFIER} )?{{O}}"),
    R("helps_treat", "treats",
      rf"{{S}}{{_}}\b(?:helps?|helped|helping|can help|may help)(?: to)? {_RELIEF_VERB}"
      r" (?:the )?(?:severity of |frequency of |symptoms of |pain of )?{O}"),
    R("treatment_of", "treats",
      rf"{{S}}{{_}}\b(?:for|in|as) (?:the |a |an )?(?:\w+ )?{_TREATMENT_NOUN} (?:of|for) "
      r"(?:the )?(?:\w+ )?{O}"),
    R("efficacy_in", "treats",
      rf"{{S}}{{_}}\b(?:efficacy|effective|efficacious|effectiveness|beneficial|benefit|useful"
      rf"|helpful|success) (?:in|for|at|against|to) (?:the )?(?:(?:treating|reducing|relieving"
      rf"|managing|treatment of|relief of|management of) (?:the )?(?:\w+ )?)?(?:{_POPULATION} )?"
      r"(?:\w+ )?{O}"),
    R("associated_with_reduction", "treats",
      r"{S}{_}\b(?:was |were |is |are )?(?:associated with|resulted in|results in|led to|"
      r"leads to|produced|showed) (?:an? |the )?(?:\w+ ){0,2}(?:reduction|decrease|improvement|"
      r"relief|resolution) (?:in|of) (?:the )?(?:\w+ )?{O}"),
    R("used_for", "treats",
      rf"{{S}}{{_}}\b{_USE_VERB}(?: off[- ]label)?(?:,? (?:at times|sometimes|often|also|"
      r"frequently|commonly|successfully),?)? (?:to treat |for (?:the (?:treatment|management) "
      rf"of )?)(?:{_POPULATION} )?(?:\w+ )?{{O}}", authored_only=True),
    R("option_for", "treats",
      r"{S}{_}\b(?:treatment|therapy|option|alternative|remedy|medication|drug|cure|"
      r"solution|approach)s? (?:for|of|in) (?:the (?:treatment|management) of |addressing |"
      rf"treating |managing )?(?:{_POPULATION} )?(?:\w+ )?{{O}}"),
    R("use_of_for", "treats",
      r"\b(?:use|application|potential|role|efficacy|effectiveness|benefits?|value) of {S}{_}"
      r"\b(?:for|in) (?:the )?(?:(?:treatment|management|relief) of |treating |addressing )?"
      r"(?:\w+ )?{O}"),
    R("potential_for_relief", "treats",
      r"{S}(?:'s)? (?:potential|promise|role) (?:for|in|as) (?:a )?(?:treatment for )?{O}"),
    R("relief_with", "treats",
      r"\b(?:relief|treatment|management|therapy) (?:of|for) {O}{_}\b(?:with|using|by) {S}"),
    R("x_treatment_for", "treats",
      r"{S} (?:treatments?|therapy|therapies|infusions?|injections?) (?:for|of|in) (?:the )?"
      r"(?:\w+ )?{O}"),
    R("relieves", "treats",
      rf"{{S}}{{_}}\b{_RELIEF_VERB} (?:the )?(?:severity of |frequency of |symptoms of |"
      r"pain (?:of|from) |intensity of )?(?:\w+ )?{O}"),
    R("relief_of", "treats", r"{S}{_}\brelief (?:of|from|for) (?:the )?(?:\w+ )?{O}"),
    # --- elevated_in / reduced_in ---------------------------------------------------------------
    *_level_rules("elevated", "elevated_in", r"higher|elevated|increased|raised|high|excessive"),
    *_level_rules("reduced", "reduced_in", r"lower|reduced|decreased|low|deficient|depleted"),
    # --- associated_with ------------------------------------------------------------------------
    R("role_for_in", "associated_with",
      r"\broles? (?:for|of) {S}{_}\bin {O}", subject=AGENT, object=CONDITION_OR_MECHANISM),
    R("plays_role_in", "associated_with",
      r"{S}{_}\b(?:plays?|played|playing|has|have) (?:a |an )?(?:\w+ )?(?:role|part) in "
      r"(?:the )?{O}", subject=AGENT, object=CONDITION_OR_MECHANISM),
    R("tied_to", "associated_with",
      r"{S}{_}\b(?:is |are |was |were )?(?:\w+ )?(?:tied|linked|related|connected) (?:to|with) "
      r"(?:the )?{O}", subject=AGENT, object=CONDITION_OR_MECHANISM),
    R("implicated_in", "associated_with",
      r"{S}{_}\b(?:is |are |was |were |has been |have been )?(?:implicated|involved) in {O}",
      subject=AGENT, object=CONDITION_OR_MECHANISM),
    R("studies_implicate", "associated_with",
      r"\bimplicates?\b{_}{S}(?: signal(?:l)?ing| pathways?| receptors?)? in {O}",
      subject=AGENT, object=CONDITION_OR_MECHANISM),
    R("could_be_involved", "associated_with",
      r"\bwith {O}{__}{S} (?:could|may|might|to|would) be (?:involved|implicated)",
      subject=AGENT),
    R("associated_with", "associated_with",
      r"{S}{_}\b(?:is|are|was|were) (?:significantly |strongly |closely )?associated with "
      r"(?:the )?{O}", subject=AGENT, object=CONDITION_OR_MECHANISM),
    R("association_between", "associated_with",
      r"\b(?:association|link|relationship|correlation|connection) between {S} and {O}",
      subject=AGENT, object=CONDITION_OR_MECHANISM),
    R("therapeutic_target", "associated_with",
      r"{S}{_}\bas (?:a |potential |possible |novel |new )*(?:therapeutic |drug )?targets? "
      r"(?:for|in) {O}", subject=AGENT, qualifiers={"role": "therapeutic_target"}),
    R("altered_levels_reported", "associated_with",
      r"\b(?:altered|abnormal|changed|aberrant|disturbed) (?:\w+ )?levels? of {S}{__}"
      r"\b(?:reported|found|observed|detected|seen|described) in {O}",
      subject=AGENT),
)
del R
