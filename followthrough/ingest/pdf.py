"""PDF: page-aware text with pypdfium2, action-plan tables with pdfplumber.

pypdfium2 reads every page's text (hundreds of pages a second); pdfplumber, far slower, only
looks for tables on pages whose text reads like an action-plan header, and on the pages after
a plan table (where it may continue). On a page with a plan table the table's region is
replaced by readable rows ("1.1 | Voice of the child | Record ..."), so the text can be
searched; the rest of the page keeps PDFium's text.

Running headers and footers are removed: a line among the first or last three of a page whose
form (digits ignored) recurs there on at least half the pages (and on two or more), "Page 3 of
12", and bare page numbers that follow the page order. Words broken at line-end hyphens are
rejoined within a page (hyphens.py); a word broken across a page break is left as it is.

PDFium's text has one line per printed line and no paragraph breaks; a blank line is put where
the gap between baselines is wide or the font size changes, so passages are paragraphs. Pages
are joined with a blank line, or a single line break when a sentence runs on to the next page.
"""

from __future__ import annotations

import ctypes
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from itertools import takewhile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from followthrough.errors import BadDocument
from followthrough.ingest.detect import TITLE_SKIP
from followthrough.ingest.hyphens import Dehyphenator
from followthrough.ingest.limits import check_pdf_pages
from followthrough.ingest.tables import PlanTable, Row, header_columns, read_plan, vocabulary
from followthrough.models import Document, Page

ZONE = 3  # lines at the top and at the bottom of a page that may be header or footer
_PAGE_OF = re.compile(r"^(?:page\s*#+(?:\s*(?:of|/)\s*#+)?|#+\s*(?:of|/)\s*#+|#+\s*\|\s*page|page\s*\|\s*#+)$")
_BARE_NUMBER = re.compile(r"^[-–—]?\s*(\d{1,4})\s*[-–—]?$")
_BARE_KEY = re.compile(r"^[-–—]?\s*#\s*[-–—]?$")
# PDFium error codes (fpdfview.h): 4 = password required, 5 = unsupported security handler.
_ENCRYPTED: dict[int | None, str] = {4: "password required", 5: "unsupported security handler"}
_MARKERS = {0x02: "-", 0xFFFE: "-"}


def read_pdf(path: Path, data: bytes) -> Document:
    """Read a PDF into a Document; raises BadDocument for corrupt, encrypted, scanned or empty."""
    pdf = _open(path, data)
    try:
        if len(pdf) == 0:
            raise BadDocument(path, "empty (no pages)")
        check_pdf_pages(path, len(pdf))
        raw, failed, type_title, cell_rows = _page_texts(pdf)
        if len(failed) == len(raw):
            raise BadDocument(path, f"corrupt (no page could be read: {len(raw)} pages)")
        textless = [i + 1 for i, text in enumerate(raw) if not text.strip() and i + 1 not in failed]
        if len(textless) + len(failed) == len(raw):
            counted = f"{len(raw)} page" + ("" if len(raw) == 1 else "s")
            raise BadDocument(path, f"scanned with no text layer ({counted}, no extractable text)")
        dehyphenate = Dehyphenator("\n".join(raw))
        layout = _plan_tables(data, raw, dehyphenate)
        texts = [_page_with_tables(pdf, i, raw[i], layout) for i in range(len(raw))]
        title = _metadata_title(pdf) or type_title
    finally:
        pdf.close()
    warnings = list(layout.warnings)
    if failed:
        warnings.append(f"{len(failed)} of {len(raw)} pages could not be read (pages {_numbers(failed)})")
    if textless:
        warnings.append(f"{len(textless)} of {len(raw)} pages have no text layer (pages {_numbers(textless)})")
    furniture = PageFurniture.find(raw, cell_rows)
    pages: list[Page] = []
    parts: list[str] = []
    offset = 0
    kept = [furniture.strip(number, text.split("\n")) for number, text in enumerate(texts, start=1)]
    if not any(line.strip() for lines in kept for line in lines):
        # Every line recurs on every page (identical pages): that is the text, not furniture.
        kept = [text.split("\n") for text in texts]
    for number, lines in enumerate(kept, start=1):
        text = _tidy(dehyphenate("\n".join(lines)))
        if parts:
            # A sentence that runs on to the next page stays one paragraph.
            separator = "\n" if _runs_on(parts[-1], text) else "\n\n"
            parts.append(separator)
            offset += len(separator)
        pages.append(Page(number=number, text=text, start=offset))
        parts.append(text)
        offset += len(text)
    items = [item for table in layout.tables for item in table.items]
    return Document(
        path=str(path),
        sha256="",
        text="".join(parts),
        pages=pages,
        file_type="pdf",
        kind="action plan" if items else "other",
        title=title,
        plan_items=items,
        warnings=warnings,
    )


