"""The spaCy pipeline: our registered components over ``spacy.blank("en")``.

- ``followthrough_layout`` finds blocks and sentences (minutes' layout) and marks
  sentence starts on the tokens;
- ``followthrough_statements`` puts candidate statements on ``doc.spans["statements"]``,
  labelled with their kind;
- ``followthrough_attributes`` sets ``span._.due``, ``span._.actor`` and ``span._.topics``.

The document's meeting date and body travel in ``doc.user_data``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from followthrough.errors import UsageError
from followthrough.extract import cues
from followthrough.extract.actors import (
    explicit_actor,
    inspectorate_in,
    lower_case_role_pattern,
    speaker_pattern,
    speaks_as_we,
    subject_actor,
)
from followthrough.extract.classify import classify_text
from followthrough.extract.layout import blocks_of, sentences_of
from followthrough.extract.report_lists import merge_list_items
from followthrough.extract.timegrammar import grammar
from followthrough.extract.timex import due_for
from followthrough.language import topics
from followthrough.language.topics import topics_of
from followthrough.models import Document, Statement

if TYPE_CHECKING:
    from thinc.types import Ints2d

COMPONENTS = ("followthrough_layout", "followthrough_statements", "followthrough_attributes")
MODEL_COMPONENT = "followthrough_model"  # the learned classifier, between statements and attributes

for _name in ("due", "actor", "topics", "chars"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


def doc_text(doc: Doc) -> str:
    """The Doc's text, built once: ``Doc.text`` joins the tokens again on every access."""
    text = doc.user_data.get("followthrough_text")
    if text is None:
        text = doc.user_data["followthrough_text"] = doc.text
    return text


@Language.factory("followthrough_layout")
def make_layout(nlp: Language, name: str) -> LayoutComponent:
    return LayoutComponent()


class LayoutComponent:
    """Sentence boundaries from layout (bullets, labels, wrapped lines), not punctuation alone."""

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        blocks = blocks_of(doc_text(doc))
        doc.user_data["followthrough_blocks"] = blocks
        # Token.is_sent_start rescans the Doc on every assignment; one array write is linear.
        starts = numpy.full(len(doc), -1, dtype="int64")
        starts[0] = 1
        offsets = doc.to_array("IDX")
        sentence_starts = numpy.array([s.start for b in blocks for s in sentences_of(b)], dtype=offsets.dtype)
        found = numpy.searchsorted(offsets, sentence_starts)
        hit = found < len(offsets)
        found = found[hit]
        found = found[offsets[found] == sentence_starts[hit]]
        starts[found] = 1
        if len(doc):
            doc.from_array(
                [SENT_START], cast("Ints2d", starts.reshape(-1, 1).astype("uint64"))
            )  # thinc: any 2-d int array
        return doc


@Language.factory("followthrough_statements")
def make_statements(nlp: Language, name: str) -> StatementComponent:
    return StatementComponent()


class StatementComponent:
    """Recommendations, concerns, commitments and decisions as labelled spans."""

    def __init__(self) -> None:
        # Patterns are compiled when the pipeline is built, as spaCy's rule-based
        # components do, so the first document does not pay for them.
        cues.load()
        speaker_pattern()
        lower_case_role_pattern()

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        blocks = doc.user_data.get("followthrough_blocks")
        for candidate in classify_text(doc_text(doc), blocks, doc):
            span = doc.char_span(candidate.start, candidate.end, label=candidate.kind, alignment_mode="expand")
            if span is None:
                continue
            extension = span._  # each ``span._`` builds a new accessor: take it once
            extension.chars = (candidate.start, candidate.end)
            extension.actor = candidate.speaker
            spans.append(span)
        doc.spans["statements"] = spans
        return doc


@Language.factory("followthrough_attributes")
def make_attributes(nlp: Language, name: str) -> AttributeComponent:
    return AttributeComponent()


class AttributeComponent:
    """Due dates (commitments and decisions), actors and topic tags."""

    def __init__(self) -> None:
        grammar()
        topics.load()

    def __call__(self, doc: Doc) -> Doc:
        reference = doc.user_data.get("meeting_date")
        body = doc.user_data.get("body")
        full_text = doc_text(doc)
        done: set[tuple[int, int]] = set()  # a decision and its commitment share one span's values
        for span in doc.spans.get("statements", []):
            extension, kind = span._, span.label_
            start, end = extension.chars or (span.start_char, span.end_char)
            text = full_text[start:end]
            if kind == "commitment":
                # Spans with equal boundaries share extension values, so only commitments
                # write the actor and run() reads it only for commitments.
                we = (
                    _inspectorate(doc, full_text)
                    if doc.user_data.get("kind") == "inspection report" and speaks_as_we(text)
                    else None
                )
                extension.actor = explicit_actor(text) or subject_actor(text) or we or extension.actor or body
            if (start, end) in done and extension.due is not None:
                continue
            done.add((start, end))
            if kind != "concern":
                extension.due = due_for(text, reference)
            extension.topics = topics_of(text)
        return doc


def _inspectorate(doc: Doc, text: str) -> str | None:
    """The inspectorate the document names (looked for only when a statement speaks as "we")."""
    if "inspectorate" not in doc.user_data:
        doc.user_data["inspectorate"] = inspectorate_in(text)
    return doc.user_data["inspectorate"]


def build(model: str | None = None, learned: bool = True) -> Language:
    """``spacy.blank("en")`` (or the installed pipeline ``model``) plus our components;
    with ``learned`` (and a trained model in the package), the learned sentence classifier
    decides which of the rules' statements stand (``followthrough.extract.model``)."""
    if model:
        try:
            nlp = spacy.load(model)
        except OSError as exc:
            raise UsageError(
                f"spaCy pipeline {model!r} cannot be loaded: install it or give its folder ({exc.__class__.__name__})"
            ) from exc
    else:
        nlp = spacy.blank("en")
    for name in COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    if learned and MODEL_COMPONENT not in nlp.pipe_names:
        from followthrough.extract.component import add_model

        add_model(nlp, before="followthrough_attributes")
    return nlp


def run(document: Document, nlp: Language, meeting_date: date | None) -> list[Statement]:
    """Statements of one document, in text order (past ``nlp.max_length`` characters, in parts)."""
    if len(document.text) > nlp.max_length:
        from followthrough.extract.parts import PART_CHARS, run_in_parts

        return run_in_parts(document, lambda part: run(part, nlp, meeting_date), min(PART_CHARS, nlp.max_length))
    doc = nlp.make_doc(document.text)
    doc.user_data["followthrough_text"] = document.text
    doc.user_data["meeting_date"] = meeting_date
    doc.user_data["body"] = document.body
    doc.user_data["kind"] = document.kind
    for _name, component in nlp.pipeline:
        doc = component(doc)
    return statements_of(doc, document)


def statements_of(doc: Doc, document: Document) -> list[Statement]:
    """The statements on a processed Doc, as records (with the model's confidence, if it ran)."""
    confidence = doc.user_data.get("followthrough_confidence", {})
    out = []
    for span in doc.spans["statements"]:
        extension, kind = span._, span.label_
        start, end = extension.chars
        item = document.item_at(start)
        out.append(
            Statement(
                kind=kind,
                text=document.text[start:end],
                start=start,
                end=end,
                page=document.page_at(start),
                actor=extension.actor if kind == "commitment" else None,
                due=extension.due,
                topics=list(extension.topics or []),
                item_number=item.number if item else None,
                document=document.name,
                confidence=confidence.get((start, end, kind)),
            )
        )
    out.sort(key=lambda statement: statement.start)  # stable: a decision before its commitment
    return merge_list_items(document, out)
