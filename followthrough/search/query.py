"""Turn any user string into a safe FTS5 MATCH expression.

The expression is built from words, each one quoted, so quotes, brackets, ``AND``/``OR``/
``NEAR``, ``*`` and unbalanced parentheses in the input are only ever text. Words that are
taxonomy terms also match statements tagged with their topic (so "recruitment" finds
workforce statements); words the index has never seen are corrected against its
vocabulary with rapidfuzz.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache

import sqlite_utils
from rapidfuzz import fuzz, process

from followthrough.language.stopwords import stopwords
from followthrough.language.taxonomy import Topic, find_topic, load_topics, words

FTS_TABLE = "statements_fts"
MAX_PHRASE = 5  # longest taxonomy term, in words, looked for in a query
MIN_CORRECTABLE = 4  # shorter words are too ambiguous to correct
CORRECTION_CUTOFF = 72.0


def quote(text: str) -> str:
    """An FTS5 string: double quotes around it, inner double quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


@dataclass
class Group:
    """One searched word or taxonomy phrase, with what it became."""

    text: str
    expression: str
    corrected: str | None = None
    topic: str | None = None
    literal: str | None = None  # the words alone, without the topic's other terms


@dataclass
class ParsedQuery:
    groups: list[Group] = field(default_factory=list)

    def expression(self, mode: str = "AND", *, expand: bool = True) -> str:
        """All groups joined with AND (every word needed) or OR (any word); ``expand=False``
        leaves out the taxonomy synonyms."""
        return f" {mode} ".join(g.expression if expand or not g.literal else g.literal for g in self.groups)

    @property
    def expanded(self) -> bool:
        return any(g.topic for g in self.groups)

    @property
    def corrections(self) -> dict[str, str]:
        return {g.text: g.corrected for g in self.groups if g.corrected}


def query_words(query: str) -> list[str]:
    """The query's words without stopwords (all of them if only stopwords were typed)."""
    found = words(query)
    kept = [w for w in found if w not in stopwords()]
    return kept or found


def parse_query(
    db: sqlite_utils.Database | None, query: str, *, expand: bool = True, correct: bool = True
) -> ParsedQuery:
    """Groups for ``query``; an empty ParsedQuery when it has no words at all."""
    tokens = [_correct(db, t) if correct and db is not None else (t, None) for t in query_words(query)]
    parsed = ParsedQuery()
    i = 0
    while i < len(tokens):
        matched = None
        if expand:
            for n in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
                topic = find_topic([t[1] or t[0] for t in tokens[i : i + n]])
                if topic is not None:
                    matched = (n, topic)
                    break
        if matched:
            n, topic = matched
            typed = " ".join(t[0] for t in tokens[i : i + n])
            used = " ".join(t[1] or t[0] for t in tokens[i : i + n])
            corrected = used if used != typed else None
            parsed.groups.append(Group(typed, _topic_expression(used, topic), corrected, topic.key, quote(used)))
            i += n
            continue
        typed, corrected = tokens[i]
        parsed.groups.append(Group(typed, quote(corrected or typed), corrected))
        i += 1
    return parsed


def _topic_expression(words_typed: str, topic: Topic) -> str:
    """The words, or any statement tagged with their topic: extraction tags statements from
    the same taxonomy terms, so the tag stands for every synonym at the cost of one term."""
    return f"({quote(words_typed)} OR topics : {quote(topic_token(topic.key))})"


@lru_cache(maxsize=64)
def topic_token(key: str) -> str:
    """One word of a topic key found in no other key: a single-token match in the topics
    column is much cheaper than the phrase (no positions to read) and just as exact."""
    others = [set(words(t.key)) for t in load_topics() if t.key != key]
    for word in words(key):
        if word not in stopwords() and not any(word in o for o in others):
            return word
    return key


def _correct(db: sqlite_utils.Database, word: str) -> tuple[str, str | None]:
    """(word, correction or None): a word with no hits is replaced by the nearest indexed term.

    Terms starting with the same letter are tried first (a first-letter typo is rare, and
    reading that slice of the vocabulary is ~20 times quicker); then all of them.
    """
    if len(word) < MIN_CORRECTABLE or word.isdigit() or _has_hits(db, word):
        return word, None
    for prefix in (word[0], ""):
        vocabulary = _vocabulary(db, prefix)
        if not vocabulary or not vocabulary[0]:
            continue
        terms, counts = vocabulary
        best = process.extract(word, terms, scorer=fuzz.ratio, score_cutoff=CORRECTION_CUTOFF, limit=5)
        if best:
            # Nearest spelling first; among equally near terms the commoner one.
            best.sort(key=lambda m: (-round(m[1]), -counts[m[2]]))
            return word, best[0][0]
    return word, None


def _has_hits(db: sqlite_utils.Database, word: str) -> bool:
    try:
        row = db.execute(f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT 1", [quote(word)]).fetchone()
    except sqlite3.OperationalError:
        return False
    return row is not None


_VOCAB_CACHE: dict[tuple[int, str], tuple[tuple[int, int], tuple[list[str], list[int]]]] = {}


def _vocabulary(db: sqlite_utils.Database, prefix: str = "") -> tuple[list[str], list[int]] | None:
    """Indexed terms (porter stems) starting with ``prefix`` and their document counts,
    cached per connection until the data changes."""
    conn = db.conn
    version = (conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
    cached = _VOCAB_CACHE.get((id(conn), prefix))
    if cached and cached[0] == version:
        return cached[1]
    # fts5vocab answers a range on term from the index without reading all of it.
    low, high = (prefix, prefix + "\uffff") if prefix else ("a", "z\uffff")
    try:
        conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{FTS_TABLE}_vocab USING fts5vocab(main, {FTS_TABLE}, row)"
        )
        rows = conn.execute(
            f"SELECT term, doc FROM temp.{FTS_TABLE}_vocab WHERE term >= ? AND term <= ?", [low, high]
        ).fetchall()
    except sqlite3.OperationalError:
        return None
    vocabulary = ([r[0] for r in rows], [r[1] for r in rows])
    _VOCAB_CACHE[(id(conn), prefix)] = (version, vocabulary)
    return vocabulary
