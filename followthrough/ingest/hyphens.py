"""Rejoin words broken over a line end at a hyphen.

A hyphen at a line end is either a break inside one word ("recruit-/ment") or a real hyphen
that happened to fall at the end of the line ("step-/down", "voice-of-the-/child"). The rule,
first match wins:

1. Keep the hyphen when the continuation starts with a capital or a digit ("Cwm Taf-/Morgannwg",
   "2022-/23"), or when either side already holds a hyphen ("out-/of-county").
2. Follow the document: if the text elsewhere spells the word joined ("caseload") or
   hyphenated ("well-being") more often, use that spelling.
3. Join without the hyphen when the joined word is an English word ("recruitment",
   "information"); keep the hyphen when both halves are words ("step-down", "well-being");
   otherwise join (the continuation is a fragment such as "ment").

PDFium marks hyphens it judged to be line-end breaks with U+FFFE (``get_text_range``) or
U+0002 (``get_text_bounded``) and drops the line end; those are treated as "-" plus line end.
The word list is SCOWL (see data/words.txt).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, cached_property
from importlib.resources import files

# PDFium's generated-hyphen markers and the Unicode soft hyphen.
SOFT_HYPHENS = "\x02\ufffe\u00ad"
_WORD = r"[^\W\d_]+(?:-[^\W\d_]+)*"
_BREAK = re.compile(
    rf"(?<![\w-])(?P<left>{_WORD})(?:-[ \t]*\r?\n[ \t]*|[{SOFT_HYPHENS}][ \t]*(?:\r?\n[ \t]*)?)(?P<right>[^\W_]+(?:-[^\W_]+)*)"
)
_TOKEN = re.compile(_WORD)
_MARKERS = {0x02: "-", 0xFFFE: "-", 0xAD: None}


@cache
def english_words() -> frozenset[str]:
    text = files("followthrough.ingest").joinpath("data/words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _known(word: str, words: frozenset[str]) -> bool:
    """A word or a regular inflection of one."""
    word = word.lower()
    if word in words:
        return True
    for suffix in ("s", "es", "ed", "d", "ing", "ly"):
        if word.endswith(suffix) and word[: -len(suffix)] in words:
            return True
    return False


class Dehyphenator:
    """Rejoins broken words, using the document's own spellings as evidence."""

    def __init__(self, evidence: str = "") -> None:
        self.evidence = evidence
        self.words = english_words()

    @cached_property
    def counts(self) -> Counter[str]:
        """How often each word is spelt in the evidence; built on the first break that needs it."""
        return Counter(_TOKEN.findall(self.evidence.lower()))

    def keep_hyphen(self, left: str, right: str) -> bool:
        if right[0].isupper() or right[0].isdigit() or "-" in left or "-" in right:
            return True
        joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
        as_joined, as_hyphenated = self._seen(joined), self._seen(hyphenated)
        if as_joined != as_hyphenated:
            return as_hyphenated > as_joined
        if _known(joined, self.words):
            return False
        return _known(left, self.words) and _known(right, self.words)

    def _seen(self, word: str) -> int:
        """How often the text spells ``word``, singular or plural."""
        stem = word[:-1] if word.endswith("s") else word
        return self.counts[stem] + self.counts[stem + "s"]

    def __call__(self, text: str) -> str:
        """``text`` with every line-end hyphen break resolved (the line end is removed)."""

        def join(match: re.Match[str]) -> str:
            left, right = match["left"], match["right"]
            return f"{left}-{right}" if self.keep_hyphen(left, right) else left + right

        if "-" not in text and not any(c in text for c in SOFT_HYPHENS):
            return text
        # Matches do not overlap, so "a-/b-/c" needs a second pass for "b-/c"; a marker left
        # over (not between two words) becomes a plain hyphen, a soft hyphen nothing.
        for _ in range(5):
            joined = _BREAK.sub(join, text).translate(_MARKERS)
            if joined == text:
                break
            text = joined
            if not _BREAK.search(text):  # nothing left to join: spare the confirming pass
                break
        return text


def dehyphenate(text: str, evidence: str | None = None) -> str:
    """Rejoin words in ``text``; ``evidence`` (default: ``text``) supplies the spellings."""
    return Dehyphenator(text if evidence is None else evidence)(text)
