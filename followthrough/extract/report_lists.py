"""Improvement lists of inspection and audit reports, read from the document's structure.

Ofsted's "What needs to improve?", SEND "Areas for priority action" / "Areas for improvement"
(tables naming the responsible body), CIW / Estyn / Audit Wales "Recommendations" ("R1 ..."),
"proposals for improvement", and lists introduced by a lead-in that names them ("Estyn made
the following recommendations:"). Each item of such a list is one recommendation, with the
list's heading as its ``section`` and ``priority`` set for priority actions.

The list is read from layout, not wording: a heading line opens it (patterns in
``data/report_lists.json``); items are the bullets or numbered parts of the first marker seen
(other markers under an item that ends with a colon are its parts), or, in a list without
markers, paragraphs and lines that end short after a full stop (the next word would have fitted
on the line). A line beginning in lower case continues the item before it (an item running over
a page break or around a table's other column). Lines that repeat within the list, outside any
sentence, are a table's other column (the responsible body). The list ends at the next heading
of the report's own hierarchy: a short paragraph without a full stop, or, in a marked list, a
paragraph with no marker.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from followthrough.models import Document, Statement

MAX_ITEMS = 40  # a list longer than this is not an improvement list: stop reading it
WINDOW = 8000  # characters after a heading in which a table's repeated column is looked for


@dataclass(frozen=True)
class _Patterns:
    sections: list[tuple[re.Pattern[str], bool]]
    any_section: re.Pattern[str]
    lead_in: re.Pattern[str]
    lead_in_words: frozenset[str]
    plain_item: re.Pattern[str]
    marker: re.Pattern[str]


@cache
def patterns() -> _Patterns:
    data = json.loads(resources.files("followthrough.extract").joinpath("data/report_lists.json").read_text("utf-8"))
    bullets = "".join(re.escape(char) for char in data["bullets"].replace("\\", ""))
    sections = [(re.compile(s["pattern"], re.IGNORECASE), bool(s["priority"])) for s in data["sections"]]
    any_section = "|".join(f"(?:{s['pattern']})" for s in data["sections"])
    return _Patterns(
        sections=sections,
        any_section=re.compile(any_section, re.IGNORECASE),
        lead_in=re.compile(rf"\b(?:{data['lead_in']})\b", re.IGNORECASE),
        lead_in_words=frozenset(data["lead_in_words"]),
        plain_item=re.compile(data["plain_item_cue"], re.IGNORECASE),
        # a bullet, then optionally a number ("• R1"), or a number alone; then white space
        marker=re.compile(
            rf"^(?:(?P<bullet>[{bullets}])\s*(?P<bnum>{data['numbers']})?|(?P<num>{data['numbers']}))\s+",
            re.IGNORECASE,
        ),
    )


@dataclass
class ListItem:
    """One item of an improvement list: its pieces of text (start, end offsets)."""

    section: str
    priority: bool
    pieces: list[tuple[int, int]] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # the table's other column, if any

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    def text(self, full: str) -> str:
        return "\n".join(full[a:b] for a, b in self.pieces)

    @property
    def responsible(self) -> str | None:
        return " ".join(self.body) or None


@dataclass
class _Line:
    start: int  # offset of the first non-space character
    end: int  # offset after the last non-space character
    text: str  # stripped


def _lines(text: str) -> list[_Line | None]:
    """Lines of ``text``; None for a blank line."""
    out: list[_Line | None] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        else:
            out.append(None)
        pos += len(raw) + 1
    return out


_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.)\s+")


def _section(line: str) -> tuple[str, bool] | None:
    """The section a heading line opens: (heading, priority)."""
    heading = _NUMBERED_HEADING.sub("", line).rstrip(" ?:").strip()
    for pattern, priority in patterns().sections:
        if pattern.fullmatch(heading):
            return line.rstrip(":").strip(), priority
    return None


def _inline_section(line: _Line) -> tuple[str, bool, int] | None:
    """A heading with the first item on the same line ("Recommendations R1 Increase ...")."""
    match = patterns().any_section.match(line.text)
    if not match:
        return None
    rest = line.text[match.end() :]
    stripped = rest.lstrip(" :")
    if not stripped or not patterns().marker.match(stripped):
        return None
    found = _section(match[0])
    if found is None:
        return None
    return found[0], found[1], line.start + len(line.text) - len(stripped)


def _table_header(line: str, heading: str) -> str | None:
    """A table's header row that ends with the heading ("Responsible body Areas for priority
    action"): the other column's name ("Responsible body"), or "" for the heading repeated."""
    if line.lower() == heading.lower().rstrip("?"):
        return ""
    if line.lower().endswith(heading.lower().rstrip("?")):
        prefix = line[: len(line) - len(heading.rstrip("?"))].strip()
        if 0 < len(prefix.split()) <= 4:
            return prefix
    return None


