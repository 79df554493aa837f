"""Guess a document's kind, committee, date and title from its text.

Dates are taken only from places that name the document's own date: the headings ModernGov
prints ("Cabinet - Tuesday, 14th February, 2023 2.30 pm", "Meeting: 17/12/2018 - The
Executive (Item 7)", "Decided at meeting: 19/10/2015 - Policy Committee", a decision's
"28/01/2009 - Improvement Plan ..." line), labelled publication dates ("First published:
15 January 2018") and, failing those, a yyyy-mm-dd date in the file name. A date in running
text ("the Minutes of 11/04/2023") is never taken: it is usually another meeting's.
Kind cues live in data/detect.json.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from importlib import resources

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DMY = r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})"
_DAY_MONTH_YEAR = rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH}),?\s+(?P<year>\d{{4}})"

# "Cabinet - Tuesday, 14th February, 2023 2.30 pm" (ModernGov meeting heading); also
# "Audit Committee - Tuesday 26 September 2023 2.00 p.m.". A line of its own.
MODERNGOV_HEADING = re.compile(
    rf"^[ \t]*(?P<body>[^\n]{{3,120}}?)[ \t]+[-–][ \t]+{_WEEKDAY},?[ \t]+{_DAY_MONTH_YEAR}\b[^\n]{{0,30}}$",
    re.MULTILINE,
)
# "Meeting: 17/12/2018 - The Executive (Item 7)" (mgAi / ieIssueDetails). Search-result pages
# end the line with a hit counter "(3)" instead: not a heading, so not taken.
MODERNGOV_MEETING = re.compile(
    rf"^[ \t]*Meeting:[ \t]*{_DMY}[ \t]*[-–][ \t]*(?P<body>[^\n]+?)[ \t]*"
    r"(?:\(Item[ \t]*(?P<item>[\w.]+)\))?[ \t]*$",
    re.MULTILINE,
)
HIT_COUNTER = re.compile(r"\(\d+\)$")
# "Decided at meeting: 19/10/2015 - Policy Committee" (ieDecisionDetails)
DECIDED_AT = re.compile(
    rf"^[ \t]*Decided at meeting:[ \t]*{_DMY}[ \t]*[-–][ \t]*(?P<body>[^\n]+?)[ \t]*$", re.MULTILINE
)
# "28/01/2009 - Improvement Plan in response to ..." (a decision's own heading line)
MODERNGOV_DECISION = re.compile(rf"^[ \t]*{_DMY}[ \t]+[-–][ \t]+\S[^\n]*$", re.MULTILINE)
# "First published:\n15 January 2018" (gov.wales), "Date of publication: 9 January 2019".
# A bare "Date" counts only as a label ending in a colon at the start of a line.
PUBLISHED = re.compile(
    rf"^[ \t]*(?:First published|Published(?: on)?|Date of (?:publication|issue|the letter|letter|meeting)|"
    rf"Meeting date|Date:)[ \t]*:?\s*{_DAY_MONTH_YEAR}",
    re.IGNORECASE | re.MULTILINE,
)
# "Agenda for Cabinet on Thursday, 21st January, 2016, 3.30 pm" (a ModernGov meeting page's <title>)
PAGE_TITLE = re.compile(
    rf"^\s*(?:Agenda|Minutes|Decisions)(?:,? (?:and )?(?:decisions|minutes|draft minutes))* for "
    rf"(?P<body>.+?) on {_WEEKDAY},?\s+{_DAY_MONTH_YEAR}",
    re.IGNORECASE,
)
# The opening of minutes not printed by ModernGov: "Minutes of the meeting of the Cabinet
# held on Tuesday, 14 November 2023 at 10.00 am", "MINUTES of a meeting of the Children's
# Scrutiny Committee\nheld at County Hall on 9th March 2023". Only near the top, only a line
# that opens with "Minutes"/"Meeting", and never "... were approved as a correct record".
HELD_ON = re.compile(
    rf"^[ \t]*(?:(?:draft|unconfirmed|confirmed)\s+)?(?:minutes|a\s+meeting|meeting)\b"
    rf"(?:[^\n]{{0,160}}?\bof\s+(?:the\s+)?(?P<body>(?-i:[A-Z])[^\n]{{2,100}}?)\s*\n?\s*(?=held\b)|[^\n]{{0,200}}?\n?[^\n]{{0,80}}?)"
    rf"\bheld\b[^\n]{{0,120}}?\bon\s+(?:{_WEEKDAY},?\s+)?(?:the\s+)?(?:{_DAY_MONTH_YEAR}|(?P<nday>\d{{1,2}})/(?P<nmonth>\d{{1,2}})/(?P<nyear>\d{{4}}))"
    rf"(?![^\n]*\b(?:approved|confirmed|signed|agreed|accepted|correct\s+record)\b)",
    re.IGNORECASE | re.MULTILINE,
)
# A date in a file name such as "..._2019-01-09_..." or "2018-12-17".
NAME_DATE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?!\d)")
TITLE_SKIP = re.compile(
    r"^(?:issue - meetings|issue - decisions|agenda item|agenda(?:,| and)? .*|additional documents:|minutes:|"
    r"decision:|skip to main content|items|no\. item|meeting:.*|first published:?|last updated:?|[•·\-].*)$",
    re.IGNORECASE,
)
FILE_NOISE = re.compile(r"\s*(?:pdf|doc) icon (?:PDF|DOC) [\d.]+ [KM]B\s*$")


@cache
def _cues() -> dict[str, list[re.Pattern[str]]]:
    """Cue lists by name; "x_cased" lists join "x", matched case-sensitively."""
    raw = json.loads(resources.files("followthrough.ingest").joinpath("data/detect.json").read_text("utf-8"))
    compiled: dict[str, list[re.Pattern[str]]] = {}
    for key, patterns in raw.items():
        if key.startswith("_"):
            continue
        flags = re.MULTILINE | (0 if key.endswith("_cased") else re.IGNORECASE)
        pattern = re.compile("|".join(f"(?:{p})" for p in patterns), flags)
        compiled.setdefault(key.removesuffix("_cased"), []).append(pattern)
    return compiled


def _date(year: str, month: str, day: str) -> date | None:
    try:
        number = int(month) if month.isdigit() else MONTHS[month.lower()]
        return date(int(year), number, int(day))
    except (KeyError, ValueError):
        return None


def _tidy(body: str) -> str:
    return re.sub(r"\s+", " ", body).strip(" -–")


def detect_meeting(text: str, name: str | None = None) -> tuple[str | None, date | None, str | None]:
    """(committee or body, meeting/publication date, item number) from a heading, if any.

    ``name`` (a file name) is the last resort for the date.
    """
    head = text[:4000]
    for match in MODERNGOV_MEETING.finditer(head):
        if HIT_COUNTER.search(match["body"]) and not match["item"]:
            continue
        found = _date(match["year"], match["month"], match["day"])
        if found:
            return _tidy(match["body"]), found, match["item"]
    for pattern in (MODERNGOV_HEADING, DECIDED_AT, PAGE_TITLE):
        for match in pattern.finditer(head):
            found = _date(match["year"], match["month"], match["day"])
            if found:
                return _tidy(match["body"]), found, None
    held = HELD_ON.search(text[:1500])
    if held:
        found = (
            _date(held["year"], held["month"], held["day"])
            if held["year"]
            else _date(held["nyear"], held["nmonth"], held["nday"])
        )
        if found:
            return (_tidy(held["body"]) if held["body"] else None), found, None
    for pattern in (PUBLISHED, MODERNGOV_DECISION):
        searched = pattern.search(head)
        if searched:
            found = _date(searched["year"], searched["month"], searched["day"])
            if found:
                return None, found, None
    return None, date_from_name(name) if name else None, None


def date_from_name(name: str) -> date | None:
    """A yyyy-mm-dd date in a file name ("ciw_press_powys_2019-01-09.txt")."""
    match = NAME_DATE.search(name)
    return _date(match["year"], match["month"], match["day"]) if match else None


def kind_scores(text: str) -> dict[str, int]:
    """Counts of each kind's cues in the first 20,000 characters (see data/detect.json)."""
    head = text[:20000]
    cues = _cues()
    scores = {
        key: sum(len(p.findall(head)) for p in patterns) for key, patterns in cues.items() if key != "inspectorates"
    }
    # An inspectorate named at the very top is usually the author.
    scores["inspectorate_at_top"] = int(any(p.search(head[:600]) for p in cues["inspectorates"]))
    return scores


