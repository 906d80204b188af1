"""Polarity and modality cues: negation, hedging, hypotheticals, efficacy, off-label use.

Claim modality is read from the trigger's own context, not from the entity recogniser's
sentence-window flags: those mark every mention of a sentence that holds a cue, so "with the
exception of topiramate" or "do not use X if ..." would come out wrong. Negation is scoped to
the matched trigger span; hedges and hypotheticals to the sentence, minus phrases whose scope
is local ("and possibly also in ...") and minus mentions exempted ("with the exception of X").
"""

from __future__ import annotations

import re

NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|cannot|without|lack of|fail(?:s|ed)? to)\b|n't\b", re.I)

HEDGE = re.compile(
    r"\b(?:may|might|could|possibl[ey]|perhaps|potential(?:ly)?|suggest(?:s|ed|ing)?|"
    r"promising|promise|appears? to|seems? to|(?:un)?likely|presumably|maybe|uncertain|"
    r"unclear|not (?:be )?(?:strong|clear|conclusive|established)|limited evidence|scarce|"
    r"preliminary|emerging|believed to|thought to|i think|hypothes\w+|theori[sz]ed)\b", re.I)

CLAUSE_BREAK = re.compile(r";\s+|,\s+and\s+(?=[a-z])", re.I)

#: Hedges whose scope is a coordinated aside, not the claim ("and possibly also in X").
LOCAL_HEDGE = re.compile(
    r"\b(?:and|or)\s+(?:possibly|perhaps|probably|potentially)\s+(?:also\s+)?[^,;]*", re.I)

HYPOTHETICAL = re.compile(
    r"\?\s*[\"'”’)]*\s*$|\bwhether\b|\binvestigat\w+ (?:the (?:use|potential|effects?|role)|if)\b"
    r"|\b(?:further|more|additional|future) (?:studies|research|trials|data) (?:are |is )?"
    r"(?:needed|required|warranted|need)\b|\bto (?:determine|assess|evaluate|investigate|test)\b"
    r"|\btheori[sz]ed\b|\bhypothesi[sz]ed\b|\bconsidering\b|\bwhat if\b"
    r"|\bexplored? the (?:potential|possibility)\b", re.I)

#: Caveats that hedge a whole study frame ("its effects on migraine alone were not studied").
CAVEAT = re.compile(
    r"\bnot (?:been )?studied\b|\bsmall (?:study|sample|trial)\b|\blimitations?\b"
    r"|\bevidence is (?:still )?(?:scarce|limited|weak)\b|\bpreliminary\b", re.I)

EFFICACY = re.compile(
    r"\b(?:effective|efficacy|efficacious|effectiveness|beneficial|benefit(?:ed|s)?|"
    r"improv\w+|reduc\w+|decreas\w+|reliev\w+|relief|respond\w*|responses?|success\w*|"
    r"alleviat\w+|analgesi\w+|remission|resolved|abort\w*|lower(?:ed)?)\b", re.I)

NO_EFFICACY = re.compile(
    r"\b(?:not (?:more |significantly )?(?:effective|efficacious|beneficial|superior)|"
    r"no (?:significant |statistically significant |clear )?(?:effect|benefit|improvement|"
    r"difference|reduction|efficacy)|(?:did|does|do) not (?:significantly )?"
    r"(?:reduce|improve|relieve|prevent|help)|failed to|ineffective)\b", re.I)

OFF_LABEL = re.compile(r"\boff[- ]label\b", re.I)

EXCEPTION = re.compile(
    r"\b(?:with the exception of|except(?: for)?|apart from|other than)\s+(?:the\s+)?$", re.I)


def negated(span: str) -> bool:
    """Whether the trigger span (subject to object) holds a negation cue."""
    return bool(NEGATION.search(span))


def hedged(sentence: str, start: int = 0, end: int | None = None) -> bool:
    """Whether the clause(s) of ``sentence[start:end]`` are hedged.

    Clauses are split at ";" and ", and": in "X implicate Y in Z, and mutations may influence
    W" the hedge is W's, not Z's. Hedges of a coordinated aside are ignored.
    """
    end = len(sentence) if end is None else end
    text = LOCAL_HEDGE.sub(lambda m: " " * len(m.group(0)), sentence)
    pos = 0
    for brk in [*CLAUSE_BREAK.finditer(text), None]:
        stop = brk.start() if brk else len(text)
        if pos < max(end, start + 1) and start < stop and HEDGE.search(text, pos, stop):
            return True
        pos = brk.end() if brk else stop
    return False


def hypothetical(sentence: str) -> bool:
    """Whether the sentence is a question, an aim, a hypothesis or a call for research."""
    return bool(HYPOTHETICAL.search(sentence))


def has_caveat(sentence: str) -> bool:
    """Whether the sentence states a caveat about the evidence."""
    return bool(CAVEAT.search(sentence))


def efficacy(sentence: str) -> str | None:
    """``"positive"`` or ``"negative"`` when the sentence reports an effect, else None."""
    if NO_EFFICACY.search(sentence):
        return "negative"
    if EFFICACY.search(sentence):
        return "positive"
    return None


def off_label(sentence: str) -> bool:
    """Whether the sentence speaks of off-label use."""
    return bool(OFF_LABEL.search(sentence))


def introduces_exception(before: str) -> bool:
    """Whether the text right before a mention exempts it ("with the exception of")."""
    return bool(EXCEPTION.search(before))
