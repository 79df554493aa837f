"""The gap report and reviewer decisions: decisions survive re-runs and re-extraction,
the HTML is escaped and ordered, and the commands behave (CliRunner)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_link import build_db

from followthrough.cli import cli
from followthrough.link.decisions import record_decision
from followthrough.link.report import gap_report, render
from followthrough.store import insert_many, transaction


def finding_id(db, fragment: str) -> int:
    return db.execute("SELECT id FROM statements WHERE text LIKE ?", [f"%{fragment}%"]).fetchone()[0]


def item_id(db, ref: str) -> int:
    return db.execute("SELECT id FROM plan_items WHERE ref = ?", [ref]).fetchone()[0]


def links_of(report: dict, fragment: str) -> dict[str, str]:
    for f in report["findings"]:
        if fragment in f["text"]:
            return {l["ref"]: l["source"] for l in f["links"]}
    raise AssertionError(fragment)


def status_of(report: dict, fragment: str) -> str:
    return next(f["status"] for f in report["findings"] if fragment in f["text"])


def test_decisions_win_on_every_later_run(tmp_path):
    db, _ = build_db(tmp_path, "bridgend", "csv")
    workforce, wellbeing = finding_id(db, "fragility"), finding_id(db, "Emotional Wellbeing")
    before = gap_report(db).as_dict()
    assert links_of(before, "fragility") == {"4.1": "auto", "4.2": "auto", "4.3": "auto"}
    record_decision(db, workforce, item_id(db, "4.3"), "reject")
    record_decision(db, workforce, item_id(db, "4.1"), "confirm")
    record_decision(db, wellbeing, item_id(db, "4.4"), "add", note="budget covers the team")
    for _ in range(2):  # the same on every run
        report = gap_report(db).as_dict()
        assert links_of(report, "fragility") == {"4.1": "confirmed", "4.2": "auto"}
        assert links_of(report, "Emotional Wellbeing") == {"4.4": "added"}
        assert status_of(report, "Emotional Wellbeing") == "answered"
    stored = dict(db.execute("SELECT source, COUNT(*) FROM links GROUP BY source").fetchall())
    assert stored == {"auto": 2, "confirmed": 1, "added": 1}


def test_decisions_survive_re_extraction(tmp_path):
    """Statements get new ids when re-extracted; decisions follow their text."""
    db, _ = build_db(tmp_path, "bridgend", "csv")
    record_decision(db, finding_id(db, "fragility"), item_id(db, "4.2"), "reject")
    rows = [
        dict(zip([c[0] for c in cur.description], r)) for cur in [db.execute("SELECT * FROM statements")] for r in cur
    ]
    with transaction(db):
        db.execute("DELETE FROM statements")
        for row in rows:
            row.pop("id")
        insert_many(db, "statements", rows)
    report = gap_report(db).as_dict()
    assert links_of(report, "fragility") == {"4.1": "auto", "4.3": "auto"}


def test_bad_decision_ids_are_refused(tmp_path):
    db, _ = build_db(tmp_path, "bridgend", "csv")
    runner = CliRunner()
    path = str(tmp_path / "bridgend-csv.db")
    result = runner.invoke(cli, ["--db", path, "links", "confirm", "999", str(item_id(db, "4.1"))])
    assert result.exit_code == 1
    assert result.output == "Error: no finding with id 999\n"
    result = runner.invoke(cli, ["--db", path, "links", "reject", str(finding_id(db, "fragility")), "999"])
    assert result.output == "Error: no plan item with id 999\n"


def test_links_and_gaps_commands(tmp_path):
    db, gold = build_db(tmp_path, "anglesey2016", "csv")
    path = str(tmp_path / "anglesey2016-csv.db")
    runner = CliRunner()
    f, i = finding_id(db, "Referral information"), item_id(db, "SIP2")
    result = runner.invoke(cli, ["--db", path, "links", "add", str(f), str(i)])
    assert result.exit_code == 0, result.output
    assert result.output == f"add: finding {f} - plan row {i}\n"
    result = runner.invoke(cli, ["--db", path, "gaps", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) >= {"findings", "unlinked_plan_items", "commitments"}
    first = report["findings"][0]
    assert set(first) >= {"document", "kind", "text", "status", "links", "page"}
    assert links_of(report, "Referral information") == {"SIP2": "added"}
    for link in (l for f in report["findings"] for l in f["links"]):
        assert set(link) >= {"ref", "plan_document", "score", "reason"}
        assert link["plan_document"] == "plan.csv"
    result = runner.invoke(cli, ["--db", path, "gaps", "--format", "csv"])
    assert result.output.splitlines()[0].startswith("finding_id,document,page,kind,status,text,ref")
    result = runner.invoke(cli, ["--db", path, "gaps"])
    assert result.output.startswith("# Gap check")
    assert "## Gaps: no plan row answers these" in result.output


def test_gaps_argument_errors(tmp_path):
    build_db(tmp_path, "bridgend", "csv")
    path = str(tmp_path / "bridgend-csv.db")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", path, "gaps", "--plan", "nosuch.pdf"])
    assert result.exit_code == 1
    assert result.output == "Error: no document 'nosuch.pdf' in the database (--plan takes a file name, path or id)\n"
    result = runner.invoke(cli, ["--db", path, "gaps", "--plan", "findings.txt"])
    assert result.output == "Error: findings.txt has no action-plan rows\n"
    result = runner.invoke(cli, ["--db", path, "gaps", "--as-of", "31/03/2023"])
    assert result.exit_code == 2
    assert "'31/03/2023' is not a date in the form YYYY-MM-DD" in result.output


def test_html_is_escaped_self_contained_and_gaps_first(tmp_path):
    db, _ = build_db(tmp_path, "bridgend", "csv")
    doc = db.execute("SELECT id FROM documents WHERE name = 'findings.txt'").fetchone()[0]
    evil = 'Workforce <script>alert("x")</script> & <b>agency</b> staff'
    with transaction(db):
        insert_many(
            db,
            "statements",
            [
                {
                    "document_id": doc,
                    "kind": "concern",
                    "text": evil,
                    "start": 0,
                    "end": 10,
                    "topics": "[]",
                    "extracted_at": "2026-01-01T00:00:00",
                }
            ],
        )
    out = tmp_path / "gaps.html"
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "bridgend-csv.db"), "gaps", "--format", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;agency&lt;/b&gt;" in page
    assert "<link " not in page and "src=" not in page  # nothing fetched from elsewhere
    summary, gaps, addressed = page.index('class="summary"'), page.index("<h2>Gaps"), page.index("<h2>Answered")
    assert summary < gaps < addressed


def test_commitments_overdue_or_undated(tmp_path):
    db, _ = build_db(tmp_path, "bridgend", "csv")
    doc = db.execute("SELECT id FROM documents WHERE name = 'findings.txt'").fetchone()[0]
    base = {
        "document_id": doc,
        "kind": "commitment",
        "start": 0,
        "end": 5,
        "topics": "[]",
        "extracted_at": "2026-01-01T00:00:00",
    }
    with transaction(db):
        insert_many(
            db,
            "statements",
            [
                base
                | {
                    "text": "A refreshed plan would be brought to Cabinet in September 2023.",
                    "due_text": "September 2023",
                    "due_start": "2023-09-01",
                    "due_end": "2023-09-30",
                },
                base
                | {
                    "text": "Further reports would be submitted to Cabinet.",
                    "due_text": None,
                    "due_start": None,
                    "due_end": None,
                },
                base
                | {
                    "text": "A stocktake would take place in 2025.",
                    "due_text": "2025",
                    "due_start": "2025-01-01",
                    "due_end": "2025-12-31",
                },
            ],
        )
    from datetime import date

    report = gap_report(db, as_of=date(2024, 1, 31))
    got = {c.text[:20]: c.status for c in report.commitments}
    assert got == {"A refreshed plan wou": "overdue", "Further reports woul": "no date"}
    assert report.counts()["overdue"] == 1 and report.counts()["no_date"] == 1
    assert "Commitments overdue or undated (2)" in render(report, "md")


def test_reviewer_notes_show_in_the_reason(tmp_path):
    db, _ = build_db(tmp_path, "bridgend", "csv")
    wellbeing = finding_id(db, "Emotional Wellbeing")
    gap_report(db)  # the gap check proposes links; only a proposed link can be confirmed
    record_decision(db, wellbeing, item_id(db, "2.1"), "add", note="early help hubs run the wellbeing groups")
    record_decision(db, finding_id(db, "criminal"), item_id(db, "2.2"), "confirm", note="checked with the plan owner")
    report = gap_report(db).as_dict()
    reasons = {l["ref"]: l["reason"] for f in report["findings"] for l in f["links"]}
    assert reasons["2.1"] == "added by reviewer: early help hubs run the wellbeing groups"
    assert reasons["2.2"].endswith("; confirmed by reviewer: checked with the plan owner")
