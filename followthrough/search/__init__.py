"""Full-text search of statements: bm25 ranking, highlighted snippets, filters, typo tolerance."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlite_utils

from followthrough.errors import UsageError
from followthrough.search.query import FTS_TABLE, ParsedQuery, parse_query
from followthrough.search.taxonomy import load_topics
from followthrough.tracking.status import STATUS_SQL, STATUSES, as_of_param

HIGHLIGHT = ("**", "**")
SNIPPET_TOKENS = 24


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


def search(
    db: sqlite_utils.Database,
    query: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    as_of: date | None = None,
) -> SearchResult:
    """Statements matching ``query`` best first. Never raises for any query text.

    Every word must match; if nothing does, any word may (the result says which).
    """
    filters = filters or SearchFilters()
    if filters.status is not None and filters.status not in STATUSES:
        raise UsageError(f"status must be one of {', '.join(STATUSES)}")
    topic_key = resolve_topic(filters.topic) if filters.topic else None
    parsed = parse_query(db, query)
    if not parsed.groups:
        return SearchResult([], parsed, "AND")
    mode = "AND"
    hits = _tiers(db, parsed, mode, filters, topic_key, limit, as_of)
    if not hits and len(parsed.groups) > 1:
        mode = "OR"
        hits = _tiers(db, parsed, mode, filters, topic_key, limit, as_of)
    return SearchResult(hits, parsed, mode)


def _tiers(
    db: sqlite_utils.Database,
    parsed: ParsedQuery,
    mode: str,
    filters: SearchFilters,
    topic_key: str | None,
    limit: int,
    as_of: date | None,
) -> list[SearchHit]:
    """The words as typed first, then (if room) statements found only through topic synonyms."""
    hits = _run(db, parsed.expression(mode, expand=False), filters, topic_key, limit, as_of)
    if parsed.expanded and len(hits) < limit:
        seen = {h.id for h in hits}
        more = _run(db, parsed.expression(mode), filters, topic_key, limit + len(hits), as_of)
        hits += [h for h in more if h.id not in seen][: limit - len(hits)]
    return hits


def _run(
    db: sqlite_utils.Database,
    expression: str,
    filters: SearchFilters,
    topic_key: str | None,
    limit: int,
    as_of: date | None,
) -> list[SearchHit]:
    where = [f"{FTS_TABLE} MATCH :match"]
    params: dict[str, Any] = {"match": expression, "limit": int(limit), "as_of": as_of_param(as_of)}
    kinds = filters.kinds
    if filters.status:
        kinds = ("commitment",)
        where.append(f"({STATUS_SQL}) = :status")
        params["status"] = filters.status
    if kinds:
        where.append("s.kind IN ({})".format(", ".join(f":kind{i}" for i in range(len(kinds)))))
        params.update({f"kind{i}": k for i, k in enumerate(kinds)})
    if topic_key:
        where.append("EXISTS (SELECT 1 FROM json_each(s.topics) WHERE value = :topic)")
        params["topic"] = topic_key
    if filters.body:
        where.append("d.body LIKE :body")
        params["body"] = f"%{filters.body}%"
    if filters.date_from:
        where.append("d.meeting_date >= :date_from")
        params["date_from"] = filters.date_from.isoformat()
    if filters.date_to:
        where.append("d.meeting_date <= :date_to")
        params["date_to"] = filters.date_to.isoformat()
    if filters.due_before:
        where.append("s.due_end IS NOT NULL AND s.due_end <= :due_before")
        params["due_before"] = filters.due_before.isoformat()
    status_column = f"({STATUS_SQL})" if "commitment" in kinds or not kinds else "NULL"
    sql = f"""
        SELECT s.id, s.kind, s.text, s.page, s.actor, s.due_text, s.due_end, s.topics,
               d.name AS document, d.meeting_date, d.body,
               snippet({FTS_TABLE}, 0, '{HIGHLIGHT[0]}', '{HIGHLIGHT[1]}', '…', {SNIPPET_TOKENS}) AS snippet,
               {FTS_TABLE}.rank AS score,
               CASE WHEN s.kind = 'commitment' THEN {status_column} END AS status
        FROM {FTS_TABLE}
        JOIN statements s ON s.id = {FTS_TABLE}.rowid
        JOIN documents d ON d.id = s.document_id
        WHERE {' AND '.join(where)}
        ORDER BY {FTS_TABLE}.rank
        LIMIT :limit
    """
    cursor = db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    hits = []
    for row in cursor:
        r = dict(zip(columns, row))
        r["topics"] = json.loads(r["topics"] or "[]")
        # bm25 is negative (more negative is better); report it as a positive relevance.
        r["score"] = round(-r["score"], 3)
        snippet = r["snippet"] or ""
        r["snippet"] = snippet if HIGHLIGHT[0] in snippet else r["text"]
        hits.append(SearchHit(**r))
    return hits


__all__ = ["SearchFilters", "SearchHit", "SearchResult", "search", "resolve_topic"]
