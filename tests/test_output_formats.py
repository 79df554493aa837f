"""One output option everywhere (--format table|json|jsonl|csv; ingest's --json an alias),
`extract` says when a file yields nothing, plurals are right, and a report that cannot be
written is one Error line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_documents_cmd import MINUTES, PLAN, run

from followthrough.cli import cli

YORK = (
    Path(__file__).resolve().parent.parent
    / "corpus"
    / "documents"
    / "york_exec_2009-01-28_csci_apa_improvement_plan_decision.txt"
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("formats") / "t.db"
    assert run(db, "ingest", str(MINUTES), "--body", "Cabinet", "--meeting-date", "2023-02-14").exit_code == 0
    assert run(db, "ingest", str(PLAN)).exit_code == 0
    assert run(db, "gaps").exit_code == 0
    return db


LISTINGS = [
    ["statements"],
    ["search", "workforce"],
    ["commitments", "--as-of", "2023-10-31"],
    ["documents", "list"],
    ["links", "list"],
]


@pytest.mark.parametrize("command", LISTINGS, ids=lambda c: c[0])
def test_every_listing_takes_every_format(db: Path, command: list[str]) -> None:
    as_json = json.loads(run(db, *command, "--format", "json").stdout)
    assert isinstance(as_json, list) and as_json
    lines = run(db, *command, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == as_json
    rows = list(csv.DictReader(io.StringIO(run(db, *command, "--format", "csv").stdout)))
    assert len(rows) == len(as_json)
    table = run(db, *command, "--format", "table").stdout.splitlines()
    assert len(table) == len(as_json) + 2  # header, rule, rows


def test_ingest_formats(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    alias = run(db, "ingest", "--json", str(YORK))
    assert json.loads(alias.stdout)["files"][0]["status"] == "added"
    jsonl = run(db, "ingest", "--format", "jsonl", str(YORK))
    assert json.loads(jsonl.stdout)["status"] == "unchanged"
    rows = list(csv.DictReader(io.StringIO(run(db, "ingest", "--format", "csv", str(YORK)).stdout)))
    assert [(r["path"], r["status"]) for r in rows] == [(str(YORK), "unchanged")]


def test_extract_json_and_a_file_with_nothing(tmp_path: Path) -> None:
    nothing = tmp_path / "notice.txt"
    nothing.write_text("Room booking notice. The hall is closed on Friday afternoons for cleaning.\n")
    result = CliRunner().invoke(cli, ["extract", "--no-store", "--format", "json", str(nothing), str(YORK)])
    assert result.exit_code == 0, result.output
    assert f"No statements found in {nothing}." in result.stderr.splitlines()
    assert {row["document"] for row in json.loads(result.stdout)} == {YORK.name}


def test_plurals(db: Path, tmp_path: Path) -> None:
    one = tmp_path / "one.db"
    assert run(one, "ingest", str(YORK)).exit_code == 0
    track = run(one, "track")
    assert track.stdout.strip().startswith("1 document tracked; ")
    assert "1 documents" not in track.stdout


def test_gaps_to_a_missing_folder_is_one_error_line(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "gaps.html"
    result = run(db, "gaps", "--format", "html", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot write {target}: No such file or directory"
    written = run(db, "gaps", "-o", str(tmp_path / "gaps.md"))
    assert written.exit_code == 0
    assert " 1 findings" not in written.stderr and " 1 gaps" not in written.stderr
