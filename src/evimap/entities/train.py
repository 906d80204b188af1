"""``evimap train ner``: rebuild the shipped chemical/disease model from BC5CDR Training.

Writes ``bc5cdr-crf.crfsuite`` (the CRF) and ``bc5cdr-names.tsv`` (names annotated in the
training data with their MeSH IDs, used to normalise spans the dictionary cannot name, e.g.
supplementary concepts such as C-numbers) into the output folder. Training reads only the
Training set; the Development set stays for evaluation (``evimap eval ner``).

Training features follow tagging: the first-pass abbreviation types come from the gold
spans (at run time from the first pass), so the second-pass feature is learnt as reliable
as it is when the first pass is right.
"""

from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..evaluate.ner import gold_documents
from ..model import RawDocument
from ..settings import Settings
from ..text import sentences
from .abbrev import find_abbreviations
from .crf import bio_labels, sentence_features, sentence_tokens, train
from .lexicon import Lexicon
from .ner import (
    MODEL_FILE,
    NAMES_FILE,
    drug_gazetteer,
    name_key,
    short_form_types,
    typed_short_forms,
)

TRAINING_FILE = ("bc5cdr", "CDR_TrainingSet.PubTator.txt")
LABELS = ("Chemical", "Disease")


def _sequences(docs: Sequence[RawDocument], settings: Settings, lexicon: Lexicon
               ) -> Iterator[tuple[list[list[str]], list[str]]]:
    drugs = drug_gazetteer(settings)
    for raw in docs:
        sents = list(sentences(raw.text))
        abbreviations = find_abbreviations(raw.text, sents)
        dict_types = short_form_types(raw.text, abbreviations, lexicon)
        gold = [(g.start, g.end, g.type) for g in raw.gold_mentions if g.type in LABELS]
        typed = typed_short_forms(abbreviations, gold)
        for start, end in sents:
            toks = sentence_tokens(raw.text, start, end)
            if not toks:
                continue
            feats = sentence_features(raw.text, toks, lexicon, dict_types, drugs, typed)
            yield feats, bio_labels(toks, [g for g in gold if g[0] < end and start < g[1]])


def names_table(docs: Sequence[RawDocument]) -> dict[str, tuple[str, str]]:
    """Folded name -> (most frequent ID annotation, type) over the training annotations."""
    counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for raw in docs:
        for g in raw.gold_mentions:
            ids = "|".join(i for i in g.ids if i not in ("-1", ""))
            key = name_key(g.text)
            if ids and key and g.type in LABELS:
                counts[key][(ids, g.type)] += 1
    return {key: c.most_common(1)[0][0] for key, c in sorted(counts.items())}


def train_ner(settings: Settings, lexicon: Lexicon, out: Path, iterations: int = 150,
              training: Path | None = None) -> dict[str, Any]:
    """Train the model into ``out``; returns what was done (for the CLI and the model card)."""
    path = training or settings.data_path(*TRAINING_FILE)
    started = time.perf_counter()
    docs = gold_documents(path, settings)
    out.mkdir(parents=True, exist_ok=True)
    train(_sequences(docs, settings, lexicon), out / MODEL_FILE, max_iterations=iterations)
    names = names_table(docs)
    with (out / NAMES_FILE).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["key", "ids", "type"])
        for key, (ids, kind) in names.items():
            writer.writerow([key, ids, kind])
    return {"training_file": str(path), "documents": len(docs), "iterations": iterations,
            "seconds": round(time.perf_counter() - started, 1),
            "model_bytes": (out / MODEL_FILE).stat().st_size, "names": len(names),
            "out": str(out)}
