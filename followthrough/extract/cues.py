"""Cue patterns from the data files, compiled once, and the gates that spare most of them.

Patterns run one by one on lower-cased text: Python's ``re`` scans a single pattern with
a literal prefix far faster than one big case-insensitive alternation. Entries marked
``"case": true`` need the original capitals and run on the original text.

Each cue lists ``anchors``, words (or stems) one of which starts a word of any text it
matches. :class:`CueIndex` reads the anchors of a document off its spaCy tokens, once per
distinct token text (:class:`TokenAnchors`), so a sentence without a kind's anchors skips
that kind and a clause tries only the cues its anchors open (:class:`Gates`). Tests check
the anchors against the corpus and against random texts drawn from each pattern.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy
from spacy.attrs import IDX, LENGTH, LOWER
from spacy.strings import StringStore
from spacy.tokens import Doc

from followthrough.extract.actors import reporting_verbs
from followthrough.language.patterns import fast_pattern, word_matches
from followthrough.language.prefixes import MEMORY, PrefixIndex
from followthrough.models import STATEMENT_KINDS


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

    @property
    def anchors(self) -> frozenset[str] | None:
        """Anchors of the positive cues (one occurs in any hit), or None if a cue has none."""
        if any(not cue.anchors for cue in self.positive):
            return None
        return frozenset(a for cue in self.positive for a in cue.anchors)


class Text:
    """A clause and its lower-cased form (same offsets), for cue matching."""

    __slots__ = ("original", "lower")

    def __init__(self, original: str, lower: str | None = None) -> None:
        self.original = original
        if lower is None:
            lower = original.lower()
        # A few characters change length when lower-cased; keep offsets honest.
        self.lower = lower if len(lower) == len(original) else None

    def finditer(self, cue: Cue, first: bool = False) -> list[re.Match[str]]:
        if cue.case:
            text, pattern = self.original, cue.pattern
        elif self.lower is not None:
            text, pattern = self.lower, cue.pattern
        else:
            text, pattern = self.original, re.compile(cue.pattern.pattern, re.IGNORECASE)
        return word_matches(pattern, text, cue.boundary, first)

    def search(self, cue: Cue) -> bool:
        return bool(self.finditer(cue, first=True))


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


@dataclass(frozen=True, slots=True)
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
def signal_words() -> frozenset[str]:
    """Words that are no cue but are looked up like anchors, because a sentence without
    them can skip a test: the reporting verbs (who is speaking), "resolved"/"agreed"/"decided"/"remitted" (a
    resolution that does not open its sentence) and the procedural anchors."""
    return (
        frozenset(reporting_verbs()) | {"resolved", "agreed", "decided", "remitted", "carried"} | procedural_anchors()
    )


def procedural_anchors() -> frozenset[str]:
    """Words one of which starts a word of any procedural text (procedural.txt)."""
    return frozenset(_procedural()[0])


@lru_cache(maxsize=1)
def _anchor_index() -> PrefixIndex:
    """Every anchor (and signal word), as the prefix of the words it gates."""
    anchors = {a for table in cues().values() for cue in (*table.positive, *table.negative) for a in cue.anchors}
    return PrefixIndex((a, a) for a in anchors | signal_words())


@lru_cache(maxsize=1)
def _kind_anchors() -> dict[str, frozenset[str] | None]:
    return {kind: table.anchors for kind, table in cues().items()}


@lru_cache(maxsize=16)
def _anchors_of_kinds(kinds: tuple[str, ...]) -> frozenset[str] | None:
    """One of these occurs in any hit of a positive cue of ``kinds`` (None: no such set)."""
    tables = [_kind_anchors()[kind] for kind in kinds]
    known = [t for t in tables if t is not None]
    return None if len(known) < len(tables) else frozenset().union(*known)


_NONE: frozenset[str] = frozenset()
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def anchors_in(lower: str) -> frozenset[str]:
    """The cue anchors (and signal words) that start a word of a lower-cased text."""
    return _anchor_index().values_of(_ANCHOR_WORDS.findall(lower))


class TokenAnchors:
    """The anchors of token texts, by spaCy string hash, remembered across documents.

    The hashes seen so far are kept in one sorted array, with a flag for those that have
    anchors, so a document's tokens are looked up all at once; only token texts never seen
    before are read.
    """

    def __init__(self, memory: int = MEMORY) -> None:
        self.memory = memory
        self.clear()

    def clear(self) -> None:
        self.known = numpy.empty(0, dtype=numpy.uint64)
        self.anchored = numpy.empty(0, dtype=bool)
        self.sets: dict[int, frozenset[str]] = {}

    def _look_up(self, lowers: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        if not len(self.known):
            return numpy.zeros(len(lowers), dtype=bool), numpy.zeros(len(lowers), dtype=bool)
        positions = numpy.searchsorted(self.known, lowers)
        positions[positions == len(self.known)] = 0
        seen = self.known[positions] == lowers
        return seen, seen & self.anchored[positions]

    def has_anchors(self, lowers: numpy.ndarray, strings: StringStore) -> numpy.ndarray:
        """For each token (by the hash of its lower-case text): does it start an anchor?"""
        seen, anchored = self._look_up(lowers)
        if seen.all():
            return anchored
        if len(self.known) >= self.memory:
            self.clear()  # and start afresh: every token of this document is then unseen
            seen[:] = False
        new = numpy.unique(lowers[~seen])
        flags = numpy.zeros(len(new), dtype=bool)
        for i, key in enumerate(new.tolist()):
            anchors = anchors_in(strings[key])
            if anchors:
                self.sets[key] = anchors
                flags[i] = True
        known = numpy.concatenate([self.known, new])
        order = numpy.argsort(known, kind="stable")
        self.known = known[order]
        self.anchored = numpy.concatenate([self.anchored, flags])[order]
        return self._look_up(lowers)[1]


_token_anchors = TokenAnchors()


def _splits_word(lower: str, position: int) -> bool:
    """Whether ``position`` falls inside a run of letters (anchor words are such runs)."""
    return 0 < position < len(lower) and lower[position - 1] in _LETTERS and lower[position] in _LETTERS


class CueIndex:
    """Cue matching for one document, clause by clause.

    Each cue lists ``anchors``: strings at least one of which occurs in any text it
    matches. A clause with none of a cue's anchors skips its regular expression, which is
    most clauses for most cues, and a sentence with none of a kind's anchors skips that
    kind altogether.
    """

    def __init__(self, text: str, doc: Doc | None = None) -> None:
        self.view = Text(text)
        self._clause: tuple[int, int, Text, frozenset[str]] | None = None
        self._last: tuple[int, int, frozenset[str]] = (-1, -1, _NONE)
        # With the spaCy Doc of ``text``, the anchors of its tokens are looked up once per
        # distinct token and kept for the tokens that have any (offsets and sets).
        self._starts: list[int] | None = None
        self._ends: list[int] = []
        self._sets: list[frozenset[str]] = []
        if doc is not None and self.view.lower is not None and len(doc):
            self._index_tokens(doc)

    def _index_tokens(self, doc: Doc) -> None:
        lowers, offsets, lengths = doc.to_array([LOWER, IDX, LENGTH]).T
        tokens = numpy.flatnonzero(_token_anchors.has_anchors(lowers, doc.vocab.strings))
        starts = offsets[tokens]
        self._starts = starts.tolist()
        self._ends = (starts + lengths[tokens]).tolist()
        sets = _token_anchors.sets
        self._sets = [sets[key] for key in lowers[tokens].tolist()]

    def _lower(self, start: int, end: int) -> str:
        lower = self.view.lower
        return lower[start:end] if lower is not None else self.view.original[start:end].lower()

    def anchors(self, start: int, end: int) -> frozenset[str]:
        """The anchors and signal words that start a word in text[start:end] (or more)."""
        if self._last[:2] != (start, end):  # a one-clause sentence is asked about twice
            self._last = (start, end, self._anchors_between(start, end))
        return self._last[2]

    def _anchors_between(self, start: int, end: int) -> frozenset[str]:
        starts = self._starts
        lower = self.view.lower
        # (tokens are indexed only when the view has a lower-cased text)
        if starts is None or lower is None or _splits_word(lower, start) or _splits_word(lower, end):
            return anchors_in(self._lower(start, end))
        # The tokens that overlap the range: a token can start before it ("(a)will").
        first = bisect_left(starts, start)
        if first and self._ends[first - 1] > start:
            first -= 1
        last = bisect_left(starts, end, first)
        if first == last:
            return _NONE
        return frozenset().union(*self._sets[first:last])

    def may_find(self, kinds: tuple[str, ...], start: int, end: int) -> bool:
        """False when no cue of ``kinds`` can match in text[start:end] (a quick test)."""
        wanted = _anchors_of_kinds(kinds)
        return wanted is None or not self.anchors(start, end).isdisjoint(wanted)

    def find(self, kind: str, start: int, end: int) -> list[Hit]:
        """Cue hits of ``kind`` in text[start:end] after negations, relative to ``start``."""
        if self._clause is None or self._clause[:2] != (start, end):  # one clause, three kinds
            lower = self._lower(start, end)
            clause = Text(self.view.original[start:end], lower)
            self._clause = (start, end, clause, self.anchors(start, end))
        clause, present = self._clause[2], self._clause[3]
        wanted = _kind_anchors()[kind]
        if wanted is not None and present.isdisjoint(wanted):
            return []
        positive, negative = gates()[kind]
        hits = []
        clause_lower = clause.lower
        for cue in positive.open_to(present):
            # Nine tries in ten find nothing: one search says so without the calls below.
            if clause_lower is not None and cue.pattern.search(clause.original if cue.case else clause_lower) is None:
                continue
            hits += [Hit(m.start(), m.end(), cue.modal) for m in clause.finditer(cue)]
        if not hits:
            return []
        for cue in negative.open_to(present):
            matches = clause.finditer(cue)
            if matches:
                hits = [
                    h for h in hits if not (h.modal or not cue.modal_only) or not _in_scope(clause.original, h, matches)
                ]
                if not hits:
                    return []
        return sorted(hits, key=lambda h: h.begin)


# What separates a negation from a cue it does not govern: a new clause ("..., and",
# "that ...", "but ...", a semicolon). "To note that officers would provide an update":
# the "to note" of a resolution part does not cancel the undertaking after its "that".
SCOPE_BREAK = re.compile(
    r"[;:]|\b(?:that|but|whereas|although|though)\b|,\s*(?:and|while|whilst|however|which)\b", re.IGNORECASE
)


def _in_scope(text: str, hit: Hit, negations: list[re.Match[str]]) -> bool:
    """Whether one of the ``negations`` governs ``hit``: they overlap, or nothing between
    them starts a new clause."""
    for negation in negations:
        if negation.start() < hit.finish and hit.begin < negation.end():
            return True
        a, b = (negation.end(), hit.begin) if negation.end() <= hit.begin else (hit.finish, negation.start())
        if not SCOPE_BREAK.search(text, a, b):
            return True
    return False


class Gates:
    """Which cues of a list each anchor lets through, so a clause tries only those."""

    def __init__(self, table: tuple[Cue, ...]) -> None:
        self.table = table
        by_anchor: dict[str, list[int]] = {}
        for position, cue in enumerate(table):
            for anchor in cue.anchors:
                by_anchor.setdefault(anchor, []).append(position)
        self.by_anchor = {a: tuple(p) for a, p in by_anchor.items()}
        self.always = tuple(p for p, cue in enumerate(table) if not cue.anchors)
        self._opened: dict[frozenset[str], tuple[Cue, ...]] = {}  # few distinct anchor sets recur

    def open_to(self, present: frozenset[str]) -> tuple[Cue, ...]:
        """The cues (in their order) with no anchors or an anchor in ``present``."""
        opened = self._opened.get(present)
        if opened is None:
            positions = set(self.always)
            for anchor in present:
                gated = self.by_anchor.get(anchor)
                if gated:
                    positions.update(gated)
            opened = tuple(self.table[p] for p in sorted(positions))
            if len(self._opened) >= 50_000:
                self._opened.clear()
            self._opened[present] = opened
        return opened


@lru_cache(maxsize=1)
def gates() -> dict[str, tuple[Gates, Gates]]:
    """Each kind's gates for its positive and its negative cues."""
    return {kind: (Gates(table.positive), Gates(table.negative)) for kind, table in cues().items()}


