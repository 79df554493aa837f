"""The dataclasses that flow through the pipeline.

Plain dicts only appear at the database edge (``to_row``/``from_row``).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Any

DOCUMENT_KINDS = ("inspection report", "minutes", "action plan", "other")
STATEMENT_KINDS = ("recommendation", "concern", "commitment", "decision")


@dataclass
class Page:
    """One page of a document's text; ``start`` is its offset in the full text."""

    number: int
    text: str
    start: int = 0


@dataclass
class AgendaItem:
    """An agenda item: ``start``/``end`` are character offsets in the full text."""

    number: str | None
    title: str
    start: int
    end: int
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class Passage:
    """A paragraph of text with its place in the document."""

    text: str
    start: int
    end: int
    page: int | None = None
    speaker: str | None = None
    item_number: str | None = None


@dataclass
class PlanItem:
    """One action-plan row, columns mapped to our names."""

    ref: str | None
    section: str | None
    area: str | None
    action: str | None
    lead: str | None = None
    timescale: str | None = None
    status: str | None = None
    page: int | None = None
    id: int | None = None
    document_id: int | None = None

    def to_row(self) -> dict[str, Any]:
        row = dataclasses.asdict(self)
        row.pop("id")
        return row


@dataclass
class Document:
    """A parsed document before (or after) it is stored."""

    path: str
    sha256: str
    text: str
    pages: list[Page] = field(default_factory=list)
    kind: str = "other"
    title: str | None = None
    body: str | None = None
    meeting_date: date | None = None
    source_url: str | None = None
    file_type: str = "text"
    council: str | None = None
    items: list[AgendaItem] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    plan_items: list[PlanItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    id: int | None = None
    _page_starts: list[int] = field(default_factory=list, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    def page_at(self, offset: int) -> int | None:
        """The page number holding character ``offset`` (None for unpaged text)."""
        if len(self._page_starts) != len(self.pages):
            self._page_starts = [page.start for page in self.pages]
        index = bisect_right(self._page_starts, offset) - 1
        return self.pages[index].number if index >= 0 else None

    def item_at(self, offset: int) -> AgendaItem | None:
        for item in self.items:
            if item.start <= offset < item.end:
                return item
        return None


@dataclass
class DueDate:
    """A time expression and the interval it names (either end may be unknown)."""

    text: str
    start: date | None = None
    end: date | None = None


@dataclass
class Statement:
    """A recommendation, concern, commitment or decision found in a document."""

    kind: str
    text: str
    start: int
    end: int
    page: int | None = None
    actor: str | None = None
    due: DueDate | None = None
    topics: list[str] = field(default_factory=list)
    item_number: str | None = None
    document: str | None = None
    document_id: int | None = None
    id: int | None = None
    # set on the items of a report's own improvement list (extract/report_lists.py)
    section: str | None = None
    priority: bool = False
    confidence: float | None = None  # the learned classifier's probability; None from rules alone

    def prediction(self) -> dict[str, Any]:
        """The JSON-lines shape ANNOTATION.md scores, plus topics."""
        due = self.due
        return {
            "document": self.document,
            "kind": self.kind,
            "text": self.text,
            "due_text": due.text if due else None,
            "due_start": due.start.isoformat() if due and due.start else None,
            "due_end": due.end.isoformat() if due and due.end else None,
            "actor": self.actor,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "topics": list(self.topics),
            "confidence": None if self.confidence is None else round(self.confidence, 3),
        }


@dataclass
class Link:
    """A finding answered by an action-plan row, with the score and the reason."""

    finding_id: int
    plan_item: PlanItem
    plan_document: str
    score: float
    reason: str
    source: str = "auto"  # auto | confirmed | added (reviewer decisions)
    confidence: float | None = None  # 0-1, how safely an automatic link clears the decision's cut-offs
