"""Render corpus documents the way councils publish them: DOCX (python-docx) and PDF (LibreOffice).

Each rendering has a running header ("Bridgend County Borough Council - Cabinet - Minutes"),
a "Page X of Y" footer built from PAGE/NUMPAGES fields, headings, numbered items, a forced
page break and, where the source has one, a table (the Cardiff items table is long enough
to split across pages; its header row repeats). Prose is copied from the source unchanged,
so text extracted from a rendering can be compared with the source file; the only added
lines are the title headings listed in ``ADDED_LINES``.

Rebuild (needs LibreOffice: apt-get install libreoffice-writer-nogui):

    .venv/bin/python tools/render_corpus.py            # DOCX + PDF into corpus/rendered/
    .venv/bin/python tools/render_corpus.py --no-pdf   # DOCX only

``benchmarks/ingest_pdf.py`` imports :func:`limerick_blocks`, :func:`build_docx` and
:func:`convert_to_pdf` to make its 300-page PDF.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "corpus" / "documents"
LIMERICK = Path("/work/shared/realdocs/limerick_council_2024-01-22_ordinary_meeting_minutes_full.md")
OUT = ROOT / "corpus" / "rendered"


# --- a tiny block model -------------------------------------------------------------------


@dataclass
class Block:
    """One thing on the page. ``runs`` are (text, bold) pairs for paragraphs."""

    kind: str  # heading | para | bullet | pagebreak | table
    runs: list[tuple[str, bool]] = field(default_factory=list)
    level: int = 1
    style: str | None = None
    # tables: header cells, then rows of cells, each cell a list of paragraphs (runs)
    header: list[str] = field(default_factory=list)
    rows: list[list[list[list[tuple[str, bool]]]]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs)


def para(text: str, bold: bool = False) -> Block:
    return Block("para", [(text, bold)])


def heading(text: str, level: int = 1) -> Block:
    return Block("heading", [(text, False)], level=level)


def bullet(text: str) -> Block:
    return Block("bullet", [(text, False)])


PAGE_BREAK = Block("pagebreak")

BULLET = re.compile(r"^\s*(?:[-\u00b7\u2022])\s+")
LABEL = re.compile(r"^(?:Minutes:|Decision:|Additional documents:|RESOLVED:?\s*(?:that)?)\s*$")


def source_blocks(text: str, keep_blank: bool = False) -> list[Block]:
    """Blocks for plain ModernGov-style text: one paragraph per line, bullets as list items.

    ``keep_blank`` keeps whitespace-only lines as empty paragraphs (ModernGov pages use
    them for spacing, and printed minutes keep them).
    """
    blocks: list[Block] = []
    for line in text.splitlines():
        if not line.strip():
            if keep_blank and line:  # a line holding only spaces: an empty paragraph
                blocks.append(para(""))
            continue
        if BULLET.match(line):
            blocks.append(bullet(BULLET.sub("", line).strip()))
        elif LABEL.match(line.strip()):
            blocks.append(para(line.strip(), bold=True))
        else:
            blocks.append(para(line.strip()))
    return blocks


def _resolved(block: Block) -> Block:
    """Bold the leading 'RESOLVED:' the way minutes print it."""
    text = block.text
    match = re.match(r"RESOLVED:?", text)
    if block.kind == "para" and match and len(text) > match.end():
        block.runs = [(text[: match.end()], True), (text[match.end() :], False)]
    return block


# --- the documents ------------------------------------------------------------------------


@dataclass
class Rendering:
    name: str  # output file stem
    source: str  # what it derives from (for SOURCES.tsv)
    header: str
    blocks: list[Block]
    added: list[str] = field(default_factory=list)  # lines not in the source (title headings)


def _read(name: str) -> str:
    return (DOCUMENTS / name).read_text(encoding="utf-8")


def bridgend_strategic_plan() -> Rendering:
    name = "bridgend_cabinet_2022_childrens_social_care_3yr_strategic_plan.txt"
    title = "3 year strategic plan for Children\u2019s Social Care in Bridgend"
    body = [_resolved(b) for b in source_blocks(_read(name))]
    # A page break after the presentation, before the members' questions.
    blocks = [heading(title, 1), *body[:3], PAGE_BREAK, *body[3:]]
    return Rendering(
        name.removesuffix(".txt"),
        f"corpus/documents/{name}",
        "Bridgend County Borough Council - Cabinet - Minutes",
        blocks,
        [title],
    )


def bridgend_improvement_check() -> Rendering:
    name = "bridgend_cabinet_2023_ciw_improvement_check_item168.txt"
    title = "168. Care Inspectorate Wales (CIW) improvement check"
    body = source_blocks(_read(name))
    blocks = [heading(title, 1), *body[:4], PAGE_BREAK, *body[4:]]
    return Rendering(
        name.removesuffix(".txt"),
        f"corpus/documents/{name}",
        "Bridgend County Borough Council - Cabinet - Minutes",
        blocks,
        [title],
    )


def herefordshire_action_plan() -> Rendering:
    name = "herefordshire_cabinet_2022-12-15_item181_ofsted_improvement_action_plan.txt"
    lines = source_blocks(_read(name))
    blocks: list[Block] = []
    for block in lines:
        text = block.text
        if text == "Issue - meetings":
            blocks.append(heading(text, 1))
        elif text == "Ofsted Improvement Action Plan":
            blocks.append(heading(text, 2))
        elif text.startswith("Meeting: "):
            blocks.append(para(text, bold=True))
        elif text.startswith("181 "):
            blocks.append(heading(text, 3))  # the numbered item
        elif text.startswith("Group leaders spoke"):
            blocks += [PAGE_BREAK, block]
        else:
            blocks.append(block)
    return Rendering(
        name.removesuffix(".txt"),
        f"corpus/documents/{name}",
        "Herefordshire Council - Cabinet - Minutes",
        blocks,
    )


def ciw_powys_press() -> Rendering:
    name = "ciw_press_powys_childrens_2019-01-09.txt"
    blocks: list[Block] = []
    for i, block in enumerate(source_blocks(_read(name))):
        if i == 0:
            blocks.append(heading(block.text, 1))
        elif block.text == "Priority areas for development":
            blocks.append(heading(block.text, 2))
        elif block.text == "Next steps":
            blocks += [PAGE_BREAK, heading(block.text, 2)]
        else:
            blocks.append(block)
    return Rendering(
        name.removesuffix(".txt"),
        f"corpus/documents/{name}",
        "Care Inspectorate Wales - News",
        blocks,
    )


def cardiff_items() -> Rendering:
    """ModernGov 'Agenda, decisions and minutes': the items sit in a No. | Item table."""
    name = "cardiff_cabinet_2016-01-21_items86-89.txt"
    lines = _read(name).splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines) and lines[i].strip() != "No. Item":
        text = lines[i].strip()
        if text == "Agenda, decisions and minutes":
            blocks.append(heading(text, 1))
        elif text.startswith("Cabinet - "):
            blocks.append(heading(text, 2))
        elif text == "Items":
            blocks.append(heading(text, 3))
        elif text:
            blocks.append(para(text))
        i += 1
    rows: list[list[list[list[tuple[str, bool]]]]] = []
    for line in lines[i + 1 :]:
        text = line.strip()
        if re.fullmatch(r"\d+\.", text):
            rows.append([[[(text, True)]], []])
            continue
        if not rows or (not line and not rows[-1][1]):
            continue
        cell = rows[-1][1]
        if not line:
            continue  # separators between paragraphs in the source
        if not cell:
            cell.append([(text, True)])  # the item title
        elif LABEL.match(text):
            cell.append([(text, True)])
        else:
            cell.append(_resolved(para(text)).runs)
    table = Block("table", header=["No.", "Item"], rows=rows, widths=[1.6, 14.4])
    blocks.append(table)
    return Rendering(
        name.removesuffix(".txt"),
        f"corpus/documents/{name}",
        "The County Council of the City and County of Cardiff - Cabinet - Minutes",
        blocks,
    )


# --- Limerick: the long one ---------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _runs(markdown_line: str) -> list[tuple[str, bool]]:
    """(text, bold) runs from a line with **bold** spans and markdown escapes."""
    line = markdown_line.replace("\\_", "_")
    runs: list[tuple[str, bool]] = []
    pos = 0
    for match in _BOLD.finditer(line):
        if match.start() > pos:
            runs.append((line[pos : match.start()], False))
        runs.append((match.group(1), True))
        pos = match.end()
    if pos < len(line):
        runs.append((line[pos:], False))
    return runs


def _join(runs: list[tuple[str, bool]], more: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    if runs and more:
        runs = runs[:-1] + [(runs[-1][0] + " ", runs[-1][1])]
    return runs + more


def _wrapped(line: str) -> bool:
    """Did the PDF wrap this line (so the next one continues its paragraph)?"""
    return len(line) >= 80 or (len(line) >= 55 and not re.search(r"[.:;\u201d\"]$", line))


def limerick_lines() -> list[str]:
    """The minutes' lines, without the provenance preamble and the old page-number markers."""
    text = LIMERICK.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]  # after the '# source:' and '[Original file]' lines
    lines = [line.rstrip() for line in body.splitlines()]
    kept = []
    for i, line in enumerate(lines):
        if line == "---":
            continue
        # the original PDF's page number, printed just after each '---'
        if re.fullmatch(r"\d{1,2}", line) and any(l == "---" for l in lines[max(0, i - 2) : i]):
            continue
        if line.strip():
            kept.append(line)
    return kept