def _marker(text: str) -> tuple[str, int] | None:
    """The marker's type ("◼", "num", "R", ...) and the length of marker plus space."""
    match = patterns().marker.match(text)
    if not match:
        return None
    if match["bullet"]:
        kind = match["bullet"]
    else:
        number = match["num"].lstrip("(")
        kind = (
            "R"
            if number[:1] in "RrPp" and number[1:2].isdigit()
            else "num"
            if number[:1].isdigit()
            else "label"
            if number[:1].isalpha() and len(number) > 4
            else "alpha"
        )
    return kind, match.end()


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.!?][\"'”’)]*$", text))


def _heading_like(lines: list[_Line]) -> bool:
    """A paragraph that reads as a heading: short, unpunctuated at its end, no marker."""
    if not lines or len(lines) > 2:
        return False
    text = " ".join(line.text for line in lines)
    if len(text) > 150 or text[-1] in ".;,:" or not (text[0].isupper() or text[0].isdigit()):
        return False
    return _marker(text) is None or bool(_NUMBERED_HEADING.match(text))


def _is_lead_in(item_text: str) -> bool:
    """An item that introduces the bullets under it as separate items ("... should:")."""
    words = re.findall(r"[A-Za-z]+", item_text.rstrip(":- "))
    return bool(words) and words[-1].lower() in patterns().lead_in_words


def find_lists(text: str) -> list[ListItem]:
    """Every item of every improvement list in ``text``, in order."""
    lines = _lines(text)
    items: list[ListItem] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line is None:
            index += 1
            continue
        found = _section(line.text)
        first: _Line | None = None
        lead_in = False
        if found is None:
            inline = _inline_section(line)
            if inline:
                found = inline[:2]
                first = _Line(inline[2], line.end, text[inline[2] : line.end])
        if found is None and line.text.rstrip("-").endswith(":"):
            match = _lead_in(_paragraph_before(lines, index))
            if match:
                found, lead_in = (match[0][0].upper() + match[0][1:].lower(), False), True
        if found is None:
            index += 1
            continue
        section, priority = found
        new, index = _read_list(text, lines, index + 1, section, priority, first, lead_in)
        items.extend(new)
    return items


