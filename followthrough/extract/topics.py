"""Topic tags from the taxonomy in ``data/topics.json``."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from followthrough.extract.cues import fast_pattern, word_matches


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, dict]:
    """{topic: {"label": ..., "terms": [...]}} (entries starting with '_' are notes)."""
    data = json.loads(resources.files("followthrough.extract").joinpath("data/topics.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def term_pattern(term: str) -> str:
    """A whole-word regex for a taxonomy term; a trailing * matches any ending."""
    stem = term.rstrip("*")
    body = r"[\s\-]+".join(re.escape(w) for w in stem.split())
    return rf"\b{body}" + (r"\w*" if term.endswith("*") else r"\b")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str], bool, tuple[str, ...]]]:
    """Per topic: its compiled terms, whether matches need a word-start check, and the
    first word of each term (a cheap substring test before the regex runs)."""
    out = []
    for topic, entry in taxonomy().items():
        terms = [t.lower() for t in entry["terms"]]
        pattern, boundary = fast_pattern("|".join(term_pattern(t) for t in terms))
        out.append((topic, pattern, boundary, tuple({t.rstrip("*").split()[0].rstrip("*") for t in terms})))
    return out


def topics_of(text: str) -> list[str]:
    """Every topic whose terms occur in ``text``, in taxonomy order."""
    lower = text.lower()
    return [
        topic
        for topic, pattern, boundary, heads in _patterns()
        if any(head in lower for head in heads) and word_matches(pattern, lower, boundary, first=True)
    ]
