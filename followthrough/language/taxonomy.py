"""The topic taxonomy (followthrough/language/data/topics.json) as search and tracking use it.

A query word that is one of a topic's terms expands to the topic's other terms, and
passages (which extraction does not tag) get topics from the same terms.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from followthrough.errors import FollowthroughError
from followthrough.language.topics import taxonomy, topics_of

TAXONOMY_FILE = "data/topics.json"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Topic:
    """One taxonomy entry; a term ending in ``*`` matches any ending of its last word."""

    key: str
    label: str
    terms: tuple[str, ...]


def words(text: str) -> list[str]:
    """Lower-case words as FTS5's unicode61 tokenizer splits them (no punctuation)."""
    return [w.lower() for w in _WORD.findall(text)]


@lru_cache(maxsize=1)
def load_topics() -> tuple[Topic, ...]:
    """Every topic in the taxonomy file; a clear error if the file is missing or malformed."""
    try:
        return tuple(
            Topic(key, entry.get("label", key), tuple(t.lower() for t in entry["terms"]))
            for key, entry in taxonomy().items()
        )
    except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise FollowthroughError(
            f"followthrough/language/{TAXONOMY_FILE}: cannot read the topic taxonomy ({exc})"
        ) from exc


def term_words(term: str) -> tuple[list[str], bool]:
    """A term's words and whether its last word is a prefix (``recruit*``)."""
    return words(term), term.rstrip().endswith("*")


def _matches(term: str, tokens: list[str]) -> bool:
    parts, prefix = term_words(term)
    if len(parts) != len(tokens) or not parts:
        return False
    if parts[:-1] != tokens[:-1]:
        return False
    return tokens[-1].startswith(parts[-1]) if prefix else tokens[-1] == parts[-1]


def find_topic(tokens: list[str]) -> Topic | None:
    """The topic one of whose terms (or key, or label) is exactly these words, if any."""
    for topic in load_topics():
        if tokens == words(topic.key) or tokens == words(topic.label):
            return topic
        if any(_matches(term, tokens) for term in topic.terms):
            return topic
    return None


def tag_topics(text: str) -> list[str]:
    """Topic keys whose terms occur in ``text`` (for passages, which are not tagged at
    extraction): the extractor's own tagger, so both agree."""
    return topics_of(text)
