"""`followthrough commitments`: every commitment with its status, evidence and history on a day."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from followthrough.errors import UsageError
from followthrough.tracking.progress import STATUS_OF
from followthrough.tracking.status import REDATED_END_SQL, REDATED_TEXT_SQL, STATUS_SQL, as_of_param, contains


@dataclass
class EvidenceRow:
    id: int
    document: str
    meeting_date: str | None
    text: str
    kind: str
    score: float
    reason: str
    source: str
    due_text: str | None = None
    due_end: str | None = None
    page: int | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        row = dict(self.__dict__)
        row["status"] = STATUS_OF.get(self.kind, self.kind)
        row["review"] = self.source if self.source != "auto" else None
        return row


@dataclass
class CommitmentRow:
    id: int
    document: str
    meeting_date: str | None
    text: str
    actor: str | None
    due_text: str | None
    due_start: str | None
    due_end: str | None  # as promised; a re-dated commitment keeps it and gains redated_*
    status: str
    redated_due_text: str | None = None
    redated_due_end: str | None = None
    evidence: list[EvidenceRow] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    council: str | None = None  # the council the commitment was made at, and its committee
    body: str | None = None

    def as_dict(self) -> dict[str, Any]:
        row = dict(self.__dict__)
        row["evidence"] = [e.as_dict() for e in self.evidence]
        return row


def list_commitments(
    db: sqlite_utils.Database,
    *,
    as_of: date | None = None,
    overdue: bool = False,
    due_within: int | None = None,
    owner: str | None = None,
    status: str | None = None,
) -> list[CommitmentRow]:
    """Commitments made on or before ``as_of`` (default today) with their status on that day.

    Restatements recorded as re-dating an earlier commitment are folded into it.
    """
    if due_within is not None and due_within < 0:
        raise UsageError("--due-within must be zero or more days")
    day = as_of_param(as_of)
    params: dict[str, Any] = {"as_of": day}
    where = []
    if overdue:
        where.append("status = 'overdue'")
    if status:
        where.append("status = :status")
        params["status"] = status
    if due_within is not None:
        where.append("status != 'reported' AND COALESCE(redated_end, due_end) BETWEEN :as_of AND :due_limit")
        params["due_limit"] = (date.fromisoformat(day) + timedelta(days=due_within)).isoformat()
    if owner:
        where.append("actor LIKE :owner ESCAPE '\\'")
        params["owner"] = contains(owner)
    sql = f"""
        WITH c AS (
            SELECT s.id, d.name AS document, d.meeting_date, s.text, s.actor, s.due_text, s.due_start, s.due_end,
                   ({STATUS_SQL}) AS status, {REDATED_END_SQL} AS redated_end, {REDATED_TEXT_SQL} AS redated_text,
                   d.council, d.body
            FROM statements s JOIN documents d ON d.id = s.document_id
            WHERE s.kind = 'commitment' AND COALESCE(d.meeting_date, '') <= :as_of
              AND NOT EXISTS (SELECT 1 FROM commitment_evidence r WHERE r.statement_id = s.id
                              AND r.kind = 're-dated' AND r.source != 'rejected')
              AND NOT EXISTS (SELECT 1 FROM document_fingerprints f WHERE f.document_id = d.id
                              AND f.duplicate_of IS NOT NULL)
        )
        SELECT * FROM c {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY COALESCE(redated_end, due_end) IS NULL, COALESCE(redated_end, due_end), meeting_date, id
    """
    rows = []
    for r in db.execute(sql, params).fetchall():
        (
            cid,
            document,
            meeting_date,
            text,
            actor,
            due_text,
            due_start,
            due_end,
            st,
            redated_end,
            redated_text,
            council,
            body,
        ) = r
        rows.append(
            CommitmentRow(
                cid,
                document,
                meeting_date,
                text,
                actor,
                due_text,
                due_start,
                due_end,
                st,
                redated_text,
                redated_end,
                council=council,
                body=body,
            )
        )
    _attach(db, rows, day)
    return rows


def _attach(db: sqlite_utils.Database, rows: list[CommitmentRow], day: str) -> None:
    """Evidence and history dated on or before ``day``, plus the dated steps of each commitment."""
    if not rows:
        return
    evidence: dict[int, list[EvidenceRow]] = defaultdict(list)
    ids = json.dumps([r.id for r in rows])
    for r in db.execute(
        "SELECT e.commitment_id, e.id, d.name, d.meeting_date,"
        " CASE WHEN e.start IS NULL THEN '' ELSE substr(d.text, e.start + 1, e.\"end\" - e.start) END,"
        " e.kind, e.score, e.reason, e.source, e.due_text, e.due_end,"
        " (SELECT max(p.number) FROM pages p WHERE p.document_id = e.document_id AND p.start <= e.start), e.note"
        " FROM commitment_evidence e JOIN documents d ON d.id = e.document_id"
        " WHERE e.commitment_id IN (SELECT value FROM json_each(?)) AND COALESCE(d.meeting_date, '') <= ?"
        " ORDER BY d.meeting_date, e.score DESC",
        [ids, day],
    ):
        evidence[r[0]].append(EvidenceRow(r[1], r[2], r[3], " ".join(r[4].split()), *r[5:]))
    history: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for cid, event, on_date, document, detail in db.execute(
        "SELECT h.commitment_id, h.event, h.on_date, d.name, h.detail FROM commitment_history h"
        " LEFT JOIN documents d ON d.id = h.document_id"
        " WHERE h.commitment_id IN (SELECT value FROM json_each(?)) AND COALESCE(h.on_date, '') <= ? ORDER BY h.id",
        [ids, day],
    ):
        history[cid].append({"date": on_date, "event": event, "document": document, "detail": detail})
    for row in rows:
        row.evidence = evidence.get(row.id, [])
        steps = [{"date": row.meeting_date, "event": "made", "document": row.document, "detail": row.due_text}]
        if row.due_start and row.due_start <= day:
            steps.append({"date": row.due_start, "event": "due", "document": None, "detail": None})
        steps += history.get(row.id, [])
        end = row.redated_due_end or row.due_end
        if row.status == "overdue" and end:
            late = (date.fromisoformat(end) + timedelta(days=1)).isoformat()
            steps.append({"date": late, "event": "overdue", "document": None, "detail": None})
        row.history = sorted(steps, key=lambda s: s["date"] or "")