def _table_cells(lines: list[str], start: int, count: int) -> list[str]:
    return [_BOLD.sub(r"\1", line).strip() for line in lines[start : start + count]]


def limerick_blocks() -> list[Block]:
    """The Limerick ordinary meeting minutes as headings, paragraphs, lists and two tables.

    PDF lines are joined back into paragraphs: a long line that does not end a sentence was
    wrapped, so the next line continues it unless that one opens something new (an item, a
    sub-item, a change between bold and plain).
    """
    lines = limerick_lines()
    blocks: list[Block] = []
    current: list[tuple[str, bool]] | None = None
    last_line, last_bold = "", False
    opener = re.compile(r"^(?:\(\w{1,4}\)|\d{1,2}\.|[\u00b7\uf0b7]\s)")

    def close() -> None:
        nonlocal current
        if current:
            blocks.append(Block("para", current))
        current = None

    # The opening three lines ("MINUTES OF PROCEEDINGS ... AT 3.00 P.M.") are the title.
    blocks.append(heading(" ".join(lines[:3]), 1))
    i = 3
    while i < len(lines):
        line = lines[i]
        plain = _BOLD.sub(r"\1", line).strip()
        # The two tables in the replies.
        if plain == "District" and i + 3 < len(lines) and _BOLD.sub(r"\1", lines[i + 1]) == "2021":
            close()
            cells = _table_cells(lines, i + 4, 16)
            blocks.append(
                Block(
                    "table",
                    header=_table_cells(lines, i, 4),
                    rows=[[[[(c, False)]] for c in cells[r : r + 4]] for r in range(0, 16, 4)],
                    widths=[5.5, 3.5, 3.5, 3.5],
                )
            )
            i += 20
            continue
        if plain == "Vacant Property Refurbishment Grant" and i + 1 < len(lines) and "No." in lines[i + 1]:
            close()
            cells = _table_cells(lines, i + 2, 10)
            blocks.append(
                Block(
                    "table",
                    header=_table_cells(lines, i, 2),
                    rows=[[[[(c, False)]] for c in cells[r : r + 2]] for r in range(0, 10, 2)],
                    widths=[10.0, 3.0],
                )
            )
            i += 12
            continue
        # "1." alone on a line, then the item title: a numbered heading.
        if re.fullmatch(r"\d{1,2}\.", plain) and i + 1 < len(lines):
            close()
            title = _BOLD.sub(r"\1", lines[i + 1]).strip()
            i += 2
            last = title
            while _wrapped(last) and i < len(lines) and not opener.match(lines[i]):
                last = _BOLD.sub(r"\1", lines[i]).strip()  # the title runs on
                title += " " + last
                i += 1
            blocks.append(heading(f"{plain} {title}", 2))
            continue
        if plain in {"QUESTIONS", "NOTICES OF MOTION", "ANY OTHER BUSINESS"}:
            close()
            if plain == "QUESTIONS":
                blocks.append(PAGE_BREAK)
            blocks.append(heading(plain, 2))
            i += 1
            continue
        if plain.startswith(("\u00b7", "\uf0b7")):  # middle dot, Symbol-font bullet
            close()
            blocks.append(bullet(plain.lstrip("\u00b7\uf0b7 ").strip()))
            i += 1
            continue
        runs = _runs(line.strip())
        bold = line.startswith("**")
        starts_new = bool(opener.match(plain)) or current is None or bold != last_bold
        if current is not None and _wrapped(last_line) and not starts_new:
            current = _join(current, runs)
        else:
            close()
            current = runs
        last_line, last_bold = plain, bold
        i += 1
    close()
    return blocks


