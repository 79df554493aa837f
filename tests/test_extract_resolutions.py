"""Resolutions as councils write them, where a decision block ends, procedure, and the
attributes of what a resolution or a named person undertakes.

Every passage is real: tests/fixtures/resolutions/SOURCES.tsv says where each comes from.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from followthrough.extract import build_pipeline, extract_statements
from followthrough.extract.classify import RESOLUTION_LEAD
from followthrough.extract.timex import due_for
from followthrough.models import Document

FIXTURES = Path(__file__).parent / "fixtures" / "resolutions"


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(learned=False)  # the rules alone: these tests are about the rules


def statements(nlp, name: str, meeting: date | None = None):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return extract_statements(Document(path=name, sha256="", text=text), nlp=nlp, meeting_date=meeting)


def texts(found, kind: str) -> list[str]:
    return [" ".join(s.text.split()) for s in found if s.kind == kind]


def test_and_resolved_then_quoted_that_is_a_decision_each_time(nlp):
    decisions = texts(statements(nlp, "limerick_and_resolved_disposal.md"), "decision")
    assert len(decisions) == 2
    assert all("the approval of the Council be and is hereby given to the disposal of" in d for d in decisions)
    assert "9, Singland Park" in decisions[0] and "18, Garryowen, Road" in decisions[1]


def test_and_resolved_across_a_page_break_still_reaches_its_resolution(nlp):
    decisions = texts(statements(nlp, "limerick_resolved_across_page_break.md"), "decision")
    assert len(decisions) == 1 and "foreign travel" in decisions[0]


def test_adopting_the_draft_minutes_is_procedure_not_a_decision(nlp):
    assert texts(statements(nlp, "limerick_adoption_of_minutes.md"), "decision") == []


def test_committee_resolved_colon_dash_and_decision_label_give_each_part_where_it_occurs(nlp):
    found = statements(nlp, "aberdeen_decision_and_minutes_resolved.txt")
    decisions = texts(found, "decision")
    # Decision: (i)-(iii), then the minutes' own "The Committee resolved:-" (i)-(ii)
    assert decisions[:3] == [
        "to note the content of the report",
        "to instruct the Chief Officer – Education to continue to support Early Learning and Childcare (ELC) settings "
        "and schools to implement continuous improvement in keeping with the Quality Frameworks",
        "to note that officers would provide an update to Members outwith the meeting in relation to when the indoor "
        "door alarm system at Kingsford School was to be fitted",
    ]
    assert "to approve the recommendations" in decisions
    assert sum("officers would provide an update" in d for d in decisions) == 2
    # "to note that officers would ...": the part's "to note" does not cancel the officers' undertaking
    undertakings = [s for s in found if s.kind == "commitment" and "officers would provide" in s.text]
    assert len(undertakings) == 2 and {s.actor for s in undertakings} == {"Officers"}


def test_body_colon_parts_and_sub_items_under_a_part(nlp):
    found = statements(nlp, "birmingham_cabinet_parts.txt")
    decisions = texts(found, "decision")
    assert decisions[0].startswith("Noted the context to the General Fund forecast budget gap")
    assert any(d.startswith("Noted the General Fund forecast budget gap for 2025/26, 2026/27") for d in decisions)
    assert any(d.startswith("Noted the Capital Programme update") for d in decisions)
    # (a)-(d) list what the noted gap includes: they are not resolutions of their own
    assert not any(
        d.startswith(("National and Local Context", "Updated inflation forecasts", "Directorate revenue"))
        for d in decisions
    )


def test_resolved_on_its_own_line_then_that_cabinet_then_notes_parts(nlp):
    decisions = texts(statements(nlp, "ealing_resolved_that_cabinet.txt"), "decision")
    assert [d.split()[0] for d in decisions] == ["Notes", "Authorises", "Notes", "Notes"]


def test_a_decisions_label_does_not_make_the_reported_debate_decisions(nlp):
    decisions = texts(statements(nlp, "wirral_decisions_block.txt"), "decision")
    assert decisions == [
        "the report be noted and a more detailed Improvement Plan in response to CAA be presented to a future meeting of Cabinet"
    ]


def test_a_regulators_page_titled_decision_holds_no_resolution(nlp):
    assert texts(statements(nlp, "rsh_decision_page_title.txt"), "decision") == []


def test_the_committee_noted_and_agreed_are_two_decisions(nlp):
    decisions = texts(statements(nlp, "dundee_committee_noted.txt"), "decision")
    assert "The Committee noted the contents of the report" in decisions
    assert any(d.startswith("agreed that representation be made to the Scottish Government") for d in decisions)
    assert "The Committee noted the position." in decisions or "The Committee noted the position" in decisions


def test_a_committee_named_in_several_words_agreed_then_to_note_parts(nlp):
    decisions = texts(statements(nlp, "edinburgh_committee_agreed_motion.txt"), "decision")
    assert decisions[:2] == [
        "To note the findings of the Best Value Assurance Audit Report",
        "To note the Accounts Commission’s Findings, attached at appendix one of the report",
    ]


def test_seconded_and_unanimously_agreed_in_community_council_minutes(nlp):
    found = statements(nlp, "mscc_2018-04-11_donations.txt")
    decisions = texts(found, "decision")
    assert any(
        d.startswith("Due to time constraints, it was unanimously agreed to make an immediate donation")
        for d in decisions
    )
    assert any(
        d.startswith(
            "The sum of £50.00 was proposed by Cllr. K. Davies, seconded by Cllr. Alun Davies and unanimously agreed"
        )
        for d in decisions
    )


def test_minutes_confirmed_as_correct_is_procedure_and_renewing_at_the_meeting_is_a_decision_only(nlp):
    found = statements(nlp, "mscc_2018-02-14_actions.txt")
    assert not any("minutes of the last" in s.text for s in found)
    # the series' gold: renewing the membership is done by the resolution, no undertaking for later
    assert any(s.kind == "decision" and "renew membership at a cost of £223.00" in s.text for s in found)
    assert not any(s.kind == "commitment" and "renew membership" in s.text for s in found)


def test_named_persons_undertakings_have_those_persons_as_actors(nlp):
    found = [s for s in statements(nlp, "mscc_2018-02-14_actions.txt") if s.kind == "commitment"]
    by_start = {" ".join(s.text.split())[:40]: s.actor for s in found}
    assert by_start["Cllr. J. Davies would raise the matter wit"[:40]] == "Cllr. J. Davies"
    assert by_start["PCSO Anthony would look again into the is"[:40]] == "PCSO Anthony"
    raise_it = next(s for s in found if "raise the matter" in s.text)
    assert raise_it.text.rstrip().endswith("(C.C.C.) Highways Department.")  # "C.C.C.)" ends no sentence


def test_an_action_note_after_a_comma_is_the_clerks_undertaking(nlp):
    found = statements(nlp, "mscc_2018-01-10_lighting.txt")
    commitments = [s for s in found if s.kind == "commitment"]
    assert len(commitments) == 1 and commitments[0].actor == "Clerk"
    assert any(s.kind == "concern" and "was not working" in s.text for s in found)


def test_meeting_notices_give_nothing(nlp):
    found = statements(nlp, "renfrewshire_meeting_notice.txt")
    assert not [
        s
        for s in found
        if "meeting" in s.text.lower() and ("held" in s.text or "filmed" in s.text or "attend" in s.text)
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        # the subjunctive of a resolution has no modal before its "be"
        "That the Council would be expected to respond within 20 working days.",
        "That said, officers will be expected to report progress.",
        "That is why the plan should be refreshed.",
    ],
)
def test_that_with_a_modal_is_no_resolution(sentence):
    assert RESOLUTION_LEAD.match(sentence) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "That, the draft Minutes, as circulated, be taken as read and adopted and signed.",
        "That consideration is deferred to a Special Council Meeting",
        "That this Council agrees to appoint independent consultants",
        "Cabinet resolved to approve the revised action plan.",
        "The Committee resolved:-",
        "And Resolved:",
    ],
)
def test_resolution_leads(sentence):
    assert RESOLUTION_LEAD.match(sentence) is not None


MEETING = date(2023, 5, 16)


@pytest.mark.parametrize(
    "text, end",
    [
        ("In March the Board received an update and officers will report back to Cabinet.", None),
        ("The plan, approved in March, will be refreshed.", None),
        ("The report, published in January, would be considered by Cabinet.", None),
        ("The Board will receive a report in March.", date(2024, 3, 31)),
        ("The review was deferred until September.", date(2023, 9, 30)),
        ("Clerk to add to March meeting agenda", date(2024, 3, 31)),
    ],
)
def test_a_past_event_is_never_a_due_date(text, end):
    due = due_for(text, MEETING)
    assert (due.end if due else None) == end
    assert due is None or due.end is None or due.end >= MEETING
