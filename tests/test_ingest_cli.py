"""`followthrough ingest` on the bundled corpus: loading, re-runs, JSON, overrides,
concurrent writers and all-or-nothing storage."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import followthrough.ingest
import followthrough.pipeline
from followthrough.cli import cli
from followthrough.ingest import read_document
from followthrough.models import DOCUMENT_KINDS
from followthrough.pipeline import expand_paths

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DOCS = CORPUS / "documents"
YORK = DOCS / "york_exec_2009-01-28_csci_apa_improvement_plan_decision.txt"
FILE_KEYS = {
    "path",
    "status",
    "reason",
    "document_id",
    "kind",
    "pages",
    "plan_items",
    "statements",
    "warnings",
    "internal",
}


def ingest(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "ingest", *args])


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def document_rows(db: Path) -> dict[str, int]:
    """Row counts of every table that holds a document's data."""
    conn = sqlite3.connect(db)
    try:
        counts = {"documents": conn.execute("SELECT count(*) FROM documents").fetchone()[0]}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]
            if "document_id" in columns:
                counts[table] = conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
        return counts
    finally:
        conn.close()


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    db = tmp_path_factory.mktemp("corpus") / "corpus.db"
    return db, ingest(db, str(CORPUS))


def test_ingesting_the_corpus_loads_every_file(corpus_db: tuple[Path, Result]) -> None:
    db, result = corpus_db
    files = expand_paths([CORPUS])
    assert len(files) >= 20  # documents, the Bridgend plan and the renderings
    assert result.exit_code == 0, result.output
    assert "Error:" not in result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith(f"{len(files)} files: {len(files)} added, 0 unchanged, 0 failed; ")
    stored = {path for (path,) in query(db, "SELECT path FROM documents")}
    assert stored == {str(f) for f in files}
    # every kind of file came through with text, and PDFs with their pages
    types = {t for (t,) in query(db, "SELECT DISTINCT file_type FROM documents")}
    assert {"text", "pdf", "docx", "csv"} <= types
    assert query(db, "SELECT count(*) FROM documents WHERE length(text) < 200") == [(0,)]
    unpaged = query(db, "SELECT name FROM documents WHERE file_type = 'pdf' AND NOT page_count >= 1")
    assert unpaged == []


def test_second_run_adds_nothing_and_says_so(corpus_db: tuple[Path, Result]) -> None:
    db, _ = corpus_db
    before = document_rows(db)
    result = ingest(db, str(CORPUS))
    n = len(expand_paths([CORPUS]))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == (
        f"{n} files: 0 added, {n} unchanged, 0 failed; 0 statements extracted"
    )
    assert document_rows(db) == before


def test_json_output_shape(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "bad_files" / "whitespace.txt"
    result = ingest(tmp_path / "t.db", "--json", str(YORK), str(bad))
    assert result.exit_code == 1
    out = json.loads(result.stdout)  # stdout is only the JSON document
    assert set(out) == {"files", "summary"}
    assert [set(f) for f in out["files"]] == [FILE_KEYS, FILE_KEYS]
    added, failed = out["files"]
    assert (added["path"], added["status"], added["reason"]) == (str(YORK), "added", None)
    assert isinstance(added["document_id"], int) and added["kind"] in DOCUMENT_KINDS
    assert (failed["path"], failed["status"]) == (str(bad), "failed")
    assert failed["reason"].startswith("empty")
    assert out["summary"].startswith("2 files: 1 added, 0 unchanged, 1 failed; ")
    again = json.loads(ingest(tmp_path / "t.db", "--json", str(YORK)).stdout)
    assert again["files"][0]["status"] == "unchanged"
    assert again["files"][0]["document_id"] == added["document_id"]


def test_kind_body_and_meeting_date_overrides_are_stored(tmp_path: Path) -> None:
    path = DOCS / "cardiff_cabinet_2016-01-21_items86-89.txt"
    detected = read_document(path)
    kind = next(k for k in DOCUMENT_KINDS if k != detected.kind)
    assert detected.body != "Audit Committee" and str(detected.meeting_date) != "2016-02-04"
    result = ingest(
        tmp_path / "t.db",
        str(path),
        "--kind",
        kind,
        "--body",
        "Audit Committee",
        "--meeting-date",
        "2016-02-04",
        "--source-url",
        "https://example.org/minutes/86",
    )
    assert result.exit_code == 0, result.output
    assert query(tmp_path / "t.db", "SELECT kind, body, meeting_date, source_url FROM documents") == [
        (kind, "Audit Committee", "2016-02-04", "https://example.org/minutes/86")
    ]


def test_without_overrides_the_detected_values_are_stored(tmp_path: Path) -> None:
    path = DOCS / "cardiff_cabinet_2016-01-21_items86-89.txt"
    assert ingest(tmp_path / "t.db", str(path)).exit_code == 0
    assert query(tmp_path / "t.db", "SELECT kind, body, meeting_date FROM documents") == [
        ("minutes", "Cabinet", "2016-01-21")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--meeting-date", "21/01/2016"], "'21/01/2016' is not a date in the form YYYY-MM-DD"),
        (["--kind", "agenda"], "'agenda' is not one of"),
    ],
)
def test_bad_override_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    result = ingest(tmp_path / "t.db", str(YORK), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "t.db").exists() or document_rows(tmp_path / "t.db")["documents"] == 0


