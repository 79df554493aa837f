"""Cue patterns from the data files, compiled once.

Patterns run one by one on lower-cased text: Python's ``re`` scans a single pattern with
a literal prefix far faster than one big case-insensitive alternation. Entries marked
``"case": true`` need the original capitals and run on the original text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from followthrough.models import STATEMENT_KINDS


def split_alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regular expression."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def fast_pattern(pattern: str) -> tuple[re.Pattern[str], bool]:
    """Compile ``pattern``; when every alternative opens with ``\\b``, drop those and report
    that matches must be checked for a word boundary by hand.

    Python's ``re`` skips ahead by a literal prefix or first-character set, but a leading
    ``\\b`` disables that and costs up to seventy times the scanning time.
    """
    alternatives = split_alternatives(pattern)
    if all(a.startswith("\\b") for a in alternatives):
        return re.compile("|".join(a[2:] for a in alternatives)), True
    return re.compile(pattern), False


def at_word_start(text: str, start: int) -> bool:
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")


def word_matches(pattern: re.Pattern[str], text: str, boundary: bool, first: bool = False) -> list[re.Match[str]]:
    """Matches of a :func:`fast_pattern`; with ``boundary``, only those starting a word."""
    if not boundary:
        if first:
            match = pattern.search(text)
            return [match] if match else []
        return list(pattern.finditer(text))
    found, pos = [], 0
    while (match := pattern.search(text, pos)) is not None:
        if at_word_start(text, match.start()):
            found.append(match)
            if first:
                break
            pos = max(match.end(), match.start() + 1)
        else:  # mid-word: try again from the next character, not after the match
            pos = match.start() + 1
    return found


def _data(name: str) -> str:
    return resources.files("followthrough.extract").joinpath(f"data/{name}").read_text("utf-8")


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    case: bool = False  # match on the original text, not the lower-cased one
    modal: bool = False  # a modal verb ("should", "must"): a question cancels it
    modal_only: bool = False  # (negations) cancels modal cues only
    anchored: bool = False  # uses ^ (the clause start): matched clause by clause
    boundary: bool = False  # leading \\b removed for speed: check the word start by hand
    anchors: frozenset[str] = frozenset()  # one of these occurs in every match (lower case)


@dataclass(frozen=True)
class KindCues:
    """One kind's positive cues and its negations."""

    kind: str
    positive: tuple[Cue, ...]
    negative: tuple[Cue, ...]


class Text:
    """A clause and its lower-cased form (same offsets), for cue matching."""

    __slots__ = ("original", "lower")

    def __init__(self, original: str) -> None:
        self.original = original
        lower = original.lower()
        # A few characters change length when lower-cased; keep offsets honest.
        self.lower = lower if len(lower) == len(original) else None

    def finditer(self, cue: Cue) -> list[re.Match[str]]:
        if cue.case:
            text, pattern = self.original, cue.pattern
        elif self.lower is not None:
            text, pattern = self.lower, cue.pattern
        else:
            text, pattern = self.original, re.compile(cue.pattern.pattern, re.IGNORECASE)
        return word_matches(pattern, text, cue.boundary)

    def search(self, cue: Cue) -> bool:
        return bool(self.finditer(cue))


@lru_cache(maxsize=1)
def cues() -> dict[str, KindCues]:
    entries = [json.loads(line) for line in _data("cues.jsonl").splitlines() if line.strip()]
    out = {}
    for kind in STATEMENT_KINDS:
        def compiled(entry: dict) -> Cue:
            pattern, boundary = fast_pattern(entry["pattern"])
            return Cue(
                pattern=pattern,
                boundary=boundary,
                anchors=frozenset(entry.get("anchors", ())),
                case=bool(entry.get("case")),
                modal=bool(entry.get("modal")),
                modal_only=bool(entry.get("modal_only")),
                anchored="^" in entry["pattern"],
            )

        mine = [e for e in entries if e["kind"] == kind]
        out[kind] = KindCues(
            kind=kind,
            positive=tuple(compiled(e) for e in mine if not e.get("negate")),
            negative=tuple(compiled(e) for e in mine if e.get("negate")),
        )
    return out


