"""Derive ``stoplist.tsv``: lexicon terms that BC5CDR annotators rarely tag where they occur.

For every single-word (or case-sensitive abbreviation) chemical or disease key the dictionary
matcher finds in the BC5CDR **Training** set, count how often it matches, how often the match
is exactly a gold annotation of the same type, and how often it lies inside or across one.
A key matched at least :data:`MIN_MATCHED` times is dropped when its exact annotation
precision is below :data:`MAX_PRECISION` *and* it is not nearly always
(:data:`MIN_INSIDE`) part of a longer annotated mention: that leaves generic words,
adjectives and other senses ("lead", "retinal", "analgesic", "syndrome", "injury", "MS" for
mass spectrometry) and keeps heads such as "carcinoma" that annotators tag within longer
names. Multi-word terms are specific enough to keep even where BC5CDR's guidelines leave
them unannotated (drug classes such as "calcium channel blocker"). The result is shipped in the
package, so running evimap never needs BC5CDR; rebuild it after changing the compile rules::

    python -m evimap.entities.stoplist [TRAINING_PUBTATOR] > src/evimap/entities/stoplist.tsv

(the next ``load_lexicon`` compiles a new lexicon, as the file's hash
is part of the cache key).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from evimap.evaluate.ner import gold_documents, gold_type
from evimap.model import RawDocument
from evimap.settings import load_settings
from evimap.text import sentences

from .lexicon import Lexicon, compile_lexicon
from .matcher import find_matches

MIN_MATCHED = 3
MAX_PRECISION = 0.3
MIN_INSIDE = 0.9
HEADER = ("key", "cs", "matched", "annotated", "precision", "inside")

Key = tuple[bool, str]


def term_statistics(lexicon: Lexicon, docs: Iterable[RawDocument]
                    ) -> tuple[Counter[Key], Counter[Key], Counter[Key]]:
    """(matched, annotated, inside) counts per (case-sensitive, key) of single-word
    chemical/disease matches: all, exactly a gold mention, overlapping a gold mention."""
    type_of = gold_type(lexicon)
    matched: Counter[Key] = Counter()
    annotated: Counter[Key] = Counter()
    inside: Counter[Key] = Counter()
    for doc in docs:
        gold = [(g.start, g.end, g.type) for g in doc.gold_mentions]
        for start, end in sentences(doc.text):
            for m in find_matches(doc.text, lexicon, start, end):
                mapped = type_of(lexicon.concept_at(m.entry[0]))
                if mapped is None or (" " in m.key and not m.case_sensitive):
                    continue
                key = (m.case_sensitive, m.key)
                matched[key] += 1
                annotated[key] += any((s, e, t) == (m.start, m.end, mapped)
                                      for s, e, t in gold)
                inside[key] += any(s < m.end and m.start < e and t == mapped
                                   for s, e, t in gold)
    return matched, annotated, inside


def stoplist_rows(matched: Counter[Key], annotated: Counter[Key], inside: Counter[Key],
                  min_matched: int = MIN_MATCHED, max_precision: float = MAX_PRECISION,
                  min_inside: float = MIN_INSIDE) -> list[tuple[str, str, int, int, float, float]]:
    """The stoplist: (key, cs, matched, annotated, precision, inside) rows, most matched
    first."""
    rows = []
    for (cs, key), n in matched.items():
        precision = annotated[(cs, key)] / n
        share_inside = inside[(cs, key)] / n
        if n >= min_matched and precision < max_precision and share_inside < min_inside:
            rows.append((key, "1" if cs else "0", n, annotated[(cs, key)], round(precision, 3),
                         round(share_inside, 3)))
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def main(argv: list[str] | None = None) -> int:
    """Print the derived stoplist TSV on standard output."""
    args = sys.argv[1:] if argv is None else argv
    settings = load_settings()
    path = Path(args[0]) if args else settings.data_path(
        "bc5cdr", "CDR_TrainingSet.PubTator.txt")
    lexicon = compile_lexicon(settings.mesh_path, stoplist=())
    counts = term_statistics(lexicon, gold_documents(path, settings))
    print("\t".join(HEADER))
    for row in stoplist_rows(*counts):
        print("\t".join(str(x) for x in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
