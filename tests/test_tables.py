"""Action-plan tables from PDF, DOCX, CSV and XLSX: the shared rules in tables.py."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from followthrough.errors import BadDocument
from followthrough.ingest import read_document
from followthrough.ingest.hyphens import Dehyphenator
from followthrough.ingest.spreadsheet import NO_HEADER, read_spreadsheet
from followthrough.ingest.tables import Row, column_for, header_columns, read_plan

ROOT = Path(__file__).parent.parent
BRIDGEND = ROOT / "corpus" / "bridgend-plan"
ANGLESEY = Path(__file__).parent / "fixtures" / "anglesey2016"
FIELDS = ("ref", "area", "action", "lead", "timescale", "status")
PLANS = [
    pytest.param(folder / f"plan.{suffix}", id=f"{folder.name}-{suffix}")
    for folder in (BRIDGEND, ANGLESEY)
    for suffix in ("pdf", "docx", "csv")
]


def squash(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", text).strip() if text else text


def expected_rows(plan: Path) -> list[tuple[str | None, ...]]:
    """The plan's rows as its CSV spells them (header: Ref/Action No., Area/Theme, ...)."""
    with open(plan.with_suffix(".csv"), newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return [tuple(squash(cell) or None for cell in row) for row in rows[1:]]


@pytest.mark.parametrize("plan", PLANS)
def test_plan_rows_equal_the_csv(plan: Path) -> None:
    doc = read_document(plan)
    got = [tuple(squash(getattr(item, f)) for f in FIELDS) for item in doc.plan_items]
    assert got == expected_rows(plan)
    assert doc.kind == "action plan"


@pytest.mark.parametrize("plan", PLANS)
def test_plan_rows_are_searchable_in_the_text(plan: Path) -> None:
    doc = read_document(plan)
    for item in doc.plan_items:
        assert item.action in doc.text
        assert f"{item.ref} | {item.area} | {item.action[:40]}" in doc.text


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_bridgend_section_rows_become_sections(suffix: str) -> None:
    doc = read_document(BRIDGEND / f"plan.{suffix}")
    sections = {item.ref: item.section for item in doc.plan_items}
    assert sections["1.1"] == "1. People – voice and control"
    assert sections["2.2"] == "2. Prevention"
    assert sections["3.1"] == sections["3.2"] == "3. Partnerships and integration"
    assert {sections[r] for r in ("4.1", "4.2", "4.3", "4.4")} == {"4. Well-being"}
    # section rows are not plan rows
    assert all(re.fullmatch(r"\d\.\d", item.ref or "") for item in doc.plan_items)


def test_bridgend_pdf_rows_split_across_pages_are_merged() -> None:
    doc = read_document(BRIDGEND / "plan.pdf")
    items = {item.ref: item for item in doc.plan_items}
    csv_rows = {row[0]: row for row in expected_rows(BRIDGEND / "plan.pdf")}
    # 1.3, 3.1 and 4.2 each start at the foot of a page and end on the next one
    for ref in ("1.3", "3.1", "4.2"):
        assert items[ref].action == csv_rows[ref][2]
        assert items[ref].lead == csv_rows[ref][3]
    assert items["3.1"].lead == "Group Manager, IAA & Safeguarding"
    assert items["4.1"].action == csv_rows["4.1"][2]
    # the page a row starts on
    pages = {ref: item.page for ref, item in items.items()}
    assert pages == {
        "1.1": 1,
        "1.2": 1,
        "1.3": 1,
        "2.1": 2,
        "2.2": 2,
        "3.1": 2,
        "3.2": 3,
        "4.1": 3,
        "4.2": 3,
        "4.3": 4,
        "4.4": 4,
    }


def test_bridgend_pdf_hyphen_breaks_keep_real_hyphens() -> None:
    items = {i.ref: i for i in read_document(BRIDGEND / "plan.pdf").plan_items}
    assert "voice-of-the-child standard" in items["1.1"].action
    assert "agree step-down criteria" in items["2.1"].action
    assert "reduce out-of-county placements" in items["3.2"].action


def test_anglesey_pdf_drops_the_header_repeated_on_page_two() -> None:
    doc = read_document(ANGLESEY / "plan.pdf")
    assert [item.ref for item in doc.plan_items] == [f"SIP{n}" for n in range(1, 14)]
    assert [item.page for item in doc.plan_items] == [1] * 7 + [2] * 6
    assert doc.text.count("Action No. | Theme | Improvement action") == 1
    assert doc.plan_items[0].lead == "Service Manager – Front Door and IAA"


# -- header recognition ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "column"),
    [
        ("Action\nNo.", "ref"),
        ("Action", "action"),
        ("Improvement action", "action"),
        ("What we will do", "action"),
        ("Area for improvement", "area"),
        ("Responsible officer(s)", "lead"),
        ("Target date for completion", "timescale"),
        ("Completion\ndate", "timescale"),
        ("RAG status", "status"),
        ("Comments", None),
        ("", None),
    ],
)
def test_column_names(label: str, column: str | None) -> None:
    assert column_for(label) == column


