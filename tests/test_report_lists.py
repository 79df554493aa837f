"""Improvement lists of real inspection reports read from structure (extract/report_lists.py).

Every item of every list in the gold (tests/fixtures/reports, copied from
/work/shared/eval/reports) must come out of the normal extraction as one recommendation with
its section, page, priority flag and, where a table names it, the responsible body.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from followthrough.extract import build_pipeline, extract_statements
from followthrough.extract.report_lists import find_lists, list_statements
from followthrough.ingest import read_document

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
GOLD = sorted((FIXTURES / "gold").glob("*.gold.json"))


def norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", re.sub("[\u2013\u2014]", "-", text)).strip().lower()


def matches(quote: str, text: str) -> bool:
    """score.py's rule: the quote inside the text, the text at most 3x the quote + 120."""
    q, t = norm(quote), norm(text)
    return len(t) <= 3 * len(q) + 120 and fuzz.partial_ratio(q, t) >= 90


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.name.split(".")[0])
def test_every_list_item_is_one_recommendation_with_its_section(gold_path: Path, nlp) -> None:
    gold = json.loads(gold_path.read_text("utf-8"))
    document = read_document(FIXTURES / gold["document"])
    statements = extract_statements(document, nlp=nlp)
    listed = [s for s in statements if s.section]
    assert len(listed) == len(gold["statements"])  # one statement per item, nothing else
    for item in gold["statements"]:
        found = [s for s in listed if matches(item["quote"], s.text)]
        assert len(found) == 1, item["quote"]
        statement = found[0]
        assert statement.kind == "recommendation"
        assert norm(statement.section).rstrip("?") == norm(item["section"]).rstrip("?")
        assert statement.priority == ("priority" in item["section"].lower())
        assert statement.page == item["page"]
        if "responsible_body" in item:
            assert norm(statement.actor or "") == norm(item["responsible_body"])
        # no rule statement repeats the item as a recommendation or a concern
        twins = [
            s
            for s in statements
            if not s.section
            and s.kind in ("recommendation", "concern")
            and min(s.end, statement.end) - max(s.start, statement.start) > 0.5 * (s.end - s.start)
        ]
        assert twins == []


def test_a_table_item_runs_on_around_the_responsible_body_column() -> None:
    """Halton's third priority action is split by the body column's lines in PDF order."""
    document = read_document(FIXTURES / "ofsted_cqc_send_halton_2024-01.pdf")
    items = [s for s in list_statements(document) if s.priority]
    third = next(s for s in items if "joint commissioning" in s.text)
    assert norm(third.text).endswith("receive sufficient support to have their needs met effectively.")
    assert "merseyside" not in norm(third.text)
    assert len(items) == 5


def test_an_item_with_parts_stays_one_item() -> None:
    """Devon 2020: "Services to care leavers, including:" with three dashed parts."""
    document = read_document(FIXTURES / "ofsted_ilacs_devon_2020-03_inadequate.pdf")
    first = list_statements(document)[0]
    assert norm(first.text).startswith("services to care leavers, including:")
    assert "health histories" in first.text
    assert len(list_statements(document)) == 8


def test_the_list_ends_at_the_next_heading_not_at_a_footnote_mark() -> None:
    """Stoke 2025: the heading carries a footnote mark "1"; the next heading ends the list."""
    document = read_document(FIXTURES / "ofsted_ilacs_stoke_2025-07_requires_improvement.pdf")
    items = list_statements(document)
    assert len(items) == 6
    assert all("experiences and progress" not in s.text.lower() for s in items)


# -- CIW / Estyn / inspectorate and auditor lists in real text ------------------------------


def text_items(name: str) -> list[str]:
    document = read_document(FIXTURES / "text" / f"{name}.txt")
    return [" ".join(s.text.split()) for s in list_statements(document)]


def gold_recommendations(name: str) -> list[str]:
    gold = json.loads((FIXTURES / "text" / f"{name}.gold.json").read_text("utf-8"))
    return [s["quote"] for s in gold["statements"] if s["kind"] == "recommendation"]


def test_estyn_r_numbered_recommendations_after_a_lead_in() -> None:
    items = text_items("valeofglamorgan_cabinet_2015-06-01_estyn_piap_third_progress_report")
    assert len(items) == 6
    assert items[0] == "Raise standards in schools, particularly in key stage 2 and key stage 3."  # "• R1" gone
    for quote in gold_recommendations("valeofglamorgan_cabinet_2015-06-01_estyn_piap_third_progress_report")[3:]:
        assert any(matches(quote, item) for item in items), quote


