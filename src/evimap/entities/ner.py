"""The statistical recogniser: CRF spans for chemicals and diseases, normalised to MeSH.

:func:`ner_spans` tags each sentence twice: the first pass finds spans, from which the
document's abbreviations get a type (the type of their long form); the second pass sees
those typed short forms as a feature, so "PB" is a chemical wherever "phenobarbital (PB)"
defined it. :func:`normalise` maps a span to MeSH: the dictionary's concept for the same
words, else the names annotated in the training data, else the long form of an
abbreviation, else the longest dictionary name the span ends with (same type), else
``-1``. Composite mentions ("renal and hepatic failure") get one ID per part.

The model ships in ``models/`` (rebuilt by ``evimap train ner``; see ``models/MODEL_CARD.md``).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import marshal
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
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
from .keys import folded_key, prepare, token_spans, word_form
from .lexicon import Lexicon
from .matcher import find_matches

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
    _fuzzy_index: dict[str, list[str]] | None = field(default=None, repr=False)

    def fuzzy(self, text: str, etype: str, lexicon: Lexicon) -> Concept | None:
        """The dictionary name most similar to ``text`` (same type, same first three
        letters, similarity at least :data:`FUZZY_THRESHOLD`), or None: "hypomagnesaemia"
        finds "hypomagnesemia", "neuroleptic malignant syndromes" its singular."""
        key = name_key(text)
        if len(key) < 5:
            return None
        if self._fuzzy_index is None:
            index: dict[str, list[str]] = {}
            for name in lexicon.folded:
                if len(name) >= 5:
                    index.setdefault(name[:3], []).append(name)
            self._fuzzy_index = index
        best, best_ratio = None, FUZZY_THRESHOLD
        for name in self._fuzzy_index.get(key[:3], ()):
            if abs(len(name) - len(key)) > max(2, len(key) // 8):
                continue
            ratio = difflib.SequenceMatcher(None, key, name, autojunk=False).ratio()
            if ratio > best_ratio:
                concept = lexicon.concept_at(lexicon.folded[name][0])
                if _compatible(concept.type, etype):
                    best, best_ratio = concept, ratio
        return best


def name_key(text: str) -> str:
    """The lookup key of a mention's words (as the lexicon folds them)."""
    prepared = prepare(text)
    return folded_key([word_form(prepared[s:e]) for s, e in token_spans(prepared)])


def read_names(path: Path) -> dict[str, tuple[str, ...]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["key"]: tuple(row["ids"].split("|"))
                for row in csv.DictReader(fh, delimiter="\t")}


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
    return NerModel(CrfTagger(model), drug_gazetteer(settings), read_names(names))


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
    for a in abbreviations:
        kinds = ([k for s, e, k in spans if e == a.long_end and s >= a.long_start]
                 or [k for s, e, k in spans if (s, e) == (a.short_start, a.short_end)])
        if kinds:
            out.setdefault(a.short, kinds[0])
    return out


def ner_spans(model: NerModel, text: str, sentences: Sequence[tuple[int, int]],
              lexicon: Lexicon, candidates: Sequence[tuple[int, int]] = (),
              abbreviations: Sequence[Abbreviation] | None = None
              ) -> tuple[list[Span], dict[tuple[int, int], float]]:
    """Chemical and disease spans (start, end, "Chemical"|"Disease") in the sentences, and
    for each candidate span the model's mean probability that its tokens are an entity.
    ``abbreviations`` are those defined in the sentences (found here when not given)."""
    if abbreviations is None:
        abbreviations = find_abbreviations(text, sentences)
    dict_types = short_form_types(text, abbreviations, lexicon)
    tokenised = [(toks, dictionary_view(text, toks, lexicon)) for s, e in sentences
                 if (toks := sentence_tokens(text, s, e))]
    first, confidence = _tag_all(model, text, tokenised, lexicon, dict_types, None, candidates)
    typed = typed_short_forms(abbreviations, first)
    if not typed:
        return first, confidence
    # only sentences holding a typed short form read differently the second time
    again = [(toks, tags) for toks, tags in tokenised if any(t.text in typed for t in toks)]
    redone = {(toks[0].start, toks[-1].end) for toks, _ in again}
    second, more = _tag_all(model, text, again, lexicon, dict_types, typed, candidates)
    kept = [sp for sp in first if not any(a <= sp[0] < b for a, b in redone)]
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
        feats = sentence_features(text, toks, lexicon, dict_types, None, model.drugs, typed,
                                  dtags)
        spans += decode(toks, model.tagger.tag(feats))
        while k < len(pending) and pending[k][0] < toks[0].start:
            k += 1
        mine = []
        while k < len(pending) and pending[k][0] < toks[-1].end:
            mine.append(pending[k])
            k += 1
        for start, end in mine:
            inside = [i for i, t in enumerate(toks) if start <= t.start and t.end <= end]
            if inside:
                confidence[(start, end)] = sum(
                    1.0 - model.tagger.marginal("O", i) for i in inside) / len(inside)
    return spans, confidence


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
             if (c := _lookup(p, etype, model, lexicon)) is not None]
    if parts:
        return parts[0], tuple(dict.fromkeys(c.id for c in parts))
    backed = _head_lookup(text, etype, lexicon) or model.fuzzy(text, etype, lexicon)
    if backed is not None:
        return backed, (backed.id,)
    return Concept("-1", text, etype), ()


#: Spelling and wording variants tried when a name is not found as written.
_VARIANTS = ((re.compile(r"(?<=[a-z])ae(?=[a-z])"), "e"),     # anaemia -> anemia
             (re.compile(r"(?<=[a-z])oe(?=[a-z])"), "e"),     # oedema -> edema
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


def _head_lookup(text: str, etype: str, lexicon: Lexicon) -> Concept | None:
    """The longest dictionary name the span ends with, of the same type ("severe acute
    hepatitis" -> "acute hepatitis" -> Hepatitis)."""
    words = text.split()
    for i in range(1, len(words)):
        concept = lexicon.lookup(" ".join(words[i:]))
        if concept is not None and _compatible(concept.type, etype):
            return concept
    return None
