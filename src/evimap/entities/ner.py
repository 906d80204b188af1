"""The statistical recogniser: CRF spans for chemicals and diseases, normalised to MeSH.

:func:`ner_spans` tags each sentence twice: the first pass finds spans, from which the
document's abbreviations get a type (the type of their long form); the second pass sees
those typed short forms as a feature, so "PB" is a chemical wherever "phenobarbital (PB)"
defined it. :func:`normalise` maps a span to MeSH: the dictionary's concept for the same
words, else the names annotated in the training data, else the long form of an
abbreviation, else (diseases) a MeSH-style rewording (:func:`rewordings`: "decreased renal
function" -> "renal insufficiency", "ischemic" -> "ischemia"), else the longest name the
span ends with (same type), else a similar dictionary name, else ``-1``. Composite mentions
("renal and hepatic failure") get one ID per part.

The model ships in ``models/`` (rebuilt by ``evimap train ner``; see ``models/MODEL_CARD.md``).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import marshal
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..intervals import Intervals
from ..model import Concept
from ..settings import Settings
from . import brands
from .abbrev import Abbreviation, find_abbreviations
from .crf import (
    CrfTagger,
    DictionaryView,
    Gazetteer,
    Token,
    decode,
    dictionary_view,
    sentence_features,
    sentence_tokens,
)
from .keys import DROPPED, folded_key, prepare, token_spans, word_form
from .lexicon import Lexicon
from .matcher import Match, find_matches

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "bc5cdr-crf.crfsuite"
NAMES_FILE = "bc5cdr-names.tsv"
#: CRF label -> evimap entity type
TYPES = {"Chemical": "chemical", "Disease": "disease"}
_COMPOSITE = re.compile(r"^(?P<a>[\w-]+)(?:, (?P<b>[\w-]+))?,? (?:and|or) (?P<c>[\w-]+) "
                        r"(?P<head>.+)$")

Span = tuple[int, int, str]


#: Fuzzy normalisation accepts a dictionary name this similar (difflib ratio of the keys).
FUZZY_THRESHOLD = 0.9


@dataclass
class NerModel:
    """The CRF tagger and what it reads besides the text."""

    tagger: CrfTagger
    drugs: Gazetteer
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded key -> MeSH IDs
    #: names only other corpora annotate (NCBI Disease, BioRED): read after the dictionary
    #: and the rewordings, before the head and fuzzy look-ups
    fallback_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _fuzzy_index: dict[str, list[str]] | None = field(default=None, repr=False)
    _longest_name: int | None = field(default=None, repr=False)

    def fuzzy(self, text: str, etype: str, lexicon: Lexicon) -> Concept | None:
        """The dictionary name most similar to ``text`` (same type, same first three
        letters, similarity at least :data:`FUZZY_THRESHOLD`), or None: "hypomagnesaemia"
        finds "hypomagnesemia", "neuroleptic malignant syndromes" its singular."""
        key = name_key(text)
        if len(key) < 5:
            return None
        best, best_ratio = None, FUZZY_THRESHOLD
        letters = Counter(key)
        for name in self.fuzzy_index(lexicon).get(key[:3], ()):
            if abs(len(name) - len(key)) > max(2, len(key) // 8):
                continue
            # the letters the two share bound the ratio from above (difflib's quick_ratio)
            shared = (letters & Counter(name)).total()
            if 2.0 * shared / (len(key) + len(name)) <= best_ratio:
                continue
            ratio = difflib.SequenceMatcher(None, key, name, autojunk=False).ratio()
            if ratio > best_ratio:
                concept = lexicon.concept_at(lexicon.folded[name][0])
                if _compatible(concept.type, etype):
                    best, best_ratio = concept, ratio
        return best


    def longest_name(self, lexicon: Lexicon) -> int:
        """The most tokens a name of the dictionary or of the training data has, found on
        first use: a longer stretch of text is no name (:func:`_head_lookup` need not try
        it)."""
        if self._longest_name is None:
            keys = (*lexicon.exact, *lexicon.folded, *self.names, *self.fallback_names)
            self._longest_name = max((key.count(" ") + 1 for key in keys), default=0)
        return self._longest_name

    def fuzzy_index(self, lexicon: Lexicon) -> dict[str, list[str]]:
        """The dictionary's names of five characters or more by their first three, built on
        first use."""
        if self._fuzzy_index is None:
            index: dict[str, list[str]] = {}
            for name in lexicon.folded:
                if len(name) >= 5:
                    index.setdefault(name[:3], []).append(name)
            self._fuzzy_index = index
        return self._fuzzy_index


def name_key(text: str) -> str:
    """The lookup key of a mention's words (as the lexicon folds them)."""
    prepared = prepare(text)
    return folded_key([word_form(prepared[s:e]) for s, e in token_spans(prepared)])


