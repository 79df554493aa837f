"""CSV and XLSX action-plan trackers: the first sheet with a plan header row becomes PlanItems.

The header row need not be the first row (trackers often start with a title and a date); it
is looked for in the first 30 rows. CSV is decoded like text files (ingest/text.py) and its
dialect sniffed; XLSX is read with openpyxl in read-only mode, values not formulas. A file
with no recognisable header row is not an action plan and is refused.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Generator, Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path

from followthrough.errors import BadDocument
from followthrough.ingest.tables import PlanTable, Row, read_plan
from followthrough.ingest.text import decode_with_warning, normalise_newlines
from followthrough.models import Document

HEADER_SEARCH = 30
NO_HEADER = "unsupported type (no action-plan header row found)"


def read_spreadsheet(path: Path, data: bytes) -> Document:
    """Read a CSV or XLSX action plan; raises BadDocument when it holds none."""
    sheets: Iterable[tuple[str | None, list[Row]]]
    warnings: list[str] = []
    if data.startswith(b"PK\x03\x04"):
        file_type, sheets = "xlsx", _xlsx_sheets(path, data)
        uncached = uncached_formulas(data)
        if uncached:
            warnings.append(
                f"{uncached} formula cell{'s' if uncached != 1 else ''} with no saved value read as empty"
                " (open and save the file in Excel to compute them)"
            )
    else:
        file_type, sheets = "csv", [(None, _csv_rows(path, data, warnings))]
    try:
        for sheet, rows in sheets:
            plan = read_plan(rows, search=HEADER_SEARCH)
            if plan and plan.items:
                doc = _document(path, file_type, sheet, plan)
                doc.warnings.extend(warnings)
                return doc
    finally:
        if isinstance(sheets, Generator):
            sheets.close()  # closes the workbook now, not when the generator is collected
    raise BadDocument(path, NO_HEADER)


def _document(path: Path, file_type: str, sheet: str | None, plan: PlanTable) -> Document:
    preamble = [" | ".join(c.strip() for c in row.cells if c and c.strip()) for row in plan.preamble]
    preamble = [line for line in preamble if line]
    title = preamble[0] if preamble else (sheet if sheet and not sheet.lower().startswith("sheet") else path.stem)
    text = "\n\n".join([*preamble, plan.text()])
    return Document(
        path=str(path),
        sha256="",
        text=text,
        pages=[],
        file_type=file_type,
        kind="action plan",
        title=title,
        plan_items=plan.items,
    )


def _csv_rows(path: Path, data: bytes, warnings: list[str]) -> list[Row]:
    text, warning = decode_with_warning(path, data)
    text = normalise_newlines(text)
    if warning:
        warnings.append(warning)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return [Row(list(cells)) for cells in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise BadDocument(path, f"corrupt (CSV: {exc})") from exc


_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b[^>]*>[^<]")


def uncached_formulas(data: bytes) -> int:
    """Formula cells the workbook holds no computed value for (files written by programs
    other than Excel often leave it to Excel): openpyxl reads them as empty."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        count = 0
        for name in sheets:
            for cell in _CELL.finditer(archive.read(name)):
                body = cell.group(1) or b""
                if _FORMULA.search(body) and not _VALUE.search(body):
                    count += 1
        return count
    except (zipfile.BadZipFile, KeyError, EOFError, OSError):
        return 0  # reading reports the damage


def _xlsx_sheets(path: Path, data: bytes) -> Iterator[tuple[str, list[Row]]]:
    """Each worksheet's rows, read one sheet at a time (the caller stops at the plan)."""
    from openpyxl import load_workbook  # slow to import; only for XLSX

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise BadDocument(path, f"corrupt (not a readable XLSX: {exc})") from exc
    except Exception as exc:  # openpyxl's InvalidFileException, malformed XML
        raise BadDocument(path, f"corrupt ({type(exc).__name__}: {exc})") from exc
    try:
        for sheet in book.worksheets:
            try:
                rows = [Row([_cell(v) for v in values]) for values in sheet.iter_rows(values_only=True)]
            except Exception as exc:  # a damaged sheet part inside a good zip
                raise BadDocument(path, f"corrupt (sheet {sheet.title!r}: {type(exc).__name__}: {exc})") from exc
            yield sheet.title, rows
    finally:
        book.close()


def _cell(value: object) -> str:
    """A cell value as text: dates as ISO dates, whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
