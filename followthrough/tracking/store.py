"""Tracking's database edge: fingerprints, the commitment cache, candidates, evidence and history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np
import sqlite_utils

from followthrough.language import councils
from followthrough.store import insert
from followthrough.tracking import duplicates
from followthrough.tracking.match import Candidate, Found, commitment_context, settings, stems, template
from followthrough.tracking.minutes import segments, sentences


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class DocumentInfo:
    id: int
    name: str
    text: str
    meeting_date: date | None
    body: str | None
    council: str  # councils.key of its council, '' when unknown


def document(db: sqlite_utils.Database, document_id: int) -> DocumentInfo | None:
    row = db.execute(
        "SELECT id, name, text, meeting_date, body, council FROM documents WHERE id = ?", [document_id]
    ).fetchone()
    if row is None:
        return None
    return DocumentInfo(row[0], row[1], row[2], _day(row[3]), row[4], councils.key(row[5]) if row[5] else "")


# -- near-duplicates ---------------------------------------------------------------------


def find_duplicate(db: sqlite_utils.Database, text: str, exclude: int | None = None) -> tuple[int, str] | None:
    """(id, name) of a stored document with the same text (by fingerprint), if any: the first stored."""
    sig = duplicates.signature(text)
    if sig is None:
        return None
    return _match_signature(db, sig, exclude)


def _match_signature(db: sqlite_utils.Database, sig: np.ndarray, exclude: int | None) -> tuple[int, str] | None:
    band_rows = duplicates.bands(sig)
    ids: set[int] = set()
    for band, value in band_rows:
        ids.update(
            r[0]
            for r in db.execute("SELECT document_id FROM fingerprint_bands WHERE band = ? AND hash = ?", [band, value])
        )
    if exclude is not None:
        ids.discard(exclude)
    for doc_id in sorted(ids):
        row = db.execute(
            "SELECT f.signature, f.duplicate_of, d.name FROM document_fingerprints f JOIN documents d ON d.id = f.document_id"
            " WHERE f.document_id = ?",
            [doc_id],
        ).fetchone()
        if row and duplicates.agreement(np.frombuffer(row[0], dtype=np.uint32), sig) >= duplicates.SAME:
            if row[1] is not None:  # point at the first of the group
                first = db.execute("SELECT id, name FROM documents WHERE id = ?", [row[1]]).fetchone()
                if first:
                    return first[0], first[1]
            return doc_id, row[2]
    return None


def store_fingerprint(db: sqlite_utils.Database, info: DocumentInfo) -> int | None:
    """Fingerprint the document (once) and return the id of the earlier document it duplicates."""
    row = db.execute("SELECT duplicate_of FROM document_fingerprints WHERE document_id = ?", [info.id]).fetchone()
    if row is not None:
        return row[0]
    sig = duplicates.signature(info.text)
    if sig is None:
        db.execute("INSERT INTO document_fingerprints (document_id, signature) VALUES (?, ?)", [info.id, b""])
        return None
    same = _match_signature(db, sig, info.id)
    duplicate_of = same[0] if same and same[0] < info.id else None
    db.execute(
        "INSERT INTO document_fingerprints (document_id, signature, duplicate_of) VALUES (?, ?, ?)",
        [info.id, sig.tobytes(), duplicate_of],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO fingerprint_bands (band, hash, document_id) VALUES (?, ?, ?)",
        [(b, h, info.id) for b, h in duplicates.bands(sig)],
    )
    return duplicate_of


# -- the commitment cache ----------------------------------------------------------------


def _pack(vector: np.ndarray) -> bytes:
    return np.clip(np.round(vector * 127), -127, 127).astype(np.int8).tobytes()


def cache_commitments(db: sqlite_utils.Database, info: DocumentInfo, embed) -> int:
    """Work out and store each commitment's context, minute number and vector (replacing any)."""
    db.execute("DELETE FROM tracking_commitments WHERE document_id = ?", [info.id])
    rows = db.execute(
        "SELECT id, text, start, due_start, due_end FROM statements WHERE document_id = ? AND kind = 'commitment'",
        [info.id],
    ).fetchall()
    if not rows:
        return 0
    found = segments(info.text)
    contexts = [commitment_context(info.text, found, start, text) for _, text, start, _, _ in rows]
    vectors = embed([c.context for c in contexts])
    db.conn.executemany(
        "INSERT INTO tracking_commitments (statement_id, document_id, council, made_on, due_start, due_end, position,"
        " ref, named_body, context, terms, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                sid,
                info.id,
                info.council,
                info.meeting_date.isoformat() if info.meeting_date else "",
                due_start,
                due_end,
                ctx.position,
                ctx.ref,
                ctx.named_body,
                ctx.context,
                " ".join(stems(ctx.context)),
                _pack(vectors[i]),
            )
            for i, ((sid, _, _, due_start, due_end), ctx) in enumerate(zip(rows, contexts))
        ],
    )
    return len(rows)


