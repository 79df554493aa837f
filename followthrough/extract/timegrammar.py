"""The time normaliser's grammar: word lists and rules loaded from the data files, compiled once.

``data/time_words.json`` holds the words (months, seasons, numbers, cue words, frequency and
vague phrases); ``data/time_rules.txt`` the rules, each a regex over fragments built from those
words and the name of the handler in :mod:`followthrough.extract.timex` that gives it meaning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass
class Rule:
    """One rule of time_rules.txt, compiled."""

    name: str
    kind: str
    tier: int
    needs: str  # "" | "bare" | "strict"
    regex: re.Pattern[str]
    features: tuple[str, ...] = ()  # skip texts without all of them (keys of Grammar.features)


@dataclass(frozen=True)
class WordFeature:
    """A feature present when one of ``words`` occurs in the lower-cased text: a few
    substring tests instead of a regex scan of every position."""

    words: tuple[str, ...]

    @classmethod
    def of_phrases(cls, phrases: list[str]) -> WordFeature:
        """Each phrase's longest word (every match of the phrase contains it), leaving out
        words that contain another ("bimonthly" has "monthly")."""
        return cls(shortest_substrings([max(p.lower().split(), key=len) for p in phrases]))

    def present(self, lower: str) -> bool:
        for word in self.words:  # a plain loop: any() over a generator costs a third more
            if word in lower:
                return True
        return False


@dataclass
class Modifier:
    """A cue word before a time expression (time_words.json "modifiers")."""

    effect: str
    include: str  # always | bare | never


@dataclass
class Grammar:
    """Everything the normaliser needs from the data files, compiled."""

    words: dict[str, Any]
    rules: list[Rule]
    modifiers: list[Modifier]
    # The modifier alternatives grouped by the word a match can end with ("the" ends most:
    # "by the end of the"); each keeps its group name, m<index>, and its order.
    modifiers_ending_with: dict[str, re.Pattern[str]]
    suffix_regex: re.Pattern[str]
    suffix_effects: list[str]
    trigger: re.Pattern[str]
    trigger_months: tuple[str, ...]  # month names as written (title and upper case)
    trigger_words: tuple[str, ...]  # other trigger words, lower case
    features: dict[str, re.Pattern[str] | WordFeature]
    months: dict[str, int]
    numbers: dict[str, int]
    weak_frequencies: frozenset[str]
    frequency_adjectives: re.Pattern[str]
    event_stop: re.Pattern[str]
    not_deadline_after: re.Pattern[str]
    resolvable_anchor: re.Pattern[str]
    background: re.Pattern[str]
    measure_cue: re.Pattern[str]
    future: re.Pattern[str]

    def has_feature(self, name: str, text: str, lower: str) -> bool:
        """Whether ``text`` (``lower``, lower-cased) has the feature ``name``."""
        feature = self.features[name]
        if isinstance(feature, WordFeature):
            return feature.present(lower)
        return feature.search(text) is not None


def shortest_substrings(words: list[str]) -> tuple[str, ...]:
    """The words that contain no other: "does any occur in a text" has the same answer
    with fewer tests ("Jan" for "January", "day" for "Boxing Day")."""
    unique = set(words)
    return tuple(sorted(w for w in unique if not any(o != w and o in w for o in unique)))


def phrase_regex(phrase: str) -> str:
    """A phrase from the word lists as a regex: words escaped, any white space between them."""
    return r"\s+".join(re.escape(word) for word in phrase.split())


def alternation(phrases: list[str]) -> str:
    """Phrases as one regex that prefers the longest that fits ("on a quarterly basis" beats
    "quarterly"), written as a tree of words: at each word the engine tries only the
    branches that start with it, not every phrase in turn."""
    tree: dict[str, dict] = {}
    for phrase in set(phrases):
        node = tree
        for word in phrase.split():
            node = node.setdefault(word, {})
        node[""] = {}  # a phrase may end here
    return _branches(tree)


def _branches(node: dict[str, dict]) -> str:
    pieces = []
    # Longer words first, so "on-going" is tried before "on"; a longer way on is tried
    # before stopping (the greedy ?), so the longest phrase wins as with longest-first order.
    for word in sorted((w for w in node if w), key=lambda w: (-len(w), w)):
        child = node[word]
        piece = re.escape(word)
        if any(child):
            onward = r"\s+(?:" + _branches(child) + ")"
            piece += f"(?:{onward})?" if "" in child else onward
        pieces.append(piece)
    return "|".join(pieces)


def fragments_of(words: dict[str, Any]) -> dict[str, str]:
    """The {name} fragments that rules are written with."""
    names = [name for group in words["months"] for name in group]
    names += [name.upper() for name in names]
    full = {group[0].lower() for group in words["months"]}
    # Abbreviations may take a full stop ("Sept."); full names ("May") never do.
    month = (
        "(?-i:"
        + "|".join(
            re.escape(name) + (r"\b" if name.lower() in full else r"\b\.?")
            for name in sorted(names, key=len, reverse=True)
        )
        + ")"
    )
    weekday = "(?:" + "|".join(sorted(words["weekdays"], key=len, reverse=True)) + r")\b\.?"
    ordinals = alternation(list(words["ordinal_days"]))
    day = rf"(?<![\w.,/£$])(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:]|\.\d)|(?:{ordinals})\b)"
    tens = "|".join(words["number_tens"])
    units_words = "|".join(words["number_units"])
    number_words = alternation(list(words["numbers"]))
    num = rf"(?<![\w.,£$])(?:\d{{1,3}}(?![\d.,]\d)|(?:(?:{tens})[\s-](?:{units_words})|{number_words})\b)"
    unit = (
        r"(?:(?:working|business|calendar|clear)\s+days?|working\s+weeks?|calendar\s+months?"
        r"|days?|weeks?|fortnights?|months?|quarters?|years?)\b"
    )
    year = r"(?<![\d£$.,/])(?<!\d[-–])(?:19|20)\d\d(?![\d%]|[.,]\d)"
    fy = r"(?<![\d£$.,/])(?<!\d[-–])(?:19|20)\d\d\s?[-/–]\s?(?:(?:19|20)\d\d|\d\d)(?![\d%/]|[.,]\d)"
    anchor = (
        r"(?:(?:the|this|its|their)\s+)?(?:date\s+of\s+(?:the\s+|this\s+)?)?"
        r"(?:[\w’'-]+ing\s+(?:the\s+|this\s+|its\s+|their\s+)?)?[\w’'-]+"
        r"(?:\s+of\s+(?:the\s+|this\s+|its\s+|their\s+)?[\w’'-]+){0,2}"
    )
    return {
        "month": month,
        "weekday": weekday,
        "day": day,
        "year": year,
        "year_after_dash": r"(?:19|20)\d\d(?![\d%]|[.,]\d)",
        "fy": fy,
        "num": num,
        "unit": unit,
        "season": "(?:" + "|".join(words["seasons"]) + r")\b",
        "yearkind": "(?:" + "|".join(words["year_kinds"]) + ")",
        "anchor": anchor,
        "named_day": "(?:" + alternation(list(words["named_days"])) + ")",
        "frequency": alternation(words["frequency_phrases"]),
        "vague": alternation(words["vague_phrases"]),
        "event_openers": alternation(words["event_openers"]),
        "event_first_word": words["event_first_word"],
    }


def read_rules(text: str, fragments: dict[str, str]) -> list[Rule]:
    """Parse time_rules.txt: "== NAME KIND TIER [bare|strict] [if=FEATURE]" then the regex lines."""
    rules: list[Rule] = []
    header: list[str] | None = None
    lines: list[str] = []

    def flush() -> None:
        if header is None:
            return
        name, kind, tier, *flags = header
        needs = [f for f in flags if not f.startswith("if=")]
        features = next((tuple(f[3:].split("+")) for f in flags if f.startswith("if=")), ())
        # Every expression starts at the start of a word; saying so first lets the regex
        # engine skip the other positions quickly.
        pattern = r"(?<!\w)(?=\w)(?:" + re.sub(r"\{(\w+)\}", lambda m: fragments[m[1]], "".join(lines)) + ")"
        rules.append(Rule(name, kind, int(tier), needs[0] if needs else "", re.compile(pattern, re.I), features))

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("== "):
            flush()
            header, lines = line[3:].split(), []
        else:
            lines.append(line)
    flush()
    return rules


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    """Load and compile the word lists and rules once."""
    data = resources.files("followthrough.extract").joinpath("data")
    words = json.loads(data.joinpath("time_words.json").read_text("utf-8"))
    fragments = fragments_of(words)
    rules = read_rules(data.joinpath("time_rules.txt").read_text("utf-8"), fragments)
    modifiers = []
    ending_with: dict[str, list[str]] = {}
    for i, entry in enumerate(words["modifiers"]):
        phrase = entry["phrase"]
        ends = entry.get("last_words") or [phrase.split()[-1].lower()]
        body = phrase[3:] if phrase.startswith("re:") else phrase_regex(phrase)
        # "by the end of the 2023/24 financial year": an article may stand between cue and time.
        tail = r"\s*" if phrase.endswith("-") else r"\s+(?:the\s+)?"
        alternative = rf"(?P<m{i}>(?<![\w-]){body}){tail}"
        for word in {*ends, *(() if phrase.endswith("-") else ("the",))}:
            ending_with.setdefault(word, []).append(alternative)
        modifiers.append(Modifier(entry["effect"], entry["include"]))
    months = {}
    for number, names in enumerate(words["months"], start=1):
        for name in names:
            months[name.lower()] = number
    numbers = dict(words["numbers"])
    for ten, tens_value in words["number_tens"].items():
        for unit, unit_value in words["number_units"].items():
            numbers[f"{ten}-{unit}"] = numbers[f"{ten} {unit}"] = tens_value + unit_value
    trigger_words = words["trigger_words"] + list(words["seasons"]) + list(words["named_days"])
    month_names = [name for names in words["months"] for name in names]
    trigger = re.compile(
        r"\d|(?-i:"
        + "|".join(month_names)
        + "|"
        + "|".join(n.upper() for n in month_names)
        + ")|"
        + "|".join(re.escape(w) for w in trigger_words),
        re.I,
    )
    return Grammar(
        words=words,
        rules=rules,
        modifiers=modifiers,
        modifiers_ending_with={
            word: re.compile("(?:" + "|".join(group) + r")$", re.I) for word, group in ending_with.items()
        },
        suffix_regex=re.compile(
            r"\s+(?:"
            + "|".join(f"(?P<s{i}>{phrase_regex(e['phrase'])})" for i, e in enumerate(words["suffixes"]))
            + r")(?![\w-])",
            re.I,
        ),
        suffix_effects=[e["effect"] for e in words["suffixes"]],
        trigger=trigger,
        trigger_months=shortest_substrings(month_names + [n.upper() for n in month_names]),
        trigger_words=shortest_substrings([w.lower() for w in trigger_words]),
        features={
            "digit": re.compile(r"\d"),
            "month": re.compile(fragments["month"]),
            "season": WordFeature(tuple(words["seasons"])),
            "quarter": WordFeature(("quarter", "qtr", "q1", "q2", "q3", "q4")),
            "yearkind": WordFeature(tuple(words["year_kinds"])),
            "unit": WordFeature(("day", "week", "fortnight", "month", "quarter", "year")),
            "year": re.compile(r"(?:19|20)\d\d"),
            "numeric_date": re.compile(r"\d[/.-]\d"),
            "fy": WordFeature(("fy",)),
            "ago": WordFeature(("ago",)),
            "later": WordFeature(("later",)),
            "from_after": WordFeature(("from", "after", "following")),
            "every": WordFeature(("every", "once", "twice", "times")),
            "frequency": WordFeature.of_phrases(words["frequency_phrases"]),
            "vague": WordFeature.of_phrases(words["vague_phrases"]),
            "named_day": WordFeature.of_phrases(list(words["named_days"])),
            "event": WordFeature.of_phrases(words["event_openers"]),
        },
        months=months,
        numbers=numbers,
        weak_frequencies=frozenset(p.lower() for p in words["frequency_weak"]),
        frequency_adjectives=re.compile("(?:" + alternation(words["frequency_adjectives"]) + ")$", re.I),
        event_stop=re.compile(r"\s+(?:" + alternation(words["event_stop_words"]) + r")\b", re.I),
        not_deadline_after=re.compile(r"\s*(?:" + alternation(words["not_deadline_after"]) + r")\b", re.I),
        resolvable_anchor=re.compile(r"\b(?:" + alternation(words["resolvable_anchors"]) + r")\b", re.I),
        measure_cue=re.compile(r"(?:" + alternation(words["measure_cues"]) + r")(?![\w-])", re.I),
        background=re.compile(r"\b(?:" + alternation(words["background_cues"]) + r")\b", re.I),
        future=re.compile(r"\b(?:" + alternation(words["future_cues"]) + r")\b", re.I),
    )
