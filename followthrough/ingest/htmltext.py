"""Render an HTML element tree as plain text with paragraphs, bullets and offsets.

Block elements (p, div, li, headings, table cells) become paragraphs separated by blank
lines; items of one list become consecutive lines starting with "·" (or "1." in an ``<ol>``);
white space inside a block, including the hard wraps Word leaves inside a ``<p>``, collapses
to single spaces; ``<br>`` keeps a line break. Callers can mark elements and get back the
character span each one covers in the rendered text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)
# Elements whose content is never visible text.
INVISIBLE_TAGS = frozenset(
    "script style noscript template head title meta link iframe svg object embed select option "
    "button input textarea map area canvas audio video".split()
)
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u2000-\u200b\u202f\u205f\u3000]+")
# Word's Symbol-font bullet arrives as a private-use character.
_BULLETS = {"\uf0b7": "·", "\uf0a7": "·", "\u2022": "·", "\u25cf": "·", "\u25aa": "·"}
_BULLET_START = re.compile(r"^(?:[·\-–*o§]|\d+[.)]|\(?[a-z0-9ivx]+\))\s")
# Word pastes a bulleted list as one <p> per bullet: consecutive ones read as one list.
_BULLET_PARAGRAPH = re.compile(r"^[·•▪\-–]\s")


@dataclass
class _Block:
    text: str
    list_id: int | None = None  # consecutive items of one list are joined by single newlines


@dataclass
class Rendered:
    """Rendered text and the ``(start, end)`` span of each marked element."""

    text: str
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


def collapse(text: str) -> str:
    """Single spaces for any run of white space (non-breaking spaces included)."""
    for bullet, plain in _BULLETS.items():
        text = text.replace(bullet, plain)
    return _SPACE.sub(" ", text)


def inline_text(tag: Tag) -> str:
    """The visible text of an element on one line (for titles, labels and headings)."""
    return collapse("".join(_visible_strings(tag))).strip()


def _visible_strings(tag: Tag) -> list[str]:
    out = []
    for node in tag.descendants:
        if isinstance(node, NavigableString) and _is_text(node) and not _hidden(node):
            out.append(str(node))
    return out


def _is_text(node: NavigableString) -> bool:
    return not isinstance(node, (Comment, CData, Declaration, Doctype, ProcessingInstruction))


def _hidden(node: NavigableString) -> bool:
    return any(parent.name in INVISIBLE_TAGS for parent in node.parents if isinstance(parent, Tag))


class _Renderer:
    def __init__(self, marks: dict[int, str]) -> None:
        self.marks = marks
        self.blocks: list[_Block] = []
        self.buffer: list[str] = []
        self.list_stack: list[tuple[int, str, int]] = []  # (list id, tag name, next number)
        self.next_list = 0
        self.prefix: str | None = None
        self.item_list: int | None = None
        self.block_spans: dict[str, tuple[int, int]] = {}

    def flush(self) -> None:
        raw = "".join(self.buffer)
        self.buffer.clear()
        lines = [collapse(line).strip() for line in raw.split("\n")]
        lines = [line for line in lines if line]
        prefix, self.prefix = self.prefix, None
        list_id, self.item_list = self.item_list, None
        if not lines:
            return
        if prefix and not _BULLET_START.match(lines[0] + " "):
            lines[0] = prefix + lines[0]
        self.blocks.append(_Block("\n".join(lines), list_id))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if _is_text(child):
                    # Newlines in the source are hard wraps, not line breaks (<br> is).
                    self.buffer.append(collapse(str(child)))
                continue
            if not isinstance(child, Tag) or child.name in INVISIBLE_TAGS:
                continue
            self.element(child)

    def element(self, tag: Tag) -> None:
        mark = self.marks.get(id(tag))
        name = tag.name
        if name == "br":
            self.buffer.append("\n")
            return
        block = name in BLOCK_TAGS or mark is not None
        if block:
            self.flush()
        first = len(self.blocks)
        if name in ("ul", "ol"):
            self.list_stack.append((self.next_list, name, 1))
            self.next_list += 1
        if name == "li" and self.list_stack:
            list_id, kind, number = self.list_stack[-1]
            self.prefix = f"{number}. " if kind == "ol" else "· "
            self.list_stack[-1] = (list_id, kind, number + 1)
            self.item_list = list_id
        self.walk(tag)
        if block:
            self.flush()
        if name in ("ul", "ol"):
            self.list_stack.pop()
        if mark is not None:
            self.block_spans[mark] = (first, len(self.blocks))

    def result(self) -> Rendered:
        self.flush()
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        previous: _Block | None = None
        for block in self.blocks:
            if previous is not None:
                same_list = (block.list_id is not None and block.list_id == previous.list_id) or (
                    block.list_id is None
                    and previous.list_id is None
                    and bool(_BULLET_PARAGRAPH.match(block.text))
                    and bool(_BULLET_PARAGRAPH.match(previous.text))
                )
                sep = "\n" if same_list else "\n\n"
                parts.append(sep)
                pos += len(sep)
            starts.append(pos)
            parts.append(block.text)
            pos += len(block.text)
            ends.append(pos)
            previous = block
        text = "".join(parts)
        spans = {}
        for mark, (first, last) in self.block_spans.items():
            start = starts[first] if first < len(starts) else len(text)
            end = ends[last - 1] if last > first else start
            spans[mark] = (start, end)
        return Rendered(text + "\n" if text else "", spans)


def render(root: Tag | BeautifulSoup, marks: dict[str, Tag] | None = None) -> Rendered:
    """Text of ``root``; ``marks`` names elements whose rendered span is wanted."""
    renderer = _Renderer({id(tag): name for name, tag in (marks or {}).items()})
    if isinstance(root, Tag) and root.name not in ("[document]",):
        renderer.element(root)
    else:
        renderer.walk(root)
    return renderer.result()
