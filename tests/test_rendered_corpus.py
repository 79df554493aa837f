"""The committed renderings in corpus/rendered/ keep their sources' text and page furniture.

These check the fixtures themselves (with pypdfium2 and python-docx, no LibreOffice), so a
rebuild by tools/render_corpus.py that drops text or furniture is caught.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest

ROOT = Path(__file__).resolve().parent.parent
RENDERED = ROOT / "corpus" / "rendered"
DOCUMENTS = ROOT / "corpus" / "documents"

HEADERS = {
    "bridgend_cabinet_2022_childrens_social_care_3yr_strategic_plan": "Bridgend County Borough Council - Cabinet - Minutes",
    "bridgend_cabinet_2023_ciw_improvement_check_item168": "Bridgend County Borough Council - Cabinet - Minutes",
    "herefordshire_cabinet_2022-12-15_item181_ofsted_improvement_action_plan": "Herefordshire Council - Cabinet - Minutes",
    "ciw_press_powys_childrens_2019-01-09": "Care Inspectorate Wales - News",
    "cardiff_cabinet_2016-01-21_items86-89": "The County Council of the City and County of Cardiff - Cabinet - Minutes",
    "limerick_council_2024-01-22_ordinary_meeting_minutes": "Limerick City and County Council - Ordinary Meeting - Minutes",
}
SOURCED = [name for name in HEADERS if (DOCUMENTS / f"{name}.txt").exists()]
BULLET = re.compile(r"^\s*[-\u00b7\u2022\uf0b7]\s+")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _source_lines(name: str) -> list[str]:
    text = (DOCUMENTS / f"{name}.txt").read_text(encoding="utf-8")
    return [_norm(BULLET.sub("", line)) for line in text.splitlines() if line.strip()]


def _pdf_pages(name: str) -> list[list[str]]:
    pdf = pdfium.PdfDocument(str(RENDERED / f"{name}.pdf"))
    pages = []
    for page in pdf:
        text = page.get_textpage().get_text_range()
        pages.append([line.strip() for line in text.splitlines() if line.strip()])
    return pages


def _pdf_body(name: str) -> str:
    """The PDF's text without running header, footer and repeated table-header rows."""
    parts = []
    for number, lines in enumerate(_pdf_pages(name), start=1):
        body = _norm(" ".join(lines[1:-1]))
        if number > 1:
            body = body.removeprefix("No. Item ")
        parts.append(body)
    return _norm(" ".join(parts))


@pytest.mark.parametrize("name", list(HEADERS))
def test_every_pdf_page_has_the_running_header_and_page_x_of_y(name: str) -> None:
    pages = _pdf_pages(name)
    assert len(pages) >= 2
    for number, lines in enumerate(pages, start=1):
        assert lines[0] == HEADERS[name]
        assert lines[-1] == f"Page {number} of {len(pages)}"


@pytest.mark.parametrize("name", SOURCED)
def test_pdf_keeps_every_source_line(name: str) -> None:
    body = _pdf_body(name)
    missing = [line for line in _source_lines(name) if line not in body]
    assert missing == []


@pytest.mark.parametrize("name", SOURCED)
def test_docx_keeps_every_source_line(name: str) -> None:
    document = docx.Document(str(RENDERED / f"{name}.docx"))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    body = _norm(" ".join(texts))
    missing = [line for line in _source_lines(name) if line not in body]
    assert missing == []
    assert document.sections[0].header.paragraphs[0].text == HEADERS[name]


def test_cardiff_items_table_splits_across_pages() -> None:
    pages = _pdf_pages("cardiff_cabinet_2016-01-21_items86-89")
    first, second = (" ".join(lines) for lines in pages[:2])
    assert "88." in first and "89." in second
    # the repeated header row opens the continuation
    assert _norm(" ".join(pages[1][1:3])).startswith("No. Item")


