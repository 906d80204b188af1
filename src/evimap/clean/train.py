"""Training the line model (``evimap train boilerplate``) on pages-dev 001-040.

Examples are the units of each page, split as the cleaner splits plain text: a unit that holds
a gold ``content`` fragment or a gold claim's sentence is content (0), else one that holds a
gold ``boilerplate`` fragment is chrome (1); other units are not used. Files 041-060 are never
read. The fit is an L2-regularised logistic regression by Newton's method (deterministic: the
same data give the same bytes). The threshold is the lowest one at which five-fold
cross-validation over files (file number mod 5) drops no content unit the model may drop at
all, plus a margin, and never below 0.5.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..evaluate.pages import SPLITS, parse_files, read_gold
from ..read.decode import decode_bytes, normalise_text
from ..text import normalise_space
from .blocks import split_text
from .cues import assess
from .features import compute
from .linemodel import MODEL_FILE, droppable, feature_names, vectors
from .metadata import detect

#: The project's own small pages (written for training, not scraped): short content lines
#: (section headings, names, titles) and chrome of kinds pages-dev 001-040 show rarely.
OWN_PAGES = Path(__file__).resolve().parent / "training_pages"
L2 = 1.0
ITERATIONS = 30
MARGIN = 0.05
_GRID = [round(0.50 + 0.01 * k, 2) for k in range(46)]     # 0.50 ... 0.95: never below even


def _norm(text: str) -> str:
    return normalise_space(text).casefold()


def _holds(unit: str, fragment: str) -> bool:
    """The unit holds the fragment (a short fragment must be most of it), or is part of a
    fragment that spans several units."""
    if not fragment:
        return False
    if fragment in unit:
        return len(fragment) >= 30 or 2 * len(fragment) >= len(unit)
    return len(unit) >= 12 and unit in fragment


def page_examples(text: str, gold: dict[str, Any]
                  ) -> tuple[np.ndarray, list[int], list[bool], list[str]]:
    """Feature rows, labels (1 chrome, 0 content), whether the model may drop them
    (:func:`~.linemodel.droppable`) and texts of a page's labelled units."""
    units = split_text(text)
    feats = compute(units, len(text))
    cues = [assess(u.text) for u in units]
    meta = [detect(u.text, f) is not None for u, f in zip(units, feats, strict=True)]
    x = vectors([u.text for u in units], feats, cues, meta, gold.get("address"))
    content = [_norm(f) for f in gold.get("content") or ()]
    content += [_norm(c["quote"]) for c in gold.get("claims") or () if c.get("quote")]
    chrome = [_norm(f) for f in gold.get("boilerplate") or ()]
    rows, labels, texts, may = [], [], [], []
    for i, unit in enumerate(units):
        key = _norm(unit.text)
        if any(_holds(key, f) for f in content):
            label = 0
        elif any(_holds(key, f) for f in chrome):
            label = 1
        else:
            continue
        rows.append(i)
        labels.append(label)
        texts.append(unit.text)
        may.append(droppable(unit.text, feats[i], cues[i]))
    return x[rows], labels, may, texts


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = ITERATIONS
        ) -> np.ndarray:
    """Logistic regression weights by Newton's method (the bias, last column, unpenalised)."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 1e-6
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x.T * (p * (1 - p))) @ x + np.diag(penalty)
        w = w - np.linalg.solve(hess, grad)
    return w


def own_pages() -> list[dict[str, Any]]:
    """The labels of the project's own training pages (``training_pages/labels.jsonl``)."""
    lines = (OWN_PAGES / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _examples(pages: Path, files: Sequence[str]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    gold = {g["file"]: g for g in read_gold(pages)}
    where = {name: pages / "docs" / name for name in files}
    for g in own_pages():
        gold[g["file"]] = g
        where[g["file"]] = OWN_PAGES / g["file"]
    xs, ys, folds, texts, mays = [], [], [], [], []
    for k, name in enumerate(where):
        data = where[name].read_bytes()
        text, _ = normalise_text(decode_bytes(data, name).text)
        x, labels, may, unit_texts = page_examples(text, gold[name])
        xs.append(x)
        ys += labels
        mays += may
        folds += [k % 5] * len(labels)
        texts += [f"{name}: {t}" for t in unit_texts]
    return (np.vstack(xs), np.asarray(ys, dtype=np.float64), np.asarray(folds),
            np.asarray(mays, dtype=bool), texts)


def train_boilerplate(pages: Path, out: Path, l2: float = L2,
                      iterations: int = ITERATIONS) -> dict[str, Any]:
    """Fit on the tune files of ``pages`` (a pages-dev folder), write ``out``, say how it did."""
    files = parse_files(SPLITS["tune"], [g["file"] for g in read_gold(pages)])
    x, y, folds, may, _ = _examples(pages, files)
    oof = np.zeros(len(y))
    for k in range(5):
        test = folds == k
        w = fit(x[~test], y[~test], l2, iterations)
        oof[test] = 1.0 / (1.0 + np.exp(-(x[test] @ w)))
    oof[~may] = 0.0        # what the model may not drop is never dropped
    content_max = float(oof[y == 0].max()) if (y == 0).any() else 0.0
    safe = next((t for t in _GRID if t > content_max), _GRID[-1])
    threshold = round(min(0.95, safe + MARGIN), 2)
    weights = fit(x, y, l2, iterations)
    record = {
        "model": "boilerplate line model v1 (logistic regression)",
        "trained_on": f"pages-dev {SPLITS['tune']} ({len(files)} files) and "
                      f"{len(own_pages())} own pages",
        "examples": {"chrome": int(y.sum()), "content": int((1 - y).sum())},
        "l2": l2, "iterations": iterations, "threshold": threshold,
        "cross_validation": {
            "folds": 5,
            "content_dropped": int(((oof >= threshold) & (y == 0)).sum()),
            "chrome_dropped": int(((oof >= threshold) & (y == 1)).sum()),
            "chrome": int(y.sum()),
        },
        "features": feature_names(),
        "weights": [round(float(v), 6) for v in weights],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    summary = {k: v for k, v in record.items() if k not in ("features", "weights")}
    return {**summary, "out": str(out), "file": MODEL_FILE}
