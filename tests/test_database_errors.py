"""Database trouble after opening is one clear line (exit 2), never a traceback: locked past
the timeout, disk full, a corrupt page or FTS index, a read-only file; a database of a newer
followthrough is refused; read commands need an existing database and leave it unchanged."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_bad_input import GOOD
from test_long_documents import LIMERICK

import followthrough.store
from followthrough.cli import cli


def run(*args: str, env: dict | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def one_error(result: Result) -> str:
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture()
def loaded(tmp_path: Path) -> Path:
    db = tmp_path / "t.db"
    assert run("--db", str(db), "ingest", str(GOOD)).exit_code == 0
    return db


def test_locked_past_the_timeout(loaded: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(followthrough.store, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(loaded, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        other = tmp_path / "other.txt"
        other.write_text("Minutes of the Cabinet. The Cabinet RESOLVED that the plan be approved.\n")
        result = run("--db", str(loaded), "ingest", str(other))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2, result.output
    assert (
        one_error(result)
        == f"Error: {loaded}: the database is locked by another process (waited 0.2 s); try again when it has finished"
    )


def test_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLITE_FULL, as a full disk gives it, from a page limit on the connection."""
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 50")  # the schema takes 44
        return conn

    monkeypatch.setattr(followthrough.store.sqlite3, "connect", connect)
    db = tmp_path / "t.db"
    result = run("--db", str(db), "ingest", str(LIMERICK))
    assert result.exit_code == 2, result.output
    assert (
        one_error(result)
        == f"Error: {db}: the disk is full; free some space and run the command again (nothing was half-written)"
    )


def corrupt(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    page = 4096
    for at in range(2 * page, len(data), page):  # every page's header after the schema's
        data[at : at + 16] = b"\xff" * 16
    db.write_bytes(bytes(data))


def test_corrupt_pages(loaded: Path) -> None:
    corrupt(loaded)
    result = run("--db", str(loaded), "statements")
    assert result.exit_code == 2, result.output
    assert one_error(result).startswith(f"Error: {loaded}: the database is corrupt (")


def test_corrupt_fts_index(loaded: Path) -> None:
    with sqlite3.connect(loaded) as conn:
        conn.execute("DELETE FROM statements_fts_data WHERE id > 1")
    result = run("--db", str(loaded), "search", "plan")
    assert result.exit_code == 2, result.output
    assert one_error(result).startswith(f"Error: {loaded}: the database is corrupt (")


def test_newer_database_is_refused(loaded: Path) -> None:
    with sqlite3.connect(loaded) as conn:
        conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('9999_from_the_future', 'now')")
    result = run("--db", str(loaded), "statements")
    assert result.exit_code == 2
    assert (
        one_error(result)
        == f"Error: {loaded}: written by a newer followthrough (migrations 9999_from_the_future); upgrade followthrough to use it"
    )


def test_newer_user_version_is_refused(loaded: Path) -> None:
    with sqlite3.connect(loaded) as conn:
        conn.execute("PRAGMA user_version = 999")
    result = run("--db", str(loaded), "ingest", str(GOOD))
    assert result.exit_code == 2
    assert "written by a newer followthrough (schema version 999, this one knows" in one_error(result)


def test_read_command_on_a_mistyped_path_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "followthruogh.db"
    for command in (["statements"], ["search", "plan"], ["commitments"]):
        result = run("--db", str(typo), *command)
        assert result.exit_code == 2
        assert one_error(result).startswith(f"Error: {typo}: no such database")
    assert list(tmp_path.iterdir()) == []


def test_read_commands_on_a_read_only_database(loaded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read-only as the OS says (simulated: root may write anything): reads work, writes say why."""
    with sqlite3.connect(loaded) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    before = loaded.read_bytes()
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode, **kw: False if Path(p) == loaded and mode & os.W_OK else real_access(p, mode, **kw),
    )
    for command in (["statements"], ["search", "plan"], ["commitments"]):
        result = run("--db", str(loaded), *command)
        assert result.exit_code == 0, result.output
    assert loaded.read_bytes() == before
    other = loaded.parent / "other.txt"
    other.write_text("Minutes of the Cabinet. The Cabinet RESOLVED that the plan be approved.\n")
    result = run("--db", str(loaded), "ingest", str(other))
    assert result.exit_code == 2
    assert (
        one_error(result)
        == f"Error: {loaded}: the database is read-only; this command writes to it (use a writable copy)"
    )


def test_no_stray_migrate_file(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert run("--db", str(db), "ingest", str(GOOD)).exit_code == 0
    assert not any(p.name.endswith("-migrate") for p in tmp_path.iterdir())


def test_db_after_the_subcommand(tmp_path: Path) -> None:
    db = tmp_path / "after.db"
    result = run("ingest", str(GOOD), "--db", str(db), env={"FOLLOWTHROUGH_DB": str(tmp_path / "env.db")})
    assert result.exit_code == 0, result.output
    assert db.exists() and not (tmp_path / "env.db").exists()
    assert run("statements", "--db", str(db)).exit_code == 0


def test_gaps_and_track_on_a_mistyped_path_create_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "followthruogh.db"
    for command in (["gaps"], ["track"], ["links", "confirm", "1", "2"], ["evidence", "confirm", "1"]):
        result = run("--db", str(typo), *command)
        assert result.exit_code == 2, (command, result.output)
        assert one_error(result).startswith(f"Error: {typo}: no such database")
    assert list(tmp_path.iterdir()) == []


def test_processes_creating_one_database_at_once_leave_no_lock_file(tmp_path: Path) -> None:
    """Four processes open (create and migrate) the same new database together: all succeed,
    every migration is recorded once, and the side lock file is gone afterwards."""
    import subprocess
    import sys

    db = tmp_path / "new.db"
    code = "import sys; from followthrough.store import open_db; open_db(sys.argv[1]).conn.close()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(db)], stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    names = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM _migrations")]
    assert len(names) == len(set(names)) == len(followthrough.store.MIGRATIONS)
    assert sorted(p.name for p in tmp_path.iterdir() if "migrate" in p.name) == []
