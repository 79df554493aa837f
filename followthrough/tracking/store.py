"""Tracking's database edge: load commitments and units, write evidence, history and reviews."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain
from datetime import date, datetime, timedelta, timezone

import sqlite_utils

from followthrough.models import DueDate
from followthrough.language.taxonomy import tag_topics
from followthrough.store import insert
from followthrough.tracking.match import (
    Commitment, Context, Evidence, Unit, delivery_cue, prefilter, sentences, settings, stems,
)
from followthrough.tracking.status import DUE_END_SQL, REPORTED_SQL


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def context(db: sqlite_utils.Database, document_id: int) -> Context:
    row = db.execute("SELECT meeting_date, body FROM documents WHERE id = ?", [document_id]).fetchone()
    return Context(document_id, _day(row[0]), row[1]) if row else Context(document_id, None, None)


def anything_to_compare(db: sqlite_utils.Database, document_id: int) -> bool:
    """Whether tracking has work: a commitment in another document, or one in this document
    that later documents could report on. Reading and tagging every passage of a long
    minute costs more than the rest of its ingest when there is nothing to compare."""
    row = db.execute(
        "SELECT 1 FROM statements WHERE kind = 'commitment' AND document_id != ? LIMIT 1", [document_id]
    ).fetchone()
    if row:
        return True
    own = db.execute(
        "SELECT 1 FROM statements WHERE kind = 'commitment' AND document_id = ? LIMIT 1", [document_id]
    ).fetchone()
    others = db.execute("SELECT 1 FROM documents WHERE id != ? LIMIT 1", [document_id]).fetchone()
    return bool(own and others)


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


_ROW = f"""
    SELECT s.id, s.document_id, s.text, s.topics, s.due_start, {DUE_END_SQL} AS due_end, d.body, d.meeting_date
    FROM statements s JOIN documents d ON d.id = s.document_id
"""


def _commitment(row: tuple) -> Commitment:
    sid, doc_id, text, topics, due_start, due_end, body, meeting_date = row
    # Stored topics only: tagging 100,000 texts again on every ingest would dominate the time.
    return Commitment(
        sid, doc_id, text, frozenset(json.loads(topics or "[]")), _day(due_start), _day(due_end),
        body, _day(meeting_date),
    )


def commitments_by_id(db: sqlite_utils.Database, ids: list[int], as_of: date | None) -> list[Commitment]:
    if not ids:
        return []
    params = {"ids": json.dumps(ids), "as_of": (as_of or date.max).isoformat()}
    rows = db.execute(_ROW + " WHERE s.id IN (SELECT value FROM json_each(:ids))", params).fetchall()
    order = {cid: i for i, cid in enumerate(ids)}
    return sorted((_commitment(r) for r in rows), key=lambda c: order[c.id])


def open_commitment_terms(db: sqlite_utils.Database, where: str, params: dict) -> Iterator[tuple[int, list[str]]]:
    """(id, content words) of unreported commitments matching ``where``, streamed; terms
    missing from the cache are worked out and stored once the rows are read."""
    sql = f"""
        SELECT s.id, t.terms, CASE WHEN t.terms IS NULL THEN s.text END
        FROM statements s JOIN documents d ON d.id = s.document_id
        LEFT JOIN statement_terms t ON t.statement_id = s.id
        WHERE s.kind = 'commitment' AND {where} AND NOT {REPORTED_SQL}
    """
    missing = []
    for sid, terms, text in db.execute(sql, params).fetchall():
        if terms is None:
            words = stems(text)
            missing.append((sid, " ".join(words)))
            yield sid, words
        else:
            yield sid, terms.split()
    if missing:
        db.conn.executemany("INSERT OR REPLACE INTO statement_terms (statement_id, terms) VALUES (?, ?)", missing)


def earlier_commitments(db: sqlite_utils.Database, ctx: Context, words: set[str]) -> tuple[int, list[Commitment]]:
    """(how many were in the date window, the prefiltered ones) among unreported commitments
    from other documents that this one could report on.

    With a meeting date: those made no later than it, whose due window is near it (or,
    undated, made within the last two years). Without one: every unreported commitment.
    """
    s = settings()
    md = ctx.meeting_date
    params = {"doc": ctx.document_id, "as_of": (md or date.max).isoformat()}
    if md is None:
        streams = [open_commitment_terms(db, "s.document_id != :doc", params)]
    else:
        params |= {
            "md": md.isoformat(),
            "due_lo": (md - timedelta(days=s.candidate_after_days)).isoformat(),
            "due_hi": (md + timedelta(days=s.candidate_before_days)).isoformat(),
            "made_lo": (md - timedelta(days=s.candidate_undated_days)).isoformat(),
        }
        # Index-friendly pieces: dated (by due_end), undated (by meeting date), and re-dated.
        streams = [
            open_commitment_terms(
                db,
                "s.document_id != :doc AND s.due_end BETWEEN :due_lo AND :due_hi"
                " AND COALESCE(s.due_start, s.due_end) <= :due_hi AND COALESCE(d.meeting_date, '') <= :md",
                params,
            ),
            open_commitment_terms(
                db, "s.document_id != :doc AND s.due_end IS NULL AND d.meeting_date BETWEEN :made_lo AND :md", params
            ),
            open_commitment_terms(
                db,
                "s.document_id != :doc AND COALESCE(d.meeting_date, '') <= :md AND s.id IN ("
                "SELECT commitment_id FROM commitment_evidence WHERE kind = 're-dated' AND source != 'rejected')",
                params,
            ),
        ]
    compared, kept = prefilter(chain.from_iterable(streams), words)
    found = commitments_by_id(db, kept, md)
    for c in found:
        c.terms = stems(c.text)
    return compared, found


def document_commitments(db: sqlite_utils.Database, document_id: int) -> list[Commitment]:
    """The document's own unreported commitments (their terms cached on the way)."""
    terms = dict(open_commitment_terms(db, "s.document_id = :doc", {"doc": document_id, "as_of": date.max.isoformat()}))
    found = commitments_by_id(db, list(terms), None)
    for c in found:
        c.terms = terms[c.id]
    return found


