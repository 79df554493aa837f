"""Reviewer decisions on links: confirm, reject or add. They win over automatic links.

A decision is stored with the finding's document and text and the plan row's document and
ref as well as their ids, so it still applies after the statements are re-extracted (which
gives them new ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from followthrough.errors import UsageError
from followthrough.store import transaction

DECISIONS = ("confirm", "reject", "add")
FINDING_KINDS = ("recommendation", "concern")


@dataclass(frozen=True)
class Decision:
    finding_id: int
    plan_item_id: int
    decision: str
    note: str | None = None


def record_decision(
    db: sqlite_utils.Database, finding_id: int, plan_item_id: int, decision: str, note: str | None = None
) -> Decision:
    """Store (or replace) the decision on one finding/row pair. Raises UsageError for bad ids."""
    if decision not in DECISIONS:
        raise UsageError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    finding = db.execute("SELECT document_id, text, kind FROM statements WHERE id = ?", [finding_id]).fetchone()
    if finding is None:
        raise UsageError(f"no finding with id {finding_id}")
    if finding[2] not in FINDING_KINDS:
        raise UsageError(f"statement {finding_id} is a {finding[2]}, not a finding (recommendation or concern)")
    item = db.execute("SELECT document_id, ref FROM plan_items WHERE id = ?", [plan_item_id]).fetchone()
    if item is None:
        raise UsageError(f"no plan item with id {plan_item_id}")
    if decision == "confirm" and not _proposed(db, finding_id, plan_item_id):
        raise UsageError(
            f"finding {finding_id} and plan row {plan_item_id} were never linked: "
            f"`followthrough links add {finding_id} {plan_item_id}` adds a link the matcher missed"
        )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with transaction(db):
        # A repeated decision keeps the notes already given: a new note is added after them.
        db.execute(
            "INSERT INTO link_decisions (finding_id, plan_item_id, decision, finding_document_id, finding_text,"
            " plan_document_id, plan_ref, note, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (finding_id, plan_item_id) DO UPDATE SET decision = excluded.decision,"
            " note = CASE WHEN excluded.note IS NULL OR link_decisions.note IS NULL OR instr(link_decisions.note, excluded.note)"
            " THEN COALESCE(link_decisions.note, excluded.note) ELSE link_decisions.note || '; ' || excluded.note END,"
            " decided_at = excluded.decided_at",
            [finding_id, plan_item_id, decision, finding[0], finding[1], item[0], item[1], note, now],
        )
    return Decision(finding_id, plan_item_id, decision, note)


def _proposed(db: sqlite_utils.Database, finding_id: int, plan_item_id: int) -> bool:
    """Whether the pair was ever put to the reviewer: linked by the matcher, or decided before."""
    return bool(
        db.execute(
            "SELECT 1 FROM links WHERE finding_id = ? AND plan_item_id = ?"
            " UNION ALL SELECT 1 FROM link_decisions WHERE finding_id = ? AND plan_item_id = ?",
            [finding_id, plan_item_id, finding_id, plan_item_id],
        ).fetchone()
    )


LINK_COLUMNS = ["finding_id", "plan_item_id", "ref", "plan_document", "score", "source", "decision", "note", "finding"]


def list_links(db: sqlite_utils.Database, finding_id: int | None = None) -> list[dict]:
    """Links found by the last gap check and reviewer decisions, one row per pair."""
    rows = db.execute(
        "WITH pairs AS ("
        " SELECT l.finding_id, l.plan_item_id, l.score, l.source, d.decision, d.note FROM links l"
        " LEFT JOIN link_decisions d ON d.finding_id = l.finding_id AND d.plan_item_id = l.plan_item_id"
        " UNION ALL SELECT d.finding_id, d.plan_item_id, NULL, NULL, d.decision, d.note FROM link_decisions d"
        " WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.finding_id = d.finding_id AND l.plan_item_id = d.plan_item_id))"
        " SELECT p.finding_id, p.plan_item_id, i.ref, pd.name, p.score, p.source, p.decision, p.note, s.text"
        " FROM pairs p LEFT JOIN plan_items i ON i.id = p.plan_item_id LEFT JOIN documents pd ON pd.id = i.document_id"
        " LEFT JOIN statements s ON s.id = p.finding_id"
        " WHERE ? IS NULL OR p.finding_id = ? ORDER BY p.finding_id, p.score DESC, p.plan_item_id",
        [finding_id, finding_id],
    ).fetchall()
    return [dict(zip(LINK_COLUMNS, row)) for row in rows]


def load_decisions(db: sqlite_utils.Database) -> dict[tuple[int, int], Decision]:
    """Every decision keyed by the current (finding id, plan item id).

    Ids that no longer exist are found again by the finding's document and text and the
    row's document and ref; decisions that match nothing any more are left out.
    """
    out: dict[tuple[int, int], Decision] = {}
    rows = db.execute(
        "SELECT d.finding_id, d.plan_item_id, d.decision, d.note, d.finding_document_id, d.finding_text,"
        " d.plan_document_id, d.plan_ref,"
        " EXISTS (SELECT 1 FROM statements s WHERE s.id = d.finding_id AND s.text = d.finding_text),"
        " EXISTS (SELECT 1 FROM plan_items p WHERE p.id = d.plan_item_id AND p.ref IS d.plan_ref)"
        " FROM link_decisions d ORDER BY d.decided_at, d.id"
    ).fetchall()
    for finding_id, item_id, decision, note, f_doc, f_text, p_doc, p_ref, f_ok, p_ok in rows:
        if not f_ok:
            found = db.execute(
                "SELECT id FROM statements WHERE document_id = ? AND text = ? AND kind IN (?, ?) ORDER BY id LIMIT 1",
                [f_doc, f_text, *FINDING_KINDS],
            ).fetchone()
            finding_id = found[0] if found else None
        if not p_ok:
            found = db.execute(
                "SELECT id FROM plan_items WHERE document_id = ? AND ref IS ? ORDER BY id LIMIT 1", [p_doc, p_ref]
            ).fetchone()
            item_id = found[0] if found else None
        if finding_id is None or item_id is None:
            continue
        out[(finding_id, item_id)] = Decision(finding_id, item_id, decision, note)
    return out
