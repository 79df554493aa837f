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

LINKS = """
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    plan_item_id INTEGER NOT NULL REFERENCES plan_items(id) ON DELETE CASCADE,
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'auto' CHECK (source IN ('auto', 'confirmed', 'added')),
    created_at TEXT NOT NULL,
    UNIQUE (finding_id, plan_item_id)
);
CREATE INDEX links_plan_item ON links(plan_item_id);
CREATE TABLE link_decisions (
    id INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL,
    plan_item_id INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('confirm', 'reject', 'add')),
    finding_document_id INTEGER,
    finding_text TEXT,
    plan_document_id INTEGER,
    plan_ref TEXT,
    note TEXT,
    decided_at TEXT NOT NULL,
    UNIQUE (finding_id, plan_item_id)
)
"""

MIGRATIONS: list[Migration] = [
    Migration("0001_foundation", _sql(FOUNDATION)),
    Migration("0002_statements", _sql(STATEMENTS)),
    # decisions keep the finding text and plan ref so they survive re-extraction
    Migration("0003_links", _sql(LINKS)),
]

SEARCH_TRACKING = """
CREATE TABLE IF NOT EXISTS commitment_evidence (
    id INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    statement_id INTEGER REFERENCES statements(id) ON DELETE SET NULL,
    passage_id INTEGER REFERENCES passages(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('reported', 're-dated', 'related')),
    text TEXT NOT NULL,
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    due_text TEXT,
    due_start TEXT,
    due_end TEXT,
    source TEXT NOT NULL DEFAULT 'auto' CHECK (source IN ('auto', 'confirmed', 'rejected')),
    created_at TEXT NOT NULL,
    UNIQUE (commitment_id, document_id, text)
);
CREATE INDEX IF NOT EXISTS commitment_evidence_commitment ON commitment_evidence(commitment_id);
CREATE INDEX IF NOT EXISTS commitment_evidence_document ON commitment_evidence(document_id);
CREATE TABLE IF NOT EXISTS commitment_history (
    id INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    on_date TEXT,
    document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
    evidence_id INTEGER REFERENCES commitment_evidence(id) ON DELETE SET NULL,
    detail TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS commitment_history_commitment ON commitment_history(commitment_id);
CREATE TABLE IF NOT EXISTS evidence_reviews (
    id INTEGER PRIMARY KEY,
    commitment_document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    commitment_text TEXT NOT NULL,
    evidence_document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    evidence_text TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
    note TEXT,
    reviewed_at TEXT NOT NULL,
    UNIQUE (commitment_document_id, commitment_text, evidence_document_id, evidence_text)
);
CREATE INDEX IF NOT EXISTS statements_kind_due ON statements(kind, due_end)
"""


def _search_tracking(db: sqlite_utils.Database) -> None:
    """Tracking tables (reviews keyed by text, so they survive re-extraction), then FTS5.

    FTS is set up with sqlite-utils (porter stemming, triggers) so Datasette offers the same
    search; ``enable_fts`` commits on its own, hence a non-transactional, idempotent step.
    """
    from followthrough.store import transaction

    with transaction(db):
        _sql(SEARCH_TRACKING)(db)
    db["statements"].enable_fts(["text", "actor", "topics"], create_triggers=True, tokenize="porter", replace=True)
    db["passages"].enable_fts(["text", "speaker"], create_triggers=True, tokenize="porter", replace=True)
    # Ranking weights: the statement text counts most, the actor and topic tags less.
    db.execute("INSERT INTO statements_fts(statements_fts, rank) VALUES ('rank', 'bm25(10.0, 2.0, 3.0)')")


MIGRATIONS.append(Migration("0004_search_tracking", _search_tracking, transactional=False))

# Tracking's term cache: each commitment's (and decision's) content words, so the prefilter over 100,000 open
# commitments is a set intersection per row instead of re-tokenising every text each ingest.
STATEMENT_TERMS = """
CREATE TABLE statement_terms (
    statement_id INTEGER PRIMARY KEY REFERENCES statements(id) ON DELETE CASCADE,
    terms TEXT NOT NULL
)
"""
MIGRATIONS.append(Migration("0004b_statement_terms", _sql(STATEMENT_TERMS)))

# The learned classifier's probability for each statement (NULL when extracted by rules alone),
# for `--min-confidence`.
MIGRATIONS.append(Migration("model_statement_confidence", _sql("ALTER TABLE statements ADD COLUMN confidence REAL")))
