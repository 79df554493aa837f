"""Long documents in parts: spaCy refuses a text past ``nlp.max_length`` (E088, 1,000,000
characters by default), and one Doc of a 400-page agenda pack would hold all its tokens at
once. A long document is run part by part (each at most ``PART_CHARS``), cut where the text
breaks anyway: an agenda item's start, else a blank line, else a page start, else a line
end, else a space. Statements come back with offsets, pages and items of the whole document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from followthrough.models import Document, Statement

PART_CHARS = 200_000


def cut_points(document: Document, start: int, limit: int) -> int:
    """Where the part that begins at ``start`` ends: at most ``limit`` characters on, at the
    best break in its second half."""
    text = document.text
    end = start + limit
    if end >= len(text):
        return len(text)
    low = start + limit // 2
    for boundaries in (
        [item.start for item in document.items],
        None,  # blank line
        [page.start for page in document.pages],
    ):
        if boundaries is None:
            at = text.rfind("\n\n", low, end)
            if at != -1:
                return at + 2
            continue
        inside = [b for b in boundaries if low < b <= end]
        if inside:
            return max(inside)
    for separator in ("\n", " "):
        at = text.rfind(separator, low, end)
        if at != -1:
            return at + 1
    return end


def parts(document: Document, limit: int = PART_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) of each part, covering the text in order."""
    start = 0
    while start < len(document.text):
        end = cut_points(document, start, limit)
        yield start, end
        start = end


def run_in_parts(
    document: Document, run: Callable[[Document], list[Statement]], limit: int = PART_CHARS
) -> list[Statement]:
    """``run`` over each part of ``document``; statements placed back in the whole document."""
    out: list[Statement] = []
    for start, end in parts(document, limit):
        part = dataclasses.replace(
            document, text=document.text[start:end], pages=[], items=[], passages=[], plan_items=[], _page_starts=[]
        )
        for statement in run(part):
            statement.start += start
            statement.end += start
            statement.page = document.page_at(statement.start)
            item = document.item_at(statement.start)
            statement.item_number = item.number if item else None
            out.append(statement)
    return out
