"""Which of a set of known prefixes start a word, remembered per word across documents.

Cue anchors and the heads of taxonomy terms are word prefixes: a text can only match a
cue or a term when one of its words starts with one. A document's words are mostly words
seen before, and most start no prefix at all, so the answer is kept per word, and the
words known to start none are kept apart, where one set difference drops them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

_NONE: frozenset = frozenset()
MEMORY = 200_000  # words (or token texts) remembered before starting afresh


class PrefixIndex:
    """``values_of(words)``: the values of every prefix that starts one of ``words``."""

    def __init__(self, pairs: Iterable[tuple[str, Hashable]], memory: int = MEMORY) -> None:
        keyed: dict[str, set[tuple[str, Hashable]]] = {}
        for prefix, value in pairs:
            keyed.setdefault(prefix[:2], set()).add((prefix, value))
        self._keyed = {key: tuple(entries) for key, entries in keyed.items()}
        self._found: dict[str, frozenset] = {}
        self._plain: set[str] = set()
        self._memory = memory

    def of_word(self, word: str) -> frozenset:
        found = self._found.get(word)
        if found is not None:
            return found
        # Prefixes are keyed by their first two characters (a one-character prefix by one).
        candidates = self._keyed.get(word[:2], ()) + (self._keyed.get(word[:1], ()) if len(word) > 1 else ())
        found = frozenset(value for prefix, value in candidates if word.startswith(prefix))
        if len(self._found) + len(self._plain) >= self._memory:
            self._found.clear()
            self._plain.clear()
        if found:
            self._found[word] = found
        else:
            self._plain.add(word)
        return found or _NONE

    def values_of(self, words: Iterable[str]) -> frozenset:
        found = [values for word in set(words).difference(self._plain) if (values := self.of_word(word))]
        return frozenset().union(*found) if found else _NONE