def detect_kind(text: str, has_plan_rows: bool) -> str:
    """One of 'inspection report', 'minutes', 'action plan', 'other'.

    Minutes are known by their structure (RESOLVED lines, "Decision:"/"Minutes:" labels,
    ModernGov meeting headings); inspectorate texts by the inspectorate's own voice ("We
    inspected", "Priority areas for development", "Next steps"). Minutes that discuss an
    inspection name the inspectorate a lot, so names alone decide nothing.
    """
    if has_plan_rows:
        return "action plan"
    s = kind_scores(text)
    minutes = 3 * s["minutes_strong"] + s["minutes_weak"]
    inspection = 3 * s["inspection_strong"] + s["inspection_weak"] + 2 * s["inspectorate_at_top"]
    if s["inspection_strong"] >= 2 and s["inspection_strong"] > s["minutes_strong"]:
        return "inspection report"
    if minutes >= 2 and minutes >= inspection:
        return "minutes"
    if inspection >= 2:
        return "inspection report"
    if minutes:
        return "minutes"
    return "other"


def detect_title(text: str) -> str | None:
    """The first line near the top that reads like a title (not a label or a long sentence)."""
    for line in text.splitlines()[:30]:
        line = FILE_NOISE.sub("", line).strip()
        if not 8 <= len(line) <= 200 or TITLE_SKIP.match(line) or line.endswith((":", ":-")):
            continue
        if line.endswith(".") and len(line.split()) > 12:
            continue  # a sentence of running text
        return line
    return None