def test_limerick_rendering_is_long_and_keeps_the_reply_tables() -> None:
    pages = _pdf_pages("limerick_council_2024-01-22_ordinary_meeting_minutes")
    assert len(pages) >= 15
    body = _pdf_body("limerick_council_2024-01-22_ordinary_meeting_minutes")
    for phrase in (
        "Metropolitan €22,719.13 €66,161.95 €92,378.92",
        "Applications Received 282",
        "the approval of the Council be and is hereby given to the disposal of 9, Singland Park",
        "The Members noted that this was Sean Coughlan’s, the Deputy Chief Executive, last Full",
    ):
        assert phrase in body


@pytest.mark.parametrize(
    ("name", "ext"),
    [pytest.param(name, ext, id=f"{name}.{ext}") for name in SOURCED for ext in ("pdf", "docx")],
)
def test_read_document_drops_page_furniture_and_keeps_the_prose(name: str, ext: str) -> None:
    """Cardiff's PDF also checks the items table's header row, repeated on page 2, is gone."""
    from followthrough.ingest import read_document

    doc = read_document(RENDERED / f"{name}.{ext}")
    assert HEADERS[name] not in doc.text
    assert re.search(r"Page \d+ of \d+", doc.text) is None
    body = _norm(doc.text.replace(" | ", " "))  # DOCX table rows read as "cell | cell"
    missing = [line for line in _source_lines(name) if line not in body]
    assert missing == []


def test_read_document_on_the_long_limerick_pdf() -> None:
    from followthrough.ingest import read_document

    name = "limerick_council_2024-01-22_ordinary_meeting_minutes"
    doc = read_document(RENDERED / f"{name}.pdf")
    assert len(doc.pages) == len(_pdf_pages(name))
    assert HEADERS[name] not in doc.text
    assert re.search(r"Page \d+ of \d+", doc.text) is None
    # sentences that run over a page break stay whole: nothing is left between their halves
    pages = _pdf_pages(name)
    runs_on = [
        (page[-2], after[1]) for page, after in zip(pages, pages[1:]) if not re.search(r"[.:;\u201d]$", page[-2])
    ]
    assert len(runs_on) >= 3
    text = _norm(doc.text)
    for tail, head in runs_on:
        assert _norm(f"{tail} {head}") in text
    assert doc.kind == "minutes"


@pytest.mark.parametrize("name", list(HEADERS))
def test_docx_has_page_fields_a_page_break_and_headings(name: str) -> None:
    document = docx.Document(str(RENDERED / f"{name}.docx"))
    footer = document.sections[0].footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    body = document.element.body.xml
    assert 'w:type="page"' in body or name.startswith("cardiff")  # Cardiff's break is its table's
    assert any(p.style.name.startswith("Heading") for p in document.paragraphs)


def test_tables_repeat_their_header_row() -> None:
    tables = [table for name in HEADERS for table in docx.Document(str(RENDERED / f"{name}.docx")).tables]
    assert len(tables) >= 3
    assert all("w:tblHeader" in table.rows[0]._tr.xml for table in tables)


BULLETED = [
    "herefordshire_cabinet_2022-12-15_item181_ofsted_improvement_action_plan",
    "ciw_press_powys_childrens_2019-01-09",
    "limerick_council_2024-01-22_ordinary_meeting_minutes",
]


@pytest.mark.parametrize("name", BULLETED)
def test_pdf_bullets_are_not_private_use_glyphs(name: str) -> None:
    """Word and LibreOffice draw list bullets from the Symbol font, which PDFium reads as
    U+F0B7; stored text (and statements quoted from it) should not carry that."""
    from followthrough.ingest import read_document

    raw = "".join(line for page in _pdf_pages(name) for line in page)
    assert "\uf0b7" in raw  # the rendering has Symbol-font bullets
    doc = read_document(RENDERED / f"{name}.pdf")
    assert re.findall(r"[\ue000-\uf8ff]", doc.text) == []