def test_estyn_heading_run_into_its_first_item() -> None:
    """A flattened report: "Recommendations R1 Increase ... technology" + "skills across the curriculum"."""
    items = text_items("estyn_report_ypant_comprehensive_2017-01")
    assert items == [
        "Increase the opportunity to develop information and communication technology skills across the curriculum"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "torfaen_news_2022-05-18_estyn_inspection_education_recommendations",
        "pembrokeshire_2020_estyn_local_government_education_services_report_page",
        "accounts_commission_moray_best_value_followup_2007_areas_of_concern",
    ],
)
def test_bulleted_lists_after_a_lead_in_are_the_gold_recommendations(name: str) -> None:
    """Each bullet is a gold recommendation; the lead-in names the list ("recommendations.
    These include:"), so a list after "areas of concern, particularly:" is not read."""
    items = text_items(name)
    listed_gold = [q for q in gold_recommendations(name) if any(matches(q, item) for item in items)]
    assert len(items) == len(listed_gold) >= 3


def test_a_should_lead_in_introduces_items_and_is_not_one() -> None:
    items = text_items("reading_committee_2025_youth_justice_service_hmip_inspection_inadequate")
    assert items and all(not item.endswith(":") for item in items)
    assert items[0].startswith("ensure that quality assurance arrangements")


def test_conclusions_are_not_a_recommendation_list() -> None:
    """HMFSI: "Our conclusions are:" after a paragraph that mentions recommendations."""
    assert text_items("hmfsi_scotland_assessing_effectiveness_of_inspection_conclusions") == []


def test_plain_list_without_markers_ends_at_a_paragraph_that_asks_for_nothing() -> None:
    text = (
        "Areas for improvement\n"
        "The service should make sure its staff have good access to risk information.\n\n"
        "The service should review its training records.\n\n"
        "We set out our detailed findings below. These are the basis for our judgment.\n\n"
        "The service has a good understanding of risk.\n"
    )
    assert [text[i.start : i.end] for i in find_lists(text)] == [
        "The service should make sure its staff have good access to risk information.",
        "The service should review its training records.",
    ]


def test_sif_layout_lead_in_then_priority_sub_lists() -> None:
    """The older Ofsted SIF layout (as its reports set it out; wording shortened here): a
    numbered lead-in "... should:", then "Priority and immediate action" and "Areas for
    improvement" sub-lists of lettered items. The lead-in is not an item; the priority flag
    follows the sub-list."""
    text = (
        "Areas for improvement\n\n"
        "2. In order to improve the quality of help and protection given to children, young people and\n"
        "their families, the local authority should:\n\n"
        "Priority and immediate action\n\n"
        "a) ensure that all children at risk of significant harm are seen promptly.\n\n"
        "b) ensure that management oversight is recorded on every case.\n\n"
        "Areas for improvement\n\n"
        "c) improve the quality of assessments.\n\n"
        "Summary for children and young people\n\n"
        "Inspectors found that children are not always seen.\n"
    )
    found = [(i.section, i.priority, text[i.start : i.end]) for i in find_lists(text)]
    assert found == [
        (
            "Priority and immediate action",
            True,
            "ensure that all children at risk of significant harm are seen promptly.",
        ),
        ("Priority and immediate action", True, "ensure that management oversight is recorded on every case."),
        ("Areas for improvement", False, "improve the quality of assessments."),
    ]


def test_send_table_with_a_different_body_on_each_row() -> None:
    """The SEND priority-action table as PDFium reads it when each row names another body
    (Halton's names the same one on every row, so there the repeated lines show the column):
    the header row names the column, so short unpunctuated cells are bodies, not items."""
    text = (
        "Areas for priority action\n\n"
        "Responsible body Areas for priority action\n"
        "Leeds City Council\n\n"
        "Leaders should improve the timeliness of plans so that children\n"
        "get help sooner.\n"
        "NHS West Yorkshire Integrated Care\n"
        "Board\n\n"
        "Leaders should improve access to therapy while\n"
        "children wait.\n\n"
        "Areas for improvement\n"
        "Leaders should improve the quality of advice.\n\n"
        "Local area partnership details\n"
    )
    found = [(i.priority, i.responsible, " ".join(i.text(text).split())) for i in find_lists(text)]
    assert found == [
        (
            True,
            "Leeds City Council",
            "Leaders should improve the timeliness of plans so that children get help sooner.",
        ),
        (
            True,
            "NHS West Yorkshire Integrated Care Board",
            "Leaders should improve access to therapy while children wait.",
        ),
        (False, None, "Leaders should improve the quality of advice."),
    ]


def test_docx_bullets_stay_in_the_text() -> None:
    """Word keeps a list's bullets in its numbering, not in the paragraph text: the reader puts
    one back, so the DOCX reads like the PDF of the same CIW page (corpus/rendered)."""
    root = Path(__file__).parent.parent / "corpus" / "rendered"
    docx_text = read_document(root / "ciw_press_powys_childrens_2019-01-09.docx").text
    assert "\n• Develop commissioning and social work practice" in docx_text
    assert "\n• Ensure there is a clear strategic vision" in docx_text
