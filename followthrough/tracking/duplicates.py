"""Near-duplicate documents: the same minutes as PDF, DOCX and text are one meeting.

A document's fingerprint is a MinHash signature of its normalised text (lower-case words
and numbers only, so page furniture, hyphenation and punctuation matter little) over
five-word shingles. Signatures are cut into bands stored in an indexed table, so finding
an earlier document with the same text is a few index look-ups, not a scan of every
document; a candidate counts when the signatures agree on at least ``SAME`` of their values
(estimated Jaccard similarity of the shingle sets).
"""

from __future__ import annotations

import re
import zlib

import numpy as np

PERMUTATIONS = 64
BANDS = 16  # of PERMUTATIONS // BANDS rows each
SHINGLE = 5
SAME = 0.8
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20240611)
_A = _rng.integers(1, 1 << 31, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 1 << 31, PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (``PERMUTATIONS`` uint32 values), or None for a text too short to compare."""
    words = normalise(text)
    if len(words) < 2 * SHINGLE:
        return None
    shingles = {zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)}
    values = np.fromiter(shingles, dtype=np.uint64, count=len(shingles))
    # (a*x + b) mod p per permutation, in chunks to bound memory on very long documents
    best = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for i in range(0, len(values), 20000):
        chunk = values[i : i + 20000]
        hashed = (np.outer(chunk, _A) + _B) % _PRIME
        best = np.minimum(best, hashed.min(axis=0))
    return (best & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def bands(sig: np.ndarray) -> list[tuple[int, int]]:
    """(band number, hash of the band's values): documents sharing one are compared."""
    rows = PERMUTATIONS // BANDS
    return [(b, zlib.crc32(sig[b * rows : (b + 1) * rows].tobytes())) for b in range(BANDS)]


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))
