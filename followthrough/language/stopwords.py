"""The stop words of search queries and commitment tracking (``data/stopwords.txt``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("followthrough.language").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))
