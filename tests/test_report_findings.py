"""The gap check's findings are the report's findings (link/findings.py): list items and body
statements, framing kept apart as context, one finding per point; and trackers whose action
column has a name of its own are read (ingest/tables.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthrough.ingest import read_document
from followthrough.ingest.tables import column_for
from followthrough.link.findings import is_framing, select_findings
from followthrough.link.report import gap_report
from followthrough.models import Statement
from followthrough.pipeline import ingest_paths
from followthrough.store import open_db

FIXTURES = Path(__file__).parent / "fixtures"


def statement(kind: str, text: str, start: int = 0, *, id: int, section: str | None = None) -> Statement:
    return Statement(kind=kind, text=text, start=start, end=start + len(text), id=id, document_id=1, section=section)


@pytest.mark.parametrize(
    "text",
    [
        "Further improvements are needed in key areas.",
        "We expect the local authority to take appropriate action to address the areas identified.",
        "The local authority should address the areas for improvement.",
        "The Corporate Director highlighted two particular areas of concern.",
        "this required a whole Council approach.",
    ],
)
def test_statements_about_the_findings_as_a_whole_are_framing(text: str) -> None:
    assert is_framing(statement("recommendation", text, id=1))


@pytest.mark.parametrize(
    "text",
    [
        "The application of thresholds for different levels of intervention is inconsistent.",
        "Referral information received from partners was poor",
        "Multi-agency work to address this was urgently needed",
        "He said that caseloads were too high.",
        "their visibility is poor.",
    ],
)
def test_statements_with_a_subject_of_their_own_are_findings(text: str) -> None:
    assert not is_framing(statement("concern", text, id=1))


def test_a_list_item_is_never_framing() -> None:
    item = statement("recommendation", "Further improvements.", id=1, section="What needs to improve?")
    assert not is_framing(item)


def test_a_heading_read_as_a_statement_is_context() -> None:
    doc = "Summary.\n\nOverall effectiveness: inadequate\n\nThe front door is slow to respond.\n"
    heading = statement("concern", "Overall effectiveness: inadequate", doc.index("Overall"), id=1)
    sentence = statement("concern", "The front door is slow to respond.", doc.index("The front"), id=2)
    chosen = select_findings([heading, sentence], {1: doc})
    assert [s.id for s in chosen.context] == [1]
    assert [s.id for s in chosen.findings] == [2]


def test_the_same_point_as_recommendation_and_concern_is_one_finding() -> None:
    text = "Management oversight must improve, as supervision is infrequent."
    concern = statement("concern", text, 100, id=1)
    recommendation = statement("recommendation", text, 100, id=2)
    other = statement("concern", "Care leavers lack suitable homes.", 300, id=3)
    chosen = select_findings([concern, recommendation, other])
    assert [s.id for s in chosen.findings] == [2, 3]  # the recommendation, in text order
    assert chosen.merged == {1: 2}


def test_near_identical_statements_and_list_items_are_one_finding() -> None:
    item = statement(
        "recommendation", "The quality of strategy discussions.", 50, id=1, section="What needs to improve?"
    )
    body = statement("concern", "the quality of strategy discussions", 900, id=2)
    overlapping = statement("concern", "strategy discussions.", 65, id=3)
    chosen = select_findings([item, body, overlapping])
    assert [s.id for s in chosen.findings] == [1]


@pytest.fixture(scope="module")
def stoke(tmp_path_factory):
    db = open_db(tmp_path_factory.mktemp("stoke") / "db.sqlite")
    report = FIXTURES / "reports" / "ofsted_ilacs_stoke_2025-07_requires_improvement.pdf"
    ingest_paths(db, [report, FIXTURES / "plans" / "stoke2025_plan.csv"])
    return gap_report(db)


def test_every_list_item_of_the_real_report_is_a_finding(stoke) -> None:
    """Six items, each one finding: the body's "The response to 16- and 17-year-olds who present
    as homeless is ineffective." repeats the first item's words and is folded into it."""
    listed = [f for f in stoke.findings if f.section == "What needs to improve?"]
    assert len(listed) == 6 and all("National Framework" in f.text for f in listed)
    assert [f.text for f in stoke.findings if f.text.startswith("The response to 16-")] == [
        "The response to 16- and 17-year-olds who present as homeless. (Outcome\nThree, National Framework)"
    ]


def test_framing_and_headings_of_the_real_report_are_context_not_gaps(stoke) -> None:
    context = {" ".join(c.text.split()) for c in stoke.context}
    texts = {" ".join(f.text.split()) for f in stoke.findings}
    # the judgement heading is context where extraction keeps it (the learned classifier may
    # drop it altogether), never a finding
    assert not any(text.lower().startswith("requires improvement to be good") for text in texts)
    assert not context & texts
    assert all("requires improvement to be good" not in f.text.lower() for f in stoke.findings if f.status == "gap")


def test_gaps_of_a_report_with_its_own_list_are_its_list_items(stoke) -> None:
    """Body statements no plan row comes near are shown apart ("unlisted"), not as gaps."""
    gaps = [f for f in stoke.findings if f.status == "gap"]
    assert all(f.section for f in gaps)
    assert len(gaps) < 6


@pytest.mark.parametrize(
    "label, column",
    [
        ("Improvement activity", "action"),
        ("Planned completion date", "timescale"),
        ("Progress note", "status"),
        ("Colour", None),
    ],
)
def test_a_header_is_read_by_its_head_word(label: str, column: str | None) -> None:
    assert column_for(label) == column


@pytest.mark.parametrize(
    "name, rows, first",
    [
        ("stoke2025_plan.csv", 17, "1.1"),
        ("stoke2025_plan.xlsx", 17, "1.1"),
        ("scilly2023_plan.xlsx", 18, "IOS-01"),
        ("scilly2023_plan.pdf", 18, "IOS-01"),
    ],
)
def test_trackers_with_an_improvement_activity_column_are_read(name: str, rows: int, first: str) -> None:
    document = read_document(FIXTURES / "plans" / name)
    assert document.kind == "action plan"
    assert len(document.plan_items) == rows
    assert document.plan_items[0].ref == first
    assert all(item.action and item.lead and item.timescale for item in document.plan_items)
