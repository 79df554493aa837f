"""Ordered schema migrations. Never edit one that has shipped: add a new one at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Migration:
    """``apply`` runs inside one transaction unless ``transactional`` is False (needed by
    helpers such as sqlite-utils' ``enable_fts``, which commit on their own)."""

    name: str
    apply: Callable[[sqlite_utils.Database], None]
    transactional: bool = True


def _sql(script: str) -> Callable[[sqlite_utils.Database], None]:
    statements = [s.strip() for s in script.split(";") if s.strip()]

    def apply(db: sqlite_utils.Database) -> None:
        for statement in statements:
            db.execute(statement)

    return apply


FOUNDATION = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    name TEXT NOT NULL,
    source_url TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('inspection report', 'minutes', 'action plan', 'other')),
    file_type TEXT NOT NULL,
    title TEXT,
    body TEXT,
    meeting_date TEXT,
    page_count INTEGER,
    text TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
CREATE INDEX pages_document ON pages(document_id);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number TEXT,
    title TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page_start INTEGER,
    page_end INTEGER
);
CREATE INDEX items_document ON items(document_id);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
    page INTEGER,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT
);
CREATE INDEX passages_document ON passages(document_id);
CREATE TABLE plan_items (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ref TEXT,
    section TEXT,
    area TEXT,
    action TEXT,
    lead TEXT,
    timescale TEXT,
    status TEXT,
    page INTEGER
);
CREATE INDEX plan_items_document ON plan_items(document_id)
"""

STATEMENTS = """
CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('recommendation', 'concern', 'commitment', 'decision')),
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page INTEGER,
    actor TEXT,
    due_text TEXT,
    due_start TEXT,
    due_end TEXT,
    topics TEXT NOT NULL DEFAULT '[]',
    extracted_at TEXT NOT NULL
);
CREATE INDEX statements_document ON statements(document_id);
CREATE INDEX statements_kind ON statements(kind);
CREATE INDEX statements_due_end ON statements(due_end)
"""

MIGRATIONS: list[Migration] = [
    Migration("0001_foundation", _sql(FOUNDATION)),
    Migration("0002_statements", _sql(STATEMENTS)),
]
