"""Kind, committee, date and title detection, over every dev document in corpus/documents/."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from followthrough.ingest import detect, read_document

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "corpus" / "documents"
GOLD = Path("/work/shared/eval/dev/gold")  # read-only eval set; its meeting_date field

# The kind each dev document should get.
# wg_statement is a Welsh Government written statement on Powys's progress against a Warning
# Notice that followed a CSSIW inspection. It is not minutes and has no plan rows; it speaks
# for the regulator side (the inspection's concerns, what the council must still do), and its
# gold statements are recommendations and concerns, which is what we extract and link from
# inspection reports. So: "inspection report".
KINDS = {
    "anglesey_executive_2018-12-17_item7_ciw_service_improvement_plan_progress.txt": "minutes",
    "bridgend_cabinet_2022_childrens_social_care_3yr_strategic_plan.txt": "minutes",
    "bridgend_cabinet_2023-05_corporate_risk_policy_MeetingId4416.txt": "minutes",
    "bridgend_cabinet_2023_ciw_improvement_check_item168.txt": "minutes",
    "bridgend_sosc2_2022-11-03_ciw_pei_report_action_plan.txt": "minutes",
    "cardiff_cabinet_2016-01-21_items86-89.txt": "minutes",
    "ciw_press_powys_childrens_2019-01-09.txt": "inspection report",
    "flintshire_cabinet_2020-09-22_item8_ciw_annual_letter.txt": "minutes",
    "gwynedd_2025_audit_wales_domiciliary_care_recommendations_mgAi30911.txt": "minutes",
    "herefordshire_cabinet_2022-12-15_item181_ofsted_improvement_action_plan.txt": "minutes",
    "rotherham_audit_2022-23_external_inspections_recommendations_mgAi94795.txt": "minutes",
    "sefton_osc_childrens_2017-09-26_item18_improvement_plan.txt": "minutes",
    "wg_statement_2018-01-15_powys_warning_notice_progress.txt": "inspection report",
    "york_exec_2009-01-28_csci_apa_improvement_plan_decision.txt": "minutes",
}


def test_the_table_covers_every_dev_document():
    assert set(KINDS) == {p.name for p in DOCS.glob("*.txt")}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_kind(name):
    assert detect.detect_kind((DOCS / name).read_text("utf-8"), False) == KINDS[name]


def test_plan_rows_make_an_action_plan():
    text = (DOCS / "cardiff_cabinet_2016-01-21_items86-89.txt").read_text("utf-8")
    assert detect.detect_kind(text, True) == "action plan"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Minutes:\nThe Committee noted the report.\nRESOLVED: That the report be noted.", "minutes"),
        ("We inspected adult services in March.\nAreas for improvement\n- Improve supervision.", "inspection report"),
        ("Meeting: 03/02/2022 - Cabinet (Item 4)\nThe report was presented.", "minutes"),
        ("Shopping list: bread, milk, eggs.", "other"),
    ],
)
def test_kind_cues(text, kind):
    assert detect.detect_kind(text, False) == kind


def _gold_dates() -> dict[str, date | None]:
    if not GOLD.is_dir():
        pytest.skip("eval gold not available")
    out = {}
    for path in GOLD.glob("*.gold.json"):
        gold = json.loads(path.read_text("utf-8"))
        out[gold["document"]] = date.fromisoformat(gold["meeting_date"]) if gold["meeting_date"] else None
    return out


@pytest.mark.parametrize("name", sorted(KINDS))
def test_meeting_date_matches_gold(name):
    gold = _gold_dates()
    assert name in gold
    _, found, _ = detect.detect_meeting((DOCS / name).read_text("utf-8"), name=name)
    # Where the gold has a date we must find it; where it has none we must not invent one.
    assert found == gold[name]


def test_only_ciw_press_needs_the_file_name_for_its_date():
    needs_name = [
        name
        for name in KINDS
        if detect.detect_meeting((DOCS / name).read_text("utf-8"))[1] is None
        and detect.detect_meeting((DOCS / name).read_text("utf-8"), name=name)[1] is not None
    ]
    assert needs_name == ["ciw_press_powys_childrens_2019-01-09.txt"]


@pytest.mark.parametrize(
    "text",
    [
        "Approval of Minutes\n\nTo receive for approval the Minutes of 11/04/2023\n\n"
        "RESOLVED: That the minutes of the meeting dated 11/04/2023 be approved.",
        "The Committee noted the meeting date 11 July 2022 and the report dated 3 May 2022.",
        "The minutes of the meeting held on Tuesday, 14th February, 2023 were approved.",
        "Members noted the agenda for Cabinet on Thursday, 21st January, 2016.",
        "Minutes of the meeting held on 7 July 2023 were approved as a correct record.",
        "Present: Councillor Smith\n\nA workshop was held on 3 May 2023 for all members.",
        # A search-results hit, with its hit counter, is not this document's meeting.
        "Meeting: 17/09/2015 - Safer Stronger Communities Executive (Community Safety Partnership) (1)",
    ],
)
def test_dates_in_running_text_are_not_the_meeting_date(text):
    assert detect.detect_meeting(text) == (None, None, None)


@pytest.mark.parametrize(
    "text, body, when, item",
    [
        (
            "Agenda and minutes\n\nCabinet - Tuesday, 14th February, 2023 2.30 pm\n\nVenue: Civic Offices",
            "Cabinet",
            date(2023, 2, 14),
            None,
        ),
        ("Audit Committee - Tuesday 26 September 2023 2.00 p.m.\n", "Audit Committee", date(2023, 9, 26), None),
        (
            "Issue - meetings\n\nMeeting: 17/12/2018 - The Executive (Item 7)\n",
            "The Executive",
            date(2018, 12, 17),
            "7",
        ),
        (
            "Decision:\n\nApproved.\n\nDecided at meeting: 19/10/2015 - Policy Committee\n",
            "Policy Committee",
            date(2015, 10, 19),
            None,
        ),
        ("Issue - decisions\n\n28/01/2009 - Improvement Plan for Adult Social Care\n", None, date(2009, 1, 28), None),
        ("Huw Irranca-Davies\n\nFirst published:\n\n15 January 2018\n\nLast updated:", None, date(2018, 1, 15), None),
        ("Agenda for Cabinet on Thursday, 21st January, 2016, 3.30 pm", "Cabinet", date(2016, 1, 21), None),
        (
            "Children and Young People Scrutiny Committee\nMinutes of the meeting held on 14 November 2023\n",
            None,
            date(2023, 11, 14),
            None,
        ),
        (
            "MINUTES of a meeting of the Children's Scrutiny Committee\nheld at County Hall on Thursday, 9th March 2023 at 10.00 am\n",
            "Children's Scrutiny Committee",
            date(2023, 3, 9),
            None,
        ),
        ("Minutes of the Cabinet held on 14/11/2023\n", "Cabinet", date(2023, 11, 14), None),
    ],
)
def test_meeting_headings(text, body, when, item):
    assert detect.detect_meeting(text) == (body, when, item)


def test_date_from_name():
    assert detect.date_from_name("ciw_press_powys_childrens_2019-01-09.txt") == date(2019, 1, 9)
    assert detect.date_from_name("rotherham_audit_2022-23_external.txt") is None
    assert detect.date_from_name("report_2019-13-40.txt") is None


@pytest.mark.parametrize(
    "name, title",
    [
        (
            "anglesey_executive_2018-12-17_item7_ciw_service_improvement_plan_progress.txt",
            "CIW Inspection of Children's Services in Anglesey - Improvement Plan - Quarterly Progress Report",
        ),
        ("bridgend_cabinet_2023-05_corporate_risk_policy_MeetingId4416.txt", "Approval of Minutes"),
        ("cardiff_cabinet_2016-01-21_items86-89.txt", "Cabinet - Thursday, 21st January, 2016 3.30 pm"),
        ("york_exec_2009-01-28_csci_apa_improvement_plan_decision.txt", "Improvement Plan for Adult Social Care"),
        # Running text only: no title rather than a sentence.
        ("bridgend_cabinet_2022_childrens_social_care_3yr_strategic_plan.txt", None),
    ],
)
def test_title(name, title):
    assert detect.detect_title((DOCS / name).read_text("utf-8")) == title


@pytest.mark.parametrize("name", sorted(KINDS))
def test_read_document_uses_detection(name):
    doc = read_document(DOCS / name)
    assert doc.kind == KINDS[name]
    _, found, _ = detect.detect_meeting(doc.text, name=name)
    assert doc.meeting_date == found
