"""Helpers for the search and tracking tests: real documents, statements standing in for extraction."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import sqlite_utils

from followthrough.language.taxonomy import tag_topics
from followthrough.models import DueDate, Statement
from followthrough.pipeline import ingest_paths

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "documents"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tracking"
GOLD = FIXTURES / "gold"
BRIDGEND_168 = CORPUS / "bridgend_cabinet_2023_ciw_improvement_check_item168.txt"
SEPTEMBER = FIXTURES / "bridgend_cabinet_2023-09-19_refreshed_childrens_plan.txt"
DEFERRED = FIXTURES / "bridgend_cabinet_2023-09-19_plan_deferred.txt"
OCTOBER = FIXTURES / "bridgend_cabinet_2023-10-17_highways_and_schools.txt"
REFRESHED_PLAN = "a refreshed plan would be brought to Cabinet in September 2023"


def add_statement(
    db: sqlite_utils.Database,
    document_id: int,
    kind: str,
    text: str,
    *,
    actor: str | None = None,
    due: DueDate | None = None,
    topics: list[str] | None = None,
) -> int:
    """Insert one statement (standing in for the extractor), tagged with taxonomy topics."""
    doc_text = db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]
    start = max(doc_text.find(text), 0)
    row = {
        "document_id": document_id,
        "kind": kind,
        "text": text,
        "start": start,
        "end": start + len(text),
        "actor": actor,
        "due_text": due.text if due else None,
        "due_start": due.start.isoformat() if due and due.start else None,
        "due_end": due.end.isoformat() if due and due.end else None,
        "topics": json.dumps(topics if topics is not None else tag_topics(text)),
        "extracted_at": "2026-01-01T00:00:00+00:00",
    }
    columns = ", ".join(f'"{c}"' for c in row)
    cursor = db.execute(
        f"INSERT INTO statements ({columns}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
    )
    return int(cursor.lastrowid)


def statement_from_gold(entry: dict) -> Statement:
    due = entry.get("due")
    return Statement(
        kind=entry["kind"],
        text=entry["quote"],
        start=0,
        end=0,
        actor=entry.get("actor"),
        due=DueDate(due["text"], _day(due.get("start")), _day(due.get("end"))) if due else None,
        topics=tag_topics(entry["quote"]),
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def fake_extractor(monkeypatch, statements_by_name: dict[str, list[Statement]]) -> None:
    """Make ingest 'extract' the given statements for documents with these file names."""
    import followthrough.extract as extract

    def run(doc, nlp=None, meeting_date=None):
        found = []
        for s in statements_by_name.get(doc.name, []):
            # The quote as written, whatever line breaks the PDF text has inside it
            where = re.search(r"\s+".join(re.escape(w) for w in s.text.split()), doc.text)
            start, end = (where.start(), where.end()) if where else (0, len(s.text))
            found.append(Statement(s.kind, s.text, start, end, actor=s.actor, due=s.due, topics=list(s.topics)))
        return found

    monkeypatch.setattr(extract, "extract_statements", run)
    monkeypatch.setattr(extract, "build_pipeline", lambda model=None, learned=True: None)


def gold_statements(name: str) -> list[Statement]:
    path = GOLD / (Path(name).stem + ".gold.json")
    return [statement_from_gold(e) for e in json.loads(path.read_text("utf-8"))["statements"]]


def ingest(db: sqlite_utils.Database, path: Path, **kwargs) -> int:
    report = ingest_paths(db, [path], **kwargs)
    assert report.files[0].status == "added", report.files[0]
    return report.files[0].document_id
