"""Track commitments across meetings: find report-backs in later minutes, re-dates and reviews.

:func:`track_stored` runs as an ``AFTER_STORE`` hook inside each new document's transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from followthrough.errors import UsageError
from followthrough.models import Document
from followthrough.store import document_id as find_document_id
from followthrough.store import insert, transaction
from followthrough.tracking import store as _store
from followthrough.tracking.listing import CommitmentRow, list_commitments
from followthrough.tracking.match import meeting, score
from followthrough.tracking.progress import progress_kind


def _embed(texts):
    from followthrough.language.encoder import embed

    return embed(texts)


@dataclass
class TrackReport:
    document_id: int
    compared: int  # earlier commitments considered (after narrowing by council and date)
    evidence: int  # evidence rows written
    duplicate_of: int | None = None


def track_document(db: sqlite_utils.Database, document_id: int) -> TrackReport:
    """Compare a stored document with the commitments it may report on, both ways.

    Earlier commitments of the same council against this meeting's items; and this
    document's own commitments against later meetings already stored (ingest order need
    not be date order). Another rendering of a stored meeting (same text) is neither
    tracked nor evidence. Automatic evidence is recomputed; reviewed evidence stays.
    """
    with transaction(db):
        info = _store.document(db, document_id)
        if info is None:
            return TrackReport(document_id, 0, 0)
        duplicate_of = _store.store_fingerprint(db, info)
        _store.clear_auto(db, document_id=document_id)
        _store.clear_auto(db, commitment_document_id=document_id)
        if duplicate_of is not None:
            db.execute("DELETE FROM tracking_commitments WHERE document_id = ?", [document_id])
            return TrackReport(document_id, 0, 0, duplicate_of)
        _store.cache_commitments(db, info, _embed)
        earlier, earlier_matrix = _store.earlier_candidates(db, info)
        templates, fill = _store.Templates(db), _store.Filler(db)
        written = 0
        if earlier:
            here = meeting(info.id, info.text, info.meeting_date, info.body, _embed)
            here.statements = _store.meeting_statements(db, info.id)
            written += _store.write_found(
                db, score(earlier, here, templates, earlier_matrix, fill), info.meeting_date, info.text
            )
        own, own_matrix = _store.own_candidates(db, document_id)
        if own:
            for later in _store.later_documents(db, info):
                there = meeting(later.id, later.text, later.meeting_date, later.body, _embed)
                there.statements = _store.meeting_statements(db, later.id)
                written += _store.write_found(
                    db, score(own, there, templates, own_matrix, fill), later.meeting_date, later.text
                )
    return TrackReport(document_id, len(earlier), written)


def track_stored(db: sqlite_utils.Database, doc: Document) -> None:
    """The ``AFTER_STORE`` hook: track a just-stored document (``doc.id`` is set)."""
    if doc.id is not None:
        track_document(db, doc.id)


def track_all(db: sqlite_utils.Database) -> list[TrackReport]:
    """Re-track every document in meeting-date order (after re-extraction, or new weights)."""
    ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY COALESCE(meeting_date, ''), id")]
    return [track_document(db, i) for i in ids]


def duplicate_of(db: sqlite_utils.Database, text: str) -> tuple[int, str] | None:
    """(id, name) of a stored document with the same text, if any (before storing a new one)."""
    return _store.find_duplicate(db, text)


def evidence_count(db: sqlite_utils.Database) -> int:
    """Evidence links stored (automatic and reviewed)."""
    return db.execute("SELECT count(*) FROM commitment_evidence").fetchone()[0]


def _evidence_text(db: sqlite_utils.Database, evidence_id: int) -> tuple | None:
    return db.execute(
        "SELECT e.id, e.commitment_id, e.document_id, COALESCE(substr(d.text, e.start + 1, e.\"end\" - e.start), ''),"
        " s.document_id, s.text FROM commitment_evidence e JOIN statements s ON s.id = e.commitment_id"
        " JOIN documents d ON d.id = e.document_id WHERE e.id = ?",
        [evidence_id],
    ).fetchone()


def review_evidence(db: sqlite_utils.Database, evidence_id: int, decision: str, note: str | None = None) -> dict:
    """Confirm or reject one evidence row; the decision wins over automatic tracking later on."""
    if decision not in ("confirmed", "rejected"):
        raise UsageError("decision must be 'confirmed' or 'rejected'")
    with transaction(db):
        row = _evidence_text(db, evidence_id)
        if row is None:
            raise UsageError(f"no evidence with id {evidence_id}")
        _, commitment_id, evidence_doc, evidence_text, commitment_doc, commitment_text = row
        db.execute(
            "UPDATE commitment_evidence SET source = ?, note = COALESCE(?, note) WHERE id = ?",
            [decision, note, evidence_id],
        )
        db.execute(
            "INSERT INTO evidence_reviews (commitment_document_id, commitment_text, evidence_document_id,"
            " evidence_text, decision, note, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (commitment_document_id, commitment_text, evidence_document_id, evidence_text)"
            " DO UPDATE SET decision = excluded.decision, note = excluded.note, reviewed_at = excluded.reviewed_at",
            [commitment_doc, commitment_text, evidence_doc, evidence_text, decision, note, _store._now()],
        )
        _store.add_history(db, commitment_id, f"evidence {decision}", date.today(), evidence_doc, evidence_id, note)
    return {"evidence": evidence_id, "commitment": commitment_id, "decision": decision}


def add_evidence(
    db: sqlite_utils.Database,
    commitment_id: int,
    document: str,
    text: str | None = None,
    kind: str | None = None,
    note: str | None = None,
) -> dict:
    """Record a report-back the tool missed: ``document`` (file name, path or id) reports on
    the commitment, at the sentence ``text`` if given (it must be in the document). What it
    says (done, in progress ...) is read from the text unless ``kind`` is given. Added evidence
    counts like confirmed evidence and is never removed by re-tracking."""
    if kind is not None and kind not in ("reported", "done", "progress", "deferred"):
        raise UsageError("kind must be reported, done, progress or deferred")
    with transaction(db):
        row = db.execute(
            "SELECT s.document_id FROM statements s WHERE s.id = ? AND s.kind = 'commitment'", [commitment_id]
        ).fetchone()
        if row is None:
            raise UsageError(f"no commitment with id {commitment_id}")
        doc_id = find_document_id(db, document, "document")
        if doc_id == row[0]:
            raise UsageError("a commitment cannot be reported back in the meeting that made it")
        doc_text, meeting_date = db.execute(
            "SELECT text, meeting_date FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        start = end = None
        if text:
            pattern = r"\s+".join(re.escape(w) for w in text.split())
            found = re.search(pattern, doc_text, re.IGNORECASE)
            if found is None:
                raise UsageError(f"that text is not in {document!r}: give a sentence of the document, as written")
            start, end = found.start(), found.end()
        kind = kind or (progress_kind(text) if text else "reported")
        db.execute(
            "DELETE FROM commitment_evidence WHERE commitment_id = ? AND document_id = ? AND source = 'auto'",
            [commitment_id, doc_id],
        )
        evidence_id = insert(
            db,
            "commitment_evidence",
            {
                "commitment_id": commitment_id,
                "document_id": doc_id,
                "start": start,
                "end": end,
                "kind": kind,
                "score": 1.0,
                "reason": "added by a reviewer",
                "source": "added",
                "note": note,
                "created_at": _store._now(),
            },
        )
        _store.add_history(
            db,
            commitment_id,
            f"evidence added ({kind})",
            date.fromisoformat(meeting_date) if meeting_date else date.today(),
            doc_id,
            evidence_id,
            note,
        )
    return {"evidence": evidence_id, "commitment": commitment_id, "document": doc_id, "kind": kind}


__all__ = [
    "CommitmentRow",
    "TrackReport",
    "add_evidence",
    "duplicate_of",
    "evidence_count",
    "list_commitments",
    "review_evidence",
    "track_all",
    "track_document",
    "track_stored",
]
