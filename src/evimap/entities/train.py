"""``evimap train ner``: rebuild the shipped chemical/disease model.

Writes ``bc5cdr-crf.crfsuite`` (the CRF) and ``bc5cdr-names.tsv`` (names annotated in the
training data with their MeSH IDs, used to normalise spans the dictionary cannot name, e.g.
supplementary concepts such as C-numbers) into the output folder.

Training data (:data:`CORPORA`, all three by default): BC5CDR Training, NCBI Disease train
less its held-out fold (records 4 mod 5, :data:`NCBI_FOLD`), BioRED Train. Mention types
map to ``Chemical`` and ``Disease`` (:func:`evimap.read.pubtator.entity_class`); genes,
variants, species and cell lines are not learnt. No document whose PMID is in an
evaluation set is trained on (BC5CDR Development, BioRED Dev, the NCBI fold:
:data:`HELD_OUT`), and a document in two training corpora is read once, from the first
(BC5CDR before the others, so its annotation guidelines win). NCBI Disease annotates no
chemicals, so its sentences where the dictionary or the drug list sees a chemical are left
out (their chemicals would be taught as non-entities).

Training features follow tagging: the first-pass abbreviation types come from the gold
spans (at run time from the first pass), so the second-pass feature is learnt as reliable
as it is when the first pass is right.
"""

from __future__ import annotations

import csv
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluate.ner import fold_filter, gold_documents
from ..model import RawDocument
from ..read.pubtator import entity_class
from ..settings import Settings
from ..text import sentences
from .abbrev import find_abbreviations
from .crf import (
    Gazetteer,
    bio_labels,
    dictionary_view,
    sentence_features,
    sentence_tokens,
    train,
)
from .lexicon import Lexicon
from .ner import (
    MODEL_FILE,
    NAMES_FILE,
    drug_gazetteer,
    name_key,
    short_form_types,
    typed_short_forms,
)

LABELS = ("Chemical", "Disease")


@dataclass(frozen=True)
class Corpus:
    """A training corpus: where it is, what it annotates exhaustively, how much it counts."""

    name: str
    path: tuple[str, ...]              # under the data folder
    classes: tuple[str, ...] = LABELS  # classes annotated in every sentence
    held_out: str | None = None        # fold "I/N" kept for evaluation, never trained on
    weight: int = 1                    # times each of its sentences is added
    #: Features also learnt apart for this corpus (prefixes of feature names, e.g. "w="):
    #: its annotation habits go to those copies, which tagging never emits.
    indicators: tuple[str, ...] = ()


#: The corpora ``evimap train ner`` reads by default, in order of precedence.
NCBI_FOLD = "4/5"
CORPORA: dict[str, Corpus] = {
    "bc5cdr": Corpus("bc5cdr", ("bc5cdr", "CDR_TrainingSet.PubTator.txt")),
    "ncbi": Corpus("ncbi", ("ncbi-disease", "NCBItrainset_corpus.txt"), ("Disease",),
                   held_out=NCBI_FOLD, indicators=("bias",)),
    "biored": Corpus("biored", ("biored", "Train.PubTator"),
                     indicators=("bias", "w=", "dt=", "tb=")),
}
#: Evaluation sets: no document with one of their PMIDs is trained on.
HELD_OUT = (("bc5cdr", "CDR_DevelopmentSet.PubTator.txt"), ("biored", "Dev.PubTator"))
#: Kept for callers of the earlier single-corpus trainer.
TRAINING_FILE = CORPORA["bc5cdr"].path

_MESH_ID = re.compile(r"^[CD]\d{6,9}$")


def training_documents(settings: Settings, corpora: Sequence[Corpus]
                       ) -> tuple[list[tuple[Corpus, RawDocument]], dict[str, Any]]:
    """The documents to train on, each with its corpus, and what was left out and why."""
    held_out: set[str] = set()
    for parts in HELD_OUT:
        path = settings.data_path(*parts)
        if path.is_file():
            held_out |= {d.metadata["pmid"] for d in gold_documents(path, settings)}
    loaded: list[tuple[Corpus, list[RawDocument]]] = []
    for corpus in (*corpora, *(c for c in CORPORA.values() if c not in corpora)):
        if corpus.held_out is None:
            if corpus in corpora:
                loaded.append((corpus, gold_documents(settings.data_path(*corpus.path),
                                                      settings)))
            continue
        path = settings.data_path(*corpus.path)
        if corpus not in corpora and not path.is_file():
            continue
        docs = gold_documents(path, settings)
        fold = fold_filter(corpus.held_out)
        held_out |= {d.metadata["pmid"] for d in docs if fold(d)}
        if corpus in corpora:
            loaded.append((corpus, [d for d in docs if not fold(d)]))
    out: list[tuple[Corpus, RawDocument]] = []
    seen: set[str] = set()
    report: dict[str, Any] = {}
    for corpus in corpora:
        docs = next(d for c, d in loaded if c is corpus)
        kept = [d for d in docs if d.metadata["pmid"] not in held_out | seen]
        report[corpus.name] = {"file": str(settings.data_path(*corpus.path)),
                               "documents": len(kept), "weight": corpus.weight,
                               "held_out_fold": corpus.held_out,
                               "left_out_evaluation_pmids": sum(
                                   d.metadata["pmid"] in held_out for d in docs),
                               "left_out_duplicates": sum(
                                   d.metadata["pmid"] in seen - held_out for d in docs)}
        seen |= {d.metadata["pmid"] for d in kept}
        out += [(corpus, d) for d in kept]
    return out, report


