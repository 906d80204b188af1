"""Stage 3, deduplicate: content hashes and MinHash signatures of a source's main content.

Both are pure functions of one document. Grouping sources into works happens in the store
(``store.Store.add_documents``) as a join on the content hash and on LSH band hashes, so it
needs no state in memory and scales with the store, not with RAM.

Near-duplicate rule: two sources are one work when the estimated Jaccard similarity of the
word 3-shingles of their main content (title, abstract, body) is at least
``settings.near_dup_threshold`` (0.7 by default). The signature has ``NUM_PERM`` = 128
values cut into ``BANDS`` = 16 bands of ``ROWS`` = 8 rows, whose LSH candidate threshold
(1/16)^(1/8) ~ 0.71 sits at the default similarity threshold.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from ..model import Segment

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
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


def minhash(text: str) -> list[int]:
    """MinHash signature (NUM_PERM values) of the word 3-shingles of ``text``."""
    sh = shingles(normalise(text))
    if not sh:
        return [int(_MAX_HASH)] * NUM_PERM
    hv = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little")
         for s in sh),
        dtype=np.uint64, count=len(sh),
    )
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
