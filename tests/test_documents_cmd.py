"""`followthrough documents`: list, show, update (re-extracts and re-tracks), remove (and
everything derived); re-ingesting the same bytes with other overrides updates the document."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from followthrough.cli import cli

ROOT = Path(__file__).resolve().parent.parent
MINUTES = ROOT / "corpus" / "rendered" / "bridgend_cabinet_2023_ciw_improvement_check_item168.pdf"
PLAN = ROOT / "corpus" / "bridgend-plan" / "plan.pdf"


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    db = tmp_path / "t.db"
    assert run(db, "ingest", str(MINUTES), "--body", "Cabinet", "--meeting-date", "2023-02-14").exit_code == 0
    assert run(db, "ingest", str(PLAN)).exit_code == 0
    return db


def table(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_list(db: Path) -> None:
    result = run(db, "documents")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "name", "kind", "council", "body", "meeting_date", "statements"]
    rows = json.loads(run(db, "documents", "list", "--format", "json").stdout)
    names = {r["name"]: r for r in rows}
    assert names[MINUTES.name]["statements"] == table(db, "SELECT count(*) FROM statements WHERE document_id = 1")[0][0]
    assert names[PLAN.name]["kind"] == "action plan"


def test_show(db: Path) -> None:
    result = run(db, "documents", "show", MINUTES.name, "--format", "json")
    assert result.exit_code == 0, result.output
    (details,) = json.loads(result.stdout)
    assert details["id"] == 1 and details["file_type"] == "pdf" and details["page_count"] == 2
    assert sum(details["statements"].values()) > 0
    missing = run(db, "documents", "show", "99")
    assert missing.exit_code == 1
    assert (
        missing.stderr.strip() == "Error: no document '99' in the database (--document takes a file name, path or id)"
    )


def test_update_re_extracts_and_re_tracks(db: Path) -> None:
    before = table(db, "SELECT text FROM statements WHERE document_id = 1 ORDER BY id")
    with sqlite3.connect(db) as conn:  # a stale extraction, which re-extraction replaces
        conn.execute("UPDATE statements SET text = 'stale' WHERE document_id = 1")
    result = run(db, "documents", "update", "1", "--body", "Scrutiny Committee", "--meeting-date", "2022-02-14")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Document 1 updated (body Cabinet -> Scrutiny Committee, meeting date 2023-02-14 -> 2022-02-14); "
    )
    assert table(db, "SELECT body, meeting_date FROM documents WHERE id = 1") == [("Scrutiny Committee", "2022-02-14")]
    assert table(db, "SELECT text FROM statements WHERE document_id = 1 ORDER BY id") == before
    again = run(db, "documents", "update", "1", "--body", "Scrutiny Committee")
    assert again.stdout.strip() == "Document 1 unchanged: it has these values already."


def test_reingest_with_other_overrides_updates(db: Path) -> None:
    result = run(db, "ingest", str(MINUTES), "--body", "Council", "--meeting-date", "2023-03-01")
    assert result.exit_code == 0, result.output
    assert f"Updated {MINUTES}: body Cabinet -> Council, meeting date 2023-02-14 -> 2023-03-01" in result.stderr
    assert result.stdout.strip().startswith("1 file: 0 added, 1 updated, 0 unchanged, 0 failed;")
    assert table(db, "SELECT body, meeting_date FROM documents WHERE id = 1") == [("Council", "2023-03-01")]
    same = run(db, "ingest", str(MINUTES), "--body", "Council")
    assert same.stdout.strip() == "1 file: 0 added, 1 unchanged, 0 failed; 0 statements extracted"


def test_remove_takes_everything_derived(db: Path) -> None:
    assert run(db, "gaps").exit_code == 0  # links
    finding, item = table(db, "SELECT finding_id, plan_item_id FROM links LIMIT 1")[0]
    assert run(db, "links", "reject", str(finding), str(item), "--note", "no").exit_code == 0
    result = run(db, "documents", "remove", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Removed document 1 ({MINUTES.name}) with ")
    for name in ("statements", "pages", "items", "passages", "commitment_evidence"):
        assert table(db, f"SELECT count(*) FROM {name} WHERE document_id = 1") == [(0,)], name
    assert table(db, "SELECT count(*) FROM links") == [(0,)]
    assert table(db, "SELECT count(*) FROM link_decisions") == [(0,)]
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO statements_fts(statements_fts) VALUES ('integrity-check')")  # index in step
    conn.close()
    assert [r["id"] for r in json.loads(run(db, "documents", "list", "--format", "json").stdout)] == [2]
    assert run(db, "search", "workforce").exit_code == 0
