"""Strict mention-level evaluation on PubTator gold standards (BC5CDR).

A predicted mention is correct when its (start, end, type) equals a gold one; types map
chemical -> Chemical, disease -> Disease, and mechanism -> Chemical for ligands
(neurotransmitters, which BC5CDR annotates as chemicals; receptors, enzymes and processes are
not annotated there). Scores are micro P/R/F1 per type and overall, plus document-level
concept-ID P/R/F1 over (document, type, MeSH ID) triples, as the BC5CDR task reports them.

Run ``python -m evimap.entities.evaluate [PUBTATOR_FILE]`` (default: the BC5CDR Development
set under the data folder) to print the table.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evimap.model import Concept, Mention, Segment, Sentence
from evimap.settings import load_settings
from evimap.text import sentences

from . import recognise
from .lexicon import Lexicon, load_lexicon

GOLD_TYPES = ("Chemical", "Disease")
_DIRECT = {"chemical": "Chemical", "disease": "Disease"}


@dataclass(slots=True)
class GoldDoc:
    """One PubTator document: title + " " + abstract, and its annotations."""

    pmid: str
    title: str
    abstract: str
    mentions: list[tuple[int, int, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"


def read_pubtator(path: Path) -> Iterator[GoldDoc]:
    """Documents of a PubTator file (``PMID|t|``, ``PMID|a|`` and tab-separated annotations)."""
    doc: GoldDoc | None = None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                continue
            if "|t|" in line[:20]:
                if doc is not None:
                    yield doc
                pmid, _, title = line.split("|", 2)
                doc = GoldDoc(pmid, title, "")
            elif "|a|" in line[:20] and doc is not None:
                doc.abstract = line.split("|", 2)[2]
            elif doc is not None:
                parts = line.split("\t")
                if len(parts) >= 6 and parts[4] in GOLD_TYPES:
                    doc.mentions.append((int(parts[1]), int(parts[2]), parts[4],
                                         tuple(parts[5].split("|"))))
    if doc is not None:
        yield doc


def document_parts(doc: GoldDoc) -> tuple[list[Segment], list[Sentence]]:
    """Title and abstract segments of a PubTator document, with their sentences."""
    text = doc.text
    title_end = len(doc.title)
    segments = [Segment("title", 0, title_end, doc.title),
                Segment("abstract", title_end + 1, len(text), doc.abstract)]
    sents = [Sentence(s, e, i) for i, seg in enumerate(segments)
             for s, e in sentences(text, seg.start, seg.end)]
    return segments, sents


def lexicon_recogniser(lexicon: Lexicon) -> Callable[[GoldDoc], list[Mention]]:
    """``recognise`` over a PubTator document, for :func:`evaluate`."""
    def run(doc: GoldDoc) -> list[Mention]:
        segments, sents = document_parts(doc)
        return recognise(doc.text, segments, sents, lexicon)
    return run


def gold_type(lexicon: Lexicon) -> Callable[[Concept], str | None]:
    """The BC5CDR type a predicted concept counts as (None: not scored)."""
    def mapped(concept: Concept) -> str | None:
        if concept.type in _DIRECT:
            return _DIRECT[concept.type]
        if concept.type == "mechanism" and lexicon.category(concept.id) == "ligand":
            return "Chemical"
        return None
    return mapped


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def evaluate(gold_docs: Iterable[GoldDoc], recognise_fn: Callable[[GoldDoc], list[Mention]],
             type_of: Callable[[Concept], str | None] | None = None) -> dict[str, Any]:
    """Strict mention P/R/F1 per type and micro, and document-level ID P/R/F1.

    ``type_of`` maps a predicted concept to a gold type (default: chemical and disease).
    """
    type_of = type_of or (lambda c: _DIRECT.get(c.type))
    counts = {t: [0, 0, 0] for t in GOLD_TYPES}
    ids = [0, 0, 0]
    n_docs = 0
    for doc in gold_docs:
        n_docs += 1
        gold = {(s, e, t) for s, e, t, _ in doc.mentions}
        gold_ids = {(t, i) for _, _, t, idents in doc.mentions for i in idents if i != "-1"}
        pred: set[tuple[int, int, str]] = set()
        pred_ids: set[tuple[str, str]] = set()
        for mention in recognise_fn(doc):
            t = type_of(mention.concept)
            if t is not None:
                pred.add((mention.start, mention.end, t))
                pred_ids.add((t, mention.concept.id))
        for t in GOLD_TYPES:
            g = {x for x in gold if x[2] == t}
            p = {x for x in pred if x[2] == t}
            counts[t][0] += len(g & p)
            counts[t][1] += len(p - g)
            counts[t][2] += len(g - p)
        ids[0] += len(gold_ids & pred_ids)
        ids[1] += len(pred_ids - gold_ids)
        ids[2] += len(gold_ids - pred_ids)
    result: dict[str, Any] = {t: _prf(*c) for t, c in counts.items()}
    result["micro"] = _prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    result["ids"] = _prf(*ids)
    result["documents"] = n_docs
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the evaluation of the cached lexicon on a PubTator file as JSON."""
    args = sys.argv[1:] if argv is None else argv
    settings = load_settings()
    path = Path(args[0]) if args else settings.data_path(
        "bc5cdr", "CDR_DevelopmentSet.PubTator.txt")
    lexicon = load_lexicon(settings)
    scores = evaluate(read_pubtator(path), lexicon_recogniser(lexicon), gold_type(lexicon))
    print(json.dumps(scores, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
