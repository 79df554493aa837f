"""Reading files into :class:`~followthrough.models.Document` and storing them.

Each reader turns bytes into a Document with text, pages and (for tables) plan items;
:func:`read_document` then fills in kind, body, date, title and passages.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import sqlite_utils

from followthrough.errors import BadDocument
from followthrough.ingest import detect, limits
from followthrough.ingest.passages import split_passages
from followthrough.language import councils
from followthrough.models import DOCUMENT_KINDS, Document
from followthrough.store import insert, insert_many, transaction
from followthrough.textsafe import path_text

Reader = Callable[[Path, bytes], Document]

SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".pdf": "pdf",
    ".htm": "html",
    ".html": "html",
    ".aspx": "html",
    ".xml": "html",
    ".docx": "docx",
    ".csv": "csv",
    ".xlsx": "xlsx",
}


def reader_for(path: Path, data: bytes) -> tuple[str, Reader]:
    """Pick a reader from the file's magic bytes, then its suffix."""
    file_type = None
    if data.startswith(OLE2_MAGIC):
        raise BadDocument(
            path,
            "unsupported type (an OLE2 file: a password-protected Office document or an old .doc/.xls; save it as .docx, .xlsx or PDF)",
        )
    if data.startswith(b"%PDF"):
        file_type = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        file_type = {".xlsx": "xlsx"}.get(path.suffix.lower(), "docx")
    else:
        file_type = SUFFIXES.get(path.suffix.lower())
        if file_type == "text" and re.match(rb"\s*(?:<!DOCTYPE html|<html)", data[:500], re.IGNORECASE):
            file_type = "html"
    if file_type is None:
        raise BadDocument(path, f"unsupported type ({path.suffix or 'no extension'})")
    if file_type in ("html", "text", "csv") and looks_binary(data):
        raise BadDocument(path, f"unsupported type (binary data, not {'HTML' if file_type == 'html' else 'text'})")
    if file_type == "pdf":
        from followthrough.ingest.pdf import read_pdf as reader
    elif file_type == "html":
        from followthrough.ingest.moderngov import read_html as reader
    elif file_type == "docx":
        from followthrough.ingest.docx import read_docx as reader
    elif file_type in ("csv", "xlsx"):
        from followthrough.ingest.spreadsheet import read_spreadsheet as reader
    else:
        from followthrough.ingest.text import read_text as reader
    return file_type, reader


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# control bytes that text never holds (TAB, LF, FF, CR and ESC-free text aside)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])


def looks_binary(data: bytes, sample: int = 4096) -> bool:
    """Binary data, not text: a NUL byte (UTF-16 with a BOM aside), or more than 5% control
    bytes, in the first ``sample`` bytes."""
    head = data[:sample]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > 0.05 * len(head)


def read_document(
    path: str | Path,
    *,
    kind: str | None = None,
    body: str | None = None,
    meeting_date: date | None = None,
    source_url: str | None = None,
    council: str | None = None,
    max_bytes: int | None = None,
) -> Document:
    """Read one file into a Document. Raises :class:`BadDocument` for bad input (and for a
    file over ``max_bytes``, default :data:`limits.MAX_FILE_MB`)."""
    path = Path(path)
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(DOCUMENT_KINDS)}")
    data = read_file_bytes(path, max_bytes)
    if not data.strip():
        raise BadDocument(path, "empty (no content)")
    file_type, reader = reader_for(path, data)
    if file_type in ("docx", "xlsx"):
        limits.check_zip(path, data)
    doc = reader(path, data)
    doc.path = path_text(path)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.file_type = file_type
    if not doc.text.strip() and not doc.plan_items:
        raise BadDocument(path, "empty (no text)")
    found_body, found_date, _ = detect.detect_meeting(doc.text, name=path.name)
    doc.body = body or doc.body or found_body
    doc.council = council or doc.council or councils.detect(doc.text)
    doc.meeting_date = meeting_date or doc.meeting_date or found_date
    doc.kind = kind or (doc.kind if doc.kind != "other" else detect.detect_kind(doc.text, bool(doc.plan_items)))
    doc.title = doc.title or detect.detect_title(doc.text) or path.stem
    doc.source_url = source_url or doc.source_url
    if not doc.passages:
        doc.passages = split_passages(doc)
    return doc


_NOT_REGULAR = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


def read_file_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file. A FIFO, device or socket is refused before anything is
    read (opening without blocking, then looking at what was opened), so it cannot hang."""
    try:
        _refuse_special(path, os.stat(path).st_mode)  # a socket cannot even be opened
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise BadDocument(path, f"unreadable ({exc.strerror or exc})") from exc
    try:
        _refuse_special(path, os.fstat(fd).st_mode)  # what was opened, should the path change
        limits.check_file_size(path, os.fstat(fd).st_size, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    except OSError as exc:
        raise BadDocument(path, f"unreadable ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)


def _refuse_special(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode) and not os.access(path, os.R_OK | os.X_OK):
        raise BadDocument(path, "unreadable (a folder that cannot be listed: Permission denied)")
    if not stat.S_ISREG(mode):
        what = _NOT_REGULAR.get(stat.S_IFMT(mode), "not a file")
        raise BadDocument(path, f"unsupported type (not a regular file: {what})")


def find_document(db: sqlite_utils.Database, sha256: str) -> int | None:
    row = db.execute("SELECT id FROM documents WHERE sha256 = ?", [sha256]).fetchone()
    return row[0] if row else None


def store_document(db: sqlite_utils.Database, doc: Document) -> int:
    """Write a document with its pages, items, passages and plan rows in one transaction."""
    with transaction(db):
        doc.id = insert(
            db,
            "documents",
            {
                "sha256": doc.sha256,
                "path": doc.path,
                "name": doc.name,
                "source_url": doc.source_url,
                "kind": doc.kind,
                "file_type": doc.file_type,
                "title": doc.title,
                "body": doc.body,
                "council": doc.council,
                "meeting_date": doc.meeting_date.isoformat() if doc.meeting_date else None,
                "page_count": len(doc.pages) or None,
                "text": doc.text,
                "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        ends = [p.start for p in doc.pages[1:]] + [len(doc.text)]
        insert_many(
            db,
            "pages",
            [
                {"document_id": doc.id, "number": p.number, "start": p.start, "end": end}
                for p, end in zip(doc.pages, ends)
            ],
        )
        item_ids: dict[str, int] = {}
        for item in doc.items:
            item_id = insert(
                db,
                "items",
                {
                    "document_id": doc.id,
                    "number": item.number,
                    "title": item.title,
                    "start": item.start,
                    "end": item.end,
                    "page_start": item.page_start,
                    "page_end": item.page_end,
                },
            )
            if item.number:
                item_ids.setdefault(item.number, item_id)
        insert_many(
            db,
            "passages",
            [
                {
                    "document_id": doc.id,
                    "item_id": item_ids.get(p.item_number) if p.item_number else None,
                    "page": p.page,
                    "start": p.start,
                    "end": p.end,
                    "text": p.text,
                    "speaker": p.speaker,
                }
                for p in doc.passages
            ],
        )
        for plan_item in doc.plan_items:
            plan_item.document_id = doc.id
        insert_many(db, "plan_items", [p.to_row() for p in doc.plan_items])
    return doc.id
