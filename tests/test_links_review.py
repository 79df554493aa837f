"""`links list`; `links confirm` of a pair never proposed is an error; repeating `links add`
keeps the notes given before."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from test_documents_cmd import MINUTES, PLAN, run


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    db = tmp_path / "t.db"
    assert run(db, "ingest", str(MINUTES), str(PLAN)).exit_code == 0
    assert run(db, "gaps").exit_code == 0
    return db


def first_link(db: Path) -> tuple[int, int]:
    return (
        sqlite3.connect(db)
        .execute("SELECT finding_id, plan_item_id FROM links ORDER BY finding_id, plan_item_id")
        .fetchone()
    )


def unlinked_pair(db: Path) -> tuple[int, int]:
    return (
        sqlite3.connect(db)
        .execute(
            "SELECT s.id, p.id FROM statements s, plan_items p WHERE s.kind IN ('recommendation', 'concern')"
            " AND NOT EXISTS (SELECT 1 FROM links l WHERE l.finding_id = s.id AND l.plan_item_id = p.id) ORDER BY s.id, p.id"
        )
        .fetchone()
    )


def test_links_list(db: Path) -> None:
    result = run(db, "links", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    count = sqlite3.connect(db).execute("SELECT count(*) FROM links").fetchone()[0]
    assert len(rows) == count > 0
    assert {"finding_id", "plan_item_id", "ref", "score", "source", "decision", "note", "finding"} <= set(rows[0])
    table = run(db, "links", "list")
    assert table.stdout.splitlines()[0].split()[:4] == ["finding_id", "plan_item_id", "ref", "plan_document"]


def test_confirm_of_a_pair_never_proposed_is_an_error(db: Path) -> None:
    finding, item = unlinked_pair(db)
    result = run(db, "links", "confirm", str(finding), str(item))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: finding {finding} and plan row {item} were never linked: "
        f"`followthrough links add {finding} {item}` adds a link the matcher missed"
    )
    linked = first_link(db)
    assert run(db, "links", "confirm", *map(str, linked)).exit_code == 0


def test_repeated_add_keeps_earlier_notes(db: Path) -> None:
    finding, item = unlinked_pair(db)
    assert run(db, "links", "add", str(finding), str(item), "--note", "row 4.1 covers recruitment").exit_code == 0
    assert run(db, "links", "add", str(finding), str(item)).exit_code == 0
    assert run(db, "links", "add", str(finding), str(item), "--note", "agreed at panel").exit_code == 0
    rows = json.loads(run(db, "links", "list", "--finding", str(finding), "--format", "json").stdout)
    (row,) = [r for r in rows if r["plan_item_id"] == item]
    assert (row["decision"], row["note"]) == ("add", "row 4.1 covers recruitment; agreed at panel")
