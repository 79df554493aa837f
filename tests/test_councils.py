"""Which council a document is of: detected from its opening, compared by key and initials."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from followthrough.cli import cli
from followthrough.ingest import read_document
from followthrough.language import councils

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parent.parent / "corpus"


@pytest.mark.parametrize(
    ("opening", "council"),
    [
        (
            "Inspection of Bournemouth,\n\nChristchurch and Poole local authority\n\nchildren’s services",
            "Bournemouth, Christchurch and Poole",
        ),
        ("Local Area Partnership report\n\nArea SEND inspection of Halton Local\n\nArea Partnership", "Halton"),
        ("Devon County Council\n\nInspection of children’s social care services", "Devon"),
        ("Council of the Isles of Scilly – Children's Services. Tracker of the actions", "Isles of Scilly"),
        ("MANORDEILO & SALEM COMMUNITY COUNCIL\nMEETING 10th JANUARY 2018", "Manordeilo & Salem"),
        ("Minutes of the meeting of the London Borough of Camden Cabinet", "Camden"),
        ("Senior leaders in the council have made progress since the last inspection.", None),
    ],
)
def test_detect_from_the_opening(opening: str, council: str | None) -> None:
    assert councils.detect(opening) == council


def test_a_council_named_late_in_running_text_is_not_the_documents() -> None:
    text = (
        "Minutes of the Audit Committee.\n"
        + "The committee discussed the budget. " * 60
        + "Powys County Council wrote to us."
    )
    assert councils.detect(text) is None


def test_same_council_by_key_and_by_initials() -> None:
    assert councils.same("BCP Council", "Bournemouth, Christchurch and Poole")
    assert councils.same("Devon County Council", "Devon")
    assert councils.same("Bridgend County Borough Council", "bridgend")
    assert not councils.same("Halton", "Stoke-on-Trent")
    assert not councils.same("Devon", None)


def test_real_report_pdf_is_of_its_council() -> None:
    doc = read_document(CORPUS / "rendered" / "bridgend_cabinet_2023_ciw_improvement_check_item168.pdf")
    assert councils.same(doc.council, "Bridgend County Borough Council")


def test_ingest_council_option_overrides_detection(tmp_path: Path) -> None:
    db_path = tmp_path / "c.db"
    source = CORPUS / "documents" / "cardiff_cabinet_2016-01-21_items86-89.txt"
    result = CliRunner().invoke(cli, ["--db", str(db_path), "ingest", str(source), "--council", "Cardiff"])
    assert result.exit_code == 0, result.output
    rows = list(sqlite_utils.Database(db_path).query("SELECT council FROM documents"))
    assert rows == [{"council": "Cardiff"}]
