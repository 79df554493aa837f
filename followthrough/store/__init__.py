"""The SQLite store: opening, migrations and transactions.

Writes go through :func:`transaction` with plain SQL, because sqlite-utils' write
helpers commit on their own and a document must land in one transaction or not at all.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
import urllib.parse
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


BUSY_TIMEOUT = 30.0  # seconds a command waits for another process's write to finish


def open_db(path: str | Path | None = None, *, write: bool = True, create: bool | None = None) -> sqlite_utils.Database:
    """Open the database at ``path``, creating and migrating it as needed.

    With ``write=False`` (read commands) the file must exist (also with ``create=False``), and a database that is up to
    date, or that cannot be written, is opened read-only: no migration, no switch to WAL.
    A database written by a newer followthrough (migrations or ``user_version`` this one does
    not know) is refused.
    """
    path = str(path or default_db_path())
    memory = path == ":memory:" or path.startswith("file::memory:")
    exists = not memory and os.path.exists(path)
    if not (write if create is None else create) and not memory and not exists:
        raise StoreError(
            f"{path}: no such database (check --db or FOLLOWTHROUGH_DB; `followthrough ingest` creates one)"
        )
    if exists and os.path.isdir(path):
        raise StoreError(f"{path}: is a folder, not a database file")
    writable = memory or not exists or os.access(path, os.W_OK)
    if exists and (not writable or not write):
        db = _connect_read_only(path)
        pending = _check_version(db, path)
        if not pending:
            return db
        db.conn.close()
        if not writable:
            raise StoreError(
                f"{path}: needs upgrading by this version of followthrough ({', '.join(pending)}) but is read-only"
            )
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        if not memory:
            _switch_to_wal(conn)
            # WAL's recommended setting: a commit survives a crash of the program; only a
            # power cut can lose the last transactions, never corrupt the file.
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open database ({exc})") from exc
    db = sqlite_utils.Database(conn)
    _check_version(db, path)
    migrate(db)
    return db


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode = WAL``, waiting out other processes: the switch needs the file
    to itself, and SQLite reports "database is locked" at once instead of calling the busy
    handler when several processes open a new database together."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _connect_read_only(path: str) -> sqlite_utils.Database:
    """A read-only connection; ``immutable`` when even the WAL index cannot be made."""
    uri = "file:" + urllib.parse.quote(os.path.abspath(path))
    last: sqlite3.Error | None = None
    for flags in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(
                uri + flags, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return sqlite_utils.Database(conn)
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise StoreError(describe_error(exc, path)) from exc
            last = exc
    raise StoreError(f"{path}: cannot open database ({last})")


def _check_version(db: sqlite_utils.Database, path: str) -> list[str]:
    """The migrations still to apply; refuses a database of a newer followthrough."""
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        done = applied_migrations(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe_error(exc, path)) from exc
    known = {m.name for m in MIGRATIONS}
    unknown = [name for name in done if name not in known]
    if unknown or version > len(MIGRATIONS):
        what = (
            f"migrations {', '.join(unknown)}"
            if unknown
            else f"schema version {version}, this one knows {len(MIGRATIONS)}"
        )
        raise StoreError(f"{path}: written by a newer followthrough ({what}); upgrade followthrough to use it")
    return [m.name for m in MIGRATIONS if m.name not in set(done)]


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
    if applied:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    return applied


@contextmanager
def _side_lock(db: sqlite_utils.Database) -> Iterator[None]:
    """Serialise a migration that commits on its own: an exclusive ``flock`` on '<db>-migrate'.

    The file is removed while still held, once the migration is recorded, so none stays
    beside the database. A process that was waiting on the removed file notices (its file is
    no longer the one at that path) and locks the current one instead; either way it then
    sees the migration recorded. (An SQLite file used as the lock failed here with "disk I/O
    error" when its name was removed under a waiting process.)
    """
    row = db.execute("PRAGMA database_list").fetchone()
    if not row or not row[2]:
        yield
        return
    lock_path = row[2] + "-migrate"
    fd = _locked(lock_path)
    try:
        yield
        try:
            os.unlink(lock_path)
        except OSError:
            pass
    finally:
        os.close(fd)  # releases the lock


def _locked(path: str) -> int:
    """A descriptor holding an exclusive lock on the file now at ``path``."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            current = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            return fd
        os.close(fd)  # removed (or replaced) while we waited: lock the file there now


def _record(db: sqlite_utils.Database, name: str) -> None:
    db.execute("INSERT OR IGNORE INTO _migrations (name, applied_at) VALUES (?, datetime('now'))", [name])


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
        if conn.in_transaction:  # SQLite has rolled back already after some errors (disk full)
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
    assert cursor.lastrowid is not None  # set by an INSERT
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
    exact = db.execute(
        "SELECT id FROM documents WHERE path = ? OR CAST(id AS TEXT) = ? ORDER BY id DESC", [ref, ref]
    ).fetchall()
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
        return f"{where}the database is locked by another process (waited {BUSY_TIMEOUT:g} s); try again when it has finished"
    if "disk is full" in lower or "disk full" in lower:
        return f"{where}the disk is full; free some space and run the command again (nothing was half-written)"
    if "readonly" in lower or "read-only" in lower:
        return f"{where}the database is read-only; this command writes to it (use a writable copy)"
    if "file is not a database" in lower:
        return f"{where}not a followthrough database ({message})"
    if "vtable constructor failed" in lower or "fts5" in lower:
        message = f"search index: {message}"
    if "malformed" in lower or "corrupt" in lower or "vtable constructor failed" in lower or "fts5" in lower:
        return f"{where}the database is corrupt ({message}); restore a backup, or rebuild it by ingesting the documents into a new one"
    if "disk i/o" in lower:
        return f"{where}a disk error while using the database ({message})"
    return f"{where}database error ({message})"
