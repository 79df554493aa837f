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

# file -> the exact reason (the vocabulary in followthrough.errors.BadDocument)
CASES = {
    "corrupt.pdf": "corrupt (unreadable or truncated PDF; PDFium: data format error)",
    "truncated.pdf": "corrupt (unreadable or truncated PDF; PDFium: data format error)",
    "encrypted.pdf": "encrypted (password required)",
    "scanned.pdf": "scanned with no text layer (1 page, no extractable text)",
    "empty.pdf": "empty (no content)",
    "whitespace.txt": "empty (no content)",
    "image.png": "unsupported type (.png)",
    "not_a_docx.docx": "corrupt (not a readable DOCX: \"There is no item named '[Content_Types].xml' in the archive\")",
    "truncated.docx": "corrupt (not a readable DOCX: File is not a zip file)",
    "program.exe": "unsupported type (.exe)",
    # a CSV is only read as an action plan; without a plan header row it is not one
    "no_plan_header.csv": "unsupported type (no action-plan header row found)",
    # issue 12: binary data under a text name, empty and tag-only pages
    "garbage.html": "unsupported type (binary data, not HTML)",
    "garbage.txt": "unsupported type (binary data, not text)",
    "garbage.csv": "unsupported type (binary data, not text)",
    "controls.txt": "unsupported type (binary data, not text)",
    "nul_in_text.txt": "unsupported type (binary data, not text)",
    "utf16_nul.csv": "unsupported type (binary data, not text)",
    "empty.html": "empty (no content)",
    "tags_only.html": "empty (no text in the HTML page)",
    "bom_only.txt": "empty (no text)",
    # PDFs that are not, or hold no page, or a page tree bomb PDFium refuses
    "gzip.pdf": "corrupt (unreadable or truncated PDF; PDFium: data format error)",
    "html_named.pdf": "corrupt (unreadable or truncated PDF; PDFium: data format error)",
    "zero_pages.pdf": "empty (no pages)",
    # PDFium gives the code left by its previous call here: the detail after "PDFium:" varies
    "page_tree_bomb.pdf": "corrupt (unreadable or truncated PDF; PDFium: …",
    # Office files: OLE2 (encrypted or old formats), empty, entity bombs, zip bombs, misnamed
    "ole2_encrypted.docx": "unsupported type (an OLE2 file: a password-protected Office document or an old .doc/.xls; save it as .docx, .xlsx or PDF)",
    "empty.docx": "empty (no text)",
    "billion_laughs.docx": "corrupt (XMLSyntaxError: Maximum entity amplification factor exceeded, see xmlCtxtSetMaxAmplification., line 1, column 7 (<string>, line 1))",
    "zip_bomb.docx": "too large (word/media/padding.bin decompresses 1,028 times over: a zip bomb?)",
    "zip_bomb.xlsx": "too large (xl/media/padding.bin decompresses 1,028 times over: a zip bomb?)",
    "xlsx_named.docx": "unsupported type (not a Word document: content type application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml)",
    "rtf_named.docx": "corrupt (not a readable DOCX: File is not a zip file)",
    "corrupt.xlsx": "corrupt (not a readable XLSX: File is not a zip file)",
    "truncated.xlsx": "corrupt (not a readable XLSX: File is not a zip file)",
    "no_plan_header.xlsx": "unsupported type (no action-plan header row found)",
    "header_only.csv": "unsupported type (no action-plan header row found)",
    "huge_field.csv": "corrupt (CSV: field larger than field limit (131072))",
    # only loaded when named (not from folders)
    "old_word.doc": "unsupported type (an OLE2 file: a password-protected Office document or an old .doc/.xls; save it as .docx, .xlsx or PDF)",
    "not_moderngov.xml": "unsupported type (XML <feed>, not a ModernGov GetMeeting response)",
}
# a bug of ours met in one file: reported for that file (exit 2), and the batch goes on
INTERNAL = {
    "deep_nesting.html": "internal error (RecursionError: maximum recursion depth exceeded",
}
NOT_IN_FOLDERS = (".png", ".exe", ".doc", ".xml")  # only read when named
SUMMARY = re.compile(r"^2 files: 1 added, 0 unchanged, 1 failed; \d+ statements extracted$")