def read_names(path: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The names table: (names of the reference corpus, BC5CDR; fallback names of the
    others), by the ``source`` column (absent: all reference)."""
    names: dict[str, tuple[str, ...]] = {}
    fallback: dict[str, tuple[str, ...]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            table = fallback if row.get("source", "reference") == "fallback" else names
            table[row["key"]] = tuple(row["ids"].split("|"))
    return names, fallback


def drug_gazetteer(settings: Settings) -> Gazetteer:
    """Drug names of the drug-named-entity-recognition dictionary as token sequences, cached
    in the cache folder (reading the packaged pickle takes most of a second)."""
    path = brands.dictionary_path()
    if path is None:
        return Gazetteer()
    stat = path.stat()
    digest = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}|1".encode()).hexdigest()
    cache = Path(settings.cache_dir) / f"drugs-{digest[:16]}.marshal"
    if cache.is_file():
        with cache.open("rb") as fh:
            words = marshal.load(fh)
    else:
        words = sorted({tuple(t.text.lower() for t in sentence_tokens(name, 0, len(name)))
                        for name in brands.variant_names() if len(name) > 3})
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            marshal.dump(words, fh)
        tmp.replace(cache)
    return Gazetteer((tuple(w), "drug") for w in words)


def load_ner(settings: Settings) -> NerModel | None:
    """The shipped (or configured) model; None when ``ner_model`` is ``none``."""
    if settings.ner_model.lower() == "none":
        return None
    folder = Path(settings.ner_model) if settings.ner_model else MODEL_DIR
    model, names = folder / MODEL_FILE, folder / NAMES_FILE
    if not model.is_file() or not names.is_file():
        raise ConfigError(f"NER model not found in {folder} (expected {MODEL_FILE} and "
                          f"{NAMES_FILE}); rebuild it with `evimap train ner` or set "
                          "EVIMAP_NER_MODEL=none for the dictionary alone")
    primary, fallback = read_names(names)
    return NerModel(CrfTagger(model), drug_gazetteer(settings), primary, fallback)


# --- tagging ----------------------------------------------------------------------------------

def short_form_types(text: str, abbreviations: Sequence[Abbreviation], lexicon: Lexicon
                     ) -> dict[str, str]:
    """The dictionary type of the long form of each abbreviation ("" when none)."""
    types: dict[str, str] = {}
    for a in abbreviations:
        kind = ""
        matches = find_matches(text, lexicon, a.long_start, a.long_end)
        if matches and matches[-1].end == a.long_end:
            kind = lexicon.concept_at(matches[-1].entry[0]).type
        types.setdefault(a.short, kind)
    return types


def typed_short_forms(abbreviations: Sequence[Abbreviation], spans: Sequence[Span]
                      ) -> dict[str, str]:
    """Short forms whose long form (or own definition) was tagged, with that label."""
    out: dict[str, str] = {}
    by_end: dict[int, list[tuple[int, str]]] = {}
    by_span: dict[tuple[int, int], str] = {}
    for s, e, k in spans:
        by_end.setdefault(e, []).append((s, k))
        by_span.setdefault((s, e), k)
    for a in abbreviations:
        kind = next((k for s, k in by_end.get(a.long_end, ()) if s >= a.long_start),
                    None) or by_span.get((a.short_start, a.short_end))
        if kind:
            out.setdefault(a.short, kind)
    return out


def ner_spans(model: NerModel, text: str, sentences: Sequence[tuple[int, int]],
              lexicon: Lexicon, candidates: Sequence[tuple[int, int]] = (),
              abbreviations: Sequence[Abbreviation] | None = None,
              matches: Sequence[Sequence[Match]] | None = None
              ) -> tuple[list[Span], dict[tuple[int, int], float]]:
    """Chemical and disease spans (start, end, "Chemical"|"Disease") in the sentences, and
    for each candidate span the model's mean probability that its tokens are an entity.
    ``abbreviations`` are those defined in the sentences (found here when not given);
    ``matches``, when given, are the dictionary's matches in each sentence."""
    if abbreviations is None:
        abbreviations = find_abbreviations(text, sentences)
    dict_types = short_form_types(text, abbreviations, lexicon)
    found: Sequence[Sequence[Match] | None] = (
        matches if matches is not None else [None] * len(sentences))
    tokenised = [(toks, dictionary_view(text, toks, lexicon, hits))
                 for (s, e), hits in zip(sentences, found, strict=True)
                 if (toks := sentence_tokens(text, s, e))]
    first, confidence = _tag_all(model, text, tokenised, lexicon, dict_types, None, candidates)
    typed = typed_short_forms(abbreviations, first)
    if not typed:
        return first, confidence
    # only sentences holding a typed short form read differently the second time
    again = [(toks, tags) for toks, tags in tokenised if any(t.text in typed for t in toks)]
    redone = {(toks[0].start, toks[-1].end) for toks, _ in again}
    second, more = _tag_all(model, text, again, lexicon, dict_types, typed, candidates)
    redone_at = Intervals(redone)
    kept = [sp for sp in first if not redone_at.overlaps(sp[0], sp[0] + 1)]
    return sorted(kept + second), {**confidence, **more}


def _tag_all(model: NerModel, text: str,
             tokenised: Sequence[tuple[Sequence[Token], DictionaryView]],
             lexicon: Lexicon, dict_types: dict[str, str], typed: dict[str, str] | None,
             candidates: Sequence[tuple[int, int]]
             ) -> tuple[list[Span], dict[tuple[int, int], float]]:
    spans: list[Span] = []
    confidence: dict[tuple[int, int], float] = {}
    pending = sorted(candidates)
    k = 0
    for toks, dtags in tokenised:
        feats = sentence_features(text, toks, lexicon, dict_types, model.drugs, typed,
                                  dtags)
        spans += decode(toks, model.tagger.tag(feats))
        while k < len(pending) and pending[k][0] < toks[0].start:
            k += 1
        mine = []
        while k < len(pending) and pending[k][0] < toks[-1].end:
            mine.append(pending[k])
            k += 1
        starts = [t.start for t in toks] if mine else []
        for start, end in mine:
            inside = _tokens_inside(toks, starts, start, end)
            if inside:
                confidence[(start, end)] = sum(
                    1.0 - model.tagger.marginal("O", i) for i in inside) / len(inside)
    return spans, confidence


def _tokens_inside(toks: Sequence[Token], starts: Sequence[int], start: int, end: int
                   ) -> list[int]:
    """The indexes of the tokens within ``[start, end)``: tokens are in order and disjoint,
    so they start at the first one starting at ``start`` and run while they end by ``end``."""
    inside = []
    for i in range(bisect_left(starts, start), len(toks)):
        if toks[i].end > end:
            break
        inside.append(i)
    return inside


# --- normalisation ----------------------------------------------------------------------------

def normalise(text: str, kind: str, model: NerModel, lexicon: Lexicon,
              abbreviations: dict[str, Concept]) -> tuple[Concept, tuple[str, ...]]:
    """The concept of a tagged span and every MeSH ID it names (several for composites)."""
    etype = TYPES[kind]
    # a short form defined in this document means its long form ("PG" after
    # "prostaglandins (PGs)"), whatever it meant in the training data
    defined = abbreviations.get(text) or abbreviations.get(text + "s")
    if defined is not None and defined.id != "-1" and _compatible(defined.type, etype):
        return defined, (defined.id,)
    concept = _lookup(text, etype, model, lexicon)
    if concept is not None and len(ids := model.names.get(name_key(text), ())) > 1:
        return concept, ids
    if concept is not None:
        return concept, (concept.id,)
    parts = [c for p in _composite_parts(text)
             if (c := _lookup(p, etype, model, lexicon)
                 or _rewritten_lookup(p, etype, model, lexicon)) is not None]
    if parts:
        return parts[0], tuple(dict.fromkeys(c.id for c in parts))
    backed = _rewritten_lookup(text, etype, model, lexicon)
    if backed is None and (ids := model.fallback_names.get(name_key(text), ())):
        known = _known(ids[0], lexicon)
        if known is None or _compatible(known.type, etype):
            return known or Concept(ids[0], text, etype), ids
    backed = (backed or _head_lookup(text, etype, model, lexicon)
              or model.fuzzy(text, etype, lexicon))
    if backed is not None:
        return backed, (backed.id,)
    return Concept("-1", text, etype), ()


def _known(ui: str, lexicon: Lexicon) -> Concept | None:
    try:
        return lexicon.concept(ui)
    except KeyError:
        return None


#: Spelling and wording variants tried when a name is not found as written.
_VARIANTS = ((re.compile(r"(?<=[a-z])ae(?=[a-z])"), "e"),     # anaemia -> anemia
             (re.compile(r"(?<=[a-z])oe(?=[a-z])"), "e"),     # diarrhoea -> diarrhea
             (re.compile(r"\b[oO](?=e[a-z])"), ""),           # oedema -> edema
             (re.compile(r"\brenal\b", re.I), "kidney"),
             (re.compile(r"\bhepatic\b", re.I), "liver"),
             (re.compile(r"\bcardiac\b", re.I), "heart"),
             (re.compile(r"\bpulmonary\b", re.I), "lung"),
             (re.compile(r"\bcerebral\b", re.I), "brain"))


def _lookup(text: str, etype: str, model: NerModel, lexicon: Lexicon) -> Concept | None:
    """:func:`_lookup_as_written`, then the same for spelling variants (British spellings,
    organ adjectives: "renal disease" is "kidney disease")."""
    found = _lookup_as_written(text, etype, model, lexicon)
    if found is not None:
        return found
    for pattern, replacement in _VARIANTS:
        variant = pattern.sub(replacement, text)
        if variant != text:
            found = _lookup_as_written(variant, etype, model, lexicon)
            if found is not None:
                return found
    return None


def _lookup_as_written(text: str, etype: str, model: NerModel, lexicon: Lexicon
                       ) -> Concept | None:
    """The concept of a name: the descriptor curators chose for it in the training data
    ("alcohol" is Ethanol there, not Alcohols), else the dictionary's descriptor, else the
    curators' supplementary concept (a C-number; BC5CDR used MeSH of 2015, so a substance
    since promoted to a descriptor, such as topiramate, gets today's descriptor)."""
    concept = lexicon.lookup(text)
    if concept is not None and not _compatible(concept.type, etype):
        concept = None
    ids = model.names.get(name_key(text))
    if ids and (concept is None or ids[0].startswith("D")):
        if concept is not None and concept.id == ids[0]:
            return concept
        try:
            known = lexicon.concept(ids[0])
            return known
        except KeyError:
            return Concept(ids[0], concept.name if concept else text, etype)
    return concept


def _compatible(concept_type: str, etype: str) -> bool:
    return concept_type == etype or (etype == "chemical" and concept_type == "mechanism")


def _composite_parts(text: str) -> list[str]:
    """"renal and hepatic failure" -> ["renal failure", "hepatic failure"]."""
    m = _COMPOSITE.match(" ".join(text.split()))
    if not m:
        return []
    heads = [m.group("a"), m.group("b"), m.group("c")]
    return [f"{h} {m.group('head')}" for h in heads if h]


def _head_lookup(text: str, etype: str, model: NerModel, lexicon: Lexicon) -> Concept | None:
    """The longest dictionary name the span ends with, of the same type ("severe acute
    hepatitis" -> "acute hepatitis" -> Hepatitis); for a disease also a training name,
    spelling variant or rewording ("internal haemorrhage" -> "haemorrhage" -> Hemorrhage,
    "transient visual disturbances" -> "visual disturbances")."""
    words = text.split()
    for i in range(_first_nameable(words, model, lexicon), len(words)):
        tail = " ".join(words[i:])
        if etype == "disease":
            concept = _typed(_lookup(tail, etype, model, lexicon), etype) or _rewritten_lookup(
                tail, etype, model, lexicon)
        elif (concept := lexicon.lookup(tail)) is not None and not _compatible(
                concept.type, etype):
            concept = None
        if concept is not None:
            return concept
    return None


#: How many tokens a rewording may drop ("decreased renal function" -> "renal
#: insufficiency", "injury to the kidney" -> "kidney injury": two), with room to spare.
_REWORDING_SLACK = 8


def _first_nameable(words: Sequence[str], model: NerModel, lexicon: Lexicon) -> int:
    """The first ``i >= 1`` whose tail ``words[i:]`` may be a name: a tail of more tokens
    than the longest name (and any rewording's cut) finds nothing, and trying every tail of
    a span of thousands of words costs their square. A word of hyphens and dashes alone has
    no token; any other word has one at least."""
    if len(words) <= 8:
        return 1
    limit = model.longest_name(lexicon) + _REWORDING_SLACK
    worded = 0
    for i in range(len(words) - 1, 0, -1):
        if any(ch not in DROPPED for ch in words[i]):
            worded += 1
            if worded > limit:
                return i + 1
    return 1


# --- rewording: how MeSH names what a mention paraphrases ------------------------------------

#: Head nouns that only say an organ or a function is affected ("renal damage", "memory
#: impairment", "thromboembolic complications"); MeSH names such conditions "... Diseases"
#: or "... Disorders", or by the noun the modifier is derived from.
GENERIC_HEADS = frozenset({
    "damage", "injury", "injuries", "toxicity", "toxicities", "dysfunction", "dysfunctions",
    "impairment", "impairments", "disorder", "disorders", "disease", "diseases",
    "disturbance", "disturbances", "abnormality", "abnormalities", "lesion", "lesions",
    "complication", "complications", "deficit", "deficits", "involvement", "events",
    "episodes"})
#: Heads (and "decreased ... function" phrases) that mean an organ works below normal:
#: MeSH's word for that is "insufficiency" ("renal impairment" -> Renal Insufficiency).
_REDUCED_FUNCTION = frozenset({"impairment", "impairments"})
_FUNCTION = re.compile(r"^(?:decreased|reduced|impaired|diminished|loss of|deteriorat\w+ of) "
                       r"(?P<organ>[\w-]+(?: [\w-]+)?) function(?:s|ing)?$", re.I)
#: "injury to the kidney", "impairment of memory": the modifier comes first in MeSH.
_OF_PHRASE = re.compile(r"^(?P<head>[\w-]+) (?:of|to|in) (?:the )?(?P<mod>[\w-]+(?: [\w-]+)?)$",
                        re.I)
#: Medical combining forms and the organ adjective MeSH's "... Diseases" headings use
#: ("retinopathy" -> Retinal Diseases, "vestibulotoxicity" -> Vestibular Diseases).
COMBINING_FORMS: dict[str, str] = {
    "nephro": "renal", "hepato": "hepatic", "cardio": "cardiac", "neuro": "neurologic",
    "retino": "retinal", "vestibulo": "vestibular", "encephalo": "brain", "myo": "muscular",
    "kerato": "corneal", "pneumo": "lung", "hemato": "hematologic", "angio": "vascular",
    "arthro": "joint", "dermato": "skin", "osteo": "bone", "gastro": "stomach",
    "entero": "intestinal", "oculo": "eye", "oto": "ear"}
#: Organ adjectives and the combining form of their "-toxicity" ("hepatic toxicity" ->
#: hepatotoxicity).
_TOXICITY_FORMS: dict[str, str] = {
    "renal": "nephro", "kidney": "nephro", "hepatic": "hepato", "liver": "hepato",
    "cardiac": "cardio", "heart": "cardio", "neural": "neuro", "neuronal": "neuro",
    "neurologic": "neuro", "neurological": "neuro", "nerve": "neuro", "retinal": "retino",
    "vestibular": "vestibulo", "hematologic": "hemato", "hematological": "hemato",
    "haematological": "hemato", "haematologic": "hemato", "auditory": "oto", "ear": "oto",
    "muscle": "myo", "muscular": "myo"}
_COMBINED = re.compile(r"^(?P<form>" + "|".join(sorted(COMBINING_FORMS, key=len, reverse=True))
                       + r")(?:pathy|pathies|toxicity|toxicities|toxic)$", re.I)
#: Adjective endings and the noun endings they come from, longest first: "ischemic" ->
#: "ischemia", "thrombotic" -> "thrombosis", "hypertensive" -> "hypertension",
#: "aneurysmal" -> "aneurysm", "epileptic" -> "epilepsy", "edematous" -> "edema".
ADJECTIVE_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lytic", ("lysis",)), ("genic", ("genesis",)), ("etic", ("esia", "esis")),
    ("ptic", ("psy",)), ("otic", ("osis",)), ("atic", ("asis",)), ("tous", ("",)),
    ("ous", ("osis", "")), ("ic", ("ia", "y", "e", "ism", "es", "ity")), ("al", ("", "a")),
    ("ive", ("ion", "ity")))
