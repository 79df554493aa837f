"""Extraction never fails on odd text: it must not lose a whole batch to one document."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.extract import build_pipeline, extract_statements
from followthrough.models import Document

NLP = build_pipeline()
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "corpus" / "documents" / "bridgend_cabinet_2023_ciw_improvement_check_item168.txt").read_text("utf-8")
PIECES = st.sampled_from(
    [
        "RESOLVED:",
        "Decision:",
        "Minutes:",
        "·",
        "-",
        "(1)",
        "1.1",
        "Areas for improvement",
        "Strengths:",
        "will",
        "would be brought",
        "in June",
        "2023-24",
        "\n",
        "\n\n",
        "  ",
        "\xa0",
        "İ",
        "ŵ",
        "’",
        "…",
        "?",
        ";",
        "That the report be noted",
        "She added that",
        "by 31st August",
        "12-18 months from the publ",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=40), st.one_of(st.none(), st.dates()))
def test_any_text_extracts_without_error_and_quotes_itself(parts, meeting):
    text = " ".join(parts)
    doc = Document(path="fuzz.txt", sha256="", text=text)
    for s in extract_statements(doc, nlp=NLP, meeting_date=meeting):
        assert text[s.start : s.end] == s.text
        assert s.kind in ("recommendation", "concern", "commitment", "decision")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(SAMPLE)), st.integers(0, len(SAMPLE)))
def test_any_cut_of_a_real_minute_extracts(a, b):
    text = SAMPLE[min(a, b) : max(a, b)]
    doc = Document(path="cut.txt", sha256="", text=text)
    for s in extract_statements(doc, nlp=NLP, meeting_date=date(2023, 2, 14)):
        assert text[s.start : s.end] == s.text
