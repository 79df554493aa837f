"""`followthrough extract`: ingest files as needed and (re)extract their statements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import sqlite_utils

from followthrough.errors import BadDocument
from followthrough.extract import build_pipeline, extract_statements
from followthrough.ingest import read_document
from followthrough.models import Statement
from followthrough.pipeline import expand_paths, save_document


def extract_files(
    db: sqlite_utils.Database,
    files: Iterable[str | Path],
    *,
    meeting_date: date | None = None,
    model: str | None = None,
    learned: bool = True,
    min_confidence: float | None = None,
) -> tuple[list[Statement], list[str]]:
    """Statements of every file, in order, and one message per file that failed
    (``learned=False``: the rules alone; ``min_confidence``: only statements the model gave
    at least this probability; all are stored)."""
    nlp = build_pipeline(model, learned)
    found: list[Statement] = []
    failures: list[str] = []
    for path in expand_paths(files):
        try:
            doc = read_document(path, meeting_date=meeting_date)
        except BadDocument as exc:
            failures.append(str(exc))
            continue
        statements = extract_statements(doc, nlp=nlp, meeting_date=meeting_date)
        save_document(db, doc, statements, reextract=True)  # re-tracks, as a fresh ingest would
        found.extend(statements)
    if min_confidence is not None:
        found = [s for s in found if s.confidence is not None and s.confidence >= min_confidence]
    return found, failures
