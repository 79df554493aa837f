"""Random strings that a regular expression may match, drawn from its parse tree.

Lookarounds are ignored while drawing, so a drawn string need not match: callers search
it with the expression and keep the matches. Used to check that the anchor words which
gate an expression occur in every text it can match, not only in the corpus.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator
from re import _constants as C  # the parse tree of re is the only description of a pattern's language
from re import _parser as P

_CATEGORIES = {
    C.CATEGORY_DIGIT: list("0123456789"),
    C.CATEGORY_SPACE: [" "],
    C.CATEGORY_WORD: list(string.ascii_letters),
}


def _characters(items: list) -> list[str]:
    choices: list[str] = []
    negated = False
    for op, value in items:
        if op is C.NEGATE:
            negated = True
        elif op is C.LITERAL:
            choices.append(chr(value))
        elif op is C.RANGE:
            choices += [chr(c) for c in range(value[0], min(value[1], value[0] + 40) + 1)]
        elif op is C.CATEGORY:
            choices += _CATEGORIES.get(value, ["x"])
    if negated:
        return [c for c in "ax 1," if c not in choices] or ["x"]
    return choices


def _draw(tree, rnd: random.Random, out: list[str]) -> None:
    for op, value in tree:
        if op is C.LITERAL:
            out.append(chr(value))
        elif op is C.NOT_LITERAL:
            out.append(rnd.choice([c for c in "ax " if c != chr(value)]))
        elif op is C.ANY:
            out.append(rnd.choice("ab "))
        elif op is C.IN:
            out.append(rnd.choice(_characters(value)))
        elif op is C.BRANCH:
            _draw(rnd.choice(value[1]), rnd, out)
        elif op is C.SUBPATTERN:
            _draw(value[-1], rnd, out)
        elif op is C.ATOMIC_GROUP:
            _draw(value, rnd, out)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, high, item = value
            for _ in range(rnd.randint(low, min(high, low + 2))):
                _draw(item, rnd, out)
        # AT, ASSERT, ASSERT_NOT, GROUPREF: nothing drawn


def matches(pattern: re.Pattern[str], count: int, seed: int = 0, lower: bool = False) -> Iterator[str]:
    """Texts that ``pattern`` matches, found in ``count`` random draws from it."""
    rnd = random.Random(seed)
    tree = P.parse(pattern.pattern, pattern.flags)
    for _ in range(count):
        out: list[str] = []
        _draw(tree, rnd, out)
        text = " " + "".join(out) + " "
        if lower:
            text = text.lower()
        for match in pattern.finditer(text):
            if match.group(0):
                yield match.group(0)
