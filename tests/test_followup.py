"""Inspection follow-up on a real chain: Ofsted's 2022 and 2025 inspections of BCP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from followthrough.cli import cli
from followthrough.errors import UsageError
from followthrough.pipeline import ingest_paths
from followthrough.store import open_db, transaction
from followthrough.tracking.followup import STATUSES, followup, recommendations, view

REPORTS = Path(__file__).resolve().parent / "fixtures" / "reports"
EARLIER = REPORTS / "ofsted_ilacs_bcp_2022-02_inadequate.pdf"
LATER = REPORTS / "ofsted_ilacs_bcp_2025-01_good.pdf"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("followup") / "r.db"
    db = open_db(path)
    ingest_paths(db, [EARLIER, LATER])
    db.conn.close()
    return path


def test_the_earlier_reports_recommendations_are_its_improvement_list(db_path):
    db = open_db(db_path)
    gold = [
        s["quote"]
        for s in json.loads((REPORTS / "ofsted_ilacs_bcp_2022-02_inadequate.gold.json").read_text("utf-8"))[
            "statements"
        ]
    ]
    earlier_id = db.execute("SELECT id FROM documents WHERE name = ?", [EARLIER.name]).fetchone()[0]
    found = [t for t, _ in recommendations(db, earlier_id)]
    assert len(found) == len(gold)
    for quote, text in zip(gold, found):
        assert " ".join(quote.split())[:40] == text[:40]


def test_followup_finds_the_previous_report_and_judges_every_recommendation(db_path):
    db = open_db(db_path)
    result = followup(db, LATER.name)
    assert result.earlier == EARLIER.name
    assert len(result.items) == 7
    assert {i.status for i in result.items} <= set(STATUSES)
    for item in result.items:
        assert (item.status == "not mentioned") == (item.evidence == [])
        assert all(e.page for e in item.evidence)
    virtual_school = next(i for i in result.items if "virtual school" in i.text)
    assert virtual_school.status == "improved"
    assert "virtual school" in virtual_school.evidence[0].text.lower()
    with pytest.raises(UsageError, match="no earlier report"):
        followup(db, EARLIER.name)


def test_followup_cli_json_shape(db_path):
    result = CliRunner().invoke(
        cli, ["--db", str(db_path), "followup", "--earlier", EARLIER.name, "--later", LATER.name, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [set(r) >= {"text", "status", "evidence"} for r in rows] == [True] * 7
    assert all(set(e) >= {"text", "page", "score"} for r in rows for e in r["evidence"])
    same = CliRunner().invoke(cli, ["--db", str(db_path), "followup", "--earlier", LATER.name, "--later", LATER.name])
    assert same.exit_code == 1 and same.output.startswith("Error:")


def test_sub_bullets_complete_their_item(tmp_path):
    db = open_db(tmp_path / "s.db")
    text = "What needs to improve?\n◼ Services to care leavers, including:\n− suitable homes\n− health histories.\n◼ Permanence planning.\n"
    doc = tmp_path / "r.txt"
    doc.write_text(text, "utf-8")
    doc_id = ingest_paths(db, [doc], extract=False).files[0].document_id
    with transaction(db):
        for line in text.splitlines()[1:]:
            db.execute(
                "INSERT INTO statements (document_id, kind, text, start, \"end\", extracted_at) VALUES (?, 'recommendation', ?, ?, ?, 'x')",
                [doc_id, line, text.index(line), text.index(line) + len(line)],
            )
    assert [t for t, _ in recommendations(db, doc_id)] == [
        "Services to care leavers, including: − suitable homes − health histories.",
        "Permanence planning.",
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Quality assurance arrangements are now effective.", "improved"),
        ("Management oversight is still not used effectively.", "continuing"),
        ("Children wait too long for an assessment.", "continuing"),
        ("The local authority has strengthened its workforce.", "improved"),
        ("The virtual school is part of the service.", None),
    ],
)
def test_what_a_later_sentence_says(sentence, expected):
    assert view(sentence) == expected