def limerick() -> Rendering:
    return Rendering(
        "limerick_council_2024-01-22_ordinary_meeting_minutes",
        "/work/shared/realdocs/limerick_council_2024-01-22_ordinary_meeting_minutes_full.md "
        "(from https://www.limerick.ie/sites/default/files/media/documents/2024-03/"
        "minutes-meeting-of-limerick-city-and-county-council-22.01.2024.pdf)",
        "Limerick City and County Council - Ordinary Meeting - Minutes",
        limerick_blocks(),
    )


RENDERINGS = [
    bridgend_strategic_plan,
    bridgend_improvement_check,
    herefordshire_action_plan,
    ciw_powys_press,
    cardiff_items,
    limerick,
]


# --- DOCX writing -------------------------------------------------------------------------


def _field(paragraph, instruction: str) -> None:
    """Append a complex field (PAGE, NUMPAGES) with a placeholder result."""

    def run_with(element):
        run = paragraph.add_run()
        run._r.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _write_runs(paragraph, runs: list[tuple[str, bool]]) -> None:
    for text, bold in runs:
        paragraph.add_run(text).bold = bold or None


def build_docx(header: str, blocks: list[Block], path: Path) -> Path:
    """Write ``blocks`` as an A4 DOCX with running header and 'Page X of Y' footer."""
    doc = new_docx()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].font.name = "Arial"
        fonts = doc.styles[name].element.rPr.rFonts
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)  # else the theme font wins over Arial

    head = section.header.paragraphs[0]
    head.text = header
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.runs[0].font.size = Pt(9)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("Page ")
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")
    for run in foot.runs:
        run.font.size = Pt(9)

    for block in blocks:
        if block.kind == "heading":
            doc.add_heading(block.text, level=block.level)
        elif block.kind == "para":
            _write_runs(doc.add_paragraph(), block.runs)
        elif block.kind == "bullet":
            _write_runs(doc.add_paragraph(style="List Bullet"), block.runs)
        elif block.kind == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif block.kind == "table":
            _write_table(doc, block)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _write_table(doc, block: Block) -> None:
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.header):
        cell.paragraphs[0].add_run(text).bold = True
    _repeat_header(table.rows[0])
    for row in block.rows:
        cells = table.add_row().cells
        for cell, paragraphs in zip(cells, row):
            first = True
            for runs in paragraphs or [[("", False)]]:
                target = cell.paragraphs[0] if first else cell.add_paragraph()
                _write_runs(target, runs)
                first = False
    if block.widths:
        # LibreOffice reads the grid's column widths; Word reads the cells'.
        table.autofit = False
        for column, width in zip(table.columns, block.widths):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, block.widths):
                cell.width = Cm(width)
    doc.add_paragraph()


# --- PDF conversion -----------------------------------------------------------------------


def convert_to_pdf(docx: Path, outdir: Path) -> Path:
    """DOCX to PDF with LibreOffice (headless, its own throwaway profile)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice not found: apt-get install -y libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(docx),
            ],
            check=True,
            capture_output=True,
            timeout=1800,
        )
    pdf = outdir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise SystemExit(f"LibreOffice did not write {pdf}")
    return pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-pdf", action="store_true", help="write the DOCX files only")
    args = parser.parse_args(argv)
    for make in RENDERINGS:
        rendering = make()
        docx = build_docx(rendering.header, rendering.blocks, args.out / f"{rendering.name}.docx")
        line = f"{docx.relative_to(ROOT) if docx.is_relative_to(ROOT) else docx}  {docx.stat().st_size} bytes"
        if not args.no_pdf:
            pdf = convert_to_pdf(docx, args.out)
            line += f"; {pdf.name} {pdf.stat().st_size} bytes"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
