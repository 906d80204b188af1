"""Article bodies from HTML pages (``evimap eval html``), in the layout of the Zyte benchmark.

DIR holds ``html/<id>.html`` (or ``.html.gz``) and ``ground-truth.json`` mapping each id to
``{"articleBody": ...}`` (the layout of scrapinghub/article-extraction-benchmark). Each page
is read as ``evimap ingest`` reads it (decoded, parsed, cleaned) and the text of its body and
abstract segments, in document order, is the prediction; the title, bylines, dates, comments,
cited sources, references and boilerplate are not (the benchmark's articleBody has no title).
The same pages go through ``trafilatura.extract`` with its default options (comments
included, as a user calling it gets) and with ``include_comments=False``; ``evimap_own`` is
evimap without trafilatura's main-content marks (its cleaner alone).

Scores are the benchmark's: words (``\\w+``) grouped in shingles of 4, counted with
repetition; per page true/false positives and false negatives as shares of their sum; then
precision and recall are averaged over the pages where they are defined and F1 is their
harmonic mean. ``tokens`` gives the same with single words. Seconds per page are wall time on
one core for each system (evimap's include its trafilatura run).
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura

from ..clean import segment
from ..errors import EvimapError, InputError
from ..read.decode import decode_bytes
from ..read.html import html_document

#: Segment kinds that make up an article's body.
BODY_KINDS = frozenset({"body", "abstract"})
SHINGLE = 4
_WORD = re.compile(r"\w+")


def read_benchmark(folder: Path) -> list[tuple[str, bytes, str]]:
    """(id, page bytes, gold article body) for every id of ``ground-truth.json``, by id."""
    truth_path = folder / "ground-truth.json"
    if not truth_path.is_file():
        raise EvimapError(f"{truth_path}: missing (DIR must hold ground-truth.json and html/)")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        page = folder / "html" / f"{page_id}.html"
        zipped = page.with_name(page.name + ".gz")
        if zipped.is_file():
            data = gzip.decompress(zipped.read_bytes())
        elif page.is_file():
            data = page.read_bytes()
        else:
            raise EvimapError(f"{page}: missing (named in ground-truth.json)")
        pages.append((page_id, data, str(truth[page_id].get("articleBody") or "")))
    return pages


def evimap_body(data: bytes, page_id: str, main_content: bool = True) -> str:
    """The text of the body and abstract segments of one page, as evimap reads it."""
    try:
        raw = html_document(data, page_id, main_content=main_content)
    except InputError:
        return ""
    return "\n".join(s.text for s in segment(raw) if s.kind in BODY_KINDS)


def trafilatura_body(data: bytes, page_id: str, comments: bool = True) -> str:
    """``trafilatura.extract`` with its defaults (``comments``: include_comments)."""
    text = decode_bytes(data, page_id).text
    return trafilatura.extract(text, include_comments=comments) or ""


SYSTEMS: dict[str, Callable[[bytes, str], str]] = {
    "evimap": evimap_body,
    "evimap_own": lambda data, page_id: evimap_body(data, page_id, main_content=False),
    "trafilatura": trafilatura_body,
    "trafilatura_no_comments": lambda data, page_id: trafilatura_body(data, page_id, False),
}


def evaluate_html(folder: Path, per_page: bool = False) -> dict[str, Any]:
    """Scores and seconds per page of each system on the benchmark in ``folder``."""
    pages = read_benchmark(folder)
    if not pages:
        raise EvimapError(f"{folder}: ground-truth.json names no page")
    result: dict[str, Any] = {"pages": len(pages), "shingle": SHINGLE,
                              "body_kinds": sorted(BODY_KINDS), "title_counted": False}
    pages_out: dict[str, dict[str, float]] = {page_id: {} for page_id, _, _ in pages}
    for name, system in SYSTEMS.items():
        counts_n: list[tuple[float, float, float]] = []
        counts_1: list[tuple[float, float, float]] = []
        seconds = 0.0
        for page_id, data, gold in pages:
            started = time.perf_counter()
            predicted = system(data, page_id)
            seconds += time.perf_counter() - started
            counts_n.append(shingle_counts(gold, predicted, SHINGLE))
            counts_1.append(shingle_counts(gold, predicted, 1))
            pages_out[page_id][name] = round(metrics([counts_n[-1]])["f1"], 4)
        result[name] = {**metrics(counts_n), "tokens": metrics(counts_1),
                        "seconds_per_page": round(seconds / len(pages), 4)}
    if per_page:
        result["per_page_f1"] = pages_out
    return result


def shingle_counts(gold: str, predicted: str, n: int = SHINGLE) -> tuple[float, float, float]:
    """True positives, false positives, false negatives over word n-grams, as shares."""
    true, pred = _shingles(gold, n), _shingles(predicted, n)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text)
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def metrics(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Precision and recall averaged over the pages where defined; F1 of the two means."""
    precisions = [_ratio(tp, fp, fn) for tp, fp, fn in counts if tp + fp > 0]
    recalls = [_ratio(tp, fn, fp) for tp, fp, fn in counts if tp + fn > 0]
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def _ratio(tp: float, wrong: float, other: float) -> float:
    """tp / (tp + wrong); 1 when nothing is wrong either way (both texts empty)."""
    if wrong == other == 0:
        return 1.0
    return tp / (tp + wrong) if tp + wrong else 0.0
