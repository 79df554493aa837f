"""Sentence embeddings from a pre-trained encoder whose weights ship in its wheel.

The encoder is WordLlama (``wordllama`` on PyPI, 16 MB of weights inside the wheel): a
static token-embedding model pooled per text, about 70,000 short sentences a second on
two cores, so it can run at ingest time. It is loaded from the installed package only:
``disable_download=True`` and the package folder as its cache, so loading never touches
the network (the package's own look-up of its bundled files misses the ``tokenizers``
folder and would otherwise try to download).

``embed`` returns L2-normalised float32 rows, so cosine similarity is a dot product.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DIM = 256

Matrix = npt.NDArray[np.float32]


@lru_cache(maxsize=1)
def _model() -> Any:
    import wordllama  # heavy: only when something is encoded

    logging.getLogger("wordllama").setLevel(logging.ERROR)
    folder = Path(wordllama.__file__).parent
    return wordllama.WordLlama.load(cache_dir=folder, disable_download=True, dim=DIM)


def embed(texts: Sequence[str]) -> Matrix:
    """One normalised row per text (a zero row for an empty text)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = np.asarray(_model().embed(list(texts), norm=True), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


def similarity(left: Sequence[str], right: Sequence[str]) -> Matrix:
    """Cosine similarity of every text in ``left`` with every text in ``right``."""
    return embed(left) @ embed(right).T
