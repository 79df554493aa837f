"""The learned classifier as a pipeline step: it replaces the rules' statement spans by the
model's decisions (see :mod:`followthrough.extract.model`) and records a confidence for each.

It runs after ``followthrough_statements`` and before ``followthrough_attributes``, so due
dates, actors and topics are computed for the statements it keeps.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from followthrough.extract.model import SentenceModel, decide, shipped_model, units_of

NAME = "followthrough_model"
RULE_SPANS = "followthrough_rule_statements"  # the rules' spans, kept for training and comparison
CONFIDENCE = "followthrough_confidence"  # (start, end, kind) -> probability


@Language.factory(NAME)
def make_model(nlp: Language, name: str) -> ModelComponent:
    return ModelComponent(shipped_model())


def add_model(nlp: Language, before: str) -> None:
    """Add the classifier to ``nlp`` if the package ships a trained model."""
    if shipped_model() is not None:
        nlp.add_pipe(NAME, before=before)


def rule_spans(doc: Doc) -> list[tuple[int, int, str, Span]]:
    """The rules' statements on ``doc``: (start, end, kind, span)."""
    spans = doc.user_data.get(RULE_SPANS)
    if spans is None:
        spans = doc.user_data[RULE_SPANS] = [
            (*(s._.chars or (s.start_char, s.end_char)), s.label_, s) for s in doc.spans.get("statements", [])
        ]
    return spans


def _in_report_list(span: Span) -> bool:
    """A statement the structure placed in a report's improvement list (``section``)."""
    return bool(Span.has_extension("section") and span._.section)


class _Marked:
    """A rule span's payload for :func:`decide`, with its list marker as ``section``."""

    __slots__ = ("span", "section")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.section = _in_report_list(span)


class ModelComponent:
    def __init__(self, model: SentenceModel | None) -> None:
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            return doc
        from followthrough.extract.pipeline import doc_text

        text = doc_text(doc)
        blocks = doc.user_data.get("followthrough_blocks") or []
        rules = [(a, b, kind, _Marked(span)) for a, b, kind, span in rule_spans(doc)]
        units = units_of(text, blocks, rules)
        probabilities = self.model.probabilities(units, doc.user_data.get("kind"))
        confidence: dict[tuple[int, int, str], float] = {}
        spans: list[Span] = []
        for start, end, kind, p, payload in decide(units, probabilities, self.model.thresholds, self.model.kinds):
            if (start, end, kind) in confidence:
                continue
            if payload is not None:
                assert isinstance(payload, _Marked)  # the payloads of ``rules`` above
                span = payload.span  # the rules' own span, with its speaker
            else:
                aligned = doc.char_span(start, end, label=kind, alignment_mode="expand")
                if aligned is None:
                    continue
                span = aligned
                span._.chars = (start, end)
            confidence[(start, end, kind)] = p
            spans.append(span)
        doc.spans["statements"] = spans
        doc.user_data[CONFIDENCE] = confidence
        return doc
