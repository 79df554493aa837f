"""DOCX: paragraphs and tables in order, plan tables, bad files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from followthrough.errors import BadDocument
from followthrough.ingest import read_document
from followthrough.ingest.docx import read_docx

BRIDGEND = Path(__file__).parent.parent / "corpus" / "bridgend-plan" / "plan.docx"


def _report(path: Path) -> Path:
    """A made-up report: heading, paragraphs, a members table, a plan split over two tables."""
    word = docx.Document()
    word.add_heading("Children's Services Improvement Report", level=1)
    word.add_paragraph("The committee is asked to note the improvement plan.")
    members = word.add_table(rows=3, cols=2)
    for row, values in zip(members.rows, [("Name", "Role"), ("Cllr Jones", "Chair"), ("Cllr Evans", "Vice-chair")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    word.add_heading("Improvement plan", level=2)
    first = word.add_table(rows=3, cols=4)
    rows = [
        ("Ref", "Recommendation", "What we will do", "Owner"),
        ("1. Workforce", "", "", ""),
        ("1.1", "Recruit social workers", "Run a recruitment campaign", "Head of Service"),
    ]
    for row, values in zip(first.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    merged = first.rows[1].cells[0].merge(first.rows[1].cells[3])
    merged.text = "1. Workforce"
    word.add_page_break()
    second = word.add_table(rows=1, cols=4)
    for cell, value in zip(second.rows[0].cells, ("1.2", "Cut caseloads", "Caseload weighting tool", "Team\nManagers")):
        cell.text = value
    word.add_paragraph("Background papers: none.")
    word.save(path)
    return path


def test_paragraphs_and_tables_in_document_order(tmp_path: Path) -> None:
    doc = read_document(_report(tmp_path / "report.docx"))
    blocks = doc.text.split("\n\n")
    assert blocks[0] == "Children's Services Improvement Report"
    assert blocks[1] == "The committee is asked to note the improvement plan."
    assert blocks[2:5] == ["Name | Role", "Cllr Jones | Chair", "Cllr Evans | Vice-chair"]
    assert blocks[5] == "Improvement plan"
    assert blocks[-1] == "Background papers: none."
    assert doc.text.index("1.1 | Recruit social workers") < doc.text.index("1.2 | Cut caseloads")
    assert doc.pages == [] and doc.file_type == "docx"


def test_plan_table_continued_in_a_second_table(tmp_path: Path) -> None:
    doc = read_document(_report(tmp_path / "report.docx"))
    assert doc.kind == "action plan"
    assert [(i.ref, i.section, i.area, i.action, i.lead, i.page) for i in doc.plan_items] == [
        ("1.1", "1. Workforce", "Recruit social workers", "Run a recruitment campaign", "Head of Service", None),
        ("1.2", "1. Workforce", "Cut caseloads", "Caseload weighting tool", "Team Managers", None),
    ]


def test_bridgend_docx_merged_section_rows() -> None:
    doc = read_docx(BRIDGEND, BRIDGEND.read_bytes())
    assert len(doc.plan_items) == 11
    assert {i.section for i in doc.plan_items} == {
        "1. People – voice and control",
        "2. Prevention",
        "3. Partnerships and integration",
        "4. Well-being",
    }
    assert "\n\n1. People – voice and control\n\n1.1 | Voice of the child |" in doc.text
    # the page header and footer of the Word file are not body text
    assert "Not a council publication" not in doc.text


def test_corrupt_docx(tmp_path: Path) -> None:
    data = BRIDGEND.read_bytes()
    with pytest.raises(BadDocument) as caught:
        read_docx(tmp_path / "x.docx", data[: len(data) // 2])
    assert caught.value.reason.startswith("corrupt (")
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(BadDocument, match=r"broken\.docx: corrupt \("):
        read_document(path)


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(BadDocument) as caught:
        read_docx(tmp_path / "x.docx", buffer.getvalue())
    assert caught.value.reason.startswith("corrupt (")


def test_spreadsheet_named_docx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(BadDocument) as caught:
        read_docx(tmp_path / "x.docx", buffer.getvalue())
    assert caught.value.reason == (
        "unsupported type (not a Word document: content type "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml)"
    )


def test_text_inside_content_controls_is_kept(tmp_path: Path) -> None:
    """Council templates wrap fields in content controls (w:sdt), which python-docx skips."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word = docx.Document()
    word.add_paragraph("Report of the Head of Children's Services.")
    control = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent>"
        "<w:p><w:r><w:t>The Cabinet will receive a progress report in March 2025.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    word.element.body.insert(1, control)
    path = tmp_path / "report.docx"
    word.save(path)
    assert [p.text for p in docx.Document(str(path)).iter_inner_content()] == [
        "Report of the Head of Children's Services."
    ]
    doc = read_document(path)
    assert doc.text.split("\n\n") == [
        "Report of the Head of Children's Services.",
        "The Cabinet will receive a progress report in March 2025.",
    ]


@pytest.mark.parametrize("folder", [BRIDGEND.parent, Path(__file__).parent / "fixtures" / "anglesey2016"])
def test_docx_and_pdf_titles_agree(folder: Path) -> None:
    """DOCX: the first Heading 1; PDF: page 1's largest type, its wrapped lines joined."""
    title = read_document(folder / "plan.docx").title
    assert title is not None and title.endswith("(illustrative test document)")
    assert read_document(folder / "plan.pdf").title == title
