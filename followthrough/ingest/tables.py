"""Action-plan tables, whatever file they came from: header row -> columns -> PlanItems.

Readers turn their tables into :class:`Row` lists (a cell is None where a merged cell to its
left covers it) and call :func:`read_plan`. The rules, shared by PDF, DOCX, CSV and XLSX:

- Columns are mapped by their header names (data/plan_columns.json); header cells may hold
  line breaks ("Action\\nNo.").
- A row that repeats the header (a table continued on a new page) is dropped.
- A row with one non-empty cell, in the first column and not itself a reference such as
  "1.1", is a section row ("4. Well-being"): it names the section of the rows below it.
- The first row on a new page with no reference (or, without a reference column, an empty
  first cell) continues the row before it, split by the page break: the two are merged cell by
  cell. Readers without pages (DOCX, CSV) never merge.
- Cell text has words broken at line-end hyphens rejoined (see hyphens.py) and white space
  collapsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from followthrough.ingest.hyphens import Dehyphenator
from followthrough.models import PlanItem

FIELDS = ("ref", "area", "action", "lead", "timescale", "status")
_REF = re.compile(r"^[A-Za-z]{0,6}\s?\d+(?:[.\-/]\d+)*[a-z]?\.?$")
_SPACE = re.compile(r"\s+")


@dataclass
class Row:
    """One table row as read: ``None`` marks a cell covered by a merged cell to its left."""

    cells: list[str | None]
    page: int | None = None


@dataclass
class PlanTable:
    """An action-plan table: its column mapping, rows as PlanItems and readable text."""

    columns: dict[int, str]
    labels: list[str]
    items: list[PlanItem] = field(default_factory=list)
    # Readable text in reading order, one block per header, section or row, with its page.
    blocks: list[tuple[int | None, str]] = field(default_factory=list)
    preamble: list[Row] = field(default_factory=list)

    def text(self, page: int | None = None, *, all_pages: bool = True) -> str:
        """The blocks (of one page, unless ``all_pages``) as paragraphs."""
        return "\n\n".join(t for p, t in self.blocks if all_pages or p == page)


@cache
def vocabulary() -> dict[str, str]:
    """Normalised header name -> PlanItem field."""
    raw = json.loads(files("followthrough.ingest").joinpath("data/plan_columns.json").read_text("utf-8"))
    return {normalise_label(name): column for column, names in raw["columns"].items() for name in names}


def normalise_label(text: str) -> str:
    text = re.sub(r"[^\w&#]+", " ", text.lower())
    return _SPACE.sub(" ", text).strip()


def column_for(label: str | None) -> str | None:
    """The field a header cell names: exact name, else the longest name it starts with, else
    the longest it ends with (the head of an English noun phrase comes last: "Improvement
    activity" is an activity, "Planned completion date" a completion date)."""
    if not label:
        return None
    name = normalise_label(label)
    names = vocabulary()
    if name in names:
        return names[name]
    prefixes = [known for known in names if name.startswith(known + " ")]
    if prefixes:
        return names[max(prefixes, key=len)]
    suffixes = [known for known in names if name.endswith(" " + known) and len(known) > 2]
    return names[max(suffixes, key=len)] if suffixes else None


def header_columns(cells: Sequence[str | None]) -> dict[int, str] | None:
    """Column index -> field if ``cells`` read as an action-plan header row, else None.

    At least two cells must name columns, one of them the area or the action, and with only two
    named, they must be at least half the non-empty ones (so a sentence that mentions "action"
    is not a header); three named columns make a header beside any number of others.
    """
    columns: dict[int, str] = {}
    filled = 0
    for index, cell in enumerate(cells):
        if not cell or not cell.strip():
            continue
        filled += 1
        column = column_for(cell)
        if column and column not in columns.values():
            columns[index] = column
    # Three named columns make a header however many others a tracker adds ("Q1 update", ...).
    if (
        len(columns) >= 2
        and {"area", "action"} & set(columns.values())
        and (len(columns) >= 3 or 2 * len(columns) >= filled)
    ):
        return columns
    return None


def clean_cell(text: str | None, dehyphenate: Dehyphenator) -> str | None:
    """Rejoin broken words and collapse white space; None for an empty cell."""
    if text is None:
        return None
    text = _SPACE.sub(" ", dehyphenate(text)).strip()
    return text or None


def _is_ref(text: str) -> bool:
    return bool(_REF.match(text))


@dataclass
class _Entry:
    kind: str  # header | section | item
    page: int | None
    cells: list[str | None]
    section: str | None = None


def read_plan(
    rows: Sequence[Row],
    *,
    dehyphenate: Dehyphenator | None = None,
    columns: dict[int, str] | None = None,
    section: str | None = None,
    search: int = 10,
) -> PlanTable | None:
    """The action plan in ``rows``, or None if no header row is found in the first ``search``.

    ``columns`` and ``section`` continue a plan whose header came in an earlier table (then
    no header is needed).
    """
    dehyphenate = dehyphenate or Dehyphenator("\n".join(cell for row in rows for cell in row.cells if cell))
    start = None
    for index, row in enumerate(rows[:search]):
        found = header_columns(row.cells)
        if found:
            columns, start = found, index
            break
    if start is None and columns is None:
        return None
    assert columns is not None
    width = max(len(row.cells) for row in rows) if rows else 0
    entries: list[_Entry] = []
    if start is not None:
        entries.append(_Entry("header", rows[start].page, list(rows[start].cells)))
    body = rows[start + 1 :] if start is not None else rows
    ref_column = next((i for i, c in columns.items() if c == "ref"), None)
    key_column = ref_column if ref_column is not None else 0
    last_page = rows[start].page if start is not None else None
    for row in body:
        cells = list(row.cells) + [None] * (width - len(row.cells))
        texts = [clean_cell(c, dehyphenate) for c in cells]
        if not any(texts):
            continue
        if header_columns(cells) == columns:
            continue  # the header repeated on a later page
        new_page = row.page is not None and last_page is not None and row.page != last_page
        last_page = row.page if row.page is not None else last_page
        if new_page and texts[key_column] is None and entries and entries[-1].kind == "item":
            previous = entries[-1].cells
            entries[-1].cells = [
                "\n".join(p for p in (a, b) if p and p.strip()) or None
                for a, b in zip(previous + [None] * (width - len(previous)), cells)
            ]
            continue
        filled = [i for i, t in enumerate(texts) if t]
        if filled == [0] and not _is_ref(texts[0] or ""):
            section = texts[0]
            entries.append(_Entry("section", row.page, cells))
            continue
        entries.append(_Entry("item", row.page, cells, section))
    labels = [clean_cell(c, dehyphenate) or "" for c in entries[0].cells] if start is not None else []
    table = PlanTable(columns=dict(columns), labels=labels, preamble=list(rows[:start] if start else []))
    for entry in entries:
        texts = [clean_cell(c, dehyphenate) for c in entry.cells]
        table.blocks.append((entry.page, " | ".join(t for t in texts if t)))
        if entry.kind != "item":
            continue
        values = {column: texts[i] if i < len(texts) else None for i, column in columns.items()}
        table.items.append(
            PlanItem(
                ref=values.get("ref"),
                section=entry.section,
                area=values.get("area"),
                action=values.get("action"),
                lead=values.get("lead"),
                timescale=values.get("timescale"),
                status=values.get("status"),
                page=entry.page,
            )
        )
    return table
