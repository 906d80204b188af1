"""Polarity and modality cues: negation, hedging, hypotheticals, efficacy, off-label use.

Claim modality is read from the trigger's own context, not from the entity recogniser's
sentence-window flags: those mark every mention of a sentence that holds a cue, so "with the
exception of topiramate" or "do not use X if ..." would come out wrong. Negation is scoped to
the matched trigger span; hedges and hypotheticals to the sentence, minus phrases whose scope
is local ("and possibly also in ...") and minus mentions exempted ("with the exception of X").
"""

from __future__ import annotations

from .. import vocab

# Every cue list is a table in ``evimap/vocab/cues.tsv``: one row per cue.
NEGATION = vocab.cue_regex("negation")
#: "No effect" wording: a negated benefit that states no effect is ``no_effect`` itself.
NO_DIFFERENCE = vocab.cue_regex("no_difference")
HEDGE = vocab.cue_regex("hedge")
#: A question asks rather than states: every claim read from it is hedged (pages-dev's
#: convention: "Amitriptyline for Migraine Prevention: Does It Work?").
QUESTION = vocab.cue_regex("question")
CLAUSE_BREAK = vocab.cue_regex("clause_break")
#: Hedges whose scope is a coordinated aside, not the claim ("and possibly also in X").
LOCAL_HEDGE = vocab.cue_regex("local_hedge")
HYPOTHETICAL = vocab.cue_regex("hypothetical")
#: Caveats that hedge a whole study frame ("its effects on migraine alone were not studied").
CAVEAT = vocab.cue_regex("caveat")
EFFICACY = vocab.cue_regex("efficacy")
NO_EFFICACY = vocab.cue_regex("no_efficacy")
OFF_LABEL = vocab.cue_regex("off_label")
EXCEPTION = vocab.cue_regex("exception")


def negated(span: str) -> bool:
    """Whether the trigger span (subject to object) holds a negation cue."""
    return bool(NEGATION.search(span))


def negated_predicate(predicate: str, span: str) -> tuple[str, bool]:
    """(predicate, negated) for a trigger of ``predicate`` whose span holds a negation.

    "No effect" / "no difference" wording on a benefit is the contrary predicate
    (``no_effect``, not negated); any other negation becomes the table's ``negated_as``
    (``evimap/vocab/predicates.tsv``), negated when that is the predicate itself ("did not
    reduce migraine" is a negated ``treats``).
    """
    entry = vocab.predicates().get(predicate)
    if entry is None:
        return predicate, True
    if entry.polarity == "benefit" and entry.opposite and NO_DIFFERENCE.search(span):
        return entry.opposite, False
    return entry.negated_as, entry.negated_as == predicate


def hedged(sentence: str, start: int = 0, end: int | None = None) -> bool:
    """Whether the clause(s) of ``sentence[start:end]`` are hedged.

    Clauses are split at ";" and ", and": in "X implicate Y in Z, and mutations may influence
    W" the hedge is W's, not Z's. Hedges of a coordinated aside are ignored. A question
    hedges the whole sentence.
    """
    end = len(sentence) if end is None else end
    if QUESTION.search(sentence):
        return True
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
