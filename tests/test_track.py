"""Commitment tracking across a sequence of ingests, on the real Bridgend minute.

Statements stand in for extraction (the dev set's gold for the corpus minute, and the
statements an extractor finds in the later minutes written for these tests), so the
tests check tracking, not extraction.
"""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tracking_support import (
    BRIDGEND_168,
    DEFERRED,
    OCTOBER,
    REFRESHED_PLAN,
    SEPTEMBER,
    add_statement,
    fake_extractor,
    gold_statements,
    ingest,
)

from followthrough.cli import cli
from followthrough.models import DueDate, Statement
from followthrough.store import open_db, transaction
from followthrough.tracking import list_commitments, review_evidence, track_all

LATER = {
    SEPTEMBER.name: [
        Statement(
            "decision",
            "That the minutes of the meeting of Cabinet of 18 July 2023 be approved as a true and accurate record",
            0,
            0,
        ),
        Statement(
            "decision",
            "That Cabinet approved the refreshed three-year strategic plan for Children's Social Care 2023-2026 attached at Appendix 1 to the report",
            0,
            0,
        ),
        Statement(
            "commitment",
            "six-monthly progress reports would be presented to Cabinet and to the Subject Overview and Scrutiny Committee 2",
            0,
            0,
            actor="Corporate Director, Social Services and Wellbeing",
            due=DueDate("six-monthly"),
        ),
        Statement("decision", "That Cabinet noted the report and approved the budget consultation process", 0, 0),
    ],
    DEFERRED.name: [
        Statement(
            "commitment",
            "the refreshed plan would now be brought to Cabinet in December 2023",
            0,
            0,
            actor="Corporate Director, Social Services and Wellbeing",
            due=DueDate("December 2023", date(2023, 12, 1), date(2023, 12, 31)),
        ),
        Statement("decision", "That Cabinet noted the verbal update", 0, 0),
    ],
    OCTOBER.name: [
        Statement("decision", "That Cabinet approved the revised programme and the associated capital budget", 0, 0),
        Statement("decision", "That Cabinet noted the report", 0, 0),
        Statement("decision", "That Cabinet noted the projected revenue position for 2023-24", 0, 0),
    ],
}


@pytest.fixture
def db(monkeypatch, tmp_path):
    fake_extractor(monkeypatch, {BRIDGEND_168.name: gold_statements(BRIDGEND_168.name), **LATER})
    database = open_db(tmp_path / "track.db")
    yield database
    database.conn.close()


def _ingest_168(db) -> int:
    return ingest(db, BRIDGEND_168, meeting_date=date(2023, 2, 14), body="Cabinet")


def _plan(db, as_of: date):
    found = [c for c in list_commitments(db, as_of=as_of) if c.text == REFRESHED_PLAN]
    assert len(found) == 1, [c.text for c in list_commitments(db, as_of=as_of)]
    return found[0]


def test_without_a_later_minute_the_refreshed_plan_is_overdue_after_september(db):
    _ingest_168(db)
    assert _plan(db, date(2023, 8, 1)).status == "open"
    assert _plan(db, date(2023, 9, 15)).status == "due"
    plan = _plan(db, date(2023, 10, 31))
    assert plan.status == "overdue"
    assert plan.evidence == []
    assert [h["event"] for h in plan.history] == ["made", "due", "overdue"]


def test_september_minute_approving_the_new_plan_marks_it_done(db):
    _ingest_168(db)
    ingest(db, SEPTEMBER)
    plan = _plan(db, date(2023, 10, 31))
    assert plan.status == "done"
    reported = [e for e in plan.evidence if e.kind == "done"]
    assert [e.document for e in reported] == [SEPTEMBER.name]
    assert "refreshed three-year strategic plan" in reported[0].text
    assert reported[0].score >= 0.55
    assert "in due window 2023-09-01..2023-09-30" in reported[0].reason
    assert "Cabinet" in reported[0].reason
    # Before the September meeting took place, the evidence did not exist yet.
    assert _plan(db, date(2023, 9, 15)).status == "due"
    assert [h["event"] for h in plan.history] == ["made", "due", "done"]


def test_unrelated_later_minute_is_no_evidence(db):
    _ingest_168(db)
    ingest(db, OCTOBER)
    plan = _plan(db, date(2023, 10, 31))
    assert plan.status == "overdue"
    assert plan.evidence == []
    # The budget and highways decisions are not evidence for any Bridgend commitment.
    assert all(not c.evidence for c in list_commitments(db, as_of=date(2023, 10, 31)))


