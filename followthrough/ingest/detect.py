"""Guess a document's kind, committee and date from its text.

Patterns cover the headers ModernGov prints ("Cabinet - Tuesday, 14th February, 2023 ...",
"Meeting: 17/12/2018 - The Executive (Item 7)"), inspectorate letters and press pages
("First published: 15 January 2018") and dated report titles.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

# "Cabinet - Tuesday, 14th February, 2023 2.30 pm" (ModernGov meeting heading)
MODERNGOV_HEADING = re.compile(
    rf"^\s*(?P<body>[^\n]{{3,120}}?)\s+[-–]\s+{_WEEKDAY},?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+"
    rf"(?P<month>{_MONTH}),?\s+(?P<year>\d{{4}})",
    re.MULTILINE,
)
# "Meeting: 17/12/2018 - The Executive (Item 7)" (ModernGov issue page)
MODERNGOV_MEETING = re.compile(
    r"^\s*Meeting:\s*(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\s*[-–]\s*(?P<body>[^\n]+?)\s*(?:\(Item\s*(?P<item>[\w.]+)\))?\s*$",
    re.MULTILINE,
)
# "28/01/2009 - Improvement Plan in response to ..." (ModernGov decision page)
MODERNGOV_DECISION = re.compile(r"^\s*(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\s+[-–]\s+\S", re.MULTILINE)
# "First published:\n15 January 2018" (gov.wales), "Date of publication: 9 January 2019"
PUBLISHED = re.compile(
    rf"(?:First published|Published|Date of publication|Date of (?:the )?letter|Date)\s*:?\s*\n?\s*"
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\s+(?P<year>\d{{4}})",
    re.IGNORECASE,
)
# A date in a file name such as "..._2019-01-09_..." or "2018-12-17".
NAME_DATE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?!\d)")

INSPECTORATES = re.compile(
    r"\b(?:Care Inspectorate Wales|CIW|CSSIW|Ofsted|Care Quality Commission|CQC|Estyn|Audit Wales|"
    r"Wales Audit Office|Commission for Social Care Inspection|CSCI|HMI\w*)\b"
)
MINUTES_CUES = re.compile(
    r"\b(?:RESOLVED|Minutes:|Decision:|Agenda|Present:|Apologies|Declarations? of Interest|"
    r"Cabinet|Committee|Councillor|Chairperson|Chair)\b"
)
PLAN_CUES = re.compile(r"\b(?:action plan|improvement plan)\b", re.IGNORECASE)
INSPECTION_CUES = re.compile(
    r"\b(?:we inspected|our inspection|inspectors|areas? for (?:improvement|development)|"
    r"priority areas|we found|we expect the local authority|next steps)\b",
    re.IGNORECASE,
)


def _date(year: str, month: str, day: str) -> date | None:
    try:
        number = int(month) if month.isdigit() else MONTHS[month.lower()]
        return date(int(year), number, int(day))
    except (KeyError, ValueError):
        return None


def detect_meeting(text: str) -> tuple[str | None, date | None, str | None]:
    """(committee or body, meeting/publication date, item number) from a heading, if any."""
    head = text[:4000]
    for pattern in (MODERNGOV_MEETING, MODERNGOV_HEADING):
        match = pattern.search(head)
        if match:
            body = re.sub(r"\s+", " ", match["body"]).strip(" -–")
            item = match.groupdict().get("item")
            return body, _date(match["year"], match["month"], match["day"]), item
    match = PUBLISHED.search(head)
    if match:
        return None, _date(match["year"], match["month"], match["day"]), None
    match = MODERNGOV_DECISION.search(head)
    if match:
        return None, _date(match["year"], match["month"], match["day"]), None
    return None, None, None


def detect_kind(text: str, has_plan_rows: bool) -> str:
    """One of 'inspection report', 'minutes', 'action plan', 'other'."""
    if has_plan_rows:
        return "action plan"
    head = text[:20000]
    minutes = len(MINUTES_CUES.findall(head))
    inspection = len(INSPECTION_CUES.findall(head)) + (2 if INSPECTORATES.search(head[:600]) else 0)
    if minutes >= 2 and minutes >= inspection:
        return "minutes"
    if inspection >= 2:
        return "inspection report"
    if minutes:
        return "minutes"
    return "other"


def detect_title(text: str) -> str | None:
    """The first substantial line that reads like a title."""
    skip = re.compile(r"^(?:issue - meetings|issue - decisions|agenda(?:,| and)? .*|additional documents:|minutes:|decision:|skip to main content|•.*)$", re.IGNORECASE)
    for line in text.splitlines()[:30]:
        line = line.strip()
        if 8 <= len(line) <= 200 and not skip.match(line) and not line.endswith(":"):
            return line
    return None
