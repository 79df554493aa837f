"""SQL for the documents command: rows, details, loading, corrections and removal."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import sqlite_utils

from followthrough.models import AgendaItem, Document, Page, Passage, PlanItem
from followthrough.store import document_id, transaction

# Fields a user may set at ingest or correct later (ingest's --kind/--body/--council/...).
OVERRIDABLE = ("kind", "body", "council", "meeting_date", "source_url")


@dataclass
class DocumentRow:
    id: int
    name: str
    kind: str
    council: str | None
    body: str | None
    meeting_date: str | None
    statements: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_documents(db: sqlite_utils.Database) -> list[DocumentRow]:
    """Every document, by meeting date then id, with its number of statements."""
    rows = db.execute(
        "SELECT d.id, d.name, d.kind, d.council, d.body, d.meeting_date,"
        " (SELECT count(*) FROM statements s WHERE s.document_id = d.id)"
        " FROM documents d ORDER BY COALESCE(d.meeting_date, ''), d.id"
    ).fetchall()
    return [DocumentRow(*row) for row in rows]


def document_details(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    """One document's fields (not its text) and counts of what was derived from it."""
    doc_id = document_id(db, ref, "document")
    cursor = db.execute(
        "SELECT id, name, path, kind, council, body, meeting_date, title, file_type, page_count,"
        " source_url, sha256, ingested_at, length(text) AS characters FROM documents WHERE id = ?",
        [doc_id],
    )
    names = [c[0] for c in cursor.description]
    details = dict(zip(names, cursor.fetchone()))
    for table in ("items", "passages", "plan_items"):
        details[table] = db.execute(f"SELECT count(*) FROM [{table}] WHERE document_id = ?", [doc_id]).fetchone()[0]
    details["statements"] = dict(
        db.execute(
            "SELECT kind, count(*) FROM statements WHERE document_id = ? GROUP BY kind ORDER BY kind", [doc_id]
        ).fetchall()
    )
    details["evidence"] = db.execute(
        "SELECT count(*) FROM commitment_evidence WHERE document_id = ?"
        " OR commitment_id IN (SELECT id FROM statements WHERE document_id = ?)",
        [doc_id, doc_id],
    ).fetchone()[0]
    return details


def load_document(db: sqlite_utils.Database, doc_id: int) -> Document:
    """A stored document back as a Document (text, pages, items, passages, plan rows)."""
    row = db.execute(
        "SELECT path, sha256, text, kind, title, body, meeting_date, source_url, file_type, council"
        " FROM documents WHERE id = ?",
        [doc_id],
    ).fetchone()
    path, sha256, text, kind, title, body, meeting_date, source_url, file_type, council = row
    pages = [
        Page(number, text[start:end], start)
        for number, start, end in db.execute(
            'SELECT number, start, "end" FROM pages WHERE document_id = ? ORDER BY start, id', [doc_id]
        )
    ]
    items = [
        AgendaItem(*r)
        for r in db.execute(
            'SELECT number, title, start, "end", page_start, page_end FROM items WHERE document_id = ? ORDER BY id',
            [doc_id],
        )
    ]
    passages = [
        Passage(t, s, e, page, speaker, number)
        for t, s, e, page, speaker, number in db.execute(
            'SELECT p.text, p.start, p."end", p.page, p.speaker, i.number FROM passages p'
            " LEFT JOIN items i ON i.id = p.item_id WHERE p.document_id = ? ORDER BY p.id",
            [doc_id],
        )
    ]
    plan_items = [
        PlanItem(*r)
        for r in db.execute(
            "SELECT ref, section, area, action, lead, timescale, status, page, id, document_id"
            " FROM plan_items WHERE document_id = ? ORDER BY id",
            [doc_id],
        )
    ]
    return Document(
        path=path,
        sha256=sha256,
        text=text,
        pages=pages,
        kind=kind,
        title=title,
        body=body,
        meeting_date=date.fromisoformat(meeting_date) if meeting_date else None,
        source_url=source_url,
        file_type=file_type,
        council=council,
        items=items,
        passages=passages,
        plan_items=plan_items,
        id=doc_id,
    )


def _stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def changed_fields(db: sqlite_utils.Database, doc_id: int, fields: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The given (non-None) fields whose stored value differs: name -> (stored, new)."""
    given = {k: _stored(v) for k, v in fields.items() if k in OVERRIDABLE and v is not None}
    if not given:
        return {}
    row = db.execute(f"SELECT {', '.join(given)} FROM documents WHERE id = ?", [doc_id]).fetchone()
    return {k: (old, new) for (k, new), old in zip(given.items(), row) if old != new}


def update_fields(db: sqlite_utils.Database, doc_id: int, fields: dict[str, Any]) -> None:
    values = {k: _stored(v) for k, v in fields.items() if k in OVERRIDABLE}
    if values:
        with transaction(db):
            db.execute(
                f"UPDATE documents SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?", [*values.values(), doc_id]
            )


def remove_document(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    """Delete a document and everything derived from it (pages, items, passages, plan rows,
    statements, links, link decisions, evidence and reviews, search index rows)."""
    details = document_details(db, ref)
    doc_id = details["id"]
    with transaction(db):
        db.execute("DELETE FROM link_decisions WHERE finding_document_id = ? OR plan_document_id = ?", [doc_id, doc_id])
        db.execute("DELETE FROM documents WHERE id = ?", [doc_id])  # the rest cascades
    return details