def _lead_in(paragraph: str) -> re.Match[str] | None:
    """The list name in a lead-in ending with a colon: in its last sentence, or in the one
    before when the last is a bare "These include:"."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph.strip())
    last = sentences[-1].rstrip(":- ")
    following = re.search(r"\bthe\s+following\b", last, re.IGNORECASE)
    for match in patterns().lead_in.finditer(last):
        if following:
            # "made the following (six) recommendations:", not "the following areas ... recommendations:"
            if len(last[following.end() : match.start()].split()) <= 1:
                return match
        elif len(last[match.end() :].split()) <= 3:
            return match  # "Our recommendations are:"
    if len(sentences) > 1 and len(last.split()) <= 4:
        return patterns().lead_in.search(sentences[-2])  # "... recommendations. These include:"
    return None


def _paragraph_before(lines: list[_Line | None], index: int) -> str:
    """The paragraph that ends at line ``index``."""
    out: list[str] = []
    while index >= 0 and lines[index] is not None and len(out) < 6:
        out.append(lines[index].text)  # type: ignore[union-attr]
        index -= 1
    return " ".join(reversed(out))


def _read_list(
    text: str,
    lines: list[_Line | None],
    index: int,
    section: str,
    priority: bool,
    first: _Line | None,
    lead_in: bool,
) -> tuple[list[ListItem], int]:
    """The items from line ``index`` on, and the index of the line that ends the list."""
    window_end = (first or next((l for l in lines[index:] if l), None) or _Line(0, 0, "")).start + WINDOW
    window = [l for l in lines[index:] if l is not None and l.start < window_end]
    counts = Counter(l.text for l in window)
    pairs = Counter(zip((l.text for l in window), (l.text for l in window[1:])))
    neighbours: dict[str, set[str]] = {}
    for a, b in zip(window, window[1:]):
        neighbours.setdefault(a.text, set()).add(b.text)
        neighbours.setdefault(b.text, set()).add(a.text)
    widest = 0  # the text width in characters: the longest line of the list's paragraphs so far

    def is_cell(line: _Line, after: _Line | None = None) -> bool:
        # A line repeated in the list with the same neighbour, outside any sentence and not a
        # heading: a table's other column (one cell's lines repeat together on every row).
        if counts[line.text] < 2 or _ends_sentence(line.text) or len(line.text) > 60:
            return False
        if _marker(line.text) is not None or _section(line.text) is not None:
            return False
        if after is not None and counts[after.text] < 2 and after.text[0].islower():
            return False  # a sentence runs on from it
        together = any(
            pairs[(line.text, other)] >= 2 or pairs[(other, line.text)] >= 2 for other in neighbours.get(line.text, ())
        )
        return together or len(line.text.split()) <= 3

    items: list[ListItem] = []
    current: ListItem | None = None
    mode: str | None = "marker" if lead_in else None
    top: str | None = None
    in_parts = False
    cells: list[str] = []
    new_paragraph = True
    previous: _Line | None = None
    pending = [first] if first else []
    position = index

    stop = False
    column = ""  # the name of a table's other column, when a header row names one

    def close() -> None:
        nonlocal current, stop, cells
        if current is not None and current.pieces:
            said = current.text(text)
            if mode == "plain" and column and not _ends_sentence(said) and len(said) <= 100:
                cells = cells + said.split("\n")  # the other column's cell ("Leeds City Council")
            elif mode == "plain" and not patterns().plain_item.search(said):
                stop = True  # a paragraph that asks for nothing: the list has ended
            else:
                items.append(current)
        current = None

    def start_item(start: int, end: int) -> None:
        nonlocal current, cells
        close()
        current = ListItem(section=section, priority=priority, pieces=[(start, end)], body=cells)
        cells = []

    while position < len(lines) or pending:
        if pending:
            line = pending.pop()
        else:
            next_line = lines[position]
            position += 1
            if next_line is None:
                new_paragraph = True
                continue
            line = next_line
        this_paragraph_new, new_paragraph = new_paragraph, False
        if this_paragraph_new and not pending and line is lines[position - 1]:
            widest = max([widest, *(len(l.text) for l in _paragraph_from(lines, position - 1))])
        widest = max(widest, len(line.text))
        if len(items) >= MAX_ITEMS or stop:
            break
        if line.text.isdigit() and len(line.text) <= 3:
            continue  # a footnote reference or a page number
        if not items and current is None:
            header = _table_header(line.text, section)
            if header is not None:
                column = column or header  # "Responsible body": the table's other column
                continue
        after = lines[position] if not pending and position < len(lines) else None
        if mode != "marker" and is_cell(line, after):
            if current is not None:
                items.append(current)
                current = None
            cells = cells + [line.text] if cells or not items else [line.text]
            previous = None
            continue
        marker = _marker(line.text)
        if marker and not _NUMBERED_HEADING.match(line.text) or marker and mode == "marker" and marker[0] == top:
            kind, length = marker
            if mode is None or (mode == "marker" and top is None):
                mode, top = "marker", kind
            if mode == "marker" and kind == top:
                in_parts = False
                start_item(line.start + length, line.end)
                previous = line
                continue
            if mode == "marker" and current is not None and (in_parts or text[current.end - 1] == ":"):
                if _is_lead_in(current.text(text)) and not in_parts:
                    # "... the local authority should:" introduces items: it is not one itself
                    current = None
                    top = kind
                    start_item(line.start + length, line.end)
                    previous = line
                    continue
                in_parts = True
                current.pieces.append((line.start, line.end))
                previous = line
                continue
            break  # another kind of marker where no parts are expected: the list has ended
        if line.text[0].islower() or line.text[0] in ",;)":
            target = current or (items.pop() if items else None)
            if target is None:
                break
            if cells and target is not current:
                target.body.extend(cells)
                cells = []
            target.pieces.append((line.start, line.end))
            current = target
            previous = line
            continue
        if _section(line.text) is not None:
            position -= 1
            break  # the next improvement list
        if this_paragraph_new:
            paragraph = _paragraph_from(lines, position - 1) if not pending and line is lines[position - 1] else [line]
            following = next(
                (l for l in lines[position - 1 + len(paragraph) :] if l is not None and not is_cell(l)), None
            )
            runs_on = following is not None and following.text[0].islower()
            if (
                _heading_like(paragraph)
                and not runs_on
                and (items or current is not None or not paragraph[-1].text.endswith(":"))
            ):
                if paragraph[-1].text.endswith(":") and len(paragraph) == 1:
                    continue  # "Within three months:": a sub-heading inside the list
                if _only_lead_ins(text, items, current):
                    # "... the local authority should:" then a sub-heading, then the items
                    position += len(paragraph) - 1
                    top = None if mode == "marker" else top
                    continue
                position -= 1
                break
            if mode == "marker" or lead_in:
                position -= 1
                break
        if mode == "marker" and not pending and _heading_like([line]):
            after = lines[position] if position < len(lines) else None
            if after is not None and _marker(after.text) is not None:
                position -= 1
                break  # "Strengths" set straight above a list of its own: a heading
        if mode == "marker":
            # (character counts only approximate a proportional font's widths: a clear margin)
            if current is None or (previous is not None and _room_left(previous, line, int(0.8 * widest))):
                position -= 1
                break  # the item's last line ended short: this line is a paragraph after the list
            current.pieces.append((line.start, line.end))
            previous = line
            continue
        mode = "plain"
        # a new item where the last line ended short after a full stop, or where a sentence
        # opens like the list's first item (items of a list are parallel: "Leaders should ...")
        parallel = bool(items or current) and line.text.split()[0] == _first_word(text, items[0] if items else current)
        if (
            current is None
            or this_paragraph_new
            or (
                previous is not None
                and _ends_sentence(previous.text)
                and (parallel or _room_left(previous, line, widest))
            )
        ):
            start_item(line.start, line.end)
        else:
            current.pieces.append((line.start, line.end))
        previous = line
    close()
    # "The ... manager should:" introduces the bullets after it: it is not an item itself
    items = [item for item in items if not (text[item.end - 1] == ":" and _is_lead_in(item.text(text)))]
    return items, max(position, index)


def _paragraph_from(lines: list[_Line | None], index: int) -> list[_Line]:
    out: list[_Line] = []
    while index < len(lines) and lines[index] is not None:
        out.append(lines[index])  # type: ignore[arg-type]
        index += 1
    return out


def _only_lead_ins(text: str, items: list[ListItem], current: ListItem | None) -> bool:
    """Whether everything read so far only introduces the items ("... should:")."""
    read = items + ([current] if current is not None else [])
    return bool(read) and all(text[i.end - 1] == ":" and _is_lead_in(i.text(text)) for i in read)


def _first_word(text: str, item: ListItem | None) -> str | None:
    if item is None:
        return None
    start, end = item.pieces[0]
    words = text[start:end].split()
    return words[0] if words else None


def _room_left(previous: _Line, line: _Line, widest: int) -> bool:
    """Whether the first word of ``line`` (capitalised) would have fitted on ``previous``:
    then ``previous`` was not wrapped, it ended its paragraph."""
    if not line.text[0].isupper():
        return False
    next_word = line.text.split()[0]
    return len(previous.text) + 1 + len(next_word) <= widest


# -- statements ------------------------------------------------------------------------------


def list_statements(document: Document) -> list[Statement]:
    """The improvement-list items of ``document`` as recommendation statements."""
    out = []
    for item in find_lists(document.text):
        found = document.item_at(item.start)
        out.append(
            Statement(
                kind="recommendation",
                text=item.text(document.text),
                start=item.start,
                end=item.end,
                page=document.page_at(item.start),
                actor=item.responsible,
                item_number=found.number if found else None,
                document=document.name,
                section=item.section,
                priority=item.priority,
            )
        )
    return out


REPLACED_KINDS = frozenset({"recommendation", "concern"})


def merge_list_items(document: Document, statements: list[Statement]) -> list[Statement]:
    """``statements`` with each improvement-list item added and the rule statements that
    overlap an item (as a recommendation or as a concern) removed: an area for improvement is
    one recommendation. Statements of other kinds in the span stay."""
    items = list_statements(document)
    if not items:
        return statements
    spans = [(item.start, item.end) for item in items]

    def covered(statement: Statement) -> bool:
        # any overlap: a rule sentence that runs out of an item into the next heading is the
        # item read wrongly, not a second point
        return any(min(end, statement.end) > max(start, statement.start) for start, end in spans)

    kept = [s for s in statements if not (s.kind in REPLACED_KINDS and covered(s))]
    merged = kept + items
    merged.sort(key=lambda statement: statement.start)
    return merged
