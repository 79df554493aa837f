"""The SQLite store: opening, migrations and transactions.

Writes go through :func:`transaction` with plain SQL, because sqlite-utils' write
helpers commit on their own and a document must land in one transaction or not at all.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from followthrough.errors import StoreError, UsageError
from followthrough.store.migrations import MIGRATIONS

DEFAULT_DB = "followthrough.db"


def default_db_path() -> str:
    return os.environ.get("FOLLOWTHROUGH_DB") or DEFAULT_DB


def open_db(path: str | Path | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at ``path``."""
    path = str(path or default_db_path())
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            # WAL's recommended setting: a commit survives a crash of the program; only a
            # power cut can lose the last transactions, never corrupt the file.
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open database ({exc})") from exc
    db = sqlite_utils.Database(conn)
    migrate(db)
    return db


def applied_migrations(db: sqlite_utils.Database) -> list[str]:
    if "_migrations" not in db.table_names():
        return []
    return [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY id")]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply, in order, every migration the database has not recorded. Returns their names."""
    try:
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations ("
            "id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, applied_at TEXT NOT NULL)"
        )
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"not a followthrough database ({exc})") from exc
    done = set(applied_migrations(db))
    applied = []
    for migration in MIGRATIONS:
        if migration.name in done:
            continue
        if not migration.transactional:
            with _side_lock(db):
                if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [migration.name]).fetchone():
                    continue
                migration.apply(db)
                with transaction(db):
                    _record(db, migration.name)
            applied.append(migration.name)
            continue
        with transaction(db):
            # Another process may have applied it while we waited for the write lock.
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [migration.name]).fetchone():
                continue
            migration.apply(db)
            _record(db, migration.name)
        applied.append(migration.name)
    return applied


@contextmanager
def _side_lock(db: sqlite_utils.Database) -> Iterator[None]:
    """Serialise a migration that commits on its own: hold a write lock on '<db>-migrate'."""
    row = db.execute("PRAGMA database_list").fetchone()
    if not row or not row[2]:
        yield
        return
    lock = sqlite3.connect(row[2] + "-migrate", timeout=60, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        yield
        lock.execute("COMMIT")
    finally:
        lock.close()


def _record(db: sqlite_utils.Database, name: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO _migrations (name, applied_at) VALUES (?, datetime('now'))", [name]
    )


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception. Re-entrant."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def insert(db: sqlite_utils.Database, table: str, row: Mapping[str, Any]) -> int:
    """INSERT one row with plain SQL (safe inside :func:`transaction`); returns its rowid."""
    columns = list(row)
    sql = "INSERT INTO [{}] ({}) VALUES ({})".format(
        table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
    )
    cursor = db.execute(sql, [row[c] for c in columns])
    return int(cursor.lastrowid)


def insert_many(db: sqlite_utils.Database, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """INSERT many rows of the same shape; returns how many."""
    rows = list(rows)
    if not rows:
        return 0
    columns = list(rows[0])
    sql = "INSERT INTO [{}] ({}) VALUES ({})".format(
        table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
    )
    db.conn.executemany(sql, [[r[c] for c in columns] for r in rows])
    return len(rows)


def document_id(db: sqlite_utils.Database, ref: str, what: str) -> int:
    """The id of the document ``ref`` names: a stored path, an id, or a file name that only
    one document has (--``what`` is the option it came from, for the error)."""
    exact = db.execute("SELECT id FROM documents WHERE path = ? OR CAST(id AS TEXT) = ? ORDER BY id DESC", [ref, ref]).fetchall()
    if exact:
        return exact[0][0]
    named = db.execute("SELECT id FROM documents WHERE name = ? ORDER BY id", [ref]).fetchall()
    if not named:
        raise UsageError(f"no document {ref!r} in the database (--{what} takes a file name, path or id)")
    if len(named) > 1:
        ids = ", ".join(str(r[0]) for r in named)
        raise UsageError(f"{ref!r} names {len(named)} documents (ids {ids}): give --{what} a path or an id")
    return named[0][0]


def describe_error(exc: sqlite3.Error, path: str | None = None) -> str:
    """One line for a database error met after opening (locked, full, corrupt, read-only)."""
    message = str(exc)
    lower = message.lower()
    where = f"{path}: " if path else "database: "
    if "locked" in lower or "busy" in lower:
        return f"{where}the database is locked by another process (waited 30 s); try again when it has finished"
    if "disk is full" in lower or "disk full" in lower:
        return f"{where}the disk is full; free some space and run the command again (nothing was half-written)"
    if "readonly" in lower or "read-only" in lower:
        return f"{where}the database is read-only; this command writes to it (use a writable copy)"
    if "malformed" in lower or "corrupt" in lower or "not a database" in lower:
        return f"{where}the database is corrupt ({message}); restore a backup, or rebuild it by ingesting the documents into a new one"
    if "disk i/o" in lower:
        return f"{where}a disk error while using the database ({message})"
    return f"{where}database error ({message})"
