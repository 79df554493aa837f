"""Text to terms: normalise, expand acronyms, tokenise, stem, and find glossary concepts.

Both sides (findings and plan rows) go through :func:`analyse`, so an inspector's
"children at risk of sexual exploitation" and a council's "All Wales CSE protocol" meet on
the concept ``exploitation`` even though they share no word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from followthrough.link.glossary import load_glossary, stopwords

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
# "(re)referrals" -> "re-referrals"
_PAREN_PREFIX = re.compile(r"\((re|co|pre|non|sub|inter|multi)\)(?=\w)", re.IGNORECASE)
_VOWEL = re.compile(r"[aeiouy]")
# Short stems that must not be cut further ("needs" -> "need", not "ne").
_MIN_STEM = 3
_SUFFIXES = (
    # (suffix, replacement); first that applies wins, checked longest first
    ("ational", "ate"),
    ("isations", "ise"),
    ("izations", "ize"),
    ("isation", "ise"),
    ("ization", "ize"),
    ("ations", ""),
    ("ation", ""),
    ("itions", ""),
    ("ition", ""),
    ("ions", ""),
    ("ion", ""),
    ("atives", ""),
    ("ative", ""),
    ("ives", ""),
    ("ive", ""),
    ("ments", ""),
    ("ment", ""),
    ("nesses", ""),
    ("ness", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ed", ""),
    ("als", ""),
    ("al", ""),
    ("ly", ""),
    ("es", ""),
    ("s", ""),
)
_NO_STRIP_S = ("ss", "us", "is")


def normalise(text: str) -> str:
    """NFKC, straight quotes, ASCII hyphens, '(re)' prefixes joined."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub("[\u2010-\u2015\u2212]", "-", text)
    return _PAREN_PREFIX.sub(r"\1-", text)


def expand_acronyms(text: str) -> str:
    """Append each known acronym's expansion after it: 'CSE' -> 'CSE (child sexual exploitation)'."""
    glossary = load_glossary()
    if glossary.acronym_pattern is None:
        return text
    return glossary.acronym_pattern.sub(lambda m: f"{m[0]} ({glossary.acronyms[m[0]]})", text)


def words(text: str) -> list[str]:
    """Lower-case words, apostrophes dropped and hyphens split ("multi-agency" -> multi, agency)."""
    out: list[str] = []
    for token in _WORD.findall(normalise(text).lower()):
        token = token.replace("'s", "").replace("'", "")
        out.extend(part for part in token.split("-") if part)
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper, applied to both sides alike ("referrals", "referred" -> "refer").

    Cruder than Porter on purpose: it only has to map a word's forms together, and a stem
    that over-reaches costs nothing while both sides are stemmed the same way.
    """
    if len(word) <= 4 or word.isdigit():
        return word[:-1] if len(word) == 4 and word.endswith("s") and not word.endswith(_NO_STRIP_S) else word
    for suffix, replacement in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        if suffix == "s" and word.endswith(_NO_STRIP_S):
            return word
        if suffix == "es" and not word.endswith(("sses", "xes", "zes", "ches", "shes")):
            continue  # "cases" -> "case" (by the "s" rule), "boxes" -> "box"
        base = word[: -len(suffix)] + replacement
        if len(base) < _MIN_STEM or not _VOWEL.search(base):
            continue
        if not replacement and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
            base = base[:-1]  # referr(ed) -> refer
        return _drop_e(base)
    return _drop_e(word)


def _drop_e(word: str) -> str:
    """'continue' and 'continued' meet at 'continu'."""
    return word[:-1] if len(word) > 4 and word.endswith("e") and not word.endswith("ee") else word


@dataclass(frozen=True)
class Terms:
    """What a text is about: content stems, glossary concepts and their topics."""

    stems: frozenset[str] = field(default_factory=frozenset)
    concepts: frozenset[str] = field(default_factory=frozenset)
    topics: frozenset[str] = field(default_factory=frozenset)
    # stems inside a phrase that raised a matchable concept: the concept carries their meaning
    absorbed: frozenset[str] = field(default_factory=frozenset)

    @property
    def all(self) -> frozenset[str]:
        """Stems and concepts as one bag; concepts carry an '@' so they never collide with a word."""
        return self.stems | {"@" + c for c in self.concepts}

    def __or__(self, other: Terms) -> Terms:
        return Terms(
            self.stems | other.stems,
            self.concepts | other.concepts,
            self.topics | other.topics,
            self.absorbed | other.absorbed,
        )


EMPTY = Terms()


@lru_cache(maxsize=200000)
def analyse(text: str | None) -> Terms:
    """Terms of one text. Hyphenated words also count joined ("re-referral" -> "rereferral")."""
    if not text or not text.strip():
        return EMPTY
    text = expand_acronyms(normalise(text))
    glossary = load_glossary()
    stop = stopwords()
    tokens: list[str] = []
    joined: list[str] = []
    for raw in _WORD.findall(text.lower()):
        raw = raw.replace("'s", "").replace("'", "")
        parts = [p for p in raw.split("-") if p]
        tokens.extend(stem(p) for p in parts)
        if len(parts) > 1:
            joined.append(stem("".join(parts)))
    concepts: set[str] = set()
    absorbed: set[str] = set()
    for sequence in (tokens, joined):
        covered_to = 0  # the longest phrase wins: "private fostering" is not "fostering"
        for i, token in enumerate(sequence):
            longest = 0
            for phrase, index in glossary.index.get(token, ()):  # longest first
                if len(phrase) < longest or tuple(sequence[i : i + len(phrase)]) != phrase:
                    continue
                if i + len(phrase) <= covered_to:
                    break  # inside a longer phrase already matched
                longest = len(phrase)  # the same phrase may belong to several concepts
                concept = glossary.concepts[index]
                concepts.add(concept.id)
                if concept.match:
                    absorbed.update(phrase)
            covered_to = max(covered_to, i + longest)
    stems = {t for t in tokens + joined if len(t) > 2 and t not in stop and not t.isdigit()}
    # Stop words are listed unstemmed; drop stems of listed words too ("strengths" -> "strength").
    stems -= _stemmed_stopwords()
    topics = {c.topic for c in glossary.concepts if c.id in concepts}
    matchable = {c.id for c in glossary.concepts if c.id in concepts and c.match}
    return Terms(frozenset(stems), frozenset(matchable), frozenset(topics), frozenset(absorbed & stems))


@lru_cache(maxsize=1)
def _stemmed_stopwords() -> frozenset[str]:
    return frozenset(stem(w) for w in stopwords())


def content_string(terms: Terms) -> str:
    """The sorted terms as one string, the input rapidfuzz's token scorers see."""
    return " ".join(sorted(terms.all))