def test_header_row_needs_an_area_or_action_column() -> None:
    assert header_columns(["Ref", "Area", "Action", "Lead"]) == {0: "ref", 1: "area", 2: "action", 3: "lead"}
    assert header_columns(["Lead", "Status"]) is None
    assert header_columns(["The action plan was agreed", "Status"]) is None
    # mostly unnamed cells: a data row, not a header
    assert header_columns(["Action", "Lead", "x", "y", "z", "w", "v"]) is None


# -- the row rules on made-up rows -----------------------------------------------------------

HEADER = ["Ref", "Area for\nimprovement", "Action", "Lead", "By when", "RAG"]


def test_section_rows_continuations_and_repeated_headers() -> None:
    rows = [
        Row(["Children's Services Action Plan", None, None, None, None, None], 1),
        Row(HEADER, 1),
        Row(["1. Workforce", None, None, None, None, None], 1),
        Row(
            ["1.1", "Staffing", "Run a recruit-\nment campaign for social", "Head of\nService", "June\n2024", "Amber"],
            1,
        ),
        Row(HEADER, 2),
        Row(["", "", "workers and step-\ndown agency use", "", "", ""], 2),
        Row(["1.2", "Caseloads", "Cap caseloads", "Team Managers", "Ongoing", "Green"], 2),
        Row(["2. Prevention", "", "", "", "", ""], 2),
        Row(["2.1", "Early help", "Open hubs", "Group Manager", "2025", "Red"], 2),
    ]
    plan = read_plan(rows)
    assert plan is not None
    assert [(i.ref, i.section, i.page) for i in plan.items] == [
        ("1.1", "1. Workforce", 1),
        ("1.2", "1. Workforce", 2),
        ("2.1", "2. Prevention", 2),
    ]
    first = plan.items[0]
    assert first.action == "Run a recruitment campaign for social workers and step-down agency use"
    assert (first.area, first.lead, first.timescale, first.status) == (
        "Staffing",
        "Head of Service",
        "June 2024",
        "Amber",
    )
    assert plan.preamble[0].cells[0] == "Children's Services Action Plan"
    assert plan.text().count("Ref | Area for improvement | Action") == 1


def test_rows_without_pages_are_never_merged() -> None:
    rows = [Row(HEADER), Row(["1.1", "A", "First", "L", "T", "S"]), Row(["", "", "Second", "", "", ""])]
    plan = read_plan(rows)
    assert plan is not None
    assert [(i.ref, i.action) for i in plan.items] == [("1.1", "First"), (None, "Second")]


def test_a_lone_reference_is_a_row_not_a_section() -> None:
    plan = read_plan([Row(HEADER), Row(["1.1", "", "", "", "", ""]), Row(["1.2", "A", "Act", "", "", ""])])
    assert plan is not None
    assert [(i.ref, i.section) for i in plan.items] == [("1.1", None), ("1.2", None)]


def test_no_header_no_plan() -> None:
    assert read_plan([Row(["Name", "Role"]), Row(["Cllr Jones", "Chair"])]) is None


def test_cells_use_the_dehyphenator_evidence() -> None:
    rows = [
        Row(HEADER),
        Row(["1.1", "A", "Cut case-\nloads", "", "", ""]),
        Row(["1.2", "B", "Weighted caseload tool", "", "", ""]),
    ]
    plan = read_plan(rows)
    assert plan is not None and plan.items[0].action == "Cut caseloads"
    plan = read_plan(rows[:2], dehyphenate=Dehyphenator(""))
    assert plan is not None and plan.items[0].action == "Cut case-loads"


# -- CSV and XLSX ----------------------------------------------------------------------------


def test_csv_with_title_rows_semicolons_and_windows_1252(tmp_path: Path) -> None:
    text = (
        "Improvement plan – position at 31 March 2024;;;\n"
        ";;;\n"
        "Rec No.;Recommendation;Actions required;Responsible officer\n"
        "R1;Improve supervision;Monthly supervision for every social worker – audited;Head of Service\n"
        "R2;Reduce caseloads;Caseload weighting tool;Team Managers\n"
    )
    path = tmp_path / "tracker.csv"
    path.write_bytes(text.encode("cp1252"))
    doc = read_document(path)
    assert [(i.ref, i.area, i.action, i.lead) for i in doc.plan_items] == [
        ("R1", "Improve supervision", "Monthly supervision for every social worker – audited", "Head of Service"),
        ("R2", "Reduce caseloads", "Caseload weighting tool", "Team Managers"),
    ]
    assert doc.title == "Improvement plan – position at 31 March 2024"
    assert doc.pages == []


