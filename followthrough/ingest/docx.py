"""DOCX: paragraphs and tables in document order (python-docx).

Each paragraph (headings included) is its own block, separated by a blank line. A table whose
header row names action-plan columns becomes PlanItems (tables.py) and readable rows; a table
that follows a plan table with the same number of columns and no header of its own continues
it. Other tables become one block per row, cells joined with " | ". Page headers and footers
are left out, and Document.pages stays empty: a DOCX has no reliable page breaks.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table
from docx.text.paragraph import Paragraph

from followthrough.errors import BadDocument
from followthrough.ingest.detect import TITLE_SKIP
from followthrough.ingest.hyphens import Dehyphenator
from followthrough.ingest.tables import PlanTable, Row, clean_cell, read_plan
from followthrough.models import Document


def read_docx(path: Path, data: bytes) -> Document:
    """Read a Word document; raises BadDocument when it is not a readable DOCX."""
    try:
        word = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, EOFError) as exc:
        raise BadDocument(path, f"corrupt (not a readable DOCX: {exc})") from exc
    except ValueError as exc:  # a zip of another kind, e.g. a spreadsheet named .docx
        found = re.search(r"content type is '([^']+)'", str(exc))
        what = f"content type {found[1]}" if found else str(exc)
        raise BadDocument(path, f"unsupported type (not a Word document: {what})") from exc
    except Exception as exc:  # malformed XML inside the zip (lxml raises its own types)
        raise BadDocument(path, f"corrupt ({type(exc).__name__}: {exc})") from exc
    blocks: list[str] = []
    tables: list[PlanTable] = []
    warnings: list[str] = []
    content = list(_blocks(word.element.body, word._body))
    dehyphenate = Dehyphenator(_all_text(content))
    previous: PlanTable | None = None
    for block in content:
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text:
                blocks.append(f"• {text}" if _is_list_item(block) else text)
            previous = None if text else previous
            continue
        rows = table_rows(block)
        if not rows:
            continue
        continued = previous.columns if previous and _width(rows) == _width_of(previous) else None
        plan = read_plan(rows, dehyphenate=dehyphenate)
        if plan is None and continued and previous is not None:
            section = previous.items[-1].section if previous.items else None
            plan = read_plan(rows, dehyphenate=dehyphenate, columns=continued, section=section)
        if plan and plan.items:
            tables.append(plan)
            blocks.extend(_row_text(row, dehyphenate) for row in plan.preamble)
            blocks.append(plan.text())
            previous = plan
        else:
            blocks.extend(_row_text(row, dehyphenate) for row in rows)
            previous = None
    items = [item for table in tables for item in table.items]
    return Document(
        path=str(path),
        sha256="",
        text="\n\n".join(b for b in blocks if b),
        pages=[],
        file_type="docx",
        kind="action plan" if items else "other",
        title=_title(word, content),
        plan_items=items,
        warnings=warnings,
    )


def _title(word: DocxDocument, content: list[Paragraph | Table]) -> str | None:
    """The core "Title" property, else the first Title or Heading 1 paragraph near the top
    (shortened at a word to 200 characters), unless it is web-page residue such as "Issue -
    meetings" (detect.TITLE_SKIP)."""
    found = (word.core_properties.title or "").strip()
    if len(found) < 8:
        found = next(
            (
                block.text.strip()
                for block in content[:10]
                if isinstance(block, Paragraph)
                and block.style is not None
                and block.style.name in ("Title", "Heading 1")
                and block.text.strip()
            ),
            "",
        )
    found = re.sub(r"\s+", " ", found)
    if len(found) > 200:
        found = found[:200].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return found if len(found) >= 8 and not TITLE_SKIP.match(found) else None


def _blocks(element: BaseOxmlElement, parent: BlockItemContainer) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in order, including those inside content controls (w:sdt),
    which python-docx's ``iter_inner_content`` passes over."""
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, parent)


def table_rows(table: Table) -> list[Row]:
    """The table's rows; a cell spanning columns appears once, then None for the covered ones."""
    rows: list[Row] = []
    for row in table.rows:
        cells: list[str | None] = []
        last = None
        for cell in row.cells:
            cells.append(None if last is not None and cell._tc is last else cell.text)
            last = cell._tc
        rows.append(Row(cells))
    return rows


def _width(rows: list[Row]) -> int:
    return max(len(row.cells) for row in rows)


def _width_of(plan: PlanTable) -> int:
    return max(len(plan.labels), max(plan.columns) + 1)


def _is_list_item(paragraph: Paragraph) -> bool:
    """A bulleted or numbered paragraph (Word numbering, or a "List ..." style): its marker is
    not in ``paragraph.text``, so the text gets a bullet (report lists read items by markers)."""
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        return True
    style = paragraph.style
    return style is not None and (style.name or "").startswith("List")


def _row_text(row: Row, dehyphenate: Dehyphenator) -> str:
    return " | ".join(t for t in (clean_cell(c, dehyphenate) for c in row.cells) if t)


def _all_text(content: list[Paragraph | Table]) -> str:
    parts: list[str] = []
    for block in content:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            parts.extend(c for row in table_rows(block) for c in row.cells if c)
    return "\n".join(parts)
