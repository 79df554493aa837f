"""A commitment's status on a given day, as one SQL expression shared by search and listing.

Status is worked out when asked, not stored, because it depends on the day asked about:
``reported`` once evidence that counts is dated on or before that day; otherwise
``overdue`` after the (re-dated, if any) due date; ``re-dated`` while a new date stands;
``due`` inside the due window; ``open`` before it or with no date.
"""

from __future__ import annotations

from datetime import date

STATUSES = ("open", "due", "overdue", "reported", "re-dated")

# Evidence that counts: reviewer-confirmed, or automatic and not rejected. Related
# (weaker) matches count only once a reviewer confirms them.
_COUNTS = "(e.source = 'confirmed' OR (e.source = 'auto' AND e.kind IN ('reported', 're-dated')))"
_IN_TIME = "(ed.meeting_date IS NULL OR ed.meeting_date <= :as_of)"

REPORTED_SQL = f"""EXISTS (
    SELECT 1 FROM commitment_evidence e JOIN documents ed ON ed.id = e.document_id
    WHERE e.commitment_id = s.id AND e.kind IN ('reported', 'related') AND {_COUNTS} AND {_IN_TIME})"""


def _redated(column: str) -> str:
    return f"""(SELECT e.{column} FROM commitment_evidence e JOIN documents ed ON ed.id = e.document_id
    WHERE e.commitment_id = s.id AND e.kind = 're-dated' AND {_COUNTS} AND {_IN_TIME}
    ORDER BY COALESCE(ed.meeting_date, ''), e.id DESC LIMIT 1)"""


REDATED_END_SQL = _redated("due_end")
REDATED_TEXT_SQL = _redated("due_text")
DUE_END_SQL = f"COALESCE({REDATED_END_SQL}, s.due_end)"

STATUS_SQL = f"""CASE
    WHEN {REPORTED_SQL} THEN 'reported'
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