def same_reason(line: str, expected: str) -> bool:
    """Equal, or (an expected reason ending in "…") the same up to there."""
    return line.startswith(expected[:-1]) if expected.endswith("…") else line == expected


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
    ((good_id, _),) = documents
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
    assert same_reason(errors[0], f"Error: {bad}: {CASES[name]}")
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
    # in a folder, files of other types (.png, .exe) are not documents and are passed over
    expected = sorted(name for name in [*CASES, *INTERNAL] if not name.endswith(NOT_IN_FOLDERS))
    reported = sorted(Path(line.split(": ")[1]).name for line in error_lines(result))
    assert reported == expected
    for line in error_lines(result):
        name = Path(line.split(": ")[1]).name
        if name in INTERNAL:
            assert line.startswith(f"Error: {folder / name}: {INTERNAL[name]}")
        else:
            assert same_reason(line, f"Error: {folder / name}: {CASES[name]}")
    assert result.exit_code == 2  # the internal error outranks the bad files
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


@pytest.mark.parametrize("name", list(INTERNAL))
def test_internal_error_in_one_file_and_the_good_file_still_loads(tmp_path: Path, name: str) -> None:
    bad = BAD / name
    result = ingest(tmp_path / "t.db", str(bad), str(GOOD))
    assert result.exit_code == 2, result.output
    (line,) = error_lines(result)
    assert line.startswith(f"Error: {bad}: {INTERNAL[name]}") and line.endswith("; run with --debug for the traceback")
    assert "Traceback" not in result.stderr
    assert SUMMARY.match(result.stdout.strip().splitlines()[-1]), result.stdout
    assert_only_good_document(tmp_path / "t.db")


def _special_paths(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Hostile paths that git cannot hold: made here. name -> (path, exact reason)."""
    made: dict[str, tuple[Path, str]] = {}
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    made["symlink loop"] = (loop, "unreadable (Too many levels of symbolic links)")
    dangling = tmp_path / "dangling.pdf"
    dangling.symlink_to(tmp_path / "gone.pdf")
    made["dangling symlink"] = (dangling, "unreadable (No such file or directory)")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.txt"
        os.mkfifo(fifo)
        made["FIFO"] = (fifo, "unsupported type (not a regular file: a FIFO)")
    if Path("/dev/zero").exists():
        made["character device"] = (Path("/dev/zero"), "unsupported type (not a regular file: a character device)")
    sock = tmp_path / "s.txt"
    try:
        import socket

        server = socket.socket(socket.AF_UNIX)
        server.bind(str(sock))
        made["socket"] = (sock, "unsupported type (not a regular file: a socket)")
    except (OSError, AttributeError):
        pass
    made["missing file"] = (tmp_path / "no-such-minutes.pdf", "unreadable (No such file or directory)")
    under_file = tmp_path / "minutes.txt" / "inside.pdf"
    (tmp_path / "minutes.txt").write_text("x")
    made["path through a file"] = (under_file, "unreadable (Not a directory)")
    return made


SPECIAL = [
    "symlink loop",
    "dangling symlink",
    "FIFO",
    "character device",
    "socket",
    "missing file",
    "path through a file",
]


@pytest.mark.parametrize("kind", SPECIAL)
def test_special_paths_are_reported_and_the_good_file_still_loads(tmp_path: Path, kind: str) -> None:
    made = _special_paths(tmp_path)
    if kind not in made:
        pytest.skip(f"no {kind} on this system")
    path, reason = made[kind]
    result = ingest(tmp_path / "t.db", str(path), str(GOOD))
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [f"Error: {path}: {reason}"]
    assert_only_good_document(tmp_path / "t.db")


def test_the_hostile_inputs_cover_forty_kinds() -> None:
    # files in tests/bad_files, paths made at test time, and the kinds tested in
    # test_batch_outcomes.py (non-UTF-8 name, unreadable folder, forged-line name),
    # test_limits.py (over the size limit, big zip bomb, page limit) and here (unreadable file)
    others = 3 + 3 + 1
    assert len(CASES) + len(INTERNAL) + len(SPECIAL) + others >= 40
    assert sorted(p.name for p in BAD.iterdir() if not p.name.startswith(".")) == sorted([*CASES, *INTERNAL])
