"""Statements in the database: replace a document's set in one transaction, and list them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import sqlite_utils

from followthrough.models import Document, DueDate, Statement
from followthrough.store import document_id, insert_many, transaction


def replace_statements(db: sqlite_utils.Database, doc: Document, statements: list[Statement]) -> None:
    """Delete the document's statements and write ``statements`` instead, atomically."""
    item_ids = {
        number: item_id
        for item_id, number in db.execute(
            "SELECT id, number FROM items WHERE document_id = ? ORDER BY id DESC", [doc.id]
        )
    }
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with transaction(db):
        db.execute("DELETE FROM statements WHERE document_id = ?", [doc.id])
        insert_many(
            db,
            "statements",
            [
                {
                    "document_id": doc.id,
                    "item_id": item_ids.get(s.item_number),
                    "kind": s.kind,
                    "text": s.text,
                    "start": s.start,
                    "end": s.end,
                    "page": s.page,
                    "actor": s.actor,
                    "due_text": s.due.text if s.due else None,
                    "due_start": s.due.start.isoformat() if s.due and s.due.start else None,
                    "due_end": s.due.end.isoformat() if s.due and s.due.end else None,
                    "topics": json.dumps(s.topics),
                    "section": s.section,
                    "priority": int(s.priority),
                    "extracted_at": now,
                    "confidence": s.confidence,
                }
                for s in statements
            ],
        )
    for s in statements:
        s.document_id = doc.id


def statement_from_row(row: dict[str, Any]) -> Statement:
    due = None
    if row.get("due_text"):
        due = DueDate(
            row["due_text"],
            date.fromisoformat(row["due_start"]) if row.get("due_start") else None,
            date.fromisoformat(row["due_end"]) if row.get("due_end") else None,
        )
    return Statement(
        kind=row["kind"],
        text=row["text"],
        start=row["start"],
        end=row["end"],
        page=row.get("page"),
        actor=row.get("actor"),
        due=due,
        topics=json.loads(row.get("topics") or "[]"),
        document=row.get("document"),
        document_id=row.get("document_id"),
        id=row.get("id"),
        section=row.get("section"),
        priority=bool(row.get("priority")),
        confidence=row.get("confidence"),
    )


def list_statements(
    db: sqlite_utils.Database,
    *,
    kinds: tuple[str, ...] = (),
    document: str | None = None,
    topic: str | None = None,
    limit: int | None = None,
    min_confidence: float | None = None,
) -> list[Statement]:
    """Stored statements, in document and text order, filtered (``min_confidence``: only
    those the learned classifier gave at least this probability; rule-only ones have none)."""
    where: list[str] = []
    params: list[object] = []
    if min_confidence is not None:
        where.append("s.confidence >= ?")
        params.append(min_confidence)
    if kinds:
        where.append("s.kind IN ({})".format(", ".join("?" for _ in kinds)))
        params.extend(kinds)
    if document:
        where.append("d.id = ?")
        params.append(document_id(db, document, "document"))
    if topic:
        where.append("EXISTS (SELECT 1 FROM json_each(s.topics) WHERE value = ?)")
        params.append(topic)
    sql = (
        "SELECT s.*, d.name AS document FROM statements s JOIN documents d ON d.id = s.document_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY d.id, s.start"
        + (f" LIMIT {int(limit)}" if limit else "")
    )
    cursor = db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [statement_from_row(dict(zip(columns, row))) for row in cursor]
