"""Stage 3, deduplicate: the keys that tell copies of one paper or page apart from other texts.

Every key is a pure function of one document's main content (title, abstract and body
segments, :func:`main_text`), compared as a set of word 3-shingles (:func:`shingle_hashes`):

- ``content_hash``: SHA-256 of the normalised words (exact copies);
- a MinHash signature (``NUM_PERM`` = 128 values in ``BANDS`` = 16 LSH bands of ``ROWS`` = 8),
  whose bands find pairs of high Jaccard similarity: the candidate threshold
  (1/16)^(1/8) ~ 0.71 sits at the default ``near_dup_threshold``;
- a shingle sketch (:func:`sketch`): the shingle hashes divisible by ``SKETCH_MOD`` = 8, about
  one shingle in eight. Two texts share about 1/8 of their common shingles here whatever their
  lengths, so the sketch finds a short text held in a long one (a truncated mirror, an abstract
  pasted into a clinic page), which Jaccard and its LSH bands miss.

Grouping sources into works happens in the store (``store.Store.add_documents``) as a join on
these keys, so it needs no state in memory and scales with the store, not with RAM: candidates
share a content hash, an LSH band or enough sketch hashes (:func:`sketch_candidate`), and are
then verified on their exact shingle sets by :class:`CopyRule`. Works are the connected
components over accepted pairs; a work's id comes from its members' content
(:func:`work_key`), so any ingest order gives the same works and the same ids.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import Segment, stable_id

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
#: A shingle hash is in the sketch when divisible by this: about one shingle in eight.
SKETCH_MOD = 8
#: Sketch candidates share at least this many sketch hashes (one shared phrase is chance).
SKETCH_MIN_SHARED = 2
#: Exact copies (same content hash) join only with this many distinct shingles (about ten
#: words): short texts such as "Erratum" or "Access denied" are not copies of one paper.
EXACT_MIN_SHINGLES = 8
#: A page holding two texts (each accepted by containment alone) whose shingles in it share
#: less than this is a compilation (a digest pasting two abstracts), a copy of neither: on
#: pages-dev 001-040 unrelated pages share at most 0.05, excerpts of one text far more.
COMPILATION_OVERLAP = 0.2
#: Segments that make up the main content compared across copies.
MAIN_KINDS = frozenset({"title", "abstract", "body"})

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_rng = np.random.RandomState(1)  # fixed seed: signatures must be stable across runs/machines
_A = _rng.randint(1, int(_MAX_HASH), size=NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, int(_MAX_HASH), size=NUM_PERM, dtype=np.uint64)
del _rng

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def main_text(segments: Sequence[Segment]) -> str:
    """The main content of a source: its title, abstract and body segments, in order."""
    return "\n".join(s.text for s in segments if s.kind in MAIN_KINDS)


def normalise(text: str) -> list[str]:
    """Lower-cased word tokens: what is compared ignores case, spacing and punctuation."""
    return _WORD_RE.findall(text.lower())


def content_hash(text: str) -> str:
    """Exact-duplicate key: SHA-256 of the normalised words."""
    return hashlib.sha256(" ".join(normalise(text)).encode("utf-8")).hexdigest()[:32]


def shingles(words: Sequence[str], k: int = SHINGLE) -> set[str]:
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def shingle_hashes(text: str) -> frozenset[int]:
    """The 32-bit hashes of the word 3-shingles of ``text``: what copies are compared on."""
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    return frozenset(from_bytes(blake2b(s.encode("utf-8"), digest_size=4).digest(), "little")
                     for s in shingles(normalise(text)))


def minhash(text: str | Collection[int]) -> list[int]:
    """MinHash signature (NUM_PERM values) of the word 3-shingles of ``text`` (or of their
    :func:`shingle_hashes`)."""
    hashes = shingle_hashes(text) if isinstance(text, str) else text
    if not hashes:
        return [int(_MAX_HASH)] * NUM_PERM
    hv = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    # (a * h + b) mod p, truncated to 32 bits; min over shingles for each permutation
    phv = ((np.outer(hv, _A) + _B) % _MERSENNE) & _MAX_HASH
    return [int(v) for v in phv.min(axis=0)]


def band_hashes(signature: Sequence[int]) -> list[int]:
    """One 63-bit hash per LSH band (signed, to fit a BIGINT column)."""
    out = []
    for b in range(BANDS):
        chunk = ",".join(str(v) for v in signature[b * ROWS:(b + 1) * ROWS])
        digest = hashlib.blake2b(chunk.encode("ascii"), digest_size=8).digest()
        out.append(int.from_bytes(digest, "little", signed=True))
    return out


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(np.asarray(a) == np.asarray(b)))


def sketch(hashes: Iterable[int]) -> list[int]:
    """The shingle hashes kept in the store's sketch: those divisible by ``SKETCH_MOD``.

    A consistent sample: a shingle two texts share is in both sketches or in neither, so
    shared sketch hashes / the smaller sketch estimates containment whatever the lengths."""
    return sorted(h for h in hashes if h % SKETCH_MOD == 0)


def containment(a: Collection[int], b: Collection[int]) -> float:
    """Share of the smaller set found in the larger (0 when either is empty)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    large_set = large if isinstance(large, (set, frozenset)) else set(large)
    return sum(1 for h in small if h in large_set) / len(small)