def _councils_like(db: sqlite_utils.Database, council: str) -> list[str]:
    """The council keys in the cache that name the same council (and '' for unknown)."""
    keys = [r[0] for r in db.execute("SELECT DISTINCT council FROM tracking_commitments")]
    if not council:
        return keys
    return [k for k in keys if not k or k == council or councils.same(k, council)]


_CANDIDATE = """
    SELECT t.statement_id, t.document_id, t.made_on, t.due_start, t.due_end, t.named_body, t.position, t.ref, t.vector
    FROM tracking_commitments t
"""


def _candidates(rows: list[tuple]) -> tuple[list[Candidate], np.ndarray]:
    """Candidates and their vectors as one matrix (one conversion, not one per row); their
    texts are read later, by :func:`fill`, for the few that get that far."""
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    # Stored vectors were unit length before rounding to int8 (x127): scaling back is enough.
    matrix = np.frombuffer(b"".join(r[8] for r in rows), dtype=np.int8).reshape(len(rows), -1).astype(np.float32)
    matrix *= 1 / 127
    day = lru_cache(maxsize=None)(_day)  # meeting and due dates repeat across commitments
    found = [
        Candidate(
            sid, doc_id, "", day(made_on or None), day(due_start), day(due_end), body, position, ref, "", matrix[i]
        )
        for i, (sid, doc_id, made_on, due_start, due_end, body, position, ref, _) in enumerate(rows)
    ]
    return found, matrix


