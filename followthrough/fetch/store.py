"""The per-site fetch state: which meetings of which site are loaded (or were not held)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlite_utils

from followthrough.store import insert, transaction


@dataclass(frozen=True)
class FetchedFile:
    url: str
    document_id: int | None
    note: str | None = None


def done_meetings(db: sqlite_utils.Database, site: str) -> set[int]:
    """Meetings of ``site`` that need no more requests."""
    return {row[0] for row in db.execute("SELECT meeting_id FROM fetched_meetings WHERE site = ?", [site])}


def record_meeting(
    db: sqlite_utils.Database,
    site: str,
    meeting_id: int,
    *,
    committee_id: int | None,
    committee: str | None,
    day: date | None,
    status: str,
    files: Iterable[FetchedFile] = (),
) -> None:
    """Remember a meeting (and the files it gave); joins the caller's transaction."""
    with transaction(db):
        db.execute("DELETE FROM fetched_meetings WHERE site = ? AND meeting_id = ?", [site, meeting_id])
        insert(
            db,
            "fetched_meetings",
            {
                "site": site,
                "meeting_id": meeting_id,
                "committee_id": committee_id,
                "committee": committee,
                "meeting_date": day.isoformat() if day else None,
                "status": status,
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        for file in files:
            insert(
                db,
                "fetched_files",
                {
                    "site": site,
                    "meeting_id": meeting_id,
                    "url": file.url,
                    "document_id": file.document_id,
                    "note": file.note,
                },
            )