def jaccard(a: Collection[int], b: Collection[int]) -> float:
    """Jaccard similarity of two sets of shingle hashes (0 when both are empty)."""
    sa, sb = set(a), set(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


@dataclass(frozen=True)
class CopyRule:
    """When two sources with different content hashes are one work (their thresholds are the
    settings ``near_dup_containment``, ``near_dup_threshold``, ``near_dup_min_shingles``).

    The smaller text must have at least ``min_shingles`` distinct word 3-shingles, and either
    at least ``containment`` of them are in the larger text (a truncated mirror, an abstract
    pasted into a page) or the two share at least ``jaccard`` of their union (copies edited
    on both sides). Both measures are exact, on the shingle sets."""

    containment: float = 0.6
    jaccard: float = 0.7
    min_shingles: int = 50

    @classmethod
    def from_settings(cls, settings: Any) -> CopyRule:
        """The rule of a :class:`~evimap.settings.Settings`."""
        return cls(settings.near_dup_containment, settings.near_dup_threshold,
                   settings.near_dup_min_shingles)

    def eligible(self, n_shingles: int) -> bool:
        """Whether a text this long can be a near copy at all."""
        return n_shingles >= self.min_shingles

    def sketch_candidate(self, shared: int, n_sketch_a: int, n_sketch_b: int) -> bool:
        """Whether two texts sharing ``shared`` sketch hashes deserve an exact comparison:
        the estimated containment reaches half the threshold (room for sampling error)."""
        smaller = min(n_sketch_a, n_sketch_b)
        return (shared >= SKETCH_MIN_SHARED and smaller > 0
                and shared / smaller >= self.containment / 2)

    def compare(self, a: Collection[int], b: Collection[int]) -> tuple[bool, float, float]:
        """(one work?, containment, Jaccard) of two shingle-hash sets."""
        if not self.eligible(min(len(a), len(b))):
            return False, 0.0, 0.0
        c, j = containment(a, b), jaccard(a, b)
        return c >= self.containment or j >= self.jaccard, c, j


def exact_eligible(n_shingles: int) -> bool:
    """Whether copies of a text of ``n_shingles`` with the same content hash are one work."""
    return n_shingles >= EXACT_MIN_SHINGLES


def member_key(content_hash_: str, doc_id: str, exact: bool) -> str:
    """The content key a source gives its work: its content hash, or for a text too short to
    join others (``exact`` False) its own id, so such sources never share a work id."""
    return content_hash_ if exact else f"doc:{doc_id}"


def work_key(member_keys: Iterable[str]) -> str:
    """The content key of a work: the smallest of its members' keys."""
    return min(member_keys)


def work_id(key: str) -> str:
    """A work's id from its content key: the same members give the same id, in any order."""
    return stable_id("work", key)