def later_units(db: sqlite_utils.Database, ctx: Context, own: list[Commitment]) -> tuple[list[Unit], dict[int, Context]]:
    """Decisions and commitments of documents dated after this one, within reach of its
    commitments' due windows (``later_undated_days`` for undated ones), that share enough
    words with one.

    Used when minutes arrive out of date order; passages are left out to keep it cheap, and
    content words come from the ``statement_terms`` cache (filled here when missing).
    """
    s = settings()
    if ctx.meeting_date is None or not own:
        return [], {}
    ends = [c.due_end + timedelta(days=s.window_after_days) for c in own if c.due_end]
    if any(c.due_end is None for c in own):
        ends.append(ctx.meeting_date + timedelta(days=s.later_undated_days))
    own_terms = [set(c.terms or stems(c.text)) for c in own]
    needed = [max(min(s.candidate_min_shared_terms, len(t)), s.candidate_min_overlap * len(t)) for t in own_terms]
    words = set().union(*own_terms)
    rows = db.execute(
        "SELECT s.id, t.terms, CASE WHEN t.terms IS NULL THEN s.text END"
        " FROM documents d JOIN statements s ON s.document_id = d.id"
        " LEFT JOIN statement_terms t ON t.statement_id = s.id"
        " WHERE d.id != ? AND d.meeting_date > ? AND d.meeting_date <= ? AND s.kind IN ('decision', 'commitment')",
        [ctx.document_id, ctx.meeting_date.isoformat(), max(ends).isoformat()],
    ).fetchall()
    kept: dict[int, list[str]] = {}
    missing = []
    for sid, cached, text in rows:
        terms = cached.split() if cached is not None else stems(text)
        if cached is None:
            missing.append((sid, " ".join(terms)))
        shared = words.intersection(terms)
        if any(len(t & shared) >= n and n for t, n in zip(own_terms, needed)):
            kept[sid] = terms
    if missing:
        db.conn.executemany("INSERT OR REPLACE INTO statement_terms (statement_id, terms) VALUES (?, ?)", missing)
    units: list[Unit] = []
    contexts: dict[int, Context] = {}
    for sid, doc_id, kind, text, topics, due_text, due_start, due_end, meeting_date, body in db.execute(
        "SELECT s.id, s.document_id, s.kind, s.text, s.topics, s.due_text, s.due_start, s.due_end, d.meeting_date, d.body"
        " FROM statements s JOIN documents d ON d.id = s.document_id WHERE s.id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(kept))],
    ):
        contexts.setdefault(doc_id, Context(doc_id, _day(meeting_date), body))
        due = DueDate(due_text, _day(due_start), _day(due_end)) if due_text else None
        units.append(Unit(doc_id, text, kind, frozenset(json.loads(topics or "[]")), statement_id=sid, due=due, terms=kept[sid]))
    return units, contexts


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


def write_evidence(db: sqlite_utils.Database, evidence: list[Evidence], contexts: dict[int, Context]) -> int:
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
            add_history(db, c.id, e.kind, contexts[u.document_id].meeting_date, u.document_id, evidence_id, e.reason)
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