@dataclass(frozen=True)
class Hit:
    """A cue match, with offsets relative to the clause it was found in."""

    begin: int
    finish: int
    modal: bool = False

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish


_ANCHOR_WORDS = re.compile(r"[a-z]+|\?")


@lru_cache(maxsize=1)
def _anchors_by_start() -> dict[str, tuple[str, ...]]:
    """Anchors keyed by their first two characters."""
    anchors = {a for table in cues().values() for cue in (*table.positive, *table.negative) for a in cue.anchors}
    keyed: dict[str, list[str]] = {}
    for anchor in anchors:
        keyed.setdefault(anchor[:2], []).append(anchor)
    return {key: tuple(values) for key, values in keyed.items()}


def anchors_in(lower: str) -> set[str]:
    """The cue anchors that start a word of a lower-cased clause (anchors are words or
    word stems, so a dictionary lookup per distinct word replaces a scan per anchor)."""
    by_start = _anchors_by_start()
    found: set[str] = set()
    for word in set(_ANCHOR_WORDS.findall(lower)):
        for anchor in by_start.get(word[:2], ()):
            if word.startswith(anchor):
                found.add(anchor)
    return found


class CueIndex:
    """Cue matching for one document, clause by clause.

    Each cue lists ``anchors``: strings at least one of which occurs in any text it
    matches. A clause with none of them skips the regular expression altogether, which
    is most clauses for most cues; only anchored (``^``) and case-sensitive cues always run.
    """

    def __init__(self, text: str) -> None:
        self.view = Text(text)
        self._clause: tuple[int, int, Text, set[str]] | None = None

    def find(self, kind: str, start: int, end: int) -> list[Hit]:
        """Cue hits of ``kind`` in text[start:end] after negations, relative to ``start``."""
        table = cues()[kind]
        if self._clause is None or self._clause[:2] != (start, end):  # one clause, three kinds
            clause = Text(self.view.original[start:end])
            lower = clause.lower if clause.lower is not None else clause.original.lower()
            self._clause = (start, end, clause, anchors_in(lower))
        clause, present = self._clause[2], self._clause[3]
        hits = [
            Hit(m.start(), m.end(), cue.modal)
            for cue in table.positive
            if not cue.anchors or not present.isdisjoint(cue.anchors)
            for m in clause.finditer(cue)
        ]
        if not hits:
            return []
        for cue in table.negative:
            if (not cue.anchors or not present.isdisjoint(cue.anchors)) and clause.search(cue):
                if not cue.modal_only:
                    return []
                hits = [h for h in hits if not h.modal]
        return sorted(hits, key=lambda h: h.begin)


@lru_cache(maxsize=1)
def headings() -> dict[str, re.Pattern[str]]:
    data = json.loads(_data("headings.json"))
    return {
        kind: re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:" + "|".join(patterns) + r")\W*$", re.IGNORECASE)
        for kind, patterns in data.items()
        if not kind.startswith("_")
    }


@lru_cache(maxsize=1)
def _procedural() -> tuple[re.Pattern[str], tuple[str, ...]]:
    lines = [l.strip() for l in _data("procedural.txt").splitlines()]
    anchors = tuple(l.split(":", 1)[1].split() for l in lines if l.startswith("# anchors:"))[0]
    pattern = re.compile("|".join(f"(?:{l})" for l in lines if l and not l.startswith("#")), re.IGNORECASE)
    return pattern, anchors


def is_procedural(text: str) -> bool:
    """Procedure, not substance: approving the minutes, interests, attendance, reasons."""
    pattern, anchors = _procedural()
    lower = text.lower()
    return any(a in lower for a in anchors) and pattern.search(text) is not None


def heading_kind(text: str) -> str | None:
    """'recommendation', 'none' or 'cues' for a heading that sets the kind of what follows."""
    for kind, pattern in headings().items():
        if pattern.match(text.strip()):
            return kind
    return None
