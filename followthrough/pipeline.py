"""The main job: load files into the store and extract statements from each new one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlite_utils

from followthrough.errors import BadDocument, UsageError
from followthrough.ingest import SUFFIXES, find_document, read_document, store_document
from followthrough.models import Document, Statement
from followthrough.store import transaction


@dataclass
class FileResult:
    path: str
    status: str  # added | unchanged | failed
    reason: str | None = None
    document_id: int | None = None
    kind: str | None = None
    pages: int | None = None
    plan_items: int = 0
    statements: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def summary(self) -> str:
        statements = sum(f.statements for f in self.files)
        parts = [
            f"{self.count('added')} added",
            f"{self.count('unchanged')} unchanged",
            f"{self.count('failed')} failed",
        ]
        files = f"{len(self.files)} file" + ("" if len(self.files) == 1 else "s")
        extracted = f"{statements} statement" + ("" if statements == 1 else "s")
        return f"{files}: " + ", ".join(parts) + f"; {extracted} extracted"


# Loaded when named, not when found in a folder: most .xml files are not minutes.
NAMED_ONLY = frozenset({".xml"})


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the supported files inside folders (recursively, sorted)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and p.suffix.lower() not in NAMED_ONLY
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    return files


def ingest_paths(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    *,
    kind: str | None = None,
    body: str | None = None,
    meeting_date: date | None = None,
    source_url: str | None = None,
    extract: bool = True,
    model: str | None = None,
    learned: bool = True,
    progress: Callable[[Iterable[Path]], Iterator[Path]] | None = None,
    strict: bool = False,
) -> IngestReport:
    """Ingest every file; bad files are reported and skipped, never half-written."""
    files = expand_paths(paths)
    if not files:
        raise UsageError("no files to ingest")
    report = IngestReport()
    nlp = None
    iterator = progress(files) if progress else iter(files)
    for path in iterator:
        try:
            doc = read_document(
                path, kind=kind, body=body, meeting_date=meeting_date, source_url=source_url
            )
        except BadDocument as exc:
            report.files.append(FileResult(str(path), "failed", exc.reason))
            continue
        if strict and doc.warnings:
            report.files.append(FileResult(str(path), "failed", "; ".join(doc.warnings)))
            continue
        existing = find_document(db, doc.sha256)
        statements: list = []
        if existing is None:
            if extract:
                from followthrough.extract import build_pipeline, extract_statements

                nlp = nlp or build_pipeline(model, learned)
                statements = extract_statements(doc, nlp=nlp)
            # Another process may have stored the same bytes since the check above.
            if not save_document(db, doc, statements if extract else None):
                existing = doc.id
            document_id = doc.id
        if existing is not None:
            report.files.append(
                FileResult(str(path), "unchanged", "already ingested", document_id=existing, kind=doc.kind)
            )
            continue
        report.files.append(
            FileResult(
                str(path), "added", document_id=document_id, kind=doc.kind,
                pages=len(doc.pages) or None, plan_items=len(doc.plan_items),
                statements=len(statements), warnings=list(doc.warnings),
            )
        )
    return report


def save_document(
    db: sqlite_utils.Database, doc: Document, statements: list[Statement] | None, *, reextract: bool = False
) -> bool:
    """Store ``doc`` and its ``statements`` and run the after-store hooks, in one transaction.

    A document whose bytes are stored already is left alone, unless ``reextract``: then its
    statements are replaced and the hooks run again. ``doc.id`` is set either way; returns
    whether the document was new.
    """
    from followthrough.extract.store import replace_statements

    with transaction(db):
        existing = find_document(db, doc.sha256)
        if existing is not None:
            doc.id = existing
            if not reextract:
                return False
        else:
            store_document(db, doc)
        if statements is not None:
            replace_statements(db, doc, statements)
        after_store(db, doc)
    return existing is None


def after_store(db: sqlite_utils.Database, doc) -> None:
    """Hooks run inside the document's transaction once it and its statements are stored.

    Later stages (commitment tracking) register here so one command does everything.
    """
    for hook in AFTER_STORE:
        hook(db, doc)


from followthrough.tracking import track_stored  # noqa: E402  (commitment tracking)

AFTER_STORE: list[Callable] = [track_stored]
