"""Tracking's database edge: load commitments and units, write evidence, history and reviews."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import sqlite_utils

from followthrough.models import DueDate
from followthrough.search.taxonomy import tag_topics
from followthrough.store import insert
from followthrough.tracking.match import Commitment, Context, Evidence, Unit, delivery_cue, sentences, settings
from followthrough.tracking.status import DUE_END_SQL, REPORTED_SQL


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def context(db: sqlite_utils.Database, document_id: int) -> Context:
    row = db.execute("SELECT meeting_date, body FROM documents WHERE id = ?", [document_id]).fetchone()
    return Context(document_id, _day(row[0]), row[1]) if row else Context(document_id, None, None)


def load_units(db: sqlite_utils.Database, document_id: int) -> list[Unit]:
    """The document's statements and the sentences of its passages."""
    units = []
    for sid, kind, text, topics, due_text, due_start, due_end in db.execute(
        "SELECT id, kind, text, topics, due_text, due_start, due_end FROM statements WHERE document_id = ?",
        [document_id],
    ):
        due = DueDate(due_text, _day(due_start), _day(due_end)) if due_text else None
        tags = frozenset(json.loads(topics or "[]")) | frozenset(tag_topics(text))
        units.append(Unit(document_id, text, kind, tags, statement_id=sid, due=due, cue=delivery_cue(text)))
    for pid, text in db.execute("SELECT id, text FROM passages WHERE document_id = ?", [document_id]):
        tags = frozenset(tag_topics(text))
        for sentence in sentences(text):
            units.append(Unit(document_id, sentence, "sentence", tags, passage_id=pid, cue=delivery_cue(sentence)))
    return units


def _commitments(db: sqlite_utils.Database, where: str, params: dict) -> list[Commitment]:
    sql = f"""
        SELECT s.id, s.document_id, s.text, s.topics, s.due_start, {DUE_END_SQL} AS due_end, d.body, d.meeting_date
        FROM statements s JOIN documents d ON d.id = s.document_id
        WHERE s.kind = 'commitment' AND {where} AND NOT {REPORTED_SQL}
    """
    found = []
    for sid, doc_id, text, topics, due_start, due_end, body, meeting_date in db.execute(sql, params):
        tags = frozenset(json.loads(topics or "[]")) | frozenset(tag_topics(text))
        found.append(Commitment(sid, doc_id, text, tags, _day(due_start), _day(due_end), body, _day(meeting_date)))
    return found


def earlier_commitments(db: sqlite_utils.Database, ctx: Context) -> list[Commitment]:
    """Unreported commitments from other documents that this one could report on.

    With a meeting date: those made no later than it, whose due window is near it (or,
    undated, made within the last two years). Without one: every unreported commitment.
    """
    s = settings()
    md = ctx.meeting_date
    params = {"doc": ctx.document_id, "as_of": (md or date.max).isoformat()}
    if md is None:
        return _commitments(db, "s.document_id != :doc", params)
    params |= {
        "md": md.isoformat(),
        "due_lo": (md - timedelta(days=s.candidate_after_days)).isoformat(),
        "due_hi": (md + timedelta(days=s.candidate_before_days)).isoformat(),
        "made_lo": (md - timedelta(days=s.candidate_undated_days)).isoformat(),
    }
    # Two index-friendly queries (dated by due_end, undated by meeting date) and re-dated ones.
    dated = _commitments(
        db,
        "s.document_id != :doc AND s.due_end BETWEEN :due_lo AND :due_hi"
        " AND COALESCE(s.due_start, s.due_end) <= :due_hi AND COALESCE(d.meeting_date, '') <= :md",
        params,
    )
    undated = _commitments(
        db,
        "s.document_id != :doc AND s.due_end IS NULL AND d.meeting_date BETWEEN :made_lo AND :md",
        params,
    )
    redated = _commitments(
        db,
        "s.document_id != :doc AND COALESCE(d.meeting_date, '') <= :md AND s.id IN ("
        "SELECT commitment_id FROM commitment_evidence WHERE kind = 're-dated' AND source != 'rejected')",
        params,
    )
    seen: dict[int, Commitment] = {}
    for c in dated + undated + redated:
        seen.setdefault(c.id, c)
    return list(seen.values())


