"""The main job: load files into the store and extract statements from each new one."""

from __future__ import annotations

import os
import sqlite3
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlite_utils

from followthrough.documents import changed_fields, load_document, update_fields
from followthrough.errors import BadDocument, StoreError, UsageError
from followthrough.ingest import SUFFIXES, find_document, read_document, store_document
from followthrough.models import Document, Statement
from followthrough.store import document_id, transaction


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | failed
    reason: str | None = None
    document_id: int | None = None
    kind: str | None = None
    pages: int | None = None
    plan_items: int = 0
    statements: int = 0
    warnings: list[str] = field(default_factory=list)
    internal: bool = False  # failed by a bug of ours, not by the file
    traceback: str | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "traceback"}


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def internal(self) -> list[FileResult]:
        return [f for f in self.files if f.internal]

    def summary(self) -> str:
        statements = sum(f.statements for f in self.files)
        parts = [
            f"{self.count('added')} added",
            *([f"{self.count('updated')} updated"] if self.count("updated") else []),
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
        if _is_dir(path):
            for p in sorted(path.rglob("*")):
                if any(part.startswith(".") for part in p.relative_to(path).parts):
                    continue
                if p.is_dir():
                    # rglob passes over a folder it cannot list: name it, so it is reported
                    if not os.access(p, os.R_OK | os.X_OK):
                        files.append(p)
                elif p.is_file() and p.suffix.lower() in SUFFIXES and p.suffix.lower() not in NAMED_ONLY:
                    files.append(p)
        else:
            files.append(path)
    return files


def _is_dir(path: Path) -> bool:
    """Whether ``path`` is a folder; a path that cannot be looked at is taken as a file, so
    reading it reports why ("unreadable (Permission denied)")."""
    try:
        return path.is_dir()
    except OSError:
        return False


def ingest_paths(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    *,
    kind: str | None = None,
    body: str | None = None,
    meeting_date: date | None = None,
    source_url: str | None = None,
    council: str | None = None,
    extract: bool = True,
    model: str | None = None,
    learned: bool = True,
    progress: Callable[[Iterable[Path]], Iterator[Path]] | None = None,
    strict: bool = False,
    max_bytes: int | None = None,
) -> IngestReport:
    """Ingest every file; bad files are reported and skipped, never half-written."""
    files = expand_paths(paths)
    if not files:
        raise UsageError("no files to ingest")
    report = IngestReport()
    nlp = None
    iterator = progress(files) if progress else iter(files)
    for path in iterator:

        def ingest_one(path: Path = path) -> FileResult:
            nonlocal nlp
            doc = read_document(
                path,
                kind=kind,
                body=body,
                meeting_date=meeting_date,
                source_url=source_url,
                council=council,
                max_bytes=max_bytes,
            )
            if strict and doc.warnings:
                return FileResult(str(path), "failed", "; ".join(doc.warnings))
            existing = find_document(db, doc.sha256)
            statements: list = []
            same = same_text_as(db, doc) if existing is None else []
            if existing is not None:
                overrides = {
                    "kind": kind,
                    "body": body,
                    "council": council,
                    "meeting_date": meeting_date,
                    "source_url": source_url,
                }
                changed = changed_fields(db, existing, overrides)
                if changed:  # the same bytes with other overrides: correct the stored document
                    stored = load_document(db, existing)
                    result = apply_update(
                        db, stored, {k: new for k, (_, new) in changed.items()}, extract=extract, model=model
                    )
                    return FileResult(
                        str(path),
                        "updated",
                        describe_changes(changed),
                        document_id=existing,
                        kind=stored.kind,
                        pages=len(stored.pages) or None,
                        plan_items=len(stored.plan_items),
                        statements=result,
                    )
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
                return FileResult(str(path), "unchanged", "already ingested", document_id=existing, kind=doc.kind)
            return FileResult(
                str(path),
                "added",
                document_id=document_id,
                kind=doc.kind,
                pages=len(doc.pages) or None,
                plan_items=len(doc.plan_items),
                statements=len(statements),
                warnings=list(doc.warnings) + same,
            )

        report.files.append(guarded(path, ingest_one))
    return report


def same_text_as(db: sqlite_utils.Database, doc: Document) -> list[str]:
    """A warning when a stored document has the same text (the PDF and the DOCX of one
    set of minutes): it is still loaded, but tracked and listed as one meeting."""
    from followthrough.tracking import duplicate_of

    found = duplicate_of(db, doc.text)
    if found is None:
        return []
    return [f"same text as {found[1]} (document {found[0]}): loaded, but its commitments are tracked and listed once"]


def guarded(path: Path, work: Callable[[], FileResult]) -> FileResult:
    """``work()`` for one file; a bad file, or any unexpected exception, becomes that file's
    failed result so the batch goes on. Database errors and interrupts still stop the run."""
    try:
        return work()
    except BadDocument as exc:
        return FileResult(str(path), "failed", exc.reason)
    except (sqlite3.Error, StoreError):
        raise
    except Exception as exc:  # noqa: BLE001 - one file's bug must not abort the batch
        return internal_error(path, exc)


def internal_error(path: Path, exc: BaseException) -> FileResult:
    detail = str(exc).splitlines()[0] if str(exc) else ""
    reason = f"internal error ({type(exc).__name__}{': ' + detail if detail else ''})"
    return FileResult(
        str(path),
        "failed",
        reason,
        internal=True,
        traceback="".join(traceback.format_exception(exc)),
    )


def describe_changes(changed: dict[str, tuple]) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {old or '(none)'} -> {new}" for name, (old, new) in changed.items())


def apply_update(
    db: sqlite_utils.Database, doc: Document, fields: dict, *, extract: bool = True, model: str | None = None
) -> int:
    """Set ``fields`` on the stored document ``doc``, re-extract its statements and re-track
    it, in one transaction. Returns the number of statements."""
    from datetime import date as _date

    for name, value in fields.items():
        setattr(doc, name, _date.fromisoformat(value) if name == "meeting_date" and isinstance(value, str) else value)
    statements = None
    if extract:
        from followthrough.extract import build_pipeline, extract_statements

        statements = extract_statements(doc, nlp=build_pipeline(model))
    assert doc.id is not None  # a stored document
    with transaction(db):
        update_fields(db, doc.id, fields)
        save_document(db, doc, statements, reextract=True)
    return len(statements or [])


def update_document(
    db: sqlite_utils.Database, ref: str, fields: dict, *, model: str | None = None
) -> tuple[int, dict, int]:
    """``documents update``: correct a document's fields, re-extract and re-track it.
    Returns its id, the fields that changed (old, new) and the number of statements."""
    doc_id = document_id(db, ref, "document")
    changed = changed_fields(db, doc_id, fields)
    if not changed:
        return doc_id, {}, 0
    count = apply_update(db, load_document(db, doc_id), {k: new for k, (_, new) in changed.items()}, model=model)
    return doc_id, changed, count


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
