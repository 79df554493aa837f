"""Topic tags from the taxonomy in ``data/topics.json``."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from followthrough.language.patterns import fast_pattern, word_matches
from followthrough.language.prefixes import PrefixIndex


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, dict]:
    """{topic: {"label": ..., "terms": [...]}} (entries starting with '_' are notes)."""
    data = json.loads(resources.files("followthrough.language").joinpath("data/topics.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def term_pattern(term: str) -> str:
    """A whole-word regex for a taxonomy term; a trailing * matches any ending."""
    stem = term.rstrip("*")
    body = r"[\s\-]+".join(re.escape(w) for w in stem.split())
    return rf"\b{body}" + (r"\w*" if term.endswith("*") else r"\b")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str], bool]]:
    """Per topic: its compiled terms and whether matches need a word-start check."""
    out = []
    for topic, entry in taxonomy().items():
        pattern, boundary = fast_pattern("|".join(term_pattern(t.lower()) for t in entry["terms"]))
        out.append((topic, pattern, boundary))
    return out


_WORDS = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _heads() -> PrefixIndex:
    """Each term's head (the first run of letters of its first word, which every match of
    the term starts with), as the prefix that lets its topic's pattern run."""
    pairs = []
    for index, (_topic, entry) in enumerate(taxonomy().items()):
        for term in entry["terms"]:
            head = _WORDS.match(term.lower())
            if head:
                pairs.append((head.group(0), index))
    return PrefixIndex(pairs)


def topics_of(text: str) -> list[str]:
    """Every topic whose terms occur in ``text``, in taxonomy order."""
    lower = text.lower()
    patterns = _patterns()
    return [
        patterns[i][0]
        for i in sorted(_heads().values_of(_WORDS.findall(lower)))
        if word_matches(patterns[i][1], lower, patterns[i][2], first=True)
    ]


def load() -> None:
    """Compile the taxonomy's patterns now rather than on first use."""
    _patterns()
    _heads()
