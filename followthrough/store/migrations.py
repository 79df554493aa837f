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
    db.table("statements").enable_fts(
        ["text", "actor", "topics"], create_triggers=True, tokenize="porter", replace=True
    )
    db.table("passages").enable_fts(["text", "speaker"], create_triggers=True, tokenize="porter", replace=True)
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

# The organisation a document is of (a council, or a local area partnership), beside its
# committee (``body``): findings are paired with plans, and promises with report-backs, of
# the same council.
COUNCIL = """
ALTER TABLE documents ADD COLUMN council TEXT;
CREATE INDEX documents_council ON documents(council)
"""
MIGRATIONS.append(Migration("0005_council", _sql(COUNCIL)))

# fetch: what was fetched from each ModernGov site, so a second run only asks for new
# meetings. A meeting row is written in the same transaction as its documents.
FETCH_STATE = """
CREATE TABLE fetched_meetings (
    site TEXT NOT NULL,
    meeting_id INTEGER NOT NULL,
    committee_id INTEGER,
    committee TEXT,
    meeting_date TEXT,
    status TEXT NOT NULL CHECK (status IN ('loaded', 'not held')),
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (site, meeting_id)
);
CREATE TABLE fetched_files (
    site TEXT NOT NULL,
    meeting_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
    note TEXT,
    PRIMARY KEY (site, meeting_id, url),
    FOREIGN KEY (site, meeting_id) REFERENCES fetched_meetings(site, meeting_id) ON DELETE CASCADE
)
"""
MIGRATIONS.append(Migration("fetch_0001_fetched_meetings", _sql(FETCH_STATE)))


# Tracking by meaning (issue 11): evidence rows point at the sentence (offsets in the
# evidence document's text, and its statement if one) instead of copying it, and say what
# the report-back was (done, progress, deferred ...); a reviewer can add evidence. Each
# commitment's comparison context is cached (council, meeting date, minute number, encoder
# vector as int8) so a new meeting narrows by council and date with an index; each document
# has a near-duplicate fingerprint (MinHash bands, indexed) so the PDF and the DOCX of the
# same minutes are one meeting.
TRACKING_TABLES = """
CREATE TABLE commitment_evidence_v2 (
    id INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    statement_id INTEGER REFERENCES statements(id) ON DELETE SET NULL,
    start INTEGER,
    "end" INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('reported', 'done', 'progress', 'deferred', 're-dated', 'related')),
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    due_text TEXT,
    due_start TEXT,
    due_end TEXT,
    source TEXT NOT NULL DEFAULT 'auto' CHECK (source IN ('auto', 'confirmed', 'rejected', 'added')),
    note TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO commitment_evidence_v2 (id, commitment_id, document_id, statement_id, start, "end", kind, score,
    reason, due_text, due_start, due_end, source, created_at)
  SELECT e.id, e.commitment_id, e.document_id, e.statement_id, NULLIF(instr(d.text, e.text), 0) - 1,
    NULLIF(instr(d.text, e.text), 0) - 1 + length(e.text), e.kind, e.score, e.reason, e.due_text, e.due_start,
    e.due_end, e.source, e.created_at
  FROM commitment_evidence e JOIN documents d ON d.id = e.document_id;
DROP TABLE commitment_evidence;
ALTER TABLE commitment_evidence_v2 RENAME TO commitment_evidence;
CREATE INDEX commitment_evidence_commitment ON commitment_evidence(commitment_id, kind);
CREATE INDEX commitment_evidence_document ON commitment_evidence(document_id);
CREATE INDEX commitment_evidence_statement ON commitment_evidence(statement_id);
CREATE INDEX commitment_history_evidence ON commitment_history(evidence_id);
CREATE INDEX commitment_history_document ON commitment_history(document_id);
CREATE TABLE tracking_commitments (
    statement_id INTEGER PRIMARY KEY REFERENCES statements(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    council TEXT NOT NULL DEFAULT '',
    made_on TEXT NOT NULL DEFAULT '',
    due_start TEXT,
    due_end TEXT,
    position TEXT,
    ref TEXT,
    named_body TEXT,
    context TEXT NOT NULL,
    terms TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX tracking_commitments_council ON tracking_commitments(council, made_on);
CREATE INDEX tracking_commitments_document ON tracking_commitments(document_id);
CREATE TABLE document_fingerprints (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    signature BLOB NOT NULL,
    duplicate_of INTEGER REFERENCES documents(id) ON DELETE SET NULL
);
CREATE INDEX document_fingerprints_duplicate ON document_fingerprints(duplicate_of);
CREATE TABLE fingerprint_bands (
    band INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    PRIMARY KEY (band, hash, document_id)
);
CREATE INDEX fingerprint_bands_document ON fingerprint_bands(document_id);
CREATE INDEX documents_meeting_date ON documents(meeting_date)
"""


def _tracking_tables(db: sqlite_utils.Database) -> None:
    """Rebuild commitment_evidence (the 12-step way: foreign keys off around the swap, so
    history rows keep their evidence), then add the tracking caches."""
    from followthrough.store import transaction

    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with transaction(db):
            _sql(TRACKING_TABLES)(db)
            problems = db.execute("PRAGMA foreign_key_check(commitment_history)").fetchall()
            if problems:
                raise RuntimeError(f"tracking migration left broken references: {problems[:3]}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


MIGRATIONS.append(Migration("tracking_0006_evidence_by_reference", _tracking_tables, transactional=False))

# Report lists (extract/report_lists.py): the improvement-list heading a recommendation was
# listed under, and whether the list is of priority actions.
REPORTS_SECTIONS = """
ALTER TABLE statements ADD COLUMN section TEXT;
ALTER TABLE statements ADD COLUMN priority INTEGER NOT NULL DEFAULT 0
"""
MIGRATIONS.append(Migration("reports_statement_section", _sql(REPORTS_SECTIONS)))

# The learned classifier's probability for each statement (NULL when extracted by rules alone),
# for `--min-confidence`.
MIGRATIONS.append(Migration("model_statement_confidence", _sql("ALTER TABLE statements ADD COLUMN confidence REAL")))
