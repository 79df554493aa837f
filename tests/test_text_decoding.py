"""Text decoding for UK documents: UTF-8 (a few bad bytes replaced, with a warning), else
Windows-1252 with a warning; '£' from a Latin-1/Windows-1252 file comes out as '£'."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from followthrough.cli import cli
from followthrough.ingest.text import decode_text

ROOT = Path(__file__).resolve().parent.parent
YORK = ROOT / "corpus" / "documents" / "york_exec_2009-01-28_csci_apa_improvement_plan_decision.txt"
BUDGET = (
    "Minutes of the Cabinet held on 14 February 2023.\n"
    "The Cabinet noted the overspend of £1.2m on children’s placements – about 8% – and "
    "RESOLVED that the Director bring a recovery plan to the March meeting.\n"
)


def test_windows_1252_pound_and_quotes() -> None:
    text, warning = decode_text(BUDGET.encode("cp1252"))
    assert text == BUDGET
    assert warning == "not UTF-8: read as Windows-1252 (a guess; check '£' and quotes)"


def test_latin1_pound_sign_in_a_short_note() -> None:
    text, warning = decode_text("Budget gap of £300,000 for 2023/24.\n".encode("latin-1"))
    assert text == "Budget gap of £300,000 for 2023/24.\n"
    assert warning is not None


def test_utf8_with_one_stray_byte_keeps_the_rest() -> None:
    data = BUDGET.encode("utf-8").replace(b"about", b"ab\xffout")
    text, warning = decode_text(data)
    assert text == BUDGET.replace("about", "ab\ufffdout")
    assert warning == "1 byte that is not UTF-8 replaced by \ufffd"


def test_clean_utf8_has_no_warning() -> None:
    assert decode_text(BUDGET.encode("utf-8")) == (BUDGET, None)
    assert decode_text(b"\xef\xbb\xbf" + BUDGET.encode("utf-8")) == (BUDGET, None)


def test_ingest_warns_and_stores_the_right_text(tmp_path: Path) -> None:
    note = tmp_path / "cabinet_2023-02-14.txt"
    note.write_bytes(BUDGET.encode("cp1252"))
    db = tmp_path / "t.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", str(note), str(YORK)])
    assert result.exit_code == 0, result.output
    assert (
        f"Warning: {note}: not UTF-8: read as Windows-1252 (a guess; check '£' and quotes)"
        in result.stderr.splitlines()
    )
    (text,) = sqlite3.connect(db).execute("SELECT text FROM documents WHERE name = ?", [note.name]).fetchone()
    assert "£1.2m on children’s placements – about 8%" in text


def test_csv_plan_in_windows_1252(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_bytes(
        "Ref,Action,Lead,Timescale\n1.1,Find £250k of savings in placements,Head of Children’s Services,March 2024\n".encode(
            "cp1252"
        )
    )
    db = tmp_path / "t.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", "--json", str(plan)])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)["files"]
    assert entry["warnings"] == ["not UTF-8: read as Windows-1252 (a guess; check '£' and quotes)"]
    action, lead = sqlite3.connect(db).execute("SELECT action, lead FROM plan_items").fetchone()
    assert (action, lead) == ("Find £250k of savings in placements", "Head of Children’s Services")
