"""Tracking evidence does not depend on the order documents are loaded in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from followthrough.cli import cli

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "documents"


def _evidence(db: Path, files: list[Path]) -> set[tuple[str, str, str]]:
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", *map(str, files)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        return set(
            conn.execute(
                "SELECT c.text, d.name, e.kind FROM commitment_evidence e"
                " JOIN statements c ON c.id = e.commitment_id JOIN documents d ON d.id = e.document_id"
            ).fetchall()
        )


def test_the_same_evidence_whatever_the_loading_order(tmp_path: Path) -> None:
    files = sorted(CORPUS.glob("*.txt"))
    forward = _evidence(tmp_path / "forward.db", files)
    backward = _evidence(tmp_path / "backward.db", list(reversed(files)))
    assert forward == backward


def test_the_commitments_table_names_document_council_body_and_actor(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    pdf = CORPUS.parent / "rendered" / "bridgend_cabinet_2023_ciw_improvement_check_item168.pdf"
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["--db", str(db), "ingest", str(pdf), "--body", "Cabinet", "--meeting-date", "2023-02-14"]
        ).exit_code
        == 0
    )
    result = runner.invoke(cli, ["--db", str(db), "commitments", "--as-of", "2023-10-31"])
    assert result.exit_code == 0, result.output
    header, _, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["id", "document", "where", "meeting_date"] and "actor" in header
    refreshed = next(r for r in rows if "a refreshed plan would be brought" in r)
    assert pdf.name in refreshed and "Bridgend Cabinet" in refreshed
    assert "Corporate Director, Social Services and Wellbeing" in refreshed
