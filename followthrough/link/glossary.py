"""The sector glossary (acronyms and synonym concepts) and the word lists, from data files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Concept:
    """Words and phrases that mean one thing; ``phrases`` are stemmed token tuples."""

    id: str
    topic: str
    phrases: tuple[tuple[str, ...], ...]
    match: bool = True  # False: a broad area that sets the topic but is no term of its own


@dataclass(frozen=True)
class Glossary:
    acronyms: dict[str, str]
    acronym_pattern: re.Pattern[str] | None
    concepts: tuple[Concept, ...]
    # first stemmed token -> (phrase, concept index), longest phrases first
    index: dict[str, tuple[tuple[tuple[str, ...], int], ...]]
    # topic pairs close enough that a row labelled with one can answer the other (both ways)
    related: frozenset[tuple[str, str]] = frozenset()


def _data(name: str) -> str:
    return resources.files("followthrough.link").joinpath(f"data/{name}").read_text("utf-8")


def _word_list(name: str) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in _data(name).splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return _word_list("stopwords.txt")


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    return _word_list("generic.txt")


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    """Parse data/glossary.json once. Phrases are tokenised and stemmed like the texts."""
    from followthrough.link.terms import stem, words

    raw = json.loads(_data("glossary.json"))
    acronyms = {k: v for k, v in raw["acronyms"].items()}
    # Acronyms match case-sensitively as whole words: "IT" is an acronym, "it" is not.
    pattern = (
        re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, acronyms), key=len, reverse=True)) + r")(?![\w-])")
        if acronyms
        else None
    )
    concepts = []
    index: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for i, entry in enumerate(raw["concepts"]):
        phrases = tuple(dict.fromkeys(tuple(stem(w) for w in words(term)) for term in entry["terms"] if words(term)))
        concepts.append(Concept(entry["id"], entry["topic"], phrases, entry.get("match", True)))
        for phrase in phrases:
            index.setdefault(phrase[0], []).append((phrase, i))
    frozen = {k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in index.items()}
    pairs = {(a, b) for a, b in raw.get("related_topics", [])}
    return Glossary(acronyms, pattern, tuple(concepts), frozen, frozenset(pairs | {(b, a) for a, b in pairs}))
