"""Every file of a batch gets its own outcome: an unexpected failure in one file is reported
as an internal error for that file, the batch goes on, and the exit code tells bad files (1)
from followthrough failing (2)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_bad_input import GOOD, assert_only_good_document, error_lines

from followthrough.cli import cli


def ingest(db: Path, *args: str, debug: bool = False):
    return CliRunner().invoke(cli, ["--db", str(db), *(["--debug"] if debug else []), "ingest", *args])


def deep_html(path: Path, depth: int = 500) -> Path:
    path.write_text(
        "<html><body>"
        + "<div>" * depth
        + "The Cabinet RESOLVED to approve the plan."
        + "</div>" * depth
        + "</body></html>"
    )
    return path


def test_deeply_nested_html_is_an_internal_error_and_the_batch_goes_on(tmp_path: Path) -> None:
    bad = deep_html(tmp_path / "deep.html")
    result = ingest(tmp_path / "t.db", str(bad), str(GOOD))
    assert result.exit_code == 2, result.output
    (line,) = error_lines(result)
    # the exception's own text varies by Python version ("... while calling a Python object")
    assert re.fullmatch(
        rf"Error: {re.escape(str(bad))}: internal error \(RecursionError: maximum recursion depth exceeded[^)]*\); run with --debug for the traceback",
        line,
    ), line
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("2 files: 1 added, 0 unchanged, 1 failed")
    assert_only_good_document(tmp_path / "t.db")


def test_debug_prints_the_traceback(tmp_path: Path) -> None:
    bad = deep_html(tmp_path / "deep.html")
    result = ingest(tmp_path / "t.db", str(bad), str(GOOD), debug=True)
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "RecursionError" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "minutes.txt"
    os.mkfifo(fifo)
    result = ingest(tmp_path / "t.db", str(fifo), str(GOOD))
    assert result.exit_code == 1
    assert error_lines(result) == [f"Error: {fifo}: unsupported type (not a regular file: a FIFO)"]
    assert_only_good_document(tmp_path / "t.db")


@pytest.mark.skipif(sys.platform != "linux", reason="Linux file names are bytes")
def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"minutes-caf\xe9.txt")
    odd = tmp_path / name
    odd.write_text("Minutes of the Cabinet. The Cabinet RESOLVED that the report be noted.\n")
    db = tmp_path / "t.db"
    result = ingest(db, str(odd), str(GOOD))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].startswith("2 files: 2 added")
    import sqlite3

    names = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM documents ORDER BY id")]
    assert names == ["minutes-caf\ufffd.txt", GOOD.name]


def test_path_under_an_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root nothing is unreadable, so the OS's refusal is simulated (stat and open)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    inside = locked / "minutes.txt"
    inside.write_text("x")

    def refusing(real):
        def call(path, *args, **kwargs):
            if str(path).startswith(str(locked) + os.sep):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "stat", refusing(os.stat))
    monkeypatch.setattr(os, "open", refusing(os.open))
    result = ingest(tmp_path / "t.db", str(inside), str(GOOD))
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [f"Error: {inside}: unreadable (Permission denied)"]
    assert_only_good_document(tmp_path / "t.db")


def test_file_name_with_newline_and_escape_cannot_forge_lines(tmp_path: Path) -> None:
    odd = tmp_path / "x\nError: forged\x1b[31m.pdf"
    odd.write_bytes(b"%PDF-1.7\n garbage")
    result = ingest(tmp_path / "t.db", str(odd), str(GOOD))
    assert result.exit_code == 1
    errors = error_lines(result)
    assert len(errors) == 1
    assert "\x1b" not in result.stderr
    assert errors[0].startswith(f"Error: {tmp_path}/x\\nError: forged\\x1b[31m.pdf: corrupt")


def test_extract_goes_on_after_an_internal_error(tmp_path: Path) -> None:
    bad = deep_html(tmp_path / "deep.html")
    result = CliRunner().invoke(cli, ["extract", "--no-store", str(bad), str(GOOD)])
    assert result.exit_code == 1, result.output
    (line,) = error_lines(result)
    assert line.startswith(f"Error: {bad}: internal error (RecursionError")
    assert GOOD.name in result.stdout  # the good file's statements are printed


def test_any_command_failing_inside_is_one_line_and_debug_shows_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import followthrough.extract.store

    db = tmp_path / "t.db"
    assert ingest(db, str(GOOD)).exit_code == 0

    def boom(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(followthrough.extract.store, "list_statements", boom)
    plain = CliRunner().invoke(cli, ["--db", str(db), "statements"])
    assert plain.exit_code == 2
    assert plain.stderr == "Error: internal error (RuntimeError: boom); run with --debug for the traceback\n"
    debug = CliRunner().invoke(cli, ["statements", "--db", str(db), "--debug"])
    assert debug.exit_code == 2
    assert "Traceback (most recent call last)" in debug.stderr and debug.stderr.endswith(
        "Error: internal error (RuntimeError: boom)\n"
    )


def test_unreadable_subfolder_in_a_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rglob passes over a folder it cannot list; the batch names it (the OS's refusal simulated)."""
    inbox = tmp_path / "inbox"
    (inbox / "locked").mkdir(parents=True)
    good = inbox / GOOD.name
    good.write_bytes(GOOD.read_bytes())
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if Path(p) == inbox / "locked" else real_access(p, mode, **kw)
    )
    result = ingest(tmp_path / "t.db", str(inbox))
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        f"Error: {inbox / 'locked'}: unreadable (a folder that cannot be listed: Permission denied)"
    ]
    assert_only_good_document(tmp_path / "t.db", good)
