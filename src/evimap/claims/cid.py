"""Chemical-induced disease (CID) relations: a document-level maximum-entropy classifier.

BC5CDR asks, for each abstract, which (chemical, disease) concept pairs the abstract presents
as "the chemical induces the disease", wherever in the text it says so. The sentence rules
(``rules.py``) find the explicit ones; this classifier weighs every pair of the document:

* candidates: every (chemical MeSH ID, disease MeSH ID) of the document's mentions (concept
  IDs and the parts of composite mentions; ``-1`` skipped);
* features (:func:`pair_features`): co-occurrence in sentences and the title, words and
  patterns between and around the closest pair of mentions ("X-induced Y", "Y after X",
  "X attenuated Y"), also read between coordinated lists ("A and B induced X, Y and Z"),
  negation and hedging cues, how many shared sentences state causation or protection,
  what the rules extracted for the pair, how often and where each entity is mentioned and
  its rank among its kind, co-occurrence in the conclusion, whether another chemical is
  said to cause the disease or the chemical another disease, whether the disease is a MeSH
  ancestor or descendant of another disease of the document or of the chemical's other
  diseases (BC5CDR annotates the most specific one), and a few conjunctions;
* model: CRFsuite trained on one-item sequences (= multinomial logistic regression) with
  labels ``CID``/``NONE``;
* decision (:class:`DecisionRule`): a pair is positive when P(CID) reaches the threshold
  and at least ``relative`` times the document's best pair's (an abstract's relations are
  the ones it is about: a weak pair beside a strong one is rarely annotated); in a document
  that reports harm (toxicity, adverse effects, "X-induced", ...) the threshold is lower
  (such an abstract nearly always names a culprit). The rule is chosen by
  ``evimap train cid`` (see ``models/MODEL_CARD.md``) and stored with the model in
  ``models/cid.json``.

Everything here is a pure function of the document and the loaded :class:`CidClassifier`.
The model is rebuilt by ``evimap train cid`` (``train_cid.py``); see ``models/MODEL_CARD.md``.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from ..entities.crf import CrfTagger
from ..entities.lexicon import Lexicon
from ..errors import ConfigError
from ..model import Claim, Concept, Evidence, Mention, Segment, Sentence
from .features import ADJACENT, DOCUMENT_PAIRS, WORD, bucket, cue_groups, pairwise_readable

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "cid.crfsuite"
META_FILE = "cid.json"
LABEL, OTHER = "CID", "NONE"
VIA = "cid_classifier"
EXTRACTOR = "cid/1"
PREDICATE = "causes_adverse_effect"
TREES_FILE = "mesh_trees.tsv.gz"
ACTIONS_FILE = "mesh_pharmacological_actions.tsv"
#: Tree branches whose descriptors BC5CDR annotates as diseases.
_DISEASE_BRANCHES = ("C", "F03")

#: (chemical MeSH ID, disease MeSH ID)
Pair = tuple[str, str]
#: Disease descriptor UI -> its MeSH tree numbers.
Trees = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class MeshFacts:
    """What MeSH tells the features: disease tree numbers and chemicals' pharmacological
    actions (descriptor UI -> action descriptor UIs)."""

    trees: Trees
    actions: Mapping[str, tuple[str, ...]]


# --- the document as the features see it ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Occurrence:
    """One mention of one concept (a composite mention gives one per part)."""

    id: str
    start: int
    end: int
    sentence: int                   # index into CidDocument.sentences


@dataclass(frozen=True)
class CidDocument:
    """A document reduced to what the CID features read."""

    text: str
    sentences: tuple[tuple[int, int], ...]
    title: frozenset[int]           # indices of the title's sentences
    chemicals: tuple[Occurrence, ...]
    diseases: tuple[Occurrence, ...]
    #: pair -> the rule claims' predicates for it ("!" prefix: negated)
    rules: Mapping[Pair, frozenset[str]]

    def pairs(self) -> list[Pair]:
        """Every candidate pair, sorted."""
        chemicals = dict.fromkeys(o.id for o in self.chemicals)
        diseases = dict.fromkeys(o.id for o in self.diseases)
        return sorted((c, d) for c in chemicals for d in diseases)

    def pair_count(self) -> int:
        """How many candidate pairs :meth:`pairs` lists."""
        return len({o.id for o in self.chemicals}) * len({o.id for o in self.diseases})

    @cached_property
    def chemicals_in(self) -> dict[int, tuple[Occurrence, ...]]:
        """The chemical occurrences of each sentence, in order."""
        return _by_sentence(self.chemicals)

    @cached_property
    def diseases_in(self) -> dict[int, tuple[Occurrence, ...]]:
        """The disease occurrences of each sentence, in order."""
        return _by_sentence(self.diseases)

    @cached_property
    def chemicals_of(self) -> dict[str, tuple[Occurrence, ...]]:
        """The occurrences of each chemical, in order."""
        return _by_id(self.chemicals)

    @cached_property
    def diseases_of(self) -> dict[str, tuple[Occurrence, ...]]:
        """The occurrences of each disease, in order."""
        return _by_id(self.diseases)

    @cached_property
    def pairwise(self) -> frozenset[int]:
        """The sentences whose mention pairs are read (:func:`.features.pairwise_readable`)."""
        return frozenset(
            i for i, (s, e) in enumerate(self.sentences)
            if pairwise_readable(s, e, len(self.chemicals_in.get(i, ()))
                                 + len(self.diseases_in.get(i, ()))))


def _by_id(occurrences: Iterable[Occurrence]) -> dict[str, tuple[Occurrence, ...]]:
    found: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        found[o.id].append(o)
    return {ui: tuple(v) for ui, v in found.items()}


def _by_sentence(occurrences: Iterable[Occurrence]) -> dict[int, tuple[Occurrence, ...]]:
    found: dict[int, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        found[o.sentence].append(o)
    return {i: tuple(v) for i, v in found.items()}


def nearest_gap(a: Iterable[int], b: Iterable[int]) -> int:
    """``min(abs(x - y) for x in a for y in b)`` (both non-empty) in time linear in their
    sizes, not their product: each ``x`` needs only its neighbours in ``b``."""
    xs, ys = sorted(set(a)), sorted(set(b))
    best = abs(xs[0] - ys[0])
    j = 0
    for x in xs:
        while j < len(ys) and ys[j] < x:
            j += 1
        for k in (j - 1, j):
            if 0 <= k < len(ys):
                best = min(best, abs(x - ys[k]))
    return best


def _is_chemical(concept: Concept) -> bool:
    return concept.type == "chemical"


def cid_document(text: str, segments: Sequence[Segment], sentences: Sequence[Sentence],
                 mentions: Sequence[Mention], claims: Iterable[Claim] = (),
                 is_chemical: Callable[[Concept], bool] = _is_chemical) -> CidDocument:
    """The CID view of a document: its content sentences, chemical and disease occurrences
    (by sentence) and the pairs the rule claims name (this classifier's own claims ignored)."""
    spans = tuple((s.start, s.end) for s in sentences)
    starts = [s for s, _ in spans]
    title = frozenset(i for i, s in enumerate(sentences)
                      if 0 <= s.segment < len(segments) and segments[s.segment].kind == "title")
    chemicals: list[Occurrence] = []
    diseases: list[Occurrence] = []
    for m in mentions:
        index = bisect.bisect_right(starts, m.start) - 1
        if index < 0 or m.start >= spans[index][1]:
            continue                # outside the content sentences
        if m.concept.type == "disease":
            target = diseases
        elif is_chemical(m.concept):
            target = chemicals
        else:
            continue
        for ui in dict.fromkeys(m.ids or (m.concept.id,)):
            if ui not in ("-1", ""):
                target.append(Occurrence(ui, m.start, m.end, index))
    rules: dict[Pair, set[str]] = defaultdict(set)
    for c in claims:
        if c.qualifiers.get("via") != VIA:
            rules[(c.subject.id, c.object.id)].add(("!" if c.negated else "") + c.predicate)
    return CidDocument(text, spans, title, tuple(sorted(chemicals, key=_order)),
                       tuple(sorted(diseases, key=_order)),
                       {k: frozenset(v) for k, v in rules.items()})


def _order(o: Occurrence) -> tuple[int, int, str]:
    return o.start, o.end, o.id


# --- features ---------------------------------------------------------------------------------


#: Word classes looked for between the closest mentions and in the sentence.
CUES = cue_groups(
    cause=r"induc|caus|produc|provok|evok|elicit|precipitat|trigger",
    assoc=r"associat|relat|attribut|due to|secondary to|consequen|linked",
    toxic=r"toxic|adverse|side[- ]effect|complication|overdos|poison|intoxica|abuse|misuse",
    after=r"after\b|following\b|during\b|receiv|administ|given\b|taking\b|exposure|"
          r"treated with|therapy with|use of\b|dose",
    develop=r"develop|occur|onset|appear|experienc|suffer|result|lead to|led to|"
            r"emerg|manifest",
    risk=r"risk|incidence|frequen|rate of",
    treat=r"treat|therap|management|efficac|effective|indicat|relie|benefi",
    protect=r"prevent|protect|attenuat|reduc|inhibit|block|revers|amelior|antagoni|"
            r"suppress|decreas|improv|abolish|counteract",
    animal=r"rats?\b|mice\b|mouse\b|animals?\b|dogs?\b|rabbits?\b|model\b",
    case=r"case\b|patient\b|(?:wo)?man\b|girl\b|boy\b|report",
)
_INDUCED = re.compile(r"^[\s-]*(?:induced|associated|related|evoked|provoked|caused|"
                      r"dependent|mediated)\b", re.I)
_BY = re.compile(r"\b(?:induced|caused|produced|provoked|evoked|elicited|precipitated|"
                 r"triggered) by(?: \w+){0,3}\s*$", re.I)
_AFTER = re.compile(r"\b(?:after|following|during|with|from|on)\b(?: \w+){0,4}\s*$", re.I)
#: Between-words kept as lexical features when the mentions are this close (in words).
_LEXICAL_GAP = 5


@lru_cache(maxsize=8192)
def cue_names(text: str) -> frozenset[str]:
    """The :data:`CUES` word classes found in ``text`` (a sentence is read once for all its
    mention pairs)."""
    return frozenset(name for name, rx in CUES.items() if rx.search(text))




def _ranks(occurrences: Sequence[Occurrence]) -> tuple[Counter[str], dict[str, int]]:
    """Mention counts and frequency rank (1 = most mentioned; ties by first mention)."""
    counts = Counter(o.id for o in occurrences)
    first: dict[str, int] = {}
    for o in occurrences:
        first.setdefault(o.id, o.start)
    order = sorted(counts, key=lambda ui: (-counts[ui], first[ui]))
    return counts, {ui: i + 1 for i, ui in enumerate(order)}


def _related(ui: str, others: Iterable[str], trees: Trees) -> tuple[bool, bool]:
    """Whether another disease of the document is below (more specific) / above ``ui``."""
    mine = trees.get(ui, ())
    below = above = False
    for other in others:
        if other == ui:
            continue
        theirs = trees.get(other, ())
        below = below or any(t.startswith(m + ".") for t in theirs for m in mine)
        above = above or any(m.startswith(t + ".") for t in theirs for m in mine)
    return below, above


def _sentence_features(doc: CidDocument, chem: Sequence[Occurrence],
                       dis: Sequence[Occurrence], index: int) -> set[str]:
    """Features of one sentence where both concepts occur, from its closest mention pair
    (and the causal patterns of every pair)."""
    pairs = sorted(((c, d) for c in chem for d in dis),
                   key=lambda p: (max(p[0].start, p[1].start) - min(p[0].end, p[1].end),
                                  p[0].start))
    f = _mention_pair_features(doc, *pairs[0], index)
    for c, d in pairs[1:]:
        f |= {x for x in _mention_pair_features(doc, c, d, index) if x.startswith("pat:")}
    return f


#: What may separate the members of a coordinated list of mentions ("A, B and/or C").
_COORDINATION = re.compile(r"^[\s,;/]*(?:(?:and|or|and/or|as well as|plus|nor)\b)?[\s,;/]*$",
                           re.I)


def _coordinated(text: str, o: Occurrence, kind: Sequence[Occurrence]) -> tuple[int, int, int]:
    """The span of the coordinated list of same-kind mentions around ``o`` in its sentence
    ("levobupivacaine and ropivacaine", "agitation, delirium, and sudden death") and how many
    other mentions it holds."""
    same = sorted({(x.start, x.end) for x in kind
                   if x.sentence == o.sentence and (x.start, x.end) != (o.start, o.end)})
    start, end, members = o.start, o.end, 0
    for s, e in reversed([x for x in same if x[1] <= o.start]):
        if not _COORDINATION.match(text[e:start]):
            break
        start, members = s, members + 1
    for s, e in (x for x in same if x[0] >= o.end):
        if not _COORDINATION.match(text[end:s]):
            break
        end, members = e, members + 1
    return start, end, members


#: Sentence features that say the chemical causes the disease.
_CAUSAL = frozenset({"pat:C_induced_D", "pat:D_by_C", "pat:D_after_C", "btw:cause"})
#: A sentence that states the abstract's conclusion (besides the last two).
_CONCLUSION = re.compile(r"\s*(?:conclusions?|interpretation)\b", re.I)


def _mention_pair_features(doc: CidDocument, c: Occurrence, d: Occurrence,
                           index: int) -> set[str]:
    """Features of one chemical and one disease mention in sentence ``index``; when either
    is a member of a coordinated list, the cues and patterns between the two lists are added
    (``g:`` features and ``pat:``: a list member is described by what is said of the
    whole list)."""
    text = doc.text
    cs, ce, c_members = _coordinated(text, c, doc.chemicals_in.get(c.sentence, ()))
    ds, de, d_members = _coordinated(text, d, doc.diseases_in.get(d.sentence, ()))
    first, second = (c, d) if c.start <= d.start else (d, c)
    between = text[first.end:second.start] if first.end <= second.start else ""
    group: set[str] = set()        # the same cues and patterns between the two lists
    if (c_members or d_members) and (ce <= ds or de <= cs):
        g_between = text[min(ce, de):max(cs, ds)]
        g_order = "CD" if ce <= ds else "DC"
        group = {f"g:btw:{name}|{g_order}" for name, rx in CUES.items() if rx.search(g_between)}
        if g_order == "CD" and _INDUCED.match(g_between):
            group.add("pat:C_induced_D")
        if g_order == "DC" and _BY.search(g_between):
            group.add("pat:D_by_C")
        if g_order == "DC" and _AFTER.search(g_between):
            group.add("pat:D_after_C")
    words = WORD.findall(between.lower())
    s, e = doc.sentences[index]
    sentence = text[s:e]
    order = "CD" if first is c else "DC"
    f = {f"order={order}", f"gap={bucket(len(words), (0, 2, 5, 10, 20))}"}
    f |= group
    if c_members:
        f.add("c_list")
    if d_members:
        f.add("d_list")
    in_between = cue_names(between)
    f |= {f"btw:{name}" for name in in_between}
    f |= {f"btw:{name}|{order}" for name in in_between}
    f |= {f"sent:{name}" for name in cue_names(sentence)}
    if ADJACENT.match(between):
        f.add(f"adjacent:{order}")
    if order == "CD" and _INDUCED.match(between):
        f.add("pat:C_induced_D")
    if order == "DC" and _BY.search(between):
        f.add("pat:D_by_C")
    if order == "DC" and _AFTER.search(between):
        f.add("pat:D_after_C")
    if len(words) <= _LEXICAL_GAP:
        f |= {f"bw={w}" for w in words}
    return f | surroundings(doc, c, d, index)


def surroundings(doc: CidDocument, c: Occurrence, d: Occurrence, index: int,
                 word: Callable[[str], str] = str) -> set[str]:
    """The two words before and after a chemical-disease mention pair of sentence ``index``
    (each read through ``word``) and whether another chemical or disease stands between."""
    text = doc.text
    s, e = doc.sentences[index]
    first, second = (c, d) if c.start <= d.start else (d, c)
    before = WORD.findall(text[max(s, first.start - 30):first.start].lower())[-2:]
    after = WORD.findall(text[second.end:min(e, second.end + 30)].lower())[:2]
    f = {f"pre={word(w)}" for w in before} | {f"post={word(w)}" for w in after}
    if any(first.end <= o.start and o.end <= second.start and o.id != c.id
           for o in doc.chemicals_in.get(index, ())):
        f.add("btw:other_chemical")
    if any(first.end <= o.start and o.end <= second.start and o.id != d.id
           for o in doc.diseases_in.get(index, ())):
        f.add("btw:other_disease")
    return f


_ROLE_BEFORE = {
    "population": re.compile(r"\b(?:patients?|subjects?|children|adults?|women|men|cases?|"
                             r"individuals|people|those|rats|mice) (?:\w+ ){0,2}with\s*$", re.I),
    "indication": re.compile(r"\b(?:treatment|therapy|management|prevention|prophylaxis|"
                             r"treating|treat|control) (?:of|for)\s*(?:\w+ )?$|\bfor\s*$",
                             re.I),
    "induced": re.compile(r"(?:induced|associated|related|caused|evoked)\s*$", re.I),
    "treated": re.compile(r"\b(?:treated|treatment|therapy) with\s*$|\breceiv\w* $", re.I),
}
_ROLE_AFTER = {
    "inducer": re.compile(r"^[\s-]*(?:induced|associated|related|evoked|provoked)\b", re.I),
    "cause_of": re.compile(r"^\s*(?:\w+ ){0,2}(?:induc|caus|produc|provok|elicit)", re.I),
    "toxicity": re.compile(r"^[\s-]*(?:toxicity|overdose|poisoning|intoxication|abuse)",
                           re.I),
    "treatment": re.compile(r"^[\s-]*(?:treatment|therapy|administration|infusion|"
                            r"injection)", re.I),
}


def _roles(text: str, occurrences: Sequence[Occurrence]) -> set[str]:
    """What the words around any mention of a concept say it is in this document."""
    roles = set()
    for o in occurrences:
        before, after = text[max(0, o.start - 40):o.start], text[o.end:o.end + 40]
        roles |= {name for name, rx in _ROLE_BEFORE.items() if rx.search(before)}
        roles |= {name for name, rx in _ROLE_AFTER.items() if rx.search(after)}
    return roles


def _document_features(doc: CidDocument, mesh: MeshFacts) -> Callable[[Pair], list[str]]:
    """A function from a pair to its features (document statistics computed once)."""
    chem_count, chem_rank = _ranks(doc.chemicals)
    dis_count, dis_rank = _ranks(doc.diseases)
    chem_at: dict[str, list[Occurrence]] = defaultdict(list)
    dis_at: dict[str, list[Occurrence]] = defaultdict(list)
    for o in doc.chemicals:
        chem_at[o.id].append(o)
    for o in doc.diseases:
        dis_at[o.id].append(o)
    last = len(doc.sentences) - 1
    n = max(len(doc.sentences), 1)
    diseases = list(dis_count)
    trees = mesh.trees
    hierarchy = {ui: _related(ui, diseases, trees) for ui in diseases}
    chem_roles = {ui: _roles(doc.text, occ) for ui, occ in chem_at.items()}
    dis_roles = {ui: _roles(doc.text, occ) for ui, occ in dis_at.items()}

    concluding = {i for i, (s, e) in enumerate(doc.sentences)
                  if _CONCLUSION.match(doc.text, s, e)}
    # every pair's sentence features (sentence index, features), once
    by_sentence: dict[Pair, list[tuple[int, set[str]]]] = {}
    readable = doc.pairwise
    chem_in = {ui: _by_sentence(occ) for ui, occ in chem_at.items()}
    dis_in = {ui: _by_sentence(occ) for ui, occ in dis_at.items()}
    for c_ui, c_occ in chem_in.items():
        for d_ui, d_occ in dis_in.items():
            shared_at = sorted(c_occ.keys() & d_occ.keys() & readable)
            by_sentence[(c_ui, d_ui)] = [
                (i, _sentence_features(doc, c_occ[i], d_occ[i], i)) for i in shared_at]
    causal = {pair for pair, found in by_sentence.items()
              if any(_CAUSAL & x for _, x in found)
              or PREDICATE in doc.rules.get(pair, frozenset())}
    causes_of: dict[str, set[str]] = defaultdict(set)
    effects_of: dict[str, set[str]] = defaultdict(set)
    for c_ui, d_ui in causal:
        causes_of[d_ui].add(c_ui)
        effects_of[c_ui].add(d_ui)
    cooc_with: dict[str, set[str]] = defaultdict(set)
    for (c_ui, d_ui), found in by_sentence.items():
        if found:
            cooc_with[c_ui].add(d_ui)

    def features(pair: Pair) -> list[str]:
        chem, dis = chem_at[pair[0]], dis_at[pair[1]]
        cs, ds = {o.sentence for o in chem}, {o.sentence for o in dis}
        shared = sorted(cs & ds)
        distance = nearest_gap(cs, ds)
        c_title, d_title = bool(cs & doc.title), bool(ds & doc.title)
        rc, rd = min(chem_rank[pair[0]], 3), min(dis_rank[pair[1]], 3)
        cooc = bucket(len(shared), (0, 1, 2))
        rules = doc.rules.get(pair, frozenset())
        f = {"bias", f"cooc={cooc}", f"sdist={bucket(distance, (0, 1, 2, 4))}",
             f"c_title={c_title}", f"d_title={d_title}", f"rank={rc}{rd}",
             f"c_rank={rc}", f"d_rank={rd}",
             f"c_freq={bucket(chem_count[pair[0]], (1, 2, 4))}",
             f"d_freq={bucket(dis_count[pair[1]], (1, 2, 4))}",
             f"n_chem={bucket(len(chem_count), (1, 2, 4))}",
             f"n_dis={bucket(len(dis_count), (1, 2, 4, 8))}",
             f"d_first={bucket(4 * min(ds) // n, (0, 1, 2))}",
             f"c_first={bucket(4 * min(cs) // n, (0, 1, 2))}",
             f"cooc|title={cooc}|{c_title}{d_title}", f"rank|cooc={rc}{rd}|{cooc}"}
        f |= {f"rule={p}" for p in rules}
        if PREDICATE in rules:
            f.add(f"rule_cae|cooc={cooc}")
        if last in ds:
            f.add("d_last")
        if last in shared:
            f.add("cooc_last")
        if doc.title and doc.title <= set(shared):
            f.add("cooc_title")
        below, above = hierarchy[pair[1]]
        f.add(f"d_hier={'below' if below else ''}{'above' if above else ''}")
        f |= {f"c_{x}" for x in chem_roles[pair[0]]} | {f"d_{x}" for x in dis_roles[pair[1]]}
        f |= {x for t in trees.get(pair[1], ("none",)) for x in (f"d_branch={t[:3]}",
                                                                  f"d_branch2={t[:7]}")}
        f |= {f"d_id={pair[1]}", f"c_id={pair[0]}"}
        f |= {f"c_action={a}" for a in mesh.actions.get(pair[0], ("none",))}
        sentence_feats: set[str] = set()
        for index, s_feats in by_sentence.get(pair, ()):
            sentence_feats |= s_feats
            if index in doc.title:
                f |= {f"t:{x}" for x in s_feats if x.startswith(("pat:", "btw:", "adj"))}
        f |= {f"s:{x}" for x in sentence_feats}
        # the pair among the document's other pairs: is another chemical said to cause
        # this disease, this chemical said to cause another disease?
        is_causal = pair in causal
        other_cause = bool(causes_of[pair[1]] - {pair[0]})
        other_effect = bool(effects_of[pair[0]] - {pair[1]})
        f.add(f"causal|others={is_causal}{other_cause}{other_effect}")
        f.add(f"causal|title={is_causal}{c_title}{d_title}")
        if any(i >= last - 1 or i in concluding for i in shared):
            f.add(f"cooc_conclusion|causal={is_causal}")
        found = by_sentence[pair]
        n_causal = sum(1 for _, x in found if _CAUSAL & x)
        n_protect = sum(1 for _, x in found if "btw:protect" in x)
        f.add(f"n_causal={bucket(n_causal, (0, 1, 2))}")
        f.add(f"n_protect={bucket(n_protect, (0, 1))}|{bucket(n_causal, (0, 1))}")
        # BC5CDR annotates the most specific disease: is this one a MeSH descendant or
        # ancestor of another disease this chemical is said to cause or shares a sentence with?
        partners = [d for d in cooc_with[pair[0]] | effects_of[pair[0]] if d != pair[1]]
        if partners:
            below_p, above_p = _related(pair[1], partners, trees)
            if below_p:
                f.add(f"d_below_partner|causal={is_causal}")
            if above_p:
                f.add("d_above_partner")
        if {"pat:C_induced_D", "pat:D_by_C"} & sentence_feats:
            f.add(f"induced|title={c_title}{d_title}")
        return sorted(f)

    return features


def pair_features(doc: CidDocument, mesh: MeshFacts) -> dict[Pair, list[str]]:
    """CRFsuite features of every candidate pair of the document."""
    if doc.pair_count() > DOCUMENT_PAIRS:
        return {}
    features = _document_features(doc, mesh)
    return {pair: features(pair) for pair in doc.pairs()}


# --- the classifier ---------------------------------------------------------------------------

def read_mesh_facts(mesh_dir: Path) -> MeshFacts:
    """Disease tree numbers (branches C and F03) and pharmacological actions from the MeSH
    folder."""
    trees: dict[str, list[str]] = defaultdict(list)
    with gzip.open(mesh_dir / TREES_FILE, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["tree_location"].startswith(_DISEASE_BRANCHES):
                trees[row["DescriptorUI"]].append(row["tree_location"])
    actions: dict[str, list[str]] = defaultdict(list)
    with (mesh_dir / ACTIONS_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            actions[row["DescriptorUI"]].append(row["PharmActionUI"])
    return MeshFacts({ui: tuple(t) for ui, t in trees.items()},
                     {ui: tuple(a) for ui, a in actions.items()})


def positive(probabilities: Mapping[Pair, float], threshold: float, relative: float = 0.0
             ) -> dict[Pair, float]:
    """The pairs whose probability reaches ``threshold`` and ``relative`` times the best
    probability among ``probabilities`` (one document's pairs)."""
    best = max(probabilities.values(), default=0.0)
    floor = max(threshold, relative * best)
    return {p: v for p, v in probabilities.items() if v >= floor}


#: Words of a document that reports harm: toxicity, adverse or side effects, overdose,
#: poisoning, intoxication, abuse, complications, something "-induced".
HARM = re.compile(r"\b(?:toxic\w*|adverse|side[- ]effects?|overdos\w*|poison\w*|"
                  r"intoxicat\w*|\w+-induced|induced by|drug-related|complications?|abuse)\b",
                  re.I)


def reports_harm(doc: CidDocument) -> bool:
    """Whether a content sentence of the document uses the words of :data:`HARM`."""
    return any(HARM.search(doc.text, start, end) for start, end in doc.sentences)


@dataclass(frozen=True)
class Candidates:
    """One document's candidate pairs with P(CID), less the pairs it says the chemical
    treats, and whether it reports harm (:func:`reports_harm`)."""

    probabilities: Mapping[Pair, float]
    harm: bool


@dataclass(frozen=True)
class DecisionRule:
    """Which candidates are CID pairs: those reaching the threshold (``harm_threshold`` in
    a document that reports harm) and ``relative`` times the document's best pair
    (:func:`positive`)."""

    threshold: float
    relative: float = 0.0
    harm_threshold: float | None = None

    def select(self, candidates: Candidates) -> dict[Pair, float]:
        threshold = self.threshold
        if candidates.harm and self.harm_threshold is not None:
            threshold = self.harm_threshold
        return positive(candidates.probabilities, threshold, self.relative)

    def as_json(self) -> dict[str, float | None]:
        return {"threshold": self.threshold, "harm_threshold": self.harm_threshold,
                "relative": self.relative}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DecisionRule:
        """The rule :meth:`as_json` wrote (a plain threshold when the rest is absent)."""
        harm = data.get("harm_threshold")
        return cls(float(data["threshold"]), float(data.get("relative", 0.0)),
                   None if harm is None else float(harm))


@dataclass
class CidClassifier:
    """The trained model, its decision rule, the MeSH facts and which mechanism concepts
    count as chemicals (ligands such as dopamine, which BC5CDR annotates as chemicals)."""

    tagger: CrfTagger
    rule: DecisionRule
    mesh: MeshFacts
    ligands: frozenset[str] = frozenset()

    def is_chemical(self, concept: Concept) -> bool:
        return concept.type == "chemical" or (concept.type == "mechanism"
                                              and concept.id in self.ligands)

    def probabilities(self, doc: CidDocument) -> dict[Pair, float]:
        """P(CID) of every candidate pair."""
        out = {}
        for pair, feats in pair_features(doc, self.mesh).items():
            self.tagger.tag([feats])
            out[pair] = self.tagger.marginal(LABEL, 0)
        return out

    def candidates(self, doc: CidDocument) -> Candidates:
        """P(CID) of every candidate pair less the pairs the document says the chemical
        treats or relieves (a treated condition is not an adverse effect), and whether the
        document reports harm."""
        return Candidates({p: v for p, v in self.probabilities(doc).items()
                           if not treated(doc, p)}, reports_harm(doc))

    def predict(self, doc: CidDocument) -> dict[Pair, float]:
        """The candidates the decision rule selects, with their probability."""
        return self.rule.select(self.candidates(doc))


def ligand_ids(lexicon: Lexicon) -> frozenset[str]:
    """The mechanism concepts of the lexicon that are ligands (neurotransmitters)."""
    uis = (lexicon.concept_at(i) for i in range(lexicon.concept_count))
    return frozenset(c.id for c in uis
                     if c.type == "mechanism" and lexicon.category(c.id) == "ligand")


def load_cid(mesh_dir: Path, lexicon: Lexicon | None = None, model_dir: Path = MODEL_DIR
             ) -> CidClassifier:
    """The shipped classifier (or the one in ``model_dir``), read once per process; the
    lexicon, when given, says which mechanism concepts are ligands."""
    model, meta = model_dir / MODEL_FILE, model_dir / META_FILE
    if not model.is_file() or not meta.is_file():
        raise ConfigError(f"CID model missing in {model_dir} (expected {MODEL_FILE} and "
                          f"{META_FILE}); rebuild it with `evimap train cid`")
    rule = DecisionRule.from_json(json.loads(meta.read_text(encoding="utf-8")))
    return CidClassifier(CrfTagger(model), rule, read_mesh_facts(mesh_dir),
                         ligand_ids(lexicon) if lexicon is not None else frozenset())


#: A rule claim that the chemical helps with the disease.
_HELPS = frozenset({"treats", "prevents", "no_effect"})


def treated(doc: CidDocument, pair: Pair) -> bool:
    """The rules say the chemical treats, prevents or fails to treat the disease ("pain
    scores fell with magnesium"): a treated condition is not an adverse effect. (A text
    cue veto, relief words without harm words, was tried and cost 1 point of F1.)"""
    return bool(doc.rules.get(pair, frozenset()) & _HELPS)


# --- claims -----------------------------------------------------------------------------------

def _telling_sentence(doc: CidDocument, pair: Pair) -> int | None:
    """The sentence that states the pair best: a rule's, then a causal pattern or cue, then
    the closest mentions; the title when they never share a sentence; None without title."""
    chem = doc.chemicals_of.get(pair[0], ())
    dis = doc.diseases_of.get(pair[1], ())
    shared = sorted({o.sentence for o in chem} & {o.sentence for o in dis} & doc.pairwise)
    if not shared:
        return min(doc.title) if doc.title else None

    def strength(index: int) -> tuple[int, int, int]:
        f = _sentence_features(doc, [o for o in doc.chemicals_in[index] if o.id == pair[0]],
                               [o for o in doc.diseases_in[index] if o.id == pair[1]], index)
        causal = any(x.startswith("pat:") for x in f) or "btw:cause" in f
        return (int(causal), int("btw:toxic" in f or "btw:after" in f),
                -int("btw:protect" in f))
    return max(shared, key=strength)


def cid_claims(classifier: CidClassifier, text: str, segments: Sequence[Segment],
               sentences: Sequence[Sentence], mentions: Sequence[Mention],
               rule_claims: Sequence[Claim], evidence: Evidence) -> list[Claim]:
    """``causes_adverse_effect`` claims for the classifier's positive pairs, each quoting its
    most telling sentence; a pair the rules already claimed in that sentence is left out."""
    doc = cid_document(text, segments, sentences, mentions, rule_claims,
                       classifier.is_chemical)
    names = {ui: m.concept if m.concept.id == ui else Concept(ui, m.text, m.concept.type)
             for m in mentions for ui in (m.ids or (m.concept.id,))}
    claimed = {(c.subject.id, c.object.id, c.start) for c in rule_claims
               if c.predicate == PREDICATE}
    out = []
    for pair, probability in sorted(classifier.predict(doc).items()):
        index = _telling_sentence(doc, pair)
        if index is None:
            continue
        sentence = sentences[index]
        if (*pair, sentence.start) in claimed:
            continue
        out.append(Claim(
            subject=names[pair[0]], predicate=PREDICATE, object=names[pair[1]],
            sentence=text[sentence.start:sentence.end], start=sentence.start,
            end=sentence.end, segment=sentence.segment,
            segment_kind=segments[sentence.segment].kind,
            qualifiers={"via": VIA, "probability": round(probability, 3)},
            evidence=replace(evidence, outcomes=list(evidence.outcomes),
                             extractor=EXTRACTOR)))
    return out