def gold_spans(raw: RawDocument) -> list[tuple[int, int, str]]:
    """The document's chemical and disease spans, types mapped to :data:`LABELS`."""
    return [(g.start, g.end, kind) for g in raw.gold_mentions
            if (kind := entity_class(g.type)) in LABELS]


def _sequences(docs: Sequence[tuple[Corpus, RawDocument]], settings: Settings,
               lexicon: Lexicon, drugs: Gazetteer | None = None
               ) -> Iterator[tuple[list[list[str]], list[str]]]:
    drugs = drugs if drugs is not None else drug_gazetteer(settings)
    for corpus, raw in docs:
        sents = list(sentences(raw.text))
        abbreviations = find_abbreviations(raw.text, sents)
        dict_types = short_form_types(raw.text, abbreviations, lexicon)
        gold = gold_spans(raw)
        typed = typed_short_forms(abbreviations, gold)
        for start, end in sents:
            toks = sentence_tokens(raw.text, start, end)
            if not toks:
                continue
            view = dictionary_view(raw.text, toks, lexicon)
            if "Chemical" not in corpus.classes and _unannotated_chemical(view[0], drugs,
                                                                           toks):
                continue
            feats = sentence_features(raw.text, toks, lexicon, dict_types, drugs, typed, view)
            if corpus.indicators:
                feats = [f + [f"{corpus.name}|{x}" for x in f
                              if x.startswith(corpus.indicators)] for f in feats]
            labels = bio_labels(toks, [g for g in gold if g[0] < end and start < g[1]])
            for _ in range(corpus.weight):
                yield feats, labels


def _unannotated_chemical(dtags: Sequence[str], drugs: Gazetteer, toks: Sequence[Any]
                          ) -> bool:
    """Whether the dictionary or the drug list sees a chemical in the sentence."""
    return any(t.endswith(("chemical", "ligand")) for t in dtags) or any(
        t != "O" for t in drugs.tags(toks))


def names_table(docs: Sequence[RawDocument]) -> dict[str, tuple[str, str, str]]:
    """Folded name -> (most frequent ID annotation, type, source) over the training
    annotations; only MeSH IDs count, and the first file annotating a name decides which
    corpus names it (``docs`` in order of precedence). The first file's names are the
    reference (source ``reference``: BC5CDR's curators' choices, in MeSH 2015, whose
    supplementary concepts ``evimap eval ner`` submits IDs in); the other files' names are
    ``fallback`` (read only after the dictionary and the rewordings), chemicals only with
    descriptor IDs (their C-numbers come from other MeSH years)."""
    counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    owner: dict[str, str] = {}
    reference = docs[0].path if docs else ""
    for raw in docs:
        for g in raw.gold_mentions:
            ids = "|".join(i for i in g.ids if _MESH_ID.match(i))
            key = name_key(g.text)
            kind = entity_class(g.type)
            if not (ids and key and kind in LABELS):
                continue
            if kind == "Chemical" and raw.path != reference and "C" in ids:
                continue
            if owner.setdefault(key, raw.path) != raw.path:
                continue
            counts[key][(ids, kind)] += 1
    return {key: (*c.most_common(1)[0][0],
                  "reference" if owner[key] == reference else "fallback")
            for key, c in sorted(counts.items())}


def train_ner(settings: Settings, lexicon: Lexicon, out: Path, iterations: int = 150,
              corpora: Sequence[str | Corpus] = tuple(CORPORA), training: Path | None = None
              ) -> dict[str, Any]:
    """Train the model into ``out`` from ``corpora`` (names in :data:`CORPORA` or
    :class:`Corpus` objects; ``training``, when given, is one BC5CDR-style file read
    instead); returns what was done (for the CLI and the model card)."""
    chosen = [c if isinstance(c, Corpus) else CORPORA[c] for c in corpora]
    if training is not None:
        chosen = [Corpus("file", (str(training),))]
    started = time.perf_counter()
    docs, report = training_documents(settings, chosen)
    out.mkdir(parents=True, exist_ok=True)
    train(_sequences(docs, settings, lexicon), out / MODEL_FILE, max_iterations=iterations)
    names = names_table([d for _, d in docs])
    with (out / NAMES_FILE).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["key", "ids", "type", "source"])
        for key, (ids, kind, source) in names.items():
            writer.writerow([key, ids, kind, source])
    return {"corpora": report, "documents": len(docs), "iterations": iterations,
            "seconds": round(time.perf_counter() - started, 1),
            "model_bytes": (out / MODEL_FILE).stat().st_size, "names": len(names),
            "out": str(out)}
