"""The whole pipeline on the linking cases: ingest findings and plan, extract, link, score.

Findings come from the extractor (not from the gold quotes), so this measures what a user
gets from `followthrough ingest findings.txt plan.pdf && followthrough gaps --format json`.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from followthrough.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "link"
_spec = importlib.util.spec_from_file_location("score_links", FIXTURES / "score_links.py")
score_links = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score_links)


@pytest.mark.parametrize("case", ["bridgend", "anglesey2016"])
@pytest.mark.parametrize("fmt", ["pdf", "docx", "csv"])
def test_extracted_findings_link_to_the_right_plan_rows(tmp_path, case, fmt):
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    loaded = runner.invoke(
        cli, ["--db", db, "ingest", str(FIXTURES / case / "findings.txt"), str(FIXTURES / case / f"plan.{fmt}")]
    )
    assert loaded.exit_code == 0, loaded.output
    report = runner.invoke(cli, ["--db", db, "gaps", "--format", "json"])
    assert report.exit_code == 0, report.output
    gold = json.loads((FIXTURES / case / "gold.json").read_text(encoding="utf-8"))
    result = score_links.score(gold, json.loads(report.output))
    assert result["findings_found"] == result["findings"], result["rows"]
    # The decision is calibrated by leave-one-case-out over six cases (issue 10), no longer
    # fitted to these two: bridgend's extracted workforce sentence now links 4.1 only
    # (F1 0.67), anglesey scores 0.94. Every designed gap is still flagged.
    assert result["link_f1"] >= 0.6, result["rows"]
    assert result["gap_recall"] == 1.0, result["rows"]


def test_gap_report_for_one_findings_document_lists_only_its_commitments(tmp_path):
    db = str(tmp_path / "t.db")
    docs = Path(__file__).resolve().parent.parent / "corpus" / "documents"
    runner = CliRunner()
    loaded = runner.invoke(
        cli,
        [
            "--db",
            db,
            "ingest",
            str(FIXTURES / "bridgend" / "findings.txt"),
            str(FIXTURES / "bridgend" / "plan.csv"),
            str(docs / "sefton_osc_childrens_2017-09-26_item18_improvement_plan.txt"),
        ],
    )
    assert loaded.exit_code == 0, loaded.output
    report = json.loads(
        runner.invoke(
            cli, ["--db", db, "gaps", "--findings", "findings.txt", "--as-of", "2023-10-31", "--format", "json"]
        ).output
    )
    assert report["commitments"]
    assert {c["document"] for c in report["commitments"]} == {"findings.txt"}
    overdue = [c["text"] for c in report["commitments"] if c["status"] == "overdue"]
    assert "a refreshed plan would be brought to Cabinet in September 2023." in overdue


def test_re_extracting_a_minute_keeps_its_commitments_tracked(tmp_path):
    db = str(tmp_path / "t.db")
    docs = Path(__file__).resolve().parent.parent / "corpus" / "documents"
    later = (
        Path(__file__).resolve().parent
        / "fixtures"
        / "tracking"
        / "bridgend_cabinet_2023-09-19_refreshed_childrens_plan.txt"
    )
    runner = CliRunner()
    first = docs / "bridgend_cabinet_2023_ciw_improvement_check_item168.txt"
    assert (
        runner.invoke(
            cli, ["--db", db, "ingest", str(first), "--meeting-date", "2023-02-14", "--body", "Cabinet"]
        ).exit_code
        == 0
    )
    assert runner.invoke(cli, ["--db", db, "ingest", str(later)]).exit_code == 0

    def status() -> str:
        rows = json.loads(
            runner.invoke(cli, ["--db", db, "commitments", "--as-of", "2023-10-31", "--format", "json"]).output
        )
        return next(r["status"] for r in rows if r["text"].startswith("a refreshed plan"))

    assert status() == "done"  # "That Cabinet approved the refreshed ... plan"
    for again in (first, later):  # new statement ids on either side of the evidence
        assert (
            runner.invoke(
                cli,
                ["--db", db, "extract", str(again), "--meeting-date", "2023-02-14" if again == first else "2023-09-19"],
            ).exit_code
            == 0
        )
        assert status() == "done"


def test_two_plans_with_one_file_name_are_told_apart(tmp_path):
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    bridgend, anglesey = FIXTURES / "bridgend" / "plan.csv", FIXTURES / "anglesey2016" / "plan.csv"
    assert (
        runner.invoke(
            cli, ["--db", db, "ingest", str(bridgend), str(anglesey), str(FIXTURES / "bridgend" / "findings.txt")]
        ).exit_code
        == 0
    )
    ambiguous = runner.invoke(cli, ["--db", db, "gaps", "--plan", "plan.csv"])
    assert ambiguous.exit_code == 1
    assert ambiguous.output == "Error: 'plan.csv' names 2 documents (ids 1, 2): give --plan a path or an id\n"
    report = json.loads(runner.invoke(cli, ["--db", db, "gaps", "--format", "json"]).output)
    assert report["plans"] == [str(bridgend), str(anglesey)]
    one = json.loads(runner.invoke(cli, ["--db", db, "gaps", "--plan", str(anglesey), "--format", "json"]).output)
    assert one["plans"] == ["plan.csv"]
