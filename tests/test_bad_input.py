"""Bad files: one clear error line each, the good file still loads, nothing half-written.

tests/bad_files/ holds one file per failure (made by tools/make_bad_files.py); the
unreadable path is made here, since git does not keep file modes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner, Result

from followthrough.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "bad_files"
GOOD = ROOT / "corpus" / "documents" / "york_exec_2009-01-28_csci_apa_improvement_plan_decision.txt"
RENDERED_PDF = ROOT / "corpus" / "rendered" / "ciw_press_powys_childrens_2019-01-09.pdf"

# file -> the reason's opening words (the vocabulary in followthrough.errors.BadDocument)
CASES = {
    "corrupt.pdf": "corrupt",
    "truncated.pdf": "corrupt",
    "encrypted.pdf": "encrypted",
    "scanned.pdf": "scanned with no text layer",
    "empty.pdf": "empty",
    "whitespace.txt": "empty",
    "image.png": "unsupported type",
    "not_a_docx.docx": "corrupt",
    "truncated.docx": "corrupt",
    "program.exe": "unsupported type",
    # a CSV is only read as an action plan; without a plan header row it is not one
    "no_plan_header.csv": "unsupported type",
}
SUMMARY = re.compile(r"^2 files: 1 added, 0 unchanged, 1 failed; \d+ statements extracted$")


def ingest(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "ingest", *args])


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def rows_by_table(db: Path) -> dict[str, list[tuple]]:
    """Every table's (id, document_id) rows, for tables that belong to a document."""
    conn = sqlite3.connect(db)
    try:
        found = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]
            if "document_id" in columns:
                found[table] = conn.execute(f"SELECT rowid, document_id FROM [{table}]").fetchall()
        found["documents"] = conn.execute("SELECT id, path FROM documents").fetchall()
        return found
    finally:
        conn.close()


def assert_only_good_document(db: Path, good: Path = GOOD) -> None:
    tables = rows_by_table(db)
    assert {"documents", "pages", "items", "passages", "plan_items"} <= set(tables)
    documents = tables.pop("documents")
    assert [path for _, path in documents] == [str(good)]
    (good_id, _), = documents
    for table, rows in tables.items():
        strays = [row for row in rows if row[1] != good_id]
        assert strays == [], f"{table} holds rows of another document"


@pytest.mark.parametrize("name", list(CASES))
def test_bad_file_is_reported_and_the_good_file_still_loads(tmp_path: Path, name: str) -> None:
    bad = BAD / name
    db = tmp_path / "t.db"
    result = ingest(db, str(bad), str(GOOD))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    errors = error_lines(result)
    assert len(errors) == 1, result.stderr
    assert re.match(rf"Error: {re.escape(str(bad))}: {CASES[name]}\b", errors[0]), errors[0]
    assert "\n" not in errors[0] and "Traceback" not in result.stderr
    assert SUMMARY.match(result.stdout.strip().splitlines()[-1]), result.stdout
    assert_only_good_document(db)


@pytest.mark.parametrize("name", ["corrupt.pdf", "encrypted.pdf", "no_plan_header.csv"])
def test_bad_file_after_the_good_one_is_still_reported(tmp_path: Path, name: str) -> None:
    db = tmp_path / "t.db"
    result = ingest(db, str(GOOD), str(BAD / name))
    assert result.exit_code == 1
    assert len(error_lines(result)) == 1
    assert_only_good_document(db)


def test_bad_file_in_json_output(tmp_path: Path) -> None:
    bad = BAD / "encrypted.pdf"
    result = ingest(tmp_path / "t.db", "--json", str(bad), str(GOOD))
    assert result.exit_code == 1
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert files[str(bad)]["status"] == "failed"
    assert files[str(bad)]["reason"].startswith("encrypted")
    assert files[str(bad)]["document_id"] is None
    assert files[str(GOOD)]["status"] == "added"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    shutil.copy(GOOD, locked)
    locked.chmod(0)
    try:
        result = ingest(tmp_path / "t.db", str(locked), str(GOOD))
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 1
    errors = error_lines(result)
    assert len(errors) == 1
    assert errors[0].startswith(f"Error: {locked}: unreadable")
    assert_only_good_document(tmp_path / "t.db")


def test_unreadable_file_when_the_os_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same case as root: the OS refusing access to the file, simulated.

    A non-root user sees both refusals: os.access says no, and opening fails.
    """
    locked = tmp_path / "locked.txt"
    locked.write_text("Minutes: the committee RESOLVED to approve the plan.\n", encoding="utf-8")
    real_open, real_access = os.open, os.access

    def refuse(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def access(path, mode, *args, **kwargs) -> bool:
        if Path(path) == locked:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr(os, "access", access)
    result = ingest(tmp_path / "t.db", str(locked), str(GOOD))
    assert result.exit_code == 1
    assert error_lines(result) == [f"Error: {locked}: unreadable (Permission denied)"]
    assert_only_good_document(tmp_path / "t.db")


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-minutes.pdf"
    result = ingest(tmp_path / "t.db", str(missing), str(GOOD))
    assert result.exit_code == 1
    assert error_lines(result) == [f"Error: {missing}: unreadable (No such file or directory)"]
    assert_only_good_document(tmp_path / "t.db")


def test_folder_of_bad_files_with_one_good_file(tmp_path: Path) -> None:
    """A folder: every readable-looking bad file gets its own line; other types are skipped."""
    folder = tmp_path / "inbox"
    shutil.copytree(BAD, folder)
    good = folder / GOOD.name
    shutil.copy(GOOD, good)
    db = tmp_path / "t.db"
    result = ingest(db, str(folder))
    assert result.exit_code == 1
    # in a folder, files of other types (.png, .exe) are not documents and are passed over
    expected = sorted(name for name in CASES if not name.endswith((".png", ".exe")))
    reported = sorted(Path(line.split(": ")[1]).name for line in error_lines(result))
    assert reported == expected
    for line in error_lines(result):
        name = Path(line.split(": ")[1]).name
        assert line.startswith(f"Error: {folder / name}: {CASES[name]}")
    assert_only_good_document(db, good)


def partly_scanned_pdf(tmp_path: Path) -> tuple[Path, int]:
    """A real rendering with the scanned page appended as its last page."""
    mixed = tmp_path / "minutes_with_scanned_appendix.pdf"
    pdf = pdfium.PdfDocument(str(RENDERED_PDF))
    pdf.import_pages(pdfium.PdfDocument(str(BAD / "scanned.pdf")))
    pdf.save(str(mixed))
    return mixed, len(pdf)


def test_pdf_with_one_scanned_page_loads_with_a_warning(tmp_path: Path) -> None:
    """Forgiving with documents: one page without text is a warning, not a failure."""
    mixed, pages = partly_scanned_pdf(tmp_path)
    db = tmp_path / "t.db"
    result = ingest(db, str(mixed))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [f"Warning: {mixed}: 1 of {pages} pages have no text layer (pages {pages})"]
    assert rows_by_table(db)["documents"] == [(1, str(mixed))]


def test_strict_fails_the_warned_file_and_stores_nothing_of_it(tmp_path: Path) -> None:
    mixed, pages = partly_scanned_pdf(tmp_path)
    db = tmp_path / "t.db"
    result = ingest(db, "--strict", str(mixed), str(GOOD))
    assert result.exit_code == 1
    assert error_lines(result) == [f"Error: {mixed}: 1 of {pages} pages have no text layer (pages {pages})"]
    # reported as failed, so not stored either (else a re-run would call it "unchanged")
    assert_only_good_document(db)