def test_restated_commitment_with_a_new_date_is_re_dated_keeping_the_old_date(db):
    _ingest_168(db)
    ingest(db, DEFERRED)
    plan = _plan(db, date(2023, 10, 31))
    assert plan.status == "re-dated"
    assert (plan.due_end, plan.redated_due_end, plan.redated_due_text) == ("2023-09-30", "2023-12-31", "December 2023")
    assert [e.kind for e in plan.evidence] == ["re-dated"]
    assert "restated with new date 'December 2023'" in plan.evidence[0].reason
    # The restatement is folded into the original, not listed as a second commitment.
    texts = [c.text for c in list_commitments(db, as_of=date(2023, 10, 31))]
    assert "the refreshed plan would now be brought to Cabinet in December 2023" not in texts
    # Past the new date with nothing reported, it is overdue again.
    assert _plan(db, date(2024, 1, 31)).status == "overdue"
    assert [h["event"] for h in _plan(db, date(2024, 1, 31)).history] == ["made", "due", "re-dated", "overdue"]


def test_re_dated_then_delivered(db):
    _ingest_168(db)
    ingest(db, DEFERRED)
    december = SEPTEMBER.parent / "december.txt"
    december.write_text(SEPTEMBER.read_text("utf-8").replace("19th September, 2023", "12th December, 2023"), "utf-8")
    try:
        LATER["december.txt"] = LATER[SEPTEMBER.name]
        ingest(db, december)
    finally:
        LATER.pop("december.txt", None)
        december.unlink()
    assert _plan(db, date(2024, 1, 31)).status == "done"


def test_ingest_order_does_not_matter(db):
    ingest(db, SEPTEMBER)
    _ingest_168(db)
    assert _plan(db, date(2023, 10, 31)).status == "done"


def test_reviewer_reject_and_confirm_win_over_automatic_tracking(db):
    _ingest_168(db)
    ingest(db, SEPTEMBER)
    evidence = _plan(db, date(2023, 10, 31)).evidence[0]
    review_evidence(db, evidence.id, "rejected", "a different plan")
    assert _plan(db, date(2023, 10, 31)).status == "overdue"
    track_all(db)  # a later run recomputes automatic evidence
    plan = _plan(db, date(2023, 10, 31))
    assert plan.status == "overdue"
    assert [(e.text, e.source) for e in plan.evidence] == [(evidence.text, "rejected")]
    events = [h["event"] for h in _plan(db, date.today()).history]
    assert events == ["made", "due", "done", "overdue", "evidence rejected"]
    # The decision is kept by text, so it survives re-extraction (new statement ids).
    with transaction(db):
        rows = db.execute(
            "SELECT document_id, kind, text, actor, due_text, due_start, due_end FROM statements WHERE text = ?",
            [REFRESHED_PLAN],
        ).fetchall()
        db.execute("DELETE FROM statements WHERE text = ?", [REFRESHED_PLAN])
        doc_id, kind, text, actor, due_text, due_start, due_end = rows[0]
        add_statement(
            db,
            doc_id,
            kind,
            text,
            actor=actor,
            due=DueDate(due_text, date.fromisoformat(due_start), date.fromisoformat(due_end)),
        )
    track_all(db)
    plan = _plan(db, date(2023, 10, 31))
    assert plan.status == "overdue"
    assert [e.source for e in plan.evidence] == ["rejected"]
    review_evidence(db, plan.evidence[0].id, "confirmed")
    track_all(db)
    assert _plan(db, date(2023, 10, 31)).status == "done"


def test_confirming_related_evidence_counts_as_reported(db):
    doc = _ingest_168(db)
    later = ingest(db, OCTOBER)
    with transaction(db):
        cid = db.execute("SELECT id FROM statements WHERE text = ?", [REFRESHED_PLAN]).fetchone()[0]
        text = db.execute("SELECT text FROM documents WHERE id = ?", [later]).fetchone()[0]
        start = text.index("That Cabinet noted the report")
        db.execute(
            'INSERT INTO commitment_evidence (commitment_id, document_id, kind, start, "end", score, reason, created_at)'
            " VALUES (?, ?, 'related', ?, ?, 0.5, 'test', '2026-01-01')",
            [cid, later, start, start + len("That Cabinet noted the report")],
        )
    eid = db.execute("SELECT id FROM commitment_evidence WHERE commitment_id = ?", [cid]).fetchone()[0]
    assert doc and _plan(db, date(2023, 10, 31)).status == "overdue"
    review_evidence(db, eid, "confirmed")
    assert _plan(db, date(2023, 10, 31)).status == "reported"


def test_prefilter_finds_the_evidence_among_many_decoy_commitments(db):
    doc = _ingest_168(db)
    rng = random.Random(5)
    words = BRIDGEND_168.read_text("utf-8").split()
    with transaction(db):
        for _ in range(3000):
            text = " ".join(rng.sample(words, 14))
            day = date(2023, rng.randint(1, 12), rng.randint(1, 28))
            add_statement(db, doc, "commitment", text, due=DueDate(day.isoformat(), day, day))
    ingest(db, SEPTEMBER)
    assert _plan(db, date(2023, 10, 31)).status == "done"