#: Shortest stem an adjective ending is removed from.
_MIN_STEM = 4


def adjective_nouns(word: str) -> list[str]:
    """The nouns an adjective may derive from, most likely first ("ischemic" ->
    ["ischemia", "ischemy", ...]); empty for a word with no adjective ending."""
    low = word.lower()
    out: list[str] = []
    for ending, nouns in ADJECTIVE_ENDINGS:
        stem = low[: -len(ending)]
        if low.endswith(ending) and len(stem) >= _MIN_STEM and stem.isalpha():
            out += [stem + noun for noun in nouns if stem + noun not in out]
    return out


def rewordings(text: str) -> list[str]:
    """MeSH-style wordings of a disease mention that is not a name as written, most
    specific first: "HEAD of MOD" turned round ("injury to the kidney" -> "kidney injury");
    reduced function as insufficiency ("decreased renal function" -> "renal
    insufficiency"); a combining form's organ ("retinopathy" -> "retinal diseases"); an
    organ adjective with a generic head as the organ's toxicity, diseases or disorders
    ("hepatic toxicity" -> "hepatotoxicity", "renal damage" -> "renal diseases"); and an
    adjective as its noun ("ischemic" -> "ischemia", "thromboembolic complications" ->
    "thromboembolism")."""
    words = " ".join(text.split())
    if m := _FUNCTION.match(words):
        organ = m.group("organ")
        return [f"{organ} insufficiency", f"{organ} diseases", f"{organ} disorders"]
    out: list[str] = []
    if m := _OF_PHRASE.match(words):
        words = f"{m.group('mod')} {m.group('head')}"
        out.append(words)
    parts = words.split(" ")
    if len(parts) == 1:
        if m := _COMBINED.match(words):
            form = m.group("form").lower()
            if words.lower().endswith("toxic"):
                out.append(words + "ity")
            out += [f"{COMBINING_FORMS[form]} diseases", f"{COMBINING_FORMS[form]} disorders"]
        return out + adjective_nouns(words)
    head, modifier = parts[-1].lower(), " ".join(parts[:-1])
    if head not in GENERIC_HEADS:
        return out
    if head in _REDUCED_FUNCTION:
        out.append(f"{modifier} insufficiency")
    if head.startswith("toxicit") and (form := _TOXICITY_FORMS.get(modifier.lower())):
        out.append(form + "toxicity")
    out += [f"{modifier} diseases", f"{modifier} disorders"]
    if len(parts) == 2:
        out += adjective_nouns(modifier)
    return out


def _rewritten_lookup(text: str, etype: str, model: NerModel, lexicon: Lexicon
                      ) -> Concept | None:
    """The first of a disease mention's :func:`rewordings` that names a concept of its type
    (chemical mentions are not reworded)."""
    if etype != "disease":
        return None
    for wording in rewordings(text):
        found = _typed(_lookup(wording, etype, model, lexicon), etype)
        if found is not None:
            return found
    return None


def _typed(concept: Concept | None, etype: str) -> Concept | None:
    """The concept if it has the mention's type (a training name may carry another)."""
    return concept if concept is not None and _compatible(concept.type, etype) else None