def test_csv_without_a_plan_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("Name,Ward,Party\nJones,North,Independent\n", encoding="utf-8")
    with pytest.raises(BadDocument) as caught:
        read_document(path)
    assert caught.value.reason == NO_HEADER == "unsupported type (no action-plan header row found)"
    assert str(caught.value) == f"{path}: {NO_HEADER}"


def _xlsx(tmp_path: Path) -> Path:
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["Children's Services tracker"])
    cover.append(["Owner", "Performance team"])
    plan = book.create_sheet("Action plan")
    plan.append(["Service Improvement Plan"])
    plan.append([])
    plan.append(["Action No.", "Theme", "Improvement action", "Lead officer", "Target date", "Status"])
    plan.append(["Front door"])
    plan.append(["SIP1", "Front door", "Set up an IAA team", "Service Manager", datetime(2017, 6, 30), "On track"])
    plan.append([2, "Workforce", "Six more social workers", "Head of Service", "July 2017", None])
    path = tmp_path / "tracker.xlsx"
    book.save(path)
    return path


def test_xlsx_finds_the_sheet_and_the_header_row(tmp_path: Path) -> None:
    doc = read_document(_xlsx(tmp_path))
    assert doc.file_type == "xlsx" and doc.kind == "action plan"
    assert [(i.ref, i.section, i.area, i.action, i.lead, i.timescale, i.status) for i in doc.plan_items] == [
        ("SIP1", "Front door", "Front door", "Set up an IAA team", "Service Manager", "2017-06-30", "On track"),
        ("2", "Front door", "Workforce", "Six more social workers", "Head of Service", "July 2017", None),
    ]
    assert doc.title == "Service Improvement Plan"
    assert "SIP1 | Front door | Set up an IAA team" in doc.text


def test_xlsx_without_a_plan_is_refused(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["Name", "Ward"])
    path = tmp_path / "members.xlsx"
    book.save(path)
    with pytest.raises(BadDocument, match=re.escape(NO_HEADER)):
        read_document(path)


def test_corrupt_xlsx(tmp_path: Path) -> None:
    data = _xlsx(tmp_path).read_bytes()
    with pytest.raises(BadDocument) as caught:
        read_spreadsheet(tmp_path / "broken.xlsx", data[: len(data) // 2])
    assert caught.value.reason.startswith("corrupt (")
    with pytest.raises(BadDocument, match=r"broken\.xlsx: corrupt"):
        read_spreadsheet(tmp_path / "broken.xlsx", b"PK\x03\x04" + b"junk" * 10)


def test_continuation_without_a_reference_column() -> None:
    rows = [
        Row(["Theme", "Improvement action", "Lead"], 1),
        Row(["Workforce", "Recruit six social workers and", "Head of"], 1),
        Row(["", "a practice leader per team", "Service"], 2),
        Row(["Placements", "Recruit foster carers", "Fostering Manager"], 2),
    ]
    plan = read_plan(rows)
    assert plan is not None
    assert [(i.area, i.action, i.lead, i.page) for i in plan.items] == [
        ("Workforce", "Recruit six social workers and a practice leader per team", "Head of Service", 1),
        ("Placements", "Recruit foster carers", "Fostering Manager", 2),
    ]


# -- property: rows split over pages and repeated headers come back as written ---------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
PHRASE = st.lists(WORD, min_size=1, max_size=8).map(" ".join)


@st.composite
def paged_plan(draw: st.DrawFn) -> tuple[list[tuple], list[Row]]:
    """Plan rows as written, and the table rows a PDF reader would give for them."""
    header = ["Ref", "Area", "Action", "Lead"]
    rows, expected, page = [Row(header, 1)], [], 1
    for s in range(draw(st.integers(1, 3))):
        section = f"{s + 1}. {draw(PHRASE).capitalize()}"
        rows.append(Row([section, None, None, None], page))
        for n in range(draw(st.integers(1, 4))):
            ref = f"{s + 1}.{n + 1}"
            area, action, lead = draw(PHRASE), draw(PHRASE), draw(PHRASE)
            expected.append((ref, section, area, action, lead))
            words = action.split()
            cut = draw(st.integers(0, len(words))) if draw(st.booleans()) else len(words)
            rows.append(Row([ref, area, "\n".join([" ".join(words[:cut])]), lead], page))
            if cut < len(words) or draw(st.booleans()):
                page += 1  # a page break after this row, maybe inside it
                if draw(st.booleans()):
                    rows.append(Row(list(header), page))
                if cut < len(words):
                    rows.append(Row(["", "", " ".join(words[cut:]), ""], page))
    return expected, rows


@given(paged_plan())
def test_split_rows_and_repeated_headers_round_trip(case: tuple[list[tuple], list[Row]]) -> None:
    expected, rows = case
    plan = read_plan(rows, dehyphenate=Dehyphenator(""))
    assert plan is not None
    assert [(i.ref, i.section, i.area, i.action, i.lead) for i in plan.items] == expected
