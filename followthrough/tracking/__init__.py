"""Track commitments across meetings: link later evidence, re-dates and reviewer decisions.

:func:`track_stored` runs as an ``AFTER_STORE`` hook inside each new document's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from followthrough.errors import UsageError
from followthrough.models import Document
from followthrough.store import transaction
from followthrough.tracking import store as _store
from followthrough.tracking.listing import CommitmentRow, list_commitments
from followthrough.tracking.match import score_evidence, vocabulary


@dataclass
class TrackReport:
    document_id: int
    compared: int  # earlier commitments considered (before the term prefilter)
    evidence: int  # evidence rows written


def track_document(db: sqlite_utils.Database, document_id: int) -> TrackReport:
    """Compare a stored document with the commitments it may report on, both ways.

    Earlier commitments against this document's sentences; and this document's own
    commitments against later documents already stored (ingest order need not be date
    order). Automatic evidence is recomputed; reviewed evidence is kept as the reviewer left it.
    """
    with transaction(db):
        ctx = _store.context(db, document_id)
        contexts = {document_id: ctx}
        _store.clear_auto(db, document_id=document_id)
        _store.clear_auto(db, commitment_document_id=document_id)
        if not _store.anything_to_compare(db, document_id):
            return TrackReport(document_id, 0, 0)
        units = _store.load_units(db, document_id)
        compared, earlier = _store.earlier_commitments(db, ctx, vocabulary(units))
        written = _store.write_evidence(db, score_evidence(earlier, units, contexts), contexts)
        own = _store.document_commitments(db, document_id)
        later, later_contexts = _store.later_units(db, ctx, own)
        if later:
            written += _store.write_evidence(db, score_evidence(own, later, later_contexts), later_contexts)
    return TrackReport(document_id, compared, written)


def track_stored(db: sqlite_utils.Database, doc: Document) -> None:
    """The ``AFTER_STORE`` hook: track a just-stored document (``doc.id`` is set)."""
    if doc.id is not None:
        track_document(db, doc.id)


def track_all(db: sqlite_utils.Database) -> list[TrackReport]:
    """Re-track every document in meeting-date order (after re-extraction, or new weights)."""
    ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY COALESCE(meeting_date, ''), id")]
    return [track_document(db, i) for i in ids]


def evidence_count(db: sqlite_utils.Database) -> int:
    """Evidence links stored (automatic and reviewed)."""
    return db.execute("SELECT count(*) FROM commitment_evidence").fetchone()[0]


def review_evidence(db: sqlite_utils.Database, evidence_id: int, decision: str, note: str | None = None) -> dict:
    """Confirm or reject one evidence row; the decision wins over automatic tracking later on."""
    if decision not in ("confirmed", "rejected"):
        raise UsageError("decision must be 'confirmed' or 'rejected'")
    with transaction(db):
        row = db.execute(
            "SELECT e.id, e.commitment_id, e.document_id, e.text, s.document_id, s.text "
            "FROM commitment_evidence e JOIN statements s ON s.id = e.commitment_id WHERE e.id = ?",
            [evidence_id],
        ).fetchone()
        if row is None:
            raise UsageError(f"no evidence with id {evidence_id}")
        _, commitment_id, evidence_doc, evidence_text, commitment_doc, commitment_text = row
        db.execute("UPDATE commitment_evidence SET source = ? WHERE id = ?", [decision, evidence_id])
        db.execute(
            "INSERT INTO evidence_reviews (commitment_document_id, commitment_text, evidence_document_id,"
            " evidence_text, decision, note, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (commitment_document_id, commitment_text, evidence_document_id, evidence_text)"
            " DO UPDATE SET decision = excluded.decision, note = excluded.note, reviewed_at = excluded.reviewed_at",
            [commitment_doc, commitment_text, evidence_doc, evidence_text, decision, note, _store._now()],
        )
        _store.add_history(db, commitment_id, f"evidence {decision}", date.today(), evidence_doc, evidence_id, note)
    return {"evidence": evidence_id, "commitment": commitment_id, "decision": decision}


__all__ = [
    "CommitmentRow", "TrackReport", "evidence_count", "list_commitments", "review_evidence",
    "track_all", "track_document", "track_stored",
]
