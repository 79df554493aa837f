"""Extraction behaviour on real sentences: kinds, clauses, actors, structure, spans."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import spacy

from followthrough.extract import build_pipeline, extract_statements
from followthrough.ingest import read_document
from followthrough.models import Document

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "corpus" / "documents"


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(learned=False)  # the rules alone (the learned classifier: test_model.py)


def run(nlp, text: str, meeting: date | None = None, body: str | None = None):
    doc = Document(path="test.txt", sha256="", text=text, body=body)
    return extract_statements(doc, nlp=nlp, meeting_date=meeting)


def kinds(statements):
    return [(s.kind, s.text) for s in statements]


def test_components_are_registered_spacy_factories():
    nlp = spacy.blank("en")
    for name in ("followthrough_layout", "followthrough_statements", "followthrough_attributes"):
        nlp.add_pipe(name)
    doc = nlp("The Board will provide regular reports on progress to the Cabinet.")
    spans = doc.spans["statements"]
    assert [s.label_ for s in spans] == ["commitment"]
    assert spans[0]._.due.text == "regular"


def test_one_sentence_two_kinds(nlp):
    text = (
        "Due to the areas of serious concern identified in this inspection, we will continue "
        "to actively monitor the quality of services on a quarterly basis."
    )
    found = {s.kind for s in run(nlp, text)}
    assert found == {"concern", "commitment"}


def test_two_commitments_in_one_sentence_each_with_its_date(nlp):
    text = (
        "She added that a stocktake of progress against the 3-year strategic plan would take place "
        "over the spring and summer of 2023 and a refreshed plan would be brought to Cabinet in September 2023."
    )
    found = [s for s in run(nlp, text) if s.kind == "commitment"]
    assert [s.due.end.isoformat() for s in found] == ["2023-08-31", "2023-09-30"]
    assert found[1].text == "a refreshed plan would be brought to Cabinet in September 2023."


def test_actor_in_reported_speech_is_the_last_named_speaker(nlp):
    text = (
        "The Corporate Director, Social Services and Wellbeing highlighted two particular areas of concern. "
        "She added that a refreshed plan would be brought to Cabinet in September 2023.\n"
        "The Leader thanked the staff for working incredibly hard."
    )
    commitment = next(s for s in run(nlp, text) if s.kind == "commitment")
    assert commitment.actor == "Corporate Director, Social Services and Wellbeing"


def test_speaker_changes_with_the_next_named_speaker(nlp):
    text = (
        "The Leader asked about the timeline.\n"
        "The Chief Officer – Finance, Performance and Change confirmed that the Corporate Risk Assessment "
        "was due to be received at the Governance & Audit Committee in June."
    )
    commitment = next(s for s in run(nlp, text, date(2023, 5, 16)) if s.kind == "commitment")
    assert commitment.actor == "Chief Officer – Finance, Performance and Change"
    assert (commitment.due.start, commitment.due.end) == (date(2023, 6, 1), date(2023, 6, 30))


def test_an_inspectorate_named_short_is_the_actor_by_its_full_name(nlp):
    text = "Next steps\nCIW will monitor progress through our regular engagement meetings with the local authority.\n"
    commitment = next(s for s in run(nlp, text) if s.kind == "commitment")
    assert commitment.actor == "Care Inspectorate Wales"


def test_questions_are_not_commitments(nlp):
    text = "The Cabinet Member asked whether there is an opportunity to review the plan and when it will be published."
    assert [s for s in run(nlp, text) if s.kind == "commitment"] == []


def test_bullets_under_areas_for_improvement_are_recommendations_without_cue_words(nlp):
    text = (
        "Areas for improvement\n"
        "- Ensure investigation of complaints are thorough and in accordance with Welsh Government guidelines.\n"
        "- Timeliness of statutory visits to children on the child protection register.\n"
    )
    found = run(nlp, text)
    assert [s.kind for s in found] == ["recommendation", "recommendation"]
    assert found[1].text.startswith("Timeliness of statutory visits")


def test_bullets_under_strengths_are_not_findings(nlp):
    text = (
        "Strengths\n"
        "- Staff should be proud of the improved practice in hearing the voice of the child.\n"
        "- Partnership working is strong.\n"
    )
    assert run(nlp, text) == []


def test_numbered_resolution_parts_are_separate_decisions(nlp):
    text = (
        "RESOLVED: That\n\n(1)       the new action plan and priorities for continuous improvement be endorsed; and\n\n"
        "(2)       six monthly progress reports be submitted to the Committee on an on-going basis.\n"
    )
    found = kinds(run(nlp, text))
    assert found[0] == ("decision", "the new action plan and priorities for continuous improvement be endorsed")
    assert ("decision", "six monthly progress reports be submitted to the Committee on an on-going basis") in found
    assert [k for k, _ in found].count("commitment") == 1


def test_approving_the_minutes_is_procedural(nlp):
    text = "RESOLVED: That the minutes of the meeting dated 11/04/2023 be approved as a true and accurate record."
    assert run(nlp, text) == []


def test_statement_offsets_quote_the_document_verbatim(nlp):
    doc = read_document(DOCS / "gwynedd_2025_audit_wales_domiciliary_care_recommendations_mgAi30911.txt")
    statements = extract_statements(doc, nlp=nlp)
    assert statements
    for s in statements:
        assert doc.text[s.start : s.end] == s.text
    decision = next(s for s in statements if s.kind == "decision")
    assert " ".join(decision.text.split()) == "To accept the report and the Council's response to the recommendations"


def test_topics_are_tagged(nlp):
    found = run(nlp, "One was the ongoing fragility of the social care workforce and the challenges in recruitment.")
    assert "workforce" in found[0].topics


def test_model_option_runs_our_components_on_top_of_an_installed_pipeline(tmp_path):
    base = spacy.blank("en")
    base.add_pipe("sentencizer")
    base.to_disk(tmp_path / "pipeline")
    nlp = build_pipeline(str(tmp_path / "pipeline"), learned=False)
    assert nlp.pipe_names == [
        "sentencizer",
        "followthrough_layout",
        "followthrough_statements",
        "followthrough_attributes",
    ]
    learned = build_pipeline(str(tmp_path / "pipeline")).pipe_names
    assert learned == [
        "sentencizer",
        "followthrough_layout",
        "followthrough_statements",
        "followthrough_model",
        "followthrough_attributes",
    ]
    found = run(nlp, "The Board will provide regular reports on progress to the Cabinet.")
    assert [s.kind for s in found] == ["commitment"]


def test_extract_cli_reports_a_missing_model_in_one_line(tmp_path):
    from click.testing import CliRunner

    from followthrough.cli import cli

    doc = tmp_path / "minutes.txt"
    doc.write_text("The Board will provide regular reports on progress to the Cabinet.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(doc), "--no-store", "--model", "en_core_web_nonexistent"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: spaCy pipeline 'en_core_web_nonexistent' cannot be loaded: install it or give its folder (OSError)\n"
    )


def test_extract_cli_prints_the_prediction_lines_annotation_md_scores(tmp_path):
    import json

    from click.testing import CliRunner

    from followthrough.cli import cli

    doc = tmp_path / "minutes.txt"
    doc.write_text("She added that a refreshed plan would be brought to Cabinet in September 2023.\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["extract", str(doc), "--no-store", "--format", "jsonl", "--meeting-date", "2023-02-14"]
    )
    assert result.exit_code == 0, result.output
    [line] = [json.loads(l) for l in result.output.splitlines()]
    assert set(line) == {
        "document",
        "kind",
        "text",
        "due_text",
        "due_start",
        "due_end",
        "actor",
        "page",
        "start",
        "end",
        "topics",
        "confidence",
    }
    assert (line["document"], line["kind"], line["due_start"], line["due_end"]) == (
        "minutes.txt",
        "commitment",
        "2023-09-01",
        "2023-09-30",
    )
    assert doc.read_text(encoding="utf-8")[line["start"] : line["end"]] == line["text"]


@pytest.mark.parametrize(
    "name",
    [
        "bridgend_cabinet_2023_ciw_improvement_check_item168.pdf",
        "limerick_council_2024-01-22_ordinary_meeting_minutes.pdf",
    ],
)
def test_statements_from_a_pdf_carry_the_page_they_are_printed_on(nlp, name):
    """The page of each statement is the PDF page whose raw text holds its words."""
    import re

    import pypdfium2

    path = ROOT / "corpus" / "rendered" / name
    pdf = pypdfium2.PdfDocument(str(path))
    pages = [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    doc = read_document(path)
    statements = extract_statements(doc, nlp=nlp)
    assert statements
    for s in statements:
        words = re.findall(r"[A-Za-z]{4,}", s.text)[:6]
        probe = " ".join(words)
        holders = [i + 1 for i, text in enumerate(pages) if all(w in text for w in words)]
        assert s.page in holders, f"{probe!r} on page {s.page}, found on {holders}"
    assert len({s.page for s in statements}) >= (1 if "bridgend" in name else 3)


def test_a_heading_written_with_a_colon_still_sets_the_kind_of_its_list(nlp):
    text = (
        "Areas for improvement:\n\n- Timeliness of statutory visits to children on the child protection register.\n"
        "- Quality of supervision records.\n\nStrengths:\n- Staff morale is good and the workforce is stable.\n"
    )
    assert [s.kind for s in run(nlp, text)] == ["recommendation", "recommendation"]


def test_short_listed_areas_and_a_heading_straight_after_a_list(nlp):
    text = (
        "Areas for improvement\n- Carers assessments\n- Timeliness of reviews of care and support plans\n"
        "Strengths\n- The information, advice and assistance service is effective.\n"
    )
    found = run(nlp, text)
    assert [(s.kind, s.text) for s in found] == [
        ("recommendation", "Carers assessments"),
        ("recommendation", "Timeliness of reviews of care and support plans"),
    ]


def test_statements_command_filters_by_document_and_names_an_unknown_one(tmp_path):
    from click.testing import CliRunner

    from followthrough.cli import cli

    db = str(tmp_path / "t.db")
    runner = CliRunner()
    docs = [
        DOCS / "york_exec_2009-01-28_csci_apa_improvement_plan_decision.txt",
        DOCS / "sefton_osc_childrens_2017-09-26_item18_improvement_plan.txt",
    ]
    assert runner.invoke(cli, ["--db", db, "ingest", *map(str, docs)]).exit_code == 0
    listed = runner.invoke(cli, ["--db", db, "statements", "--document", docs[0].name, "--format", "jsonl"])
    assert listed.exit_code == 0
    assert {line.split('"document": "')[1].split('"')[0] for line in listed.output.splitlines()} == {docs[0].name}
    missing = runner.invoke(cli, ["--db", db, "statements", "--document", "nope.txt"])
    assert missing.exit_code == 1
    assert (
        missing.output == "Error: no document 'nope.txt' in the database (--document takes a file name, path or id)\n"
    )


def test_resolution_parts_numbered_like_paragraphs(nlp):
    text = (
        "RESOLVED:\n\n1.1 That the Children's Services Improvement Plan be approved.\n\n"
        "1.2 That a progress report be submitted to the Committee in June 2024.\n"
    )
    found = [(s.kind, s.text) for s in run(nlp, text, date(2024, 1, 10))]
    assert found == [
        ("decision", "the Children's Services Improvement Plan be approved"),
        ("decision", "a progress report be submitted to the Committee in June 2024"),
        ("commitment", "a progress report be submitted to the Committee in June 2024"),
    ]


def test_plain_lines_skip_no_marker_expression():
    """blocks_of tries the bullet, label and item-number expressions only on lines that
    _may_be_marked; on every corpus line and on random marker-like lines, no line it
    skips is one they match."""
    import random

    from followthrough.extract import layout

    lines = [l for p in sorted((ROOT / "corpus").rglob("*.txt")) for l in p.read_text("utf-8").split("\n")]
    rnd = random.Random(5)
    pieces = list("·•▪◦‣∙o*-–(RPADMdmparivxABCTS0123456789.):; \t\xa0é") + [
        "Decision",
        "Minutes",
        "R1",
        "AFI3",
        "iv)",
        "a.",
    ]
    lines += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6))) for _ in range(20000)]
    for line in lines:
        stripped = line.strip(" \t\xa0")
        if stripped and not layout._may_be_marked(stripped):
            for expression in (layout.BULLET_ONLY, layout.LABEL, layout.ITEM_NUMBER, layout.BULLET):
                assert not expression.match(line), line