@lru_cache(maxsize=1)
def headings() -> dict[str, re.Pattern[str]]:
    data = json.loads(_data("headings.json"))
    return {
        kind: re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:" + "|".join(patterns) + r")\W*$", re.IGNORECASE)
        for kind, patterns in data.items()
        if not kind.startswith("_")
    }


@lru_cache(maxsize=1)
def _procedural() -> tuple[list[str], tuple[tuple[re.Pattern[str], frozenset[str]], ...]]:
    """The anchors, and each expression with the anchors written in it (one of which
    every match of it contains)."""
    lines = [l.strip() for l in _data("procedural.txt").splitlines()]
    anchors = tuple(l.split(":", 1)[1].split() for l in lines if l.startswith("# anchors:"))[0]
    expressions = tuple(
        (re.compile(l, re.IGNORECASE), frozenset(a for a in anchors if a in l.lower()))
        for l in lines
        if l and not l.startswith("#")
    )
    return anchors, expressions


@lru_cache(maxsize=1)
def _procedural_by_anchor() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """Each anchor with the expressions it gates."""
    anchors, expressions = _procedural()
    return tuple((a, tuple(p for p, mine in expressions if a in mine)) for a in anchors)


def is_procedural(text: str) -> bool:
    """Procedure, not substance: approving the minutes, interests, attendance, reasons."""
    lower = text.lower()
    tried: set[re.Pattern[str]] = set()
    for anchor, patterns in _procedural_by_anchor():
        if anchor in lower:  # most text has none of the anchors: a few substring tests
            for pattern in patterns:
                if pattern not in tried:
                    if pattern.search(text):
                        return True
                    tried.add(pattern)
    return False


def heading_kind(text: str) -> str | None:
    """'recommendation', 'none' or 'cues' for a heading that sets the kind of what follows."""
    for kind, pattern in headings().items():
        if pattern.match(text.strip()):
            return kind
    return None


def load() -> None:
    """Compile every cue, heading and procedural pattern now rather than on first use."""
    cues()
    gates()
    _anchor_index()
    _kind_anchors()
    headings()
    _procedural_by_anchor()
