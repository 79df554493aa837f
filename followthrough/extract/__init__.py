"""Extraction: statements (recommendation, concern, commitment, decision) from documents."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from followthrough.models import Document, Statement

if TYPE_CHECKING:  # a type hint only: importing spaCy costs read-only commands 0.5 s
    from spacy.language import Language


def build_pipeline(model: str | None = None, learned: bool = True) -> Language:
    """Our components over ``spacy.blank("en")``, or over an installed pipeline ``model``;
    ``learned=False`` leaves out the trained sentence classifier (the rules alone)."""
    from followthrough.extract.pipeline import build

    return build(model, learned)


def extract_statements(
    doc: Document, *, nlp: Language | None = None, meeting_date: date | None = None
) -> list[Statement]:
    """Run the pipeline over a document and return its statements in text order."""
    from followthrough.extract.pipeline import run

    return run(doc, nlp or build_pipeline(), meeting_date or doc.meeting_date)
