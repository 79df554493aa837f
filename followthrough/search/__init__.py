"""Full-text search of statements: bm25 ranking, highlighted snippets, filters, typo tolerance."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlite_utils

from followthrough.errors import UsageError
from followthrough.language.taxonomy import load_topics
from followthrough.search.query import FTS_TABLE, ParsedQuery, parse_query
from followthrough.tracking.status import STATUS_SQL, STATUSES, as_of_param, contains

HIGHLIGHT = ("**", "**")
SNIPPET_TOKENS = 24
FIRST_WINDOW = 50_000  # statements ranked in one go before looking further back (see _windows)


@dataclass
class SearchFilters:
    kinds: tuple[str, ...] = ()
    topic: str | None = None
    body: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    due_before: date | None = None
    status: str | None = None


@dataclass
class SearchHit:
    id: int
    kind: str
    text: str
    snippet: str
    score: float
    document: str
    meeting_date: str | None
    body: str | None
    page: int | None
    actor: str | None
    due_text: str | None
    due_end: str | None
    topics: list[str] = field(default_factory=list)
    status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SearchResult:
    hits: list[SearchHit]
    query: ParsedQuery
    mode: str  # AND (every word) or OR (fell back to any word)

    @property
    def corrections(self) -> dict[str, str]:
        return self.query.corrections


def resolve_topic(name: str) -> str:
    """A taxonomy key from a key or label, case-insensitive; UsageError if unknown."""
    wanted = name.strip().lower()
    for topic in load_topics():
        if wanted in (topic.key.lower(), topic.label.lower()):
            return topic.key
    known = ", ".join(t.key for t in load_topics())
    raise UsageError(f"unknown topic {name!r} (known: {known})")


MAX_QUERY_CHARS = 1_000
MAX_QUERY_WORDS = 32


def check_query(query: str) -> None:
    """Refuse a query too long to be a question: thousands of words would take many seconds."""
    if len(query) > MAX_QUERY_CHARS:
        raise UsageError(f"query too long ({len(query):,} characters; the limit is {MAX_QUERY_CHARS:,})")
    words = len(query.split())
    if words > MAX_QUERY_WORDS:
        raise UsageError(f"query has too many words ({words:,}; the limit is {MAX_QUERY_WORDS})")


def search(
    db: sqlite_utils.Database,
    query: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    as_of: date | None = None,
    snippet_tokens: int = SNIPPET_TOKENS,
) -> SearchResult:
    """Statements matching ``query`` best first. Never raises for any query text within the
    limits of :func:`check_query`.

    Every word must match; if nothing does, any word may (the result says which).
    ``snippet_tokens`` sets how many words of context the highlighted snippet keeps.
    """
    check_query(query)
    filters = filters or SearchFilters()
    if filters.status is not None and filters.status not in STATUSES:
        raise UsageError(f"status must be one of {', '.join(STATUSES)}")
    topic_key = resolve_topic(filters.topic) if filters.topic else None
    parsed = parse_query(db, query)
    if not parsed.groups:
        return SearchResult([], parsed, "AND")
    mode = "AND"
    hits = _run(db, parsed.expression(mode), filters, topic_key, limit, as_of, snippet_tokens)
    if not hits and len(parsed.groups) > 1:
        mode = "OR"
        hits = _run(db, parsed.expression(mode), filters, topic_key, limit, as_of, snippet_tokens)
    return SearchResult(hits, parsed, mode)


def _filters(filters: SearchFilters, topic_key: str | None) -> tuple[list[str], dict[str, Any], bool]:
    """SQL conditions on ``s`` (statements) and ``d`` (documents), their parameters, and
    whether any are needed."""
    where: list[str] = []
    params: dict[str, Any] = {}
    kinds = ("commitment",) if filters.status else filters.kinds
    if filters.status:
        where.append(f"({STATUS_SQL}) = :status")
        params["status"] = filters.status
    if kinds:
        where.append("s.kind IN ({})".format(", ".join(f":kind{i}" for i in range(len(kinds)))))
        params.update({f"kind{i}": k for i, k in enumerate(kinds)})
    if topic_key:
        where.append("EXISTS (SELECT 1 FROM json_each(s.topics) WHERE value = :topic)")
        params["topic"] = topic_key
    if filters.body:
        where.append("d.body LIKE :body ESCAPE '\\'")
        params["body"] = contains(filters.body)
    if filters.date_from:
        where.append("d.meeting_date >= :date_from")
        params["date_from"] = filters.date_from.isoformat()
    if filters.date_to:
        where.append("d.meeting_date <= :date_to")
        params["date_to"] = filters.date_to.isoformat()
    if filters.due_before:
        where.append("s.due_end IS NOT NULL AND s.due_end <= :due_before")
        params["due_before"] = filters.due_before.isoformat()
    return where, params, bool(where)


def _bounds(db: sqlite_utils.Database, filters: SearchFilters) -> tuple[int, int] | None:
    """The statement ids the document and due-date filters allow, as one range (None: none)."""
    docs, params = [], []
    if filters.body:
        docs.append("body LIKE ? ESCAPE '\\'")
        params.append(contains(filters.body))
    if filters.date_from:
        docs.append("meeting_date >= ?")
        params.append(filters.date_from.isoformat())
    if filters.date_to:
        docs.append("meeting_date <= ?")
        params.append(filters.date_to.isoformat())
    where = []
    if docs:
        where.append("document_id IN (SELECT id FROM documents WHERE " + " AND ".join(docs) + ")")
    if filters.due_before:
        where.append("due_end <= ?")
        params.append(filters.due_before.isoformat())
    clause = " WHERE " + " AND ".join(where) if where else ""
    # Two subqueries: SQLite answers a lone min() or max() of the key from the b-tree's ends.
    sql = f"SELECT (SELECT min(id) FROM statements{clause}), (SELECT max(id) FROM statements{clause})"
    low, high = db.execute(sql, params + params).fetchone()
    return None if low is None else (low, high)


def _windows(low: int, high: int) -> Iterator[tuple[int, int]]:
    """Id ranges to rank in, newest first: FIRST_WINDOW ids, then doubling.

    bm25 is worked out for every match, and for a common word in a million statements that
    takes hundreds of milliseconds; so large databases are ranked newest statements first,
    moving to older ones only while fewer than ``limit`` statements have been found. Up to
    FIRST_WINDOW statements this is plain bm25 over everything.
    """
    size, top = FIRST_WINDOW, high
    while top >= low:
        yield max(low, top - size + 1), top
        top -= size
        size *= 2


def _run(
    db: sqlite_utils.Database,
    expression: str,
    filters: SearchFilters,
    topic_key: str | None,
    limit: int,
    as_of: date | None,
    snippet_tokens: int = SNIPPET_TOKENS,
) -> list[SearchHit]:
    where, params, joined = _filters(filters, topic_key)
    params |= {"match": expression, "limit": int(limit), "as_of": as_of_param(as_of)}
    join = f" JOIN statements s ON s.id = {FTS_TABLE}.rowid JOIN documents d ON d.id = s.document_id" if joined else ""
    # Step 1: ids and bm25 only, newest window first (see _windows).
    bounds = _bounds(db, filters)
    if bounds is None:
        return []
    ranked: list[tuple[float, int]] = []
    for low, high in _windows(*bounds):
        sql = (
            f"SELECT {FTS_TABLE}.rank, {FTS_TABLE}.rowid FROM {FTS_TABLE}{join}"
            f" WHERE {FTS_TABLE} MATCH :match AND {FTS_TABLE}.rowid BETWEEN :low AND :high"
            + "".join(f" AND {w}" for w in where)
            + f" ORDER BY {FTS_TABLE}.rank LIMIT :limit"
        )
        ranked += db.execute(sql, params | {"low": low, "high": high}).fetchall()
        if len(ranked) >= limit:
            break
    ranked = sorted(ranked)[:limit]
    if not ranked:
        return []
    # Step 2: snippets and status for the few statements shown.
    sql = f"""
        SELECT s.id, s.kind, s.text, s.page, s.actor, s.due_text, s.due_end, s.topics,
               d.name AS document, d.meeting_date, d.body,
               snippet({FTS_TABLE}, 0, '{HIGHLIGHT[0]}', '{HIGHLIGHT[1]}', '…', {max(1, min(64, int(snippet_tokens)))}) AS snippet,
               CASE WHEN s.kind = 'commitment' THEN ({STATUS_SQL}) END AS status
        FROM {FTS_TABLE}
        JOIN statements s ON s.id = {FTS_TABLE}.rowid
        JOIN documents d ON d.id = s.document_id
        WHERE {FTS_TABLE} MATCH :match AND {FTS_TABLE}.rowid BETWEEN :first AND :last
          AND {FTS_TABLE}.rowid IN (SELECT value FROM json_each(:ids))
    """
    ids = [rowid for _, rowid in ranked]
    cursor = db.execute(sql, params | {"ids": json.dumps(ids), "first": min(ids), "last": max(ids)})
    columns = [c[0] for c in cursor.description]
    order = {rowid: i for i, (_, rowid) in enumerate(ranked)}
    scores = {rowid: rank for rank, rowid in ranked}
    hits = []
    for row in cursor:
        r = dict(zip(columns, row))
        r["topics"] = json.loads(r["topics"] or "[]")
        # bm25 is negative (more negative is better); report it as a positive relevance.
        r["score"] = round(-scores[r["id"]], 3)
        snippet = r["snippet"] or ""
        r["snippet"] = snippet if HIGHLIGHT[0] in snippet else r["text"]
        hits.append(SearchHit(**r))
    return sorted(hits, key=lambda h: order[h.id])


__all__ = ["SearchFilters", "SearchHit", "SearchResult", "search", "resolve_topic"]