def test_commitments_cli_json_shape_and_filters(db, tmp_path):
    _ingest_168(db)
    runner = CliRunner()
    base = ["--db", str(tmp_path / "track.db"), "commitments"]
    result = runner.invoke(cli, base + ["--as-of", "2023-10-31", "--overdue", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert REFRESHED_PLAN in [r["text"] for r in rows]
    assert {r["status"] for r in rows} == {"overdue"}
    assert {"document", "text", "actor", "due_text", "due_end", "status", "evidence"} <= set(rows[0])
    result = runner.invoke(cli, base + ["--as-of", "2023-09-05", "--due-within", "30", "--format", "json"])
    assert [r["text"] for r in json.loads(result.output)] == [REFRESHED_PLAN]
    result = runner.invoke(cli, base + ["--owner", "Leader", "--format", "json"])
    assert json.loads(result.output) == []
    ingest(db, SEPTEMBER)
    result = runner.invoke(cli, base + ["--as-of", "2023-10-31", "--format", "json"])
    plan = next(r for r in json.loads(result.output) if r["text"] == REFRESHED_PLAN)
    assert plan["status"] == "done"
    assert set(plan["evidence"][0]) >= {"document", "text", "score", "reason"}
    assert plan["evidence"][0]["document"] == SEPTEMBER.name


def test_evidence_cli_review_messages(db, tmp_path):
    _ingest_168(db)
    ingest(db, SEPTEMBER)
    eid = _plan(db, date(2023, 10, 31)).evidence[0].id
    runner = CliRunner()
    base = ["--db", str(tmp_path / "track.db"), "evidence"]
    result = runner.invoke(cli, base + ["reject", str(eid), "--note", "wrong plan"])
    assert result.exit_code == 0
    cid = _plan(db, date(2023, 10, 31)).id
    assert result.output == f"Evidence {eid} rejected for commitment {cid}.\n"
    result = runner.invoke(cli, base + ["confirm", "9999"])
    assert result.exit_code == 1
    assert result.output == "Error: no evidence with id 9999\n"


def test_track_command_recomputes_without_duplicating(db, tmp_path):
    _ingest_168(db)
    ingest(db, SEPTEMBER)
    before = db.execute(
        'SELECT commitment_id, document_id, kind, start, "end", score FROM commitment_evidence ORDER BY id'
    ).fetchall()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "track.db"), "track"])
    assert result.exit_code == 0
    assert result.output == f"2 documents tracked; {len(before)} evidence links.\n"
    after = db.execute(
        'SELECT commitment_id, document_id, kind, start, "end", score FROM commitment_evidence ORDER BY id'
    ).fetchall()
    assert sorted(after) == sorted(before)
    assert _plan(db, date(2023, 10, 31)).history.count(_plan(db, date(2023, 10, 31)).history[-1]) == 1


def test_document_without_a_meeting_date_is_no_evidence(db, tmp_path):
    """Nothing says an undated document came after the promise (taking the documents loaded
    before it made the evidence depend on the order of loading): give it --meeting-date."""
    _ingest_168(db)
    undated = tmp_path / "undated.txt"
    undated.write_text("\n".join(SEPTEMBER.read_text("utf-8").splitlines()[1:]), "utf-8")
    LATER[undated.name] = LATER[SEPTEMBER.name]
    try:
        ingest(db, undated)
    finally:
        LATER.pop(undated.name)
    plan = _plan(db, date(2023, 10, 31))
    assert plan.evidence == []
    assert plan.status == "overdue"


def test_passage_sentences_are_evidence_too(db):
    _ingest_168(db)
    ingest(db, SEPTEMBER)
    stocktake = next(c for c in list_commitments(db, as_of=date(2023, 10, 31)) if c.text.startswith("a stocktake"))
    assert stocktake.status == "done"
    assert "following the stocktake of progress" in stocktake.evidence[0].text  # a minuted sentence, not a statement


@pytest.mark.parametrize(
    ("sentence", "delivery"),
    [
        ("The Corporate Director presented the refreshed plan for approval.", True),
        ("RESOLVED: That Cabinet approved the refreshed plan.", True),
        ("The refreshed plan would now be brought to Cabinet in December 2023.", False),
        ("A progress report will be presented to Cabinet in the spring.", False),
        ("The plan is to be submitted to the Committee.", False),
        ("Caseloads remained high.", False),
        ("The Corporate Director presented a report which sought Cabinet approval to approve the strategy.", True),
    ],
)
def test_delivery_cues_exclude_promises(sentence, delivery):
    from followthrough.tracking.match import delivery_cue, is_promise

    assert (delivery_cue(sentence) is not None and not is_promise(sentence)) is delivery


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(min_size=1, max_size=120), min_size=1, max_size=6))
def test_tracking_never_fails_on_odd_statement_text(db, texts):
    doc = db.execute("SELECT id FROM documents").fetchone()
    if doc is None:
        doc = (_ingest_168(db),)
    with transaction(db):
        for text in texts:
            add_statement(
                db, doc[0], "commitment", text, due=DueDate("March 2023", date(2023, 3, 1), date(2023, 3, 31))
            )
            add_statement(db, doc[0], "decision", text)
    track_all(db)
    from followthrough.tracking.status import STATUSES

    assert all(c.status in STATUSES for c in list_commitments(db))
