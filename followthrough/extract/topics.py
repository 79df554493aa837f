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
def _patterns() -> list[tuple[str, re.Pattern[str], bool]]:
    """Per topic: its compiled terms and whether matches need a word-start check."""
    out = []
    for topic, entry in taxonomy().items():
        pattern, boundary = fast_pattern("|".join(term_pattern(t.lower()) for t in entry["terms"]))
        out.append((topic, pattern, boundary))
    return out


_WORDS = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _topics_by_head() -> dict[str, tuple[tuple[str, int], ...]]:
    """(head, topic index) pairs keyed by the head's first two letters; a term's head is
    the first run of letters of its first word, which every match of it starts with."""
    keyed: dict[str, set[tuple[str, int]]] = {}
    for index, (topic, entry) in enumerate(taxonomy().items()):
        for term in entry["terms"]:
            head = _WORDS.match(term.lower())
            if head:
                keyed.setdefault(head.group(0)[:2], set()).add((head.group(0), index))
    return {key: tuple(values) for key, values in keyed.items()}


# The topics each word can start a term of, remembered across documents; words that start
# none are kept apart, so a set difference drops them.
_word_topics: dict[str, tuple[int, ...]] = {}
_plain_words: set[str] = set()
_WORD_MEMORY = 200_000


def _topics_of_word(word: str) -> tuple[int, ...]:
    topics = _word_topics.get(word)
    if topics is None:
        topics = tuple(sorted({index for head, index in _topics_by_head().get(word[:2], ()) if word.startswith(head)}))
        if len(_word_topics) + len(_plain_words) >= _WORD_MEMORY:
            _word_topics.clear()
            _plain_words.clear()
        if topics:
            _word_topics[word] = topics
        else:
            _plain_words.add(word)
    return topics


def topics_of(text: str) -> list[str]:
    """Every topic whose terms occur in ``text``, in taxonomy order."""
    lower = text.lower()
    words = set(_WORDS.findall(lower)).difference(_plain_words)
    candidates = {index for word in words for index in _topics_of_word(word)}
    patterns = _patterns()
    return [
        patterns[i][0] for i in sorted(candidates) if word_matches(patterns[i][1], lower, patterns[i][2], first=True)
    ]


def load() -> None:
    """Compile the taxonomy's patterns now rather than on first use."""
    _patterns()
    _topics_by_head()
