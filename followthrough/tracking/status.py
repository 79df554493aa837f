"""A commitment's status on a given day, as one SQL expression shared by search and listing.

Status is worked out when asked, not stored, because it depends on the day asked about.
The latest report-back that counts (dated on or before that day) decides: ``done``,
``in progress``, ``deferred``, ``reported`` (mentioned, not complete) or ``re-dated`` (a new
date, which turns ``overdue`` once it passes). With none: ``overdue`` after the due date,
``due`` inside the due window, ``open`` before it or with no date. Evidence counts when a
reviewer confirmed or added it, or when it is automatic and not rejected: reviews always win.
"""

from __future__ import annotations

from datetime import date

STATUSES = ("open", "due", "overdue", "reported", "done", "in progress", "deferred", "re-dated")

_COUNTS = "(e.source IN ('confirmed', 'added') OR (e.source = 'auto' AND e.kind != 'related'))"
_IN_TIME = "(ed.meeting_date IS NULL OR ed.meeting_date <= :as_of)"

_LATEST_KIND = f"""(SELECT e.kind FROM commitment_evidence e JOIN documents ed ON ed.id = e.document_id
    WHERE e.commitment_id = s.id AND {_COUNTS} AND {_IN_TIME}
    ORDER BY COALESCE(ed.meeting_date, '') DESC, e.source IN ('confirmed', 'added') DESC, e.id DESC LIMIT 1)"""

REPORTED_SQL = f"""EXISTS (
    SELECT 1 FROM commitment_evidence e JOIN documents ed ON ed.id = e.document_id
    WHERE e.commitment_id = s.id AND e.kind != 're-dated' AND {_COUNTS} AND {_IN_TIME})"""


def _redated(column: str) -> str:
    return f"""(SELECT e.{column} FROM commitment_evidence e JOIN documents ed ON ed.id = e.document_id
    WHERE e.commitment_id = s.id AND e.kind = 're-dated' AND {_COUNTS} AND {_IN_TIME}
    ORDER BY COALESCE(ed.meeting_date, '') DESC, e.id DESC LIMIT 1)"""


REDATED_END_SQL = _redated("due_end")
REDATED_TEXT_SQL = _redated("due_text")
DUE_END_SQL = f"COALESCE({REDATED_END_SQL}, s.due_end)"

STATUS_SQL = f"""CASE
    WHEN {_LATEST_KIND} = 'done' THEN 'done'
    WHEN {_LATEST_KIND} = 'progress' THEN 'in progress'
    WHEN {_LATEST_KIND} = 'deferred' THEN 'deferred'
    WHEN {_LATEST_KIND} IN ('reported', 'related') THEN 'reported'
    WHEN {DUE_END_SQL} < :as_of THEN 'overdue'
    WHEN {REDATED_END_SQL} IS NOT NULL THEN 're-dated'
    WHEN s.due_start IS NOT NULL AND s.due_start <= :as_of THEN 'due'
    ELSE 'open' END"""


def as_of_param(as_of: date | None) -> str:
    return (as_of or date.today()).isoformat()


def contains(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching ``text`` anywhere, its % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