class Filler:
    """Reads the texts of the candidates that reach scoring, in one query per call."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def __call__(self, candidates: list[Candidate]) -> None:
        todo = {c.id: c for c in candidates if not c.text}
        if not todo:
            return
        for sid, text, context, terms in self.db.execute(
            "SELECT t.statement_id, s.text, t.context, t.terms FROM tracking_commitments t"
            " JOIN statements s ON s.id = t.statement_id WHERE t.statement_id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(todo))],
        ):
            c = todo[sid]
            c.text, c.context, c.words = text, context, terms


def earlier_candidates(db: sqlite_utils.Database, info: DocumentInfo) -> tuple[list[Candidate], np.ndarray]:
    """Commitments this meeting could report on: the same council, made at an earlier meeting
    within ``candidate_days``, never another rendering of this meeting (duplicates are not
    cached). An undated document is no evidence: nothing says it came later (taking the
    documents loaded before it instead made the evidence depend on the order of loading)."""
    keys = _councils_like(db, info.council)
    if not keys or info.meeting_date is None:
        return _candidates([])
    params: list = [json.dumps(keys)]
    where = "t.council IN (SELECT value FROM json_each(?))"
    lo = info.meeting_date - timedelta(days=settings().candidate_days)
    where += " AND t.made_on >= ? AND t.made_on < ? AND t.made_on != ''"
    params += [lo.isoformat(), info.meeting_date.isoformat()]
    return _candidates(db.execute(_CANDIDATE + " WHERE " + where, params).fetchall())


def own_candidates(db: sqlite_utils.Database, document_id: int) -> tuple[list[Candidate], np.ndarray]:
    return _candidates(db.execute(_CANDIDATE + " WHERE t.document_id = ?", [document_id]).fetchall())


def later_documents(db: sqlite_utils.Database, info: DocumentInfo) -> list[DocumentInfo]:
    """Meetings of the same council after this one, within reach of its commitments."""
    if info.meeting_date is None:
        return []
    hi = info.meeting_date + timedelta(days=settings().candidate_days)
    rows = db.execute(
        "SELECT d.id FROM documents d LEFT JOIN document_fingerprints f ON f.document_id = d.id"
        " WHERE d.meeting_date > ? AND d.meeting_date <= ? AND d.id != ? AND f.duplicate_of IS NULL",
        [info.meeting_date.isoformat(), hi.isoformat(), info.id],
    ).fetchall()
    out = []
    for (doc_id,) in rows:
        other = document(db, doc_id)
        if other and (
            not other.council
            or not info.council
            or councils.same(other.council, info.council)
            or other.council == info.council
        ):
            out.append(other)
    return out


def meeting_statements(db: sqlite_utils.Database, document_id: int) -> list[tuple]:
    return [
        (sid, kind, start, end, (due_text, due_start, due_end))
        for sid, kind, start, end, due_text, due_start, due_end in db.execute(
            'SELECT id, kind, start, "end", due_text, due_start, due_end FROM statements WHERE document_id = ?',
            [document_id],
        )
    ]


# -- evidence ----------------------------------------------------------------------------


def clear_auto(
    db: sqlite_utils.Database, *, document_id: int | None = None, commitment_document_id: int | None = None
) -> None:
    """Forget automatic evidence (and its history) before recomputing; reviewed rows stay."""
    value: int | None
    if document_id is not None:
        where, value = "document_id = ?", document_id
    else:
        where, value = "commitment_id IN (SELECT id FROM statements WHERE document_id = ?)", commitment_document_id
    db.execute(
        f"DELETE FROM commitment_history WHERE evidence_id IN (SELECT id FROM commitment_evidence WHERE source = 'auto' AND {where})",
        [value],
    )
    db.execute(f"DELETE FROM commitment_evidence WHERE source = 'auto' AND {where}", [value])


def write_found(db: sqlite_utils.Database, found: list[Found], meeting_date: date | None, text: str) -> int:
    """Store report-backs; a reviewer's earlier decision on the same texts is applied, never overwritten."""
    written = 0
    for f in found:
        c = f.candidate
        if db.execute(
            "SELECT 1 FROM commitment_evidence WHERE commitment_id = ? AND document_id = ?", [c.id, f.document_id]
        ).fetchone():
            continue  # a reviewed or added row for this meeting is already there
        sentence = text[f.start : f.end]
        review = db.execute(
            "SELECT decision FROM evidence_reviews WHERE commitment_document_id = ? AND commitment_text = ?"
            " AND evidence_document_id = ? AND evidence_text = ?",
            [c.document_id, c.text, f.document_id, sentence],
        ).fetchone()
        evidence_id = insert(
            db,
            "commitment_evidence",
            {
                "commitment_id": c.id,
                "document_id": f.document_id,
                "statement_id": f.statement_id,
                "start": f.start,
                "end": f.end,
                "kind": f.kind,
                "score": f.score,
                "reason": f.reason,
                "due_text": f.due[0],
                "due_start": f.due[1],
                "due_end": f.due[2],
                "source": review[0] if review else "auto",
                "created_at": _now(),
            },
        )
        add_history(db, c.id, f.kind, meeting_date, f.document_id, evidence_id, f.reason)
        written += 1
    return written


def add_history(
    db: sqlite_utils.Database,
    commitment_id: int,
    event: str,
    on_date: date | None,
    document_id: int | None,
    evidence_id: int | None,
    detail: str | None,
) -> None:
    insert(
        db,
        "commitment_history",
        {
            "commitment_id": commitment_id,
            "event": event,
            "on_date": on_date.isoformat() if on_date else None,
            "document_id": document_id,
            "evidence_id": evidence_id,
            "detail": detail,
            "recorded_at": _now(),
        },
    )


class Templates:
    """The fixed wording of each earlier document's sentences, read once per document."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.cache: dict[int, set[str]] = {}

    def __call__(self, document_id: int) -> set[str]:
        if document_id not in self.cache:
            row = self.db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()
            text = row[0] if row else ""
            self.cache[document_id] = {template(" ".join(text[a:b].split())) for a, b in sentences(text)} - {""}
        return self.cache[document_id]