def _open(path: Path, data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # PDFium keeps its last error in global state and does not set one for every failure
        # (an empty page tree fails with the previous code, often "Success"), so pdfminer
        # gives a second opinion before we name the reason.
        code = getattr(exc, "err_code", None)
        second = _pdfminer_opinion(data)
        if second == 0:
            raise BadDocument(path, "empty (no pages)") from exc
        if second == "encrypted" or (code in _ENCRYPTED and not isinstance(second, int)):
            raise BadDocument(path, f"encrypted ({_ENCRYPTED.get(code, 'password required')})") from exc
        detail = re.search(r"PDFium: ([^)]*)", str(exc))
        why = detail[1].rstrip(".").lower() if detail else str(exc)
        if why == "success":  # the stale code of an earlier call (above): no reason given
            why = "no reason given"
        raise BadDocument(path, f"corrupt (unreadable or truncated PDF; PDFium: {why})") from exc


def _pdfminer_opinion(data: bytes) -> int | str:
    """pdfminer's page count, or "encrypted", or "unreadable"."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except Exception as exc:  # pdfminer raises many types; this is only a second opinion
        cause = exc.args[0] if exc.args else exc
        if "Password" in type(cause).__name__ or "Encryption" in type(cause).__name__:
            return "encrypted"
        return "unreadable"


# Word and LibreOffice draw list bullets from the Symbol and Wingdings fonts, which PDFium
# reads as private-use code points (U+F0B7 and friends): make them plain bullets, one for
# one, so offsets into the page's characters still hold.
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _page_texts(pdf: pdfium.PdfDocument) -> tuple[list[str], list[int], str | None, list[set[str]]]:
    """Each page's PDFium text with "\\n" line ends, the numbers of pages that failed, the
    title (page 1's largest type), and each page's top lines that are rows of table cells."""
    texts: list[str] = []
    failed: list[int] = []
    cell_rows: list[set[str]] = []
    earlier: set[str] = set()  # every line of the pages read so far
    judged: dict[str, bool] = {}  # repeated lines already measured: are they table-cell rows?
    title = None
    for index in range(len(pdf)):
        try:
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            text = PRIVATE_USE.sub("•", text)
            lines = _lines(textpage, text)
            texts.append(_paragraphs(lines))
            cell_rows.append(_top_cell_rows(textpage, text, earlier, judged) if index else set())
            earlier.update(line.strip() for line, _, _ in lines)
            if index == 0:
                title = _largest_type(lines)
            textpage.close()
            page.close()
        except pdfium.PdfiumError:
            texts.append("")
            cell_rows.append(set())
            failed.append(index + 1)
    return texts, failed, title, cell_rows


def _top_cell_rows(
    textpage: pdfium.PdfTextPage, text: str, earlier: set[str], judged: dict[str, bool], gap: float = 2.5
) -> set[str]:
    """Lines among the page's first few that repeat a line of an earlier page and whose words
    sit in separate table cells: the space between two words is over ``gap`` times the font
    size ("No.        Item")."""
    found: set[str] = set()
    if textpage.count_chars() != len(text):
        return found
    pos, seen = 0, 0
    for line in text.split("\r\n"):
        stripped = line.strip()
        if stripped:
            seen += 1
            if stripped in earlier and " " in stripped and judged.get(stripped) is not False:
                judged[stripped] = False  # a running header repeats its layout: judge it once
                size = pdfium_c.FPDFText_GetFontSize(textpage, pos + len(line) - len(line.lstrip())) or 10.0
                # only the characters either side of each space: a handful of calls a line
                for offset, char in enumerate(line[1:-1], start=1):
                    if char == " " and line[offset - 1] != " " and line[offset + 1] != " ":
                        before = textpage.get_charbox(pos + offset - 1)[2]
                        after = textpage.get_charbox(pos + offset + 1)[0]
                        if after - before > gap * size:
                            found.add(stripped)
                            judged[stripped] = True
                            break
        if seen > ZONE:
            break
        pos += len(line) + 2
    return found


_Line = tuple[str, float | None, float]  # text, baseline (None if unknown), font size


def _lines(textpage: pdfium.PdfTextPage, text: str) -> list[_Line]:
    """PDFium's lines with the baseline and font size of each line's first character.

    Offsets in ``text`` are PDFium character indexes (its line ends are generated
    characters); where they are not (characters outside the BMP) no positions are read.
    """
    if textpage.count_chars() != len(text):
        return [(line, None, 0.0) for line in _newlines(text).split("\n")]
    x, y = ctypes.c_double(), ctypes.c_double()
    lines: list[_Line] = []
    pos = 0
    for line in text.split("\r\n"):
        baseline, size = None, 0.0
        stripped = line.lstrip()
        first = pos + len(line) - len(stripped)
        if stripped and pdfium_c.FPDFText_GetCharOrigin(textpage, first, x, y):
            baseline, size = y.value, pdfium_c.FPDFText_GetFontSize(textpage, first)
        lines.append((line.replace("\r", "\n"), baseline, size))
        pos += len(line) + 2
    return lines


def _paragraphs(lines: list[_Line]) -> str:
    """The page text with a blank line at each paragraph or heading break: where the gap
    between two lines' baselines is over 1.3 times the page's usual line pitch (its lower
    quartile), or the font size changes.

    PDFium's text has no paragraph breaks; passages (and so extraction) need them.
    """
    placed = [b for _, b, _ in lines if b is not None]
    pitches = [a - b for a, b in zip(placed, placed[1:]) if a - b > 0]
    if len(pitches) < 2:
        return "\n".join(line for line, _, _ in lines)
    # The lower quartile, not the median: where most paragraphs are one line long (minutes),
    # paragraph gaps are as common as line gaps.
    usual = statistics.quantiles(pitches, n=4, method="inclusive")[0]
    out: list[str] = []
    previous: tuple[float, float] | None = None
    for line, baseline, size in lines:
        if baseline is not None and previous is not None:
            pitch = previous[0] - baseline
            # a wide gap, a jump back up the page (a new column) or a change of font size
            # (a heading and its text)
            broken = pitch > 1.3 * usual or pitch < -0.5 * usual or abs(size - previous[1]) >= 1.0
            if broken and out and out[-1].strip():
                out.append("")
        if baseline is not None:
            previous = (baseline, size)
        out.append(line)
    return "\n".join(out)


def _largest_type(lines: list[_Line], head: int = 20) -> str | None:
    """The first run of lines set in the page's largest type, if larger than the body text."""
    sized = [(line.strip(), size) for line, _, size in lines if line.strip() and size][:head]
    if len(sized) < 2:
        return None
    body = statistics.median(size for _, size in sized)
    largest = max(size for _, size in sized)
    if largest < body + 2:
        return None
    start = next(i for i, (_, size) in enumerate(sized) if size == largest)
    run = [text for text, _ in takewhile(lambda line: abs(line[1] - largest) < 0.5, sized[start : start + 4])]
    title = re.sub(r"\s+", " ", " ".join(run).translate(_MARKERS)).strip()
    # Web-page residue set large ("Issue - meetings", "Agenda, decisions and minutes") is not a
    # title (detect.TITLE_SKIP).
    return title if 8 <= len(title) <= 200 and not TITLE_SKIP.match(title) else None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _runs_on(before: str, after: str) -> bool:
    """Whether ``after`` continues the sentence that ``before`` leaves open."""
    before, after = before.rstrip(), after.lstrip()
    return bool(before and after) and before[-1] not in ".:;!?\"'”’)|" and (after[0].islower() or after[0] in ",;")


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _numbers(pages: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(p) for p in pages[:limit])
    return shown + (", ..." if len(pages) > limit else "")


def _metadata_title(pdf: pdfium.PdfDocument) -> str | None:
    try:
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    except pdfium.PdfiumError:
        return None
    if len(title) < 8 or re.match(r"(?:microsoft word|untitled)\b", title, re.IGNORECASE):
        return None
    return title


# -- running headers and footers -------------------------------------------------------------


_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def _key(line: str) -> str:
    return _DIGITS.sub("#", _SPACES.sub(" ", line.strip().lower()))


@dataclass
class PageFurniture:
    """Header and footer lines found across pages, and the page-number offset."""

    top: set[str] = field(default_factory=set)
    bottom: set[str] = field(default_factory=set)
    number_offset: int | None = None
    # page number -> lines at its top that repeat a table's header row from an earlier page
    table_headers: dict[int, set[str]] = field(default_factory=dict)

    @classmethod
    def find(cls, pages: list[str], cell_rows: list[set[str]] | None = None) -> PageFurniture:
        """``cell_rows``: per page, top lines whose words sit in separate table cells; one
        that is also a whole line of an earlier page is a table header repeated by the page
        break (Word's "repeat header row")."""
        top: Counter[str] = Counter()
        bottom: Counter[str] = Counter()
        offsets: Counter[int] = Counter()
        with_text = 0
        for number, text in enumerate(pages, start=1):
            lines = [line for line in text.split("\n") if line.strip()]
            if not lines:
                continue
            with_text += 1
            top.update({_key(line) for line in lines[:ZONE]})
            bottom.update({_key(line) for line in lines[-ZONE:]})
            for line in {*lines[:ZONE], *lines[-ZONE:]}:
                match = _BARE_NUMBER.match(line.strip())
                if match:
                    offsets[int(match[1]) - number] += 1
        need = max(2, (with_text + 1) // 2)
        # Bare numbers are page numbers only when they follow the page order (below), not
        # because "#" recurs: a table's last cell is often a number.
        furniture = cls(
            top={k for k, n in top.items() if n >= need and not _BARE_KEY.match(k)},
            bottom={k for k, n in bottom.items() if n >= need and not _BARE_KEY.match(k)},
        )
        if offsets:
            offset, count = offsets.most_common(1)[0]
            if count >= need or (with_text == 1 and offset == 0):
                furniture.number_offset = offset
        earlier: set[str] = set()
        for number, (text, rows) in enumerate(zip(pages, cell_rows or []), start=1):
            repeated = {row for row in rows if row in earlier}
            if repeated:
                furniture.table_headers[number] = repeated
            earlier.update(line.strip() for line in text.split("\n"))
        # A table header that recurs near the top of pages is not a running header: it stays
        # where the table starts and goes only where it repeats.
        furniture.top -= {_key(row) for rows in furniture.table_headers.values() for row in rows}
        return furniture

    def is_furniture(self, number: int, line: str, zone: set[str]) -> bool:
        key = _key(line)
        if key in zone or _PAGE_OF.match(key):
            return True
        match = _BARE_NUMBER.match(line.strip())
        return match is not None and self.number_offset is not None and int(match[1]) - number == self.number_offset

    def strip(self, number: int, lines: list[str]) -> list[str]:
        """``lines`` without the header and footer lines in the top and bottom zones."""
        filled = [i for i, line in enumerate(lines) if line.strip()]
        headers = self.table_headers.get(number, set())
        drop = {i for i in filled[: ZONE + 1] if lines[i].strip() in headers}
        drop |= {i for i in filled[:ZONE] if self.is_furniture(number, lines[i], self.top)}
        drop |= {i for i in filled[-ZONE:] if self.is_furniture(number, lines[i], self.bottom)}
        return [line for i, line in enumerate(lines) if i not in drop]


# -- action-plan tables ----------------------------------------------------------------------


@cache
def _header_pattern() -> re.Pattern[str]:
    """Any column name with a capital first letter ("Action No.", "TIMESCALE"), longest first.

    The first letter is matched case-sensitively and the rest not: a literal first character
    lets the regex engine reject most positions at once (2.5 times faster than IGNORECASE).
    """

    def name_pattern(name: str) -> str:
        first, *rest = name.split()
        head = re.escape(first[0].upper()) + (f"(?i:{re.escape(first[1:])})" if first[1:] else "")
        return head + "".join(rf"\W+(?i:{re.escape(word)})" for word in rest)

    names = sorted(vocabulary(), key=len, reverse=True)
    # No leading (?<!\w): it stops re from skipping ahead by first letters; callers check it.
    return re.compile(rf"(?:{'|'.join(name_pattern(n) for n in names)})(?!\w)")


def looks_like_plan_header(text: str, gap: int = 25) -> bool:
    """Cheap test on PDFium text: a run of three or more capitalised column names.

    Names in a run are at most ``gap`` characters apart (a header row's cells), so prose that
    happens to use "Action", "Issue" and "Status" on one page does not qualify.
    """
    run: set[str] = set()
    end = None
    for match in _header_pattern().finditer(text):
        if match.start() and (text[match.start() - 1].isalnum() or text[match.start() - 1] == "_"):
            continue  # inside a word
        column = vocabulary().get(" ".join(re.findall(r"[\w&#]+", match[0].lower())))
        if column is None:
            continue
        if end is not None and match.start() - end > gap:
            run = set()
        run.add(column)
        end = match.end()
        # a run naming what is done, or who, by when and its status (a tracker whose action
        # column has a name of its own, "Improvement activity": header_columns reads it by its head word)
        if len(run) >= 3 and (run & {"area", "action"} or {"lead", "timescale", "status"} <= run):
            return True
    return False


@dataclass
class _Layout:
    """Plan tables found, and where they sit: page index -> table boxes (pdfplumber coords)."""

    tables: list[PlanTable] = field(default_factory=list)
    boxes: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _plan_tables(data: bytes, raw: list[str], dehyphenate: Dehyphenator) -> _Layout:
    layout = _Layout()
    candidates = {i for i, text in enumerate(raw) if looks_like_plan_header(text)}
    if not candidates:
        return layout
    import pdfplumber  # slow to import; only needed for PDFs with plan tables

    groups: list[tuple[list[Row], list[tuple[int, tuple]]]] = []
    active: tuple[list[Row], list[tuple[int, tuple]]] | None = None
    width = 0
    columns: dict[int, str] | None = None
    try:
        plumber = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types on odd files; carry on without tables
        layout.warnings.append(f"tables not read ({type(exc).__name__}: {exc})")
        return layout
    with plumber:
        for index in range(len(raw)):
            if index not in candidates and active is None:
                continue
            try:
                found = plumber.pages[index].find_tables()
                tables = [(t.bbox, t.extract()) for t in sorted(found, key=lambda t: t.bbox[1])]
            except Exception as exc:
                layout.warnings.append(f"tables on page {index + 1} not read ({type(exc).__name__})")
                tables = []
            if not tables:
                active = None
            for position, (bbox, cells) in enumerate(tables):
                rows = [Row(list(r), index + 1) for r in cells if r]
                header = next(filter(None, (header_columns(row.cells) for row in rows[:10])), None)
                continues = bool(active and position == 0 and rows and len(rows[0].cells) == width)
                if header and not (continues and header == columns):
                    active = ([], [])
                    groups.append(active)
                    width, columns = max(len(r.cells) for r in rows), header
                elif not continues:
                    active = None
                    continue
                assert active is not None  # a new group, or one this table continues
                active[0].extend(rows)
                active[1].append((index, bbox))
    for rows, boxes in groups:
        table = read_plan(rows, dehyphenate=dehyphenate)
        if table is None or not table.items:
            continue
        layout.tables.append(table)
        for index, bbox in boxes:
            layout.boxes.setdefault(index, []).append(bbox)
    return layout


def _page_with_tables(pdf: pdfium.PdfDocument, index: int, raw: str, layout: _Layout) -> str:
    """The page's text with each plan table's region replaced by its readable rows."""
    boxes = layout.boxes.get(index)
    if not boxes:
        return raw
    blocks = "\n\n".join(text for table in layout.tables for page, text in table.blocks if page == index + 1)
    page = pdf[index]
    try:
        if page.get_rotation() % 360:
            return raw  # the table's box is not in PDFium's unrotated space: keep PDFium's text
        left, bottom, right, top = page.get_mediabox()
        textpage = page.get_textpage()
        parts: list[str] = []
        ceiling = top
        for _, table_top, _, table_bottom in sorted(boxes, key=lambda b: b[1]):
            parts.append(_newlines(textpage.get_text_bounded(left, top - table_top + 1, right, ceiling)))
            ceiling = top - table_bottom - 1
        parts.append(_newlines(textpage.get_text_bounded(left, bottom, right, ceiling)))
        textpage.close()
    finally:
        page.close()
    above, below = parts[0], parts[-1]
    middle = [p for p in parts[1:-1] if p.strip()]
    return "\n\n".join(p.strip("\n") for p in (above, blocks, *middle, below) if p.strip())