def run_together(db: Path, groups: list[list[Path]], *options: str) -> list[tuple[int, str, str]]:
    """Start one `followthrough ingest` process per group at once; (returncode, out, err) each."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "followthrough", "--db", str(db), "ingest", *options, *map(str, group)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=db.parent,
        )
        for group in groups
    ]
    return [(p.wait(timeout=300), *p.communicate()) for p in procs]


def test_two_processes_ingesting_into_one_database(tmp_path: Path) -> None:
    """Two writers at once (WAL + busy timeout): both finish, every document lands once."""
    db = tmp_path / "shared.db"
    files = sorted(DOCS.glob("*.txt"))
    halves = [files[0::2], files[1::2]]
    for (code, out, err), half in zip(run_together(db, halves), halves):
        assert code == 0, err
        assert f"{len(half)} files: {len(half)} added, 0 unchanged, 0 failed" in out
    stored = sorted(path for (path,) in query(db, "SELECT path FROM documents"))
    assert stored == sorted(map(str, files))
    assert query(db, "PRAGMA journal_mode") == [("wal",)]


@pytest.mark.parametrize("attempt", range(2))  # a race: more attempts, more chances to lose it
def test_processes_opening_a_new_database_at_once(tmp_path: Path, attempt: int) -> None:
    """Creating the file, switching it to WAL and migrating race when several start together."""
    db = tmp_path / "new.db"
    files = sorted(DOCS.glob("*.txt"))[:4]
    results = run_together(db, [[f] for f in files], "--no-extract")
    assert [err for code, _, err in results if code != 0] == []
    assert len(query(db, "SELECT id FROM documents")) == len(files)


@pytest.mark.parametrize("attempt", range(2))
def test_same_file_from_two_processes_is_stored_once(tmp_path: Path, attempt: int) -> None:
    """Both see the file as new; the second to write must find the first's row, not crash."""
    db = tmp_path / "t.db"
    big = ROOT / "corpus" / "rendered" / "limerick_council_2024-01-22_ordinary_meeting_minutes.pdf"
    assert run_together(db, [[YORK]], "--no-extract")[0][0] == 0  # the database exists first
    results = run_together(db, [[big], [big], [big]], "--no-extract")
    assert [err for code, _, err in results if code != 0] == []
    summaries = sorted(out.strip().splitlines()[-1] for _, out, _ in results)
    assert summaries == [
        "1 file: 0 added, 1 unchanged, 0 failed; 0 statements extracted",
        "1 file: 0 added, 1 unchanged, 0 failed; 0 statements extracted",
        "1 file: 1 added, 0 unchanged, 0 failed; 0 statements extracted",
    ]
    assert len(query(db, "SELECT id FROM documents WHERE path = ?", (str(big),))) == 1


def test_file_stored_by_another_process_meanwhile_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race above, made certain: the duplicate check runs before another writer commits."""
    db = tmp_path / "t.db"
    assert ingest(db, "--no-extract", str(YORK)).exit_code == 0
    real = followthrough.pipeline.find_document
    calls = []

    def not_yet(database, sha256):
        calls.append(sha256)
        return None if len(calls) == 1 else real(database, sha256)

    monkeypatch.setattr(followthrough.pipeline, "find_document", not_yet)
    result = ingest(db, "--no-extract", str(YORK))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0
    assert result.stdout.strip() == "1 file: 0 added, 1 unchanged, 0 failed; 0 statements extracted"
    assert document_rows(db)["documents"] == 1


class Boom(RuntimeError):
    pass


def test_failure_inside_store_document_leaves_no_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "t.db"
    real_insert_many = followthrough.ingest.insert_many

    def insert_many(database, table, rows):
        if table == "passages":  # after documents and pages are written
            raise Boom("disk full")
        return real_insert_many(database, table, rows)

    monkeypatch.setattr(followthrough.ingest, "insert_many", insert_many)
    path = ROOT / "corpus" / "rendered" / "cardiff_cabinet_2016-01-21_items86-89.pdf"
    result = ingest(db, str(path))
    # a bug met in one file fails that file (an internal error, exit 2), not the run
    assert result.exit_code == 2, result.output
    assert f"Error: {path}: internal error (Boom: disk full)" in result.stderr
    assert set(document_rows(db).values()) == {0}
    monkeypatch.undo()
    # nothing remembered: the same file loads afterwards
    again = ingest(db, str(path))
    assert again.exit_code == 0, again.output
    assert document_rows(db)["documents"] == 1
    assert document_rows(db)["pages"] == 2


def test_failure_in_an_after_store_hook_rolls_back_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hook(db, doc):
        raise Boom("tracking failed")

    monkeypatch.setattr(followthrough.pipeline, "AFTER_STORE", [hook])
    db = tmp_path / "t.db"
    result = ingest(db, str(YORK))
    assert result.exit_code == 2, result.output
    assert f"Error: {YORK}: internal error (Boom: tracking failed)" in result.stderr
    assert set(document_rows(db).values()) == {0}


def test_no_extract_stores_text_but_no_statements(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = ingest(db, "--no-extract", str(DOCS / "bridgend_cabinet_2023_ciw_improvement_check_item168.txt"))
    assert result.exit_code == 0
    assert result.stdout.strip() == "1 file: 1 added, 0 unchanged, 0 failed; 0 statements extracted"
    assert document_rows(db)["statements"] == 0
    assert document_rows(db)["passages"] > 0


def test_same_bytes_twice_in_one_run_are_stored_once(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes(YORK.read_bytes())
    db = tmp_path / "t.db"
    result = ingest(db, "--json", str(YORK), str(copy))
    assert result.exit_code == 0
    first, second = json.loads(result.stdout)["files"]
    assert (first["status"], second["status"]) == ("added", "unchanged")
    assert second["document_id"] == first["document_id"]
    assert document_rows(db)["documents"] == 1
