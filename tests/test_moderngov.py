"""ModernGov HTML ingest, on pages built from the dev documents' real text and on real samples.

The fixtures in tests/fixtures/moderngov/ wrap the real text of corpus/documents/ in ModernGov
markup (see their SOURCES.tsv); tests/fixtures/moderngov/real/ holds real ModernGov samples.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from followthrough.errors import BadDocument
from followthrough.ingest import read_document, store_document
from followthrough.ingest.moderngov import read_html
from followthrough.store import open_db

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "moderngov"
REAL = FIXTURES / "real"
DOCS = ROOT / "corpus" / "documents"

# fixture -> the dev document whose text it carries
BUILT_FROM = {
    "ieIssueDetails_anglesey_executive_2018-12-17_item7.html": "anglesey_executive_2018-12-17_item7_ciw_service_improvement_plan_progress.txt",
    "ieIssueDetails_sefton_osc_2017-09-26_item18.html": "sefton_osc_childrens_2017-09-26_item18_improvement_plan.txt",
    "ieIssueDetails_flintshire_cabinet_2020-09-22_item8.html": "flintshire_cabinet_2020-09-22_item8_ciw_annual_letter.txt",
    "ieIssueDetails_herefordshire_cabinet_2022-12-15_item181.html": "herefordshire_cabinet_2022-12-15_item181_ofsted_improvement_action_plan.txt",
    "ieListDocuments_cardiff_cabinet_2016-01-21.html": "cardiff_cabinet_2016-01-21_items86-89.txt",
    "ieListDocuments_bridgend_sosc2_2022-11-03.html": "bridgend_sosc2_2022-11-03_ciw_pei_report_action_plan.txt",
    "mgAi_gwynedd_30911.html": "gwynedd_2025_audit_wales_domiciliary_care_recommendations_mgAi30911.txt",
    "mgAi_rotherham_94795.html": "rotherham_audit_2022-23_external_inspections_recommendations_mgAi94795.txt",
    "mgIssueHistory_decisions_york_2009-01-28.html": "york_exec_2009-01-28_csci_apa_improvement_plan_decision.txt",
    "gov_wales_statement_2018-01-15.html": "wg_statement_2018-01-15_powys_warning_notice_progress.txt",
}
# Lines of the copied text that are page chrome or noise, and must not survive.
CHROME_LINES = {"Additional documents:", "Items", "No. Item", "Skip to main content"}
NOISE = re.compile(r"\s*pdf icon PDF [\d.]+ [KM]B|\s*View directions")
# Anything of this shape in parsed text is chrome or noise that leaked through.
LEAKS = [
    re.compile(p)
    for p in (
        r"pdf icon",
        r"\bPDF \d+",
        r"\d+ [KM]B\b",
        r"Calendar of meetings",
        r"Find committee documents",
        r"Councillors\b(?! )",
        r"Additional documents",
        r"View the decision for item",
        r"Skip to",
        r"Modern\.gov",
        r"Attendance details",
        r"Browse meetings",
        r"Find out more about this issue",
        r"View the reasons why",
        r"Appendix 1\n",
        r"Crown copyright",
        r"mgSiteName",
        r"Is Key decision",
        r"Decision status",
        r"View directions",
        r"No\. Item",
    )
]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def parse(name: str):
    return read_document(FIXTURES / name)


@pytest.mark.parametrize("fixture", sorted(BUILT_FROM))
def test_every_line_of_the_source_text_survives_verbatim(fixture):
    doc = parse(fixture)
    parsed = squash(doc.text)
    source = (DOCS / BUILT_FROM[fixture]).read_text("utf-8")
    checked = 0
    for line in source.splitlines():
        line = squash(NOISE.sub("", line.replace("•", "·")))
        if not line or line in CHROME_LINES:
            continue
        assert line in parsed, f"{fixture}: lost {line!r}"
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("fixture", sorted(BUILT_FROM))
def test_resolutions_and_numbered_parts_are_lines_of_their_own(fixture):
    doc = parse(fixture)
    lines = [squash(line) for line in doc.text.splitlines()]
    source = (DOCS / BUILT_FROM[fixture]).read_text("utf-8")
    for line in source.splitlines():
        if re.match(r"\s*(?:RESOLVED|REASON|Decision:|Minutes:|\(?[0-9a-z]{1,3}[.)]\s)", line):
            want = squash(NOISE.sub("", line))
            assert any(got.startswith(want) for got in lines), f"{fixture}: {want!r} is not a line of its own"


@pytest.mark.parametrize("fixture", sorted(BUILT_FROM))
def test_no_chrome_or_noise(fixture):
    text = parse(fixture).text
    for leak in LEAKS:
        assert not leak.search(text), f"{fixture}: {leak.pattern!r} leaked"
    assert "\n\n\n" not in text and "  " not in text


EXPECTED = {
    # fixture: (title, body, meeting date, [(item number, item title)])
    "ieIssueDetails_anglesey_executive_2018-12-17_item7.html": (
        "CIW Inspection of Children's Services in Anglesey - Improvement Plan - Quarterly Progress Report",
        "The Executive",
        date(2018, 12, 17),
        [("7", "Children and Families Services Progress Report")],
    ),
    "ieIssueDetails_sefton_osc_2017-09-26_item18.html": (
        "Updated Children's Social Care Improvement Plan",
        "Overview and Scrutiny Committee (Children's Services and Safeguarding)",
        date(2017, 9, 26),
        [("18", "Updated Children's Social Care Improvement Plan")],
    ),
    "ieIssueDetails_flintshire_cabinet_2020-09-22_item8.html": (
        "Care Inspectorate Wales (CIW) Annual Performance Letter",
        "Cabinet",
        date(2020, 9, 22),
        [("8", "Care Inspectorate Wales (CIW) Annual Performance Letter")],
    ),
    "ieIssueDetails_herefordshire_cabinet_2022-12-15_item181.html": (
        "Ofsted Improvement Action Plan",
        "Cabinet",
        date(2022, 12, 15),
        [("181", "Children’s Improvement Action Plan")],
    ),
    "ieListDocuments_cardiff_cabinet_2016-01-21.html": (
        "Cabinet - Thursday, 21st January, 2016 3.30 pm",
        "Cabinet",
        date(2016, 1, 21),
        [
            ("86", "Minutes of the Cabinet Meetings held on 3 and 10 December 2015"),
            (
                "87",
                "To receive the Community and Adult Services Scrutiny Committee report entitled "
                "'Information, Advice and Assistance (IAA) Services for Mental Health Service Users in Cardiff'",
            ),
            ("88", "Annual Review of the Council's Voluntary Redundancy Scheme."),
            ("89", "Review of the Council's Disciplinary Policy and Associated Policies & Procedures"),
        ],
    ),
    # Bridgend's meeting pages print no item numbers.
    "ieListDocuments_bridgend_sosc2_2022-11-03.html": (
        "Subject Overview and Scrutiny Committee 2 - Thursday, 3rd November, 2022 10:00",
        "Subject Overview and Scrutiny Committee 2",
        date(2022, 11, 3),
        [
            (None, "Declarations of Interest"),
            (None, "Approval of Minutes"),
            (
                None,
                "Care Inspectorate Wales (CIW) Performance Evaluation Report Of Childrens Social Care Services "
                "23 - 27 May 2022",
            ),
        ],
    ),
    # mgAi pages name neither the meeting nor the item number: nothing is guessed.
    "mgAi_gwynedd_30911.html": (
        "Audit Wales Report - Domiciliary Care",
        None,
        None,
        [(None, "Audit Wales Report - Domiciliary Care")],
    ),
    "mgAi_rotherham_94795.html": (
        "External inspections, reviews and audits update",
        None,
        None,
        [(None, "External inspections, reviews and audits update")],
    ),
    "mgIssueHistory_decisions_york_2009-01-28.html": (
        "Improvement Plan for Adult Social Care",
        None,
        date(2009, 1, 28),
        [],
    ),
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_meeting_details_and_items(fixture):
    title, body, when, items = EXPECTED[fixture]
    doc = parse(fixture)
    assert (doc.title, doc.body, doc.meeting_date, doc.kind) == (title, body, when, "minutes")
    assert [(i.number, i.title) for i in doc.items] == items
    assert doc.warnings == []
    previous_end = 0
    for item in doc.items:
        span = doc.text[item.start : item.end]
        assert previous_end <= item.start < item.end
        assert span == span.strip()
        assert squash(item.title) in squash(span) or item.number is None
        if item.number:
            assert re.match(rf"(?:Meeting: .*\(Item {item.number}\)|{item.number}\.?\n)", span)
        previous_end = item.end
    # Passages inside an item know its number.
    for passage in doc.passages:
        item = doc.item_at(passage.start)
        assert passage.item_number == (item.number if item else None)


def test_meeting_page_items_hold_their_own_decisions():
    doc = parse("ieListDocuments_cardiff_cabinet_2016-01-21.html")
    by_number = {item.number: doc.text[item.start : item.end] for item in doc.items}
    assert "RESOLVED: that the report be received and responded by May 2016." in by_number["87"]
    assert "received and responded by May 2016" not in by_number["86"] + by_number["88"]
    assert by_number["88"].count("the current Voluntary Redundancy Scheme be agreed") == 2
    assert "\n1. the current Voluntary Redundancy Scheme be agreed and that it will continue" in by_number["88"]
    assert by_number["89"].startswith("89.\n\nReview of the Council's Disciplinary Policy")
    # ModernGov's cut mark stays: it says the minutes go on elsewhere (the extractor reads it).
    assert by_number["88"].endswith(
        "\n1. the current Voluntary Redundancy Scheme be agreed ... view the full minutes text for item 88."
    )


def test_word_bullets_and_hard_wraps():
    anglesey = parse("ieIssueDetails_anglesey_executive_2018-12-17_item7.html").text
    assert (
        "\n· The steps taken to progress implementation of the Service Improvement Plan and the pace of progress.\n"
        in anglesey
    )
    gwynedd = parse("mgAi_gwynedd_30911.html").text
    # The fixture hard-wraps every paragraph at 70 columns; each comes back as one line.
    assert "\nTo accept the report and the Council's response to the recommendations\n" in gwynedd
    assert "\n· While a financial contribution to fill a gap in the budget had been accepted, further work" in gwynedd


def test_store_links_passages_to_items(tmp_path):
    db = open_db(tmp_path / "mg.db")
    doc = parse("ieListDocuments_cardiff_cabinet_2016-01-21.html")
    doc_id = store_document(db, doc)
    items = db.execute("SELECT number, title FROM items WHERE document_id = ? ORDER BY start", [doc_id]).fetchall()
    assert [n for n, _ in items] == ["86", "87", "88", "89"]
    rows = db.execute(
        "SELECT i.number, p.text FROM passages p JOIN items i ON i.id = p.item_id "
        "WHERE p.document_id = ? AND p.text LIKE 'RESOLVED%'",
        [doc_id],
    ).fetchall()
    assert ("87", "RESOLVED: that the report be received and responded by May 2016.") in rows


# --- real samples ------------------------------------------------------------------------


def test_real_sources_are_listed():
    listed = {line.split("\t")[0] for line in (REAL / "SOURCES.tsv").read_text("utf-8").splitlines()[1:]}
    assert listed == {p.name for p in REAL.iterdir() if p.name != "SOURCES.tsv"}


@pytest.mark.parametrize(
    "name, title, body, when, decision",
    [
        (
            "ieDecisionDetails__with-documents__lgsf-kirklees-trimmed.html",
            "Minutes of Previous Meeting",
            "Policy Committee",
            date(2015, 10, 19),
            "The Minutes of the Policy Committee meeting on 23 September 2015 were approved as a correct record.",
        ),
        (
            "ieDecisionDetails__no-documents__lgsf-kirklees-trimmed.html",
            "To enable the Council's waste treatment contractor to consult on alternative processing arrangements",
            "Strategic Director for Environment",
            date(2026, 8, 4),
            "That approval be given to enable the contractor to consult on alternative processing arrangements, "
            "subject to employee consultation outcomes.",
        ),
        (
            "ieDecisionDetails__multi-paragraph__lgsf-kirklees-trimmed.html",
            "Appointment of contractor to demolish Holme Park Court",
            "Service Director - Homes & Neighbourhoods",
            date(2021, 7, 27),
            "The demolition of the existing tower blocks has been approved to support the regeneration of Berry Brow."
            "\n\nThis decision was authorised by the Cabinet at its meeting on Tuesday, 27 July 2021.",
        ),
    ],
)
def test_real_kirklees_decision_pages(name, title, body, when, decision):
    doc = read_document(REAL / name)
    assert (doc.title, doc.body, doc.meeting_date, doc.kind) == (title, body, when, "minutes")
    assert "Decision:\n\n" + decision + "\n" in doc.text
    assert doc.warnings == []
    for leak in LEAKS:
        assert not leak.search(doc.text), leak.pattern
    assert "polc2" not in doc.text  # the accompanying-documents list is dropped


def test_real_getmeeting_xml():
    path = REAL / "mgWebService_GetMeeting__with-minutes__lgsf-manchester-trimmed.xml"
    doc = read_html(path, path.read_bytes())
    assert (doc.body, doc.meeting_date) == ("Audit Committee", date(2026, 2, 10))
    assert [(i.number, i.title) for i in doc.items] == [("1", "Minutes"), ("9", "Work Programme")]
    minutes = doc.text[doc.items[0].start : doc.items[0].end]
    assert minutes.startswith("1. Minutes\n")
    assert "Minutes:\n\nTo approve the minutes of the meeting held on 25 November 2025 as a correct record." in minutes
    assert "Work Programme" not in minutes


@pytest.mark.parametrize(
    "name, reason",
    [
        (
            "mgWebService_GetMeeting__no-minutes__lgsf-manchester-trimmed.xml",
            "empty (no agenda items in the ModernGov meeting XML)",
        ),
        (
            "mgWebService_GetMeetings__lgsf-manchester-trimmed.xml",
            "unsupported type (XML <getmeetings>, not a ModernGov GetMeeting response)",
        ),
    ],
)
def test_xml_that_is_not_a_meeting_with_items(name, reason):
    path = REAL / name
    with pytest.raises(BadDocument) as caught:
        read_html(path, path.read_bytes())
    assert caught.value.reason == reason
    assert str(caught.value) == f"{path}: {reason}"


def test_real_search_page_falls_back_to_main_content_with_a_warning():
    doc = read_document(REAL / "ieSearchResults2__search-results__kirklees.html")
    assert doc.warnings == ["unrecognised ModernGov page layout: kept the visible text of the main content"]
    assert "Item5: Re-Commissioning of Alcohol and Drug Services" in doc.text
    for chrome in ("Calendar of meetings", "Councillors allowances", "Voting and elections", "Page 2"):
        assert chrome not in doc.text
    # DC.date is the day the page was saved, not a meeting: only meeting pages may use it.
    assert doc.meeting_date is None


def test_real_decision_list_drops_hidden_refs():
    doc = read_document(REAL / "mgDelegatedDecisions__decisions-list__lgsf-kirklees-trimmed.html")
    assert "Railway Street, Huddersfield\n" in doc.text
    assert "ref: 13567" not in doc.text and "13149" not in doc.text


# --- other HTML ----------------------------------------------------------------------------


def test_non_moderngov_page_keeps_its_visible_text():
    doc = parse("gov_wales_statement_2018-01-15.html")
    assert doc.warnings == ["not a ModernGov page: kept the visible text of the page"]
    assert doc.source_url == "https://gov.wales/node/6296"
    assert doc.meeting_date == date(2018, 1, 15)
    assert "\n· Appointed an interim Director of Social Services.\n· Appointed an interim Head" in doc.text
    for chrome in ("Home", "Topics", "Skip to main content", "Crown copyright"):
        assert chrome not in doc.text


def test_unknown_moderngov_markup_is_kept_with_a_warning(tmp_path):
    path = tmp_path / "odd.html"
    path.write_text(
        '<div id="modgov"><div class="mgContent"><p>RESOLVED: that<br>(a) the plan be noted;<br>'
        "(b) a report come back in June.</p><ol><li>first</li><li>second</li></ol></div></div>",
        "utf-8",
    )
    doc = read_document(path)
    assert (
        doc.text == "RESOLVED: that\n(a) the plan be noted;\n(b) a report come back in June.\n\n1. first\n2. second\n"
    )
    assert doc.warnings == ["unrecognised ModernGov page layout: kept the visible text of the main content"]


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Agenda</title><script>var a = 1;</script></head><body><div>&nbsp; </div></body></html>",
        '<div id="modgov"><div class="mgHeader"><h1 class="mgMainTitleTxt"></h1></div>'
        '<span class="mgHide">Skip</span></div>',
    ],
)
def test_html_with_no_visible_text_is_a_bad_document(tmp_path, html):
    path = tmp_path / "blank.html"
    path.write_text(html, "utf-8")
    with pytest.raises(BadDocument) as caught:
        read_document(path)
    assert str(caught.value) == f"{path}: empty (no text in the HTML page)"


def test_meeting_page_without_an_agenda_table_warns(tmp_path):
    path = tmp_path / "agenda.html"
    path.write_text(
        '<div id="modgov"><div class="mgHeader"><h1 class="mgMainTitleTxt">Agenda and minutes</h1></div>'
        '<div class="mgSubTitle"><h2 class="mgSubTitleTxt">Cabinet - Tuesday, 14th February, 2023 2.30 pm</h2></div>'
        '<div class="mgContent"><p>The meeting was cancelled.</p></div></div>',
        "utf-8",
    )
    doc = read_document(path)
    assert (doc.body, doc.meeting_date, doc.items) == ("Cabinet", date(2023, 2, 14), [])
    assert doc.warnings == ["ModernGov meeting page with no numbered agenda items found"]


def test_getmeeting_inside_a_soap_envelope(tmp_path):
    inner = (REAL / "mgWebService_GetMeeting__with-minutes__lgsf-manchester-trimmed.xml").read_text("utf-8")
    inner = inner.split("?>", 1)[1]
    path = tmp_path / "meeting.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<soap:Body>{inner}</soap:Body></soap:Envelope>",
        "utf-8",
    )
    doc = read_html(path, path.read_bytes())
    assert [i.number for i in doc.items] == ["1", "9"]


def test_windows_1252_page_without_a_charset(tmp_path):
    path = tmp_path / "cp1252.html"
    path.write_bytes(
        '<div id="modgov"><div class="mgContent"><p>The Council\x92s plan \x96 agreed by the Cabinet.</p>'
        "</div></div>".encode("latin-1")
    )
    assert read_document(path).text.startswith("The Council’s plan – agreed by the Cabinet.")


def test_meeting_page_dated_by_its_html_title_when_the_heading_is_missing(tmp_path):
    path = tmp_path / "meeting.html"
    path.write_text(
        "<html><head><title>Agenda for Cabinet on Thursday, 21st January, 2016, 3.30 pm</title>"
        '<meta name="DC.date" scheme="W3CDTF" content="2026-08-11"/></head><body><div id="modgov">'
        '<div class="mgContent"><table class="mgItemTable"><tr><td class="mgItemNumberCell">86.</td>'
        '<td><p class="mgAiTitleTxt">Minutes</p><p class="mgSubItemTitleTxt">Decision:</p>'
        '<div class="mgWordPara"><p>Approved.</p></div></td></tr></table></div></div></body></html>',
        "utf-8",
    )
    doc = read_document(path)
    assert (doc.body, doc.meeting_date) == ("Cabinet", date(2016, 1, 21))
    assert doc.text == "86.\n\nMinutes\n\nDecision:\n\nApproved.\n"
    assert [(i.number, i.title, doc.text[i.start : i.end]) for i in doc.items] == [
        ("86", "Minutes", "86.\n\nMinutes\n\nDecision:\n\nApproved.")
    ]


# --- the renderer, on generated markup -------------------------------------------------------

from bs4 import BeautifulSoup  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from followthrough.ingest.htmltext import render  # noqa: E402

WORDS = st.sampled_from(["RESOLVED:", "the", "plan", "be", "noted", "(a)", "Cabinet", "2023", "–", "&amp;"])
SPACES = st.sampled_from([" ", "\n", "&nbsp;", " \n  ", "\t"])


@st.composite
def markup(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        words = draw(st.lists(WORDS, min_size=0, max_size=4))
        return draw(SPACES).join(words) + (draw(SPACES) if words else "")
    tag = draw(st.sampled_from(["p", "div", "span", "b", "ul", "ol", "table", "br", "h2", "a"]))
    inner = "".join(draw(st.lists(markup(depth + 1), min_size=0, max_size=3)))
    if tag == "br":
        return "<br>"
    if tag in ("ul", "ol"):
        return f"<{tag}><li>{inner}</li><li>{inner}</li></{tag}>"
    if tag == "table":
        return f"<table><tr><td>{inner}</td><td>{inner}</td></tr></table>"
    return f"<{tag}>{inner}</{tag}>"


@settings(max_examples=200, deadline=None)
@given(st.lists(markup(), min_size=1, max_size=4))
def test_render_keeps_every_word_in_order_and_spans_inside_the_text(parts):
    html = "<div>" + "".join(parts) + "</div>"
    soup = BeautifulSoup(html, "lxml")
    blocks = soup.find_all(["p", "div", "li", "td", "h2"])
    rendered = render(soup.div, {f"m{i}": tag for i, tag in enumerate(blocks)})
    text = rendered.text
    words = BeautifulSoup(html, "lxml").get_text(" ").split()
    # Every word, in order; the renderer only adds list markers ("·", "1.").
    assert [w for w in text.split() if w != "·" and not re.fullmatch(r"\d+\.", w)] == words
    assert "\n\n\n" not in text and "  " not in text
    assert all(line == line.strip() for line in text.splitlines())
    for start, end in rendered.spans.values():
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == text[start:end].strip()


def test_issue_page_with_two_meetings(tmp_path):
    source = (FIXTURES / "ieIssueDetails_sefton_osc_2017-09-26_item18.html").read_text("utf-8")
    block = source[source.index('<h2  class="mgSectionTitle" >') : source.index("</table>") + len("</table>")]
    cabinet = (
        block.replace("26&#47;09&#47;2017", "05&#47;10&#47;2017")
        .replace("Overview and Scrutiny Committee &#40;Children&#39;s Services and Safeguarding&#41;", "Cabinet")
        .replace("&#40;Item 18&#41;", "&#40;Item 52&#41;")
    )
    path = tmp_path / "ieIssueDetails.aspx"
    path.write_text(
        "<!-- saved from url=(0063)https://modgov.sefton.gov.uk/ieIssueDetails.aspx?IId=49652&Opt=3 -->\n"
        + source.replace(block, cabinet + "\n" + block),
        "utf-8",
    )
    doc = read_document(path)
    assert [(i.number, i.title) for i in doc.items] == [
        ("52", "Updated Children's Social Care Improvement Plan"),
        ("18", "Updated Children's Social Care Improvement Plan"),
    ]
    assert (doc.body, doc.meeting_date) == ("Cabinet", date(2017, 10, 5))
    assert doc.warnings == [
        "issue page covers 2 meetings: committee and date are the first listed (Cabinet, 2017-10-05)"
    ]
    assert doc.source_url == "https://modgov.sefton.gov.uk/ieIssueDetails.aspx?IId=49652&Opt=3"
    first, second = doc.items
    assert first.end < second.start
    assert doc.text[second.start :].startswith("Meeting: 26/09/2017 - Overview and Scrutiny Committee")
    assert doc.text.count("RESOLVED: That") == 2


def test_getmeeting_xml_with_a_byte_order_mark(tmp_path):
    data = (REAL / "mgWebService_GetMeeting__with-minutes__lgsf-manchester-trimmed.xml").read_bytes()
    path = tmp_path / "meeting.xml"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    assert read_html(path, path.read_bytes()).meeting_date == date(2026, 2, 10)
