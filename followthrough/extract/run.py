"""`followthrough extract`: ingest files as needed and (re)extract their statements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import sqlite_utils

from followthrough.extract import build_pipeline, extract_statements
from followthrough.ingest import read_document
from followthrough.models import Statement
from followthrough.pipeline import FileResult, expand_paths, guarded, save_document


def extract_files(
    db: sqlite_utils.Database,
    files: Iterable[str | Path],
    *,
    meeting_date: date | None = None,
    model: str | None = None,
    empty: list[str] | None = None,
    learned: bool = True,
    min_confidence: float | None = None,
) -> tuple[list[Statement], list[str]]:
    """Statements of every file, in order, and one message per file that failed; files
    that yield no statement are added to ``empty`` when it is given (``learned=False``: the
    rules alone; ``min_confidence``: only statements the model gave at least this
    probability; all are stored)."""
    nlp = build_pipeline(model, learned)
    found: list[Statement] = []
    failures: list[str] = []
    for path in expand_paths(files):

        def one(path: Path = path) -> FileResult:
            doc = read_document(path, meeting_date=meeting_date)
            statements = extract_statements(doc, nlp=nlp, meeting_date=meeting_date)
            save_document(db, doc, statements, reextract=True)  # re-tracks, as a fresh ingest would
            found.extend(statements)
            if not statements and empty is not None:
                empty.append(str(path))
            return FileResult(str(path), "added", statements=len(statements))

        result = guarded(path, one)  # a bad file, or a bug met in one file, fails that file only
        if result.status == "failed":
            failures.append(f"{result.path}: {result.reason}")
    if min_confidence is not None:
        found = [s for s in found if s.confidence is not None and s.confidence >= min_confidence]
    return found, failures