def document_commitments(db: sqlite_utils.Database, document_id: int) -> list[Commitment]:
    return _commitments(db, "s.document_id = :doc", {"doc": document_id, "as_of": date.max.isoformat()})


def later_documents(db: sqlite_utils.Database, ctx: Context) -> list[int]:
    """Documents dated after this one (already stored), oldest first, that may report on it."""
    if ctx.meeting_date is None:
        return []
    s = settings()
    horizon = ctx.meeting_date + timedelta(days=max(s.candidate_after_days, s.candidate_undated_days) + 366)
    rows = db.execute(
        "SELECT id FROM documents WHERE id != ? AND meeting_date > ? AND meeting_date <= ?"
        " ORDER BY meeting_date, id",
        [ctx.document_id, ctx.meeting_date.isoformat(), horizon.isoformat()],
    )
    return [r[0] for r in rows]


def clear_auto(db: sqlite_utils.Database, *, document_id: int | None = None, commitment_document_id: int | None = None) -> None:
    """Forget automatic evidence (and its history) before recomputing; reviewed rows stay."""
    if document_id is not None:
        where, value = "document_id = ?", document_id
    else:
        where, value = "commitment_id IN (SELECT id FROM statements WHERE document_id = ?)", commitment_document_id
    db.execute(
        f"DELETE FROM commitment_history WHERE evidence_id IN "
        f"(SELECT id FROM commitment_evidence WHERE source = 'auto' AND {where})",
        [value],
    )
    db.execute(f"DELETE FROM commitment_evidence WHERE source = 'auto' AND {where}", [value])


def write_evidence(db: sqlite_utils.Database, evidence: list[Evidence], ctx: Context) -> int:
    """Store evidence; a reviewer's earlier decision on the same texts is applied, never overwritten."""
    written = 0
    for e in evidence:
        c, u = e.commitment, e.unit
        review = db.execute(
            "SELECT decision FROM evidence_reviews WHERE commitment_document_id = ? AND commitment_text = ?"
            " AND evidence_document_id = ? AND evidence_text = ?",
            [c.document_id, c.text, u.document_id, u.text],
        ).fetchone()
        existing = db.execute(
            "SELECT id FROM commitment_evidence WHERE commitment_id = ? AND document_id = ? AND text = ?",
            [c.id, u.document_id, u.text],
        ).fetchone()
        if existing:
            continue  # a reviewed row for this pair is already there
        due = u.due if e.kind == "re-dated" else None
        evidence_id = insert(
            db,
            "commitment_evidence",
            {
                "commitment_id": c.id, "document_id": u.document_id,
                "statement_id": u.statement_id, "passage_id": u.passage_id,
                "kind": e.kind, "text": u.text, "score": e.score, "reason": e.reason,
                "due_text": due.text if due else None,
                "due_start": due.start.isoformat() if due and due.start else None,
                "due_end": due.end.isoformat() if due and due.end else None,
                "source": review[0] if review else "auto",
                "created_at": _now(),
            },
        )
        if e.kind != "related":
            add_history(db, c.id, e.kind, ctx.meeting_date, u.document_id, evidence_id, e.reason)
        written += 1
    return written


def add_history(
    db: sqlite_utils.Database, commitment_id: int, event: str, on_date: date | None,
    document_id: int | None, evidence_id: int | None, detail: str | None,
) -> None:
    insert(
        db,
        "commitment_history",
        {
            "commitment_id": commitment_id, "event": event,
            "on_date": on_date.isoformat() if on_date else None,
            "document_id": document_id, "evidence_id": evidence_id, "detail": detail,
            "recorded_at": _now(),
        },
    )
