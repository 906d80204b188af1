"""Every stage costs in proportion to its input (issue 15, point 6).

Real text made into one big file (BC5CDR abstracts joined, pages-dev scrapes joined, the same
pages as one HTML page) and hostile text of the kinds that once took the square of their size
(one sentence of many abbreviation definitions, a line without full stops, many parentheses,
the same line many times) is read and processed at a size and at twice that size. A stage
whose cost grows with the square of the input takes four times as long on the double; a
linear one twice. The test bounds the ratio of CPU time (best of three runs of each size,
the sizes taken in turn, so that a busy machine's pauses and drifts count less) at 3, per
stage where a stage takes long enough to time, and for the whole. Sizes are chosen so that
the double takes a second or more here.
"""

from __future__ import annotations

import gc
import html
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from evimap.errors import InputError
from evimap.pipeline import Resources, process
from evimap.read import read_file
from evimap.settings import Settings

#: The largest ratio allowed between the time for twice the input and for the input.
MAX_RATIO = 3.0
#: Runs of each size (taken in turn); each size's best counts.
ROUNDS = 3
#: A stage is compared on its own when it takes at least this long on the double input.
STAGE_SECONDS = 0.4
KB = 1024


def _abstracts(data_dir: Path) -> str:
    text = (data_dir / "bc5cdr" / "CDR_TrainingSet.PubTator.txt").read_text(encoding="utf-8")
    parts = []
    for record in text.strip().split("\n\n"):
        lines = record.splitlines()
        parts.append(lines[0].split("|", 2)[2] + "\n" + lines[1].split("|", 2)[2])
    return "\n\n".join(parts)


def _pages(data_dir: Path) -> str:
    docs = sorted((data_dir / "pages-dev" / "docs").glob("*.txt"))
    return "\n\n".join(p.read_text(encoding="utf-8") for p in docs)


def _prefix(text: str, size: int) -> str:
    """The first ``size`` characters of ``text`` (repeated when it is shorter), cut at a line."""
    while len(text) < size:
        text = text + "\n\n" + text
    cut = text.rfind("\n", 0, size)
    return text[:cut if cut > size // 2 else size]


def _as_html(text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines()
                         if line.strip())
    return (f"<!DOCTYPE html><html><head><title>Joined pages</title></head><body><article>"
            f"<h1>Joined pages</h1>\n{paragraphs}</article></body></html>")


def _definitions(n_chars: int) -> str:
    out, i = [], 0
    while sum(map(len, out)) + len(out) < n_chars:
        out.append(f"ketamine {i} (K{i:04d})")
        i += 1
    return " ".join(out)


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


SENTENCE = "Ketamine reduced migraine pain in 40 patients with chronic migraine. "

#: name, file suffix, the text of a given size in characters, the smaller size.
CASES: list[tuple[str, str, Callable[[Path, int], str], int]] = [
    ("abstracts", ".txt", lambda d, n: _prefix(_abstracts(d), n), 48 * KB),
    ("pages", ".txt", lambda d, n: _prefix(_pages(d), n), 48 * KB),
    ("pages-html", ".html", lambda d, n: _as_html(_prefix(_pages(d), n)), 48 * KB),
    ("definitions", ".txt", lambda d, n: _definitions(n), 40 * KB),
    ("no-full-stops", ".txt", lambda d, n: _fill(SENTENCE.replace(". ", ", "), n), 40 * KB),
    ("parentheses", ".txt", lambda d, n: _fill("aspirin (ASA) or ketamine (", n), 40 * KB),
    ("repeated-line", ".txt", lambda d, n: _fill(SENTENCE.strip() + "\n", n), 40 * KB),
]


def _cost(path: Path, settings: Settings, resources: Resources) -> dict[str, float]:
    """CPU seconds per stage (``read`` included) for the file, and ``total``; the garbage
    collector is paused (its passes cost in proportion to everything the process holds,
    earlier tests' data included, which is no cost of the stages)."""
    timings: dict[str, float] = {}
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        items = list(read_file(path, settings))
        timings["read"] = time.process_time() - started
        for item in items:
            assert not isinstance(item, InputError), str(item)
            process(item, resources, timings)
        timings["total"] = time.process_time() - started
    finally:
        gc.enable()
    return timings


def _best(paths: tuple[Path, Path], settings: Settings, resources: Resources
          ) -> tuple[dict[str, float], dict[str, float]]:
    """The best of three runs of each file, the two files taken in turn: this shared
    machine's speed drifts, and runs of one size after the other would read a drift as a
    cost of the size."""
    runs = [[_cost(path, settings, resources) for path in paths] for _ in range(ROUNDS)]
    one, two = (
        {stage: min(run[k].get(stage, 0.0) for run in runs) for stage in runs[0][k]}
        for k in (0, 1))
    return one, two


@pytest.mark.slow
@pytest.mark.parametrize("name,suffix,make,size", CASES, ids=[c[0] for c in CASES])
def test_doubling_the_input_doubles_the_time(name: str, suffix: str,
                                             make: Callable[[Path, int], str], size: int,
                                             data_dir: Path, settings: Settings,
                                             resources: Resources, tmp_path: Path) -> None:
    small, large = tmp_path / f"small{suffix}", tmp_path / f"large{suffix}"
    small.write_text(make(data_dir, size), encoding="utf-8")
    large.write_text(make(data_dir, 2 * size), encoding="utf-8")
    _cost(small, settings, resources)                       # warm up caches and patterns
    one, two = _best((small, large), settings, resources)
    report = {stage: (round(one.get(stage, 0.0), 3), round(t, 3)) for stage, t in two.items()}
    assert two["total"] <= MAX_RATIO * one["total"], f"{name}: {report}"
    for stage, seconds in two.items():
        if seconds >= STAGE_SECONDS:
            assert seconds <= MAX_RATIO * max(one.get(stage, 0.0), STAGE_SECONDS / 4), (
                f"{name}, stage {stage}: {report}")
