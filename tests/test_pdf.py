"""PDF text: pages, running headers and footers, broken words, bad files."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from hypothesis import given
from hypothesis import strategies as st

from followthrough.errors import BadDocument
from followthrough.ingest import read_document, store_document
from followthrough.ingest.hyphens import dehyphenate
from followthrough.ingest.pdf import PageFurniture, looks_like_plan_header, read_pdf
from followthrough.store import open_db

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
MINUTES = FIXTURES / "minutes.pdf"
BRIDGEND = Path(__file__).parent.parent / "corpus" / "bridgend-plan" / "plan.pdf"
MINUTES_HEADER = "Example Borough Council – Children's Scrutiny Committee – 12 March 2024"


def raw_pages(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(path.read_bytes())
    return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in pdf]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def save(pdf: pdfium.PdfDocument) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def test_pages_and_offsets() -> None:
    doc = read_document(MINUTES)
    assert [p.number for p in doc.pages] == [1, 2, 3, 4, 5, 6, 7]
    for page in doc.pages:
        assert doc.text[page.start : page.start + len(page.text)] == page.text
    assert doc.pages[2].text.startswith("3. Placements")
    assert doc.page_at(doc.text.index("5. Exploitation")) == 5
    assert doc.file_type == "pdf" and doc.kind != "action plan"


def test_running_header_and_page_footer_are_removed() -> None:
    raw = raw_pages(MINUTES)
    # the fixture really has them on every page ...
    assert all(lines(text)[0] == MINUTES_HEADER for text in raw)
    assert [lines(text)[-1] for text in raw] == [f"Page {n} of 7" for n in range(1, 8)]
    # ... and the document text has neither
    doc = read_document(MINUTES)
    assert MINUTES_HEADER not in doc.text
    assert not re.search(r"Page \d of 7", doc.text)
    # the body is untouched: first and last lines of each page's body survive
    for text, page in zip(raw, doc.pages):
        body = lines(text)[1:-1]
        assert lines(page.text) == [line.strip() for line in lines(dehyphenate("\n".join(body)))]


def test_paragraph_breaks_from_line_spacing() -> None:
    doc = read_document(MINUTES)
    # PDFium gives one line per printed line and no paragraph breaks ...
    assert "(Paragraph 1.1.)\nThe Head" in raw_pages(MINUTES)[0]
    # ... the wider gap between paragraphs becomes a blank line, the lines inside stay joined
    assert (
        "(Paragraph 1.1.)\n\nThe Head of Children's Services reported that the service had appointed\neleven"
        in doc.text
    )
    first = [p.text for p in doc.passages if p.text.endswith("(Paragraph 1.1.)")]
    assert first == [
        "The Head of Children's Services reported that the service had appointed\neleven social workers "
        "since the last meeting and that agency use had fallen\nto 24 per cent. (Paragraph 1.1.)"
    ]


def test_a_sentence_running_on_to_the_next_page_stays_one_passage() -> None:
    doc = read_document(MINUTES)
    last = doc.pages[-1]
    assert last.text[0].islower()
    assert doc.text[last.start - 2 : last.start] != "\n\n"
    closing = [p for p in doc.passages if p.text.startswith("In closing the chair")]
    assert len(closing) == 1 and closing[0].text.endswith("at the next meeting.")
    assert closing[0].page == 6 and doc.page_at(closing[0].end) == 7


def test_plan_header_and_footer_lines_are_removed_but_body_text_is_kept() -> None:
    doc = read_document(BRIDGEND)
    header = "Bridgend-style Children's Social Care Action Plan – illustrative test document"
    assert all(header in text for text in raw_pages(BRIDGEND))
    assert header not in doc.text
    assert "Not a council publication" not in lines(doc.text)
    assert "it is not a council publication." in doc.text


def test_plan_rows_replace_the_table_region_on_their_page() -> None:
    doc = read_document(BRIDGEND)
    row = "4.1 | Workforce | Recruitment and retention strategy for children's social workers"
    assert doc.page_at(doc.text.index(row)) == 3
    assert doc.page_at(doc.text.index("1. People – voice and control")) == 1
    # PDFium's cell-by-cell fragments of the table are gone
    assert "Recruitment \nand retention" not in doc.text


def test_title_is_the_largest_type_on_page_one() -> None:
    # set in Heading 1 and wrapped over two lines; the smaller running header is not the title
    title = "Children's Social Care – Improvement Check Action Plan (illustrative test document)"
    assert read_document(BRIDGEND).title == title
    assert read_document(MINUTES).title == "Minutes of the Children's Scrutiny Committee"


def test_table_header_repeated_at_the_top_of_a_page_is_dropped_once() -> None:
    path = FIXTURES / "items_table.pdf"
    raw = raw_pages(path)
    # Word repeats the header row of the (non-plan) decisions table on page 2 ...
    assert [lines(text)[1:3] for text in raw] == [
        ["Decisions of the Cabinet", "No. Item Decision"],
        ["No. Item Decision", "16. Report number 16 on"],
    ]
    doc = read_document(path)
    # ... the reader keeps it where the table starts and drops the repeat
    assert doc.text.count("No. Item Decision") == 1
    assert doc.page_at(doc.text.index("No. Item Decision")) == 1
    assert doc.pages[1].text.startswith("16. Report number 16 on")
    assert "Example Borough Council – Cabinet – Decisions" not in doc.text
    assert doc.plan_items == []


def test_hyphen_broken_words_are_rejoined() -> None:
    raw = "\n".join(raw_pages(MINUTES))
    assert "recruit\ufffement" in raw  # PDFium's mark for a line-end hyphen
    doc = read_document(MINUTES)
    assert "the social worker recruitment campaign and staff well-being." in doc.text
    assert "\ufffe" not in doc.text and "\x02" not in doc.text


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("a recruit-\nment drive", "a recruitment drive"),
        ("the in-\nformation", "the information"),
        ("agree step-\ndown criteria", "agree step-down criteria"),
        ("staff well-\nbeing", "staff well-being"),
        ("the voice-of-the-\nchild standard", "the voice-of-the-child standard"),
        ("reduce out-\nof-county placements", "reduce out-of-county placements"),
        ("Cwm Taf-\nMorgannwg", "Cwm Taf-Morgannwg"),
        ("in 2022-\n23", "in 2022-\n23"),
        ("recruit\ufffement", "recruitment"),
        ("step\x02down", "step-down"),
        ("a list -\nitem", "a list -\nitem"),
    ],
)
def test_dehyphenate_rule(text: str, joined: str) -> None:
    assert dehyphenate(text) == joined


def test_dehyphenate_follows_the_document() -> None:
    assert dehyphenate("case-\nload", evidence="caseloads are high") == "caseload"
    assert dehyphenate("case-\nload", evidence="") == "case-load"
    assert dehyphenate("well-\nbeing", evidence="wellbeing board") == "wellbeing"


def test_looks_like_plan_header() -> None:
    assert looks_like_plan_header("Ref Area Action Lead Timescale RAG\n1.1 ...")
    assert looks_like_plan_header(
        "Action \nNo.\nTheme Improvement action Responsible officer Completion \ndate\nStatus"
    )
    assert not looks_like_plan_header("The action plan sets out the lead officer and the status of each area.")
    assert not looks_like_plan_header("\n".join(raw_pages(MINUTES)))


# -- bad PDFs --------------------------------------------------------------------------------


def reason(path: Path, data: bytes) -> str:
    with pytest.raises(BadDocument) as caught:
        read_pdf(path, data)
    assert caught.value.path == str(path)
    return caught.value.reason


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    data = BRIDGEND.read_bytes()
    assert reason(tmp_path / "x.pdf", data[: len(data) // 2]).startswith("corrupt (")
    assert reason(tmp_path / "x.pdf", b"%PDF-1.4\nnot really a pdf").startswith("corrupt (")


def test_encrypted_pdf() -> None:
    path = FIXTURES / "encrypted.pdf"
    assert reason(path, path.read_bytes()) == "encrypted (password required)"
    with pytest.raises(BadDocument) as caught:
        read_document(path)
    assert str(caught.value) == f"{path}: encrypted (password required)"


def test_pdf_without_pages_is_empty(tmp_path: Path) -> None:
    assert reason(tmp_path / "x.pdf", save(pdfium.PdfDocument.new())) == "empty (no pages)"


def _image_page(pdf: pdfium.PdfDocument) -> None:
    page = pdf.new_page(200, 200)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(pdfium.PdfBitmap.new_native(40, 40, pdfium_raw.FPDFBitmap_BGR))
    image.set_matrix(pdfium.PdfMatrix().scale(100, 100))
    page.insert_obj(image)
    page.gen_content()


def test_image_only_pdf_is_scanned(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument.new()
    _image_page(pdf)
    _image_page(pdf)
    assert reason(tmp_path / "x.pdf", save(pdf)) == "scanned with no text layer (2 pages, no extractable text)"


def test_some_pages_without_text_are_a_warning(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument.new()
    pdf.import_pages(pdfium.PdfDocument(MINUTES.read_bytes()), [0, 1])
    _image_page(pdf)
    doc = read_pdf(tmp_path / "x.pdf", save(pdf))
    assert doc.warnings == ["1 of 3 pages have no text layer (pages 3)"]
    assert len(doc.pages) == 3 and doc.pages[2].text == ""
    assert "1. Workforce" in doc.text


def test_stored_plan_rows_and_pages(tmp_path: Path) -> None:
    db = open_db(tmp_path / "t.db")
    doc = read_document(BRIDGEND)
    store_document(db, doc)
    rows = list(db.query("SELECT ref, section, page, action FROM plan_items ORDER BY id"))
    assert len(rows) == 11
    assert rows[7]["ref"] == "4.1" and rows[7]["section"] == "4. Well-being" and rows[7]["page"] == 3
    ((kind, pages),) = db.execute("SELECT kind, page_count FROM documents").fetchall()
    assert (kind, pages) == ("action plan", 4)
    spans = db.execute('SELECT number, start, "end" FROM pages ORDER BY number').fetchall()
    assert [doc.text[start:end].strip() == doc.pages[n - 1].text for n, start, end in spans] == [True] * 4


def test_page_numbers_must_follow_the_page_order() -> None:
    pages = [
        "Annual Report 2023\nIntroduction\nTotal spend\n1250\n1",
        "Annual Report 2023\nSecond page\n2",
        "Annual Report 2023\nThird page\nPlaces\n987\n3",
        "",  # a page without text does not count against the header
    ]
    furniture = PageFurniture.find(pages)
    kept = [furniture.strip(n, text.split("\n")) for n, text in enumerate(pages, start=1)]
    assert kept[:3] == [
        ["Introduction", "Total spend", "1250"],
        ["Second page"],
        ["Third page", "Places", "987"],
    ]


def test_printed_page_numbers_may_be_offset() -> None:
    bodies = ["Welcome", "Budget", "Staffing", "Summary"]
    pages = [f"{body}\n- {n + 4} -" for n, body in enumerate(bodies, start=1)]
    furniture = PageFurniture.find(pages)
    assert [furniture.strip(n, p.split("\n")) for n, p in enumerate(pages, start=1)] == [[b] for b in bodies]
    # a single page: only the explicit "Page N of M" form goes
    single = PageFurniture.find(["Text\n7", "x"][:1])
    assert single.strip(1, ["Text", "7"]) == ["Text", "7"]
    assert single.strip(1, ["Text", "Page 1 of 1"]) == ["Text"]


def test_table_reading_failure_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import pdfplumber.page

    def broken(self, *args, **kwargs):
        raise ValueError("bad content stream")

    monkeypatch.setattr(pdfplumber.page.Page, "find_tables", broken)
    doc = read_pdf(BRIDGEND, BRIDGEND.read_bytes())
    assert doc.plan_items == [] and doc.kind == "other"
    assert doc.warnings == ["tables on page 1 not read (ValueError)"]
    assert "Record the" in doc.text  # PDFium's text of the table is kept


@given(st.text(alphabet=st.sampled_from(list("ab AB-\n\ufffe\x02\u00ad.1")), max_size=40))
def test_dehyphenate_is_idempotent_and_leaves_no_markers(text: str) -> None:
    once = dehyphenate(text)
    assert not {"\ufffe", "\x02", "\u00ad"} & set(once)
    assert dehyphenate(once) == once
    if "-\n" not in text and not {"\ufffe", "\x02", "\u00ad"} & set(text):
        assert once == text
