"""The time normaliser: ANNOTATION.md's table, every due date in the dev gold, properties."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followthrough.extract.holidays import add_working_days, bank_holidays, is_working_day
from followthrough.extract.periods import month_interval, months_interval, part_of
from followthrough.extract.timegrammar import grammar
from followthrough.extract.timex import HANDLERS, KINDS, due_for, find_times, normalise

# Compile the rules once before any timed (hypothesis) test runs.
grammar()

GOLD = Path("/work/shared/eval/dev/gold")
DOCS = Path(__file__).resolve().parent.parent / "corpus" / "documents"
MONTHS = list(calendar.month_name)[1:]
D = date.fromisoformat


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def test_every_rule_in_the_data_file_has_a_handler() -> None:
    rules = grammar().rules
    assert rules
    for rule in rules:
        assert rule.name in HANDLERS, rule.name
        assert rule.kind in KINDS and rule.tier in (0, 1, 2, 3)
        assert all(name in grammar().features for name in rule.features)


# ANNOTATION.md "Time", row by row, and the conventions of the task brief.
TABLE = [
    # text, reference, start, end
    ("September 2023", None, "2023-09-01", "2023-09-30"),
    ("by 31st August", "2019-07-10", None, "2019-08-31"),
    ("spring and summer of 2023", None, "2023-03-01", "2023-08-31"),
    ("autumn 2023", None, "2023-09-01", "2023-11-30"),
    ("spring 2024", None, "2024-03-01", "2024-05-31"),
    ("summer 2024", None, "2024-06-01", "2024-08-31"),
    ("winter 2023", None, "2023-12-01", "2024-02-29"),
    ("winter 2024", None, "2024-12-01", "2025-02-28"),
    ("quarter 2 of the 2023-24 financial year", None, "2023-07-01", "2023-09-30"),
    ("Q2 2023/24", None, "2023-07-01", "2023-09-30"),
    ("Q4 2023/24", None, "2024-01-01", "2024-03-31"),
    ("the first quarter of 2024/25", None, "2024-04-01", "2024-06-30"),
    ("2023-24", None, "2023-04-01", "2024-03-31"),
    ("2023/24", None, "2023-04-01", "2024-03-31"),
    ("2023-2024", None, "2023-04-01", "2024-03-31"),
    ("financial year 2023/24", None, "2023-04-01", "2024-03-31"),
    ("the 2023/24 academic year", None, "2023-09-01", "2024-08-31"),
    ("in June", "2023-05-10", "2023-06-01", "2023-06-30"),
    ("in June", None, None, None),
    ("in March", "2023-05-10", "2024-03-01", "2024-03-31"),
    ("within 20 working days of publication", "2019-01-09", None, "2019-02-06"),
    ("within 20 working days of the publication of this report", "2019-01-09", None, "2019-02-06"),
    ("12-18 months from publication", "2019-01-09", "2020-01-09", "2020-07-09"),
    ("12-18 months from the publ", "2019-01-09", "2020-01-09", "2020-07-09"),
    ("within 90 days", "2018-01-15", None, "2018-04-15"),
    ("within six weeks", "2023-01-02", None, "2023-02-13"),
    ("within the next 12 months", "2023-01-31", None, "2024-01-31"),
    ("in six months' time", "2023-08-31", "2024-02-29", "2024-02-29"),
    ("by May 2016", "2016-01-21", None, "2016-05-31"),
    ("by the end of March 2024", None, None, "2024-03-31"),
    ("end of 2023", None, None, "2023-12-31"),
    ("the end of the financial year", "2023-05-10", None, "2024-03-31"),
    ("the end of the financial year", "2024-02-10", None, "2024-03-31"),
    ("by the end of the year", "2023-05-10", None, "2023-12-31"),
    ("early 2024", None, "2024-01-01", "2024-04-30"),
    ("mid-2024", None, "2024-05-01", "2024-08-31"),
    ("late 2024", None, "2024-09-01", "2024-12-31"),
    ("early June 2024", None, "2024-06-01", "2024-06-10"),
    ("late June 2024", None, "2024-06-21", "2024-06-30"),
    ("the first half of 2024", None, "2024-01-01", "2024-06-30"),
    ("by early 2024", None, None, "2024-04-30"),
    ("before April 2024", None, None, "2024-03-31"),
    ("between September and November 2024", None, "2024-09-01", "2024-11-30"),
    ("from April to June 2024", None, "2024-04-01", "2024-06-30"),
    ("December 2023 to March 2024", None, "2023-12-01", "2024-03-31"),
    ("23 - 27 May 2022", None, "2022-05-23", "2022-05-27"),
    ("in 2024", None, "2024-01-01", "2024-12-31"),
    ("by 2025", None, None, "2025-12-31"),
    ("next year", "2023-05-10", "2024-01-01", "2024-12-31"),
    ("next month", "2023-12-10", "2024-01-01", "2024-01-31"),
    ("next financial year", "2023-05-10", "2024-04-01", "2025-03-31"),
    ("later this year", "2023-05-10", "2023-05-10", "2023-12-31"),
    ("by the autumn", "2023-05-10", None, "2023-11-30"),
    ("this winter", "2023-05-10", "2023-12-01", "2024-02-29"),
    ("in quarter 3", "2023-05-10", "2023-10-01", "2023-12-31"),
    ("Q4", "2023-05-10", "2024-01-01", "2024-03-31"),
    ("by next June", "2023-06-15", None, "2024-06-30"),
    ("at the meeting in June 2009", None, "2009-06-01", "2009-06-30"),
    # Dates in their usual forms.
    ("31st August 2023", None, "2023-08-31", "2023-08-31"),
    ("31 August 2023", None, "2023-08-31", "2023-08-31"),
    ("31 August", "2023-07-01", "2023-08-31", "2023-08-31"),
    ("31 August", "2023-09-01", "2024-08-31", "2024-08-31"),
    ("August 31, 2023", None, "2023-08-31", "2023-08-31"),
    ("31/08/2023", None, "2023-08-31", "2023-08-31"),
    ("31/08/23", None, "2023-08-31", "2023-08-31"),
    ("2023-08-31", None, "2023-08-31", "2023-08-31"),
    ("the 31st of August", "2023-07-01", "2023-08-31", "2023-08-31"),
    ("the first of April 2024", None, "2024-04-01", "2024-04-01"),
    ("Sept 2023", None, "2023-09-01", "2023-09-30"),
    ("Sept. 2023", None, "2023-09-01", "2023-09-30"),
    ("Thursday, 3rd November, 2022", None, "2022-11-03", "2022-11-03"),
    ("21-23 June 2024", None, "2024-06-21", "2024-06-23"),
    ("1st-3rd December 2023", None, "2023-12-01", "2023-12-03"),
    ("from 2023 to 2025", None, "2023-01-01", "2025-12-31"),
    ("by 31.03.2024", None, None, "2024-03-31"),
    ("by end Q2", "2023-05-10", None, "2023-09-30"),
    ("from 1st April 2024", None, "2024-04-01", None),
    ("within four weeks of the meeting", "2023-05-10", None, "2023-06-07"),
    ("within 28 days of receipt of the report", "2023-05-10", None, None),
    ("in three months", "2023-05-10", "2023-08-10", "2023-08-10"),
    ("over the next two years", "2023-05-10", "2023-05-10", "2025-05-10"),
    ("between 1 April and 30 June 2024", None, "2024-04-01", "2024-06-30"),
    ("1 December to 31 January 2024", None, "2023-12-01", "2024-01-31"),
    ("85% of assessments completed within 42 days", "2023-05-10", None, None),
    ("to the December meeting", "2023-11-14", "2023-12-01", "2023-12-31"),
    ("at its March 2024 Cabinet meeting", None, "2024-03-01", "2024-03-31"),
    ("after 12 months", "2023-11-14", "2024-11-14", "2024-11-14"),
    ("by the end of the municipal year", "2023-11-14", None, "2024-04-30"),
    ("from 2024/25 to 2026/27", None, "2024-04-01", "2027-03-31"),
    ("the remainder of the 2025/26 municipal year", "2025-06-01", "2025-06-01", "2026-04-30"),
    ("the rest of the year", "2025-06-01", "2025-06-01", "2025-12-31"),
    ("by the end of the 2023/24 financial year", None, None, "2024-03-31"),
    ("by Christmas", "2024-01-10", None, "2024-12-25"),
    ("before Easter", "2024-01-10", None, "2024-03-30"),
    ("Easter 2025", None, "2025-04-20", "2025-04-20"),
    # Action-plan tracker forms.
    ("Mar-24", None, "2024-03-01", "2024-03-31"),
    ("Sept '23", None, "2023-09-01", "2023-09-30"),
    ("end March 2024", None, None, "2024-03-31"),
    ("w/c 12 June", "2023-05-10", "2023-06-12", "2023-06-18"),
    ("Q1-Q2 2024/25", None, "2024-04-01", "2024-09-30"),
    ("2024/25 Q1", None, "2024-04-01", "2024-06-30"),
    ("FY 2024/25", None, "2024-04-01", "2025-03-31"),
    ("FY24/25", None, "2024-04-01", "2025-03-31"),
    ("from April 2024 onwards", None, "2024-04-01", None),
    ("by March 2024 at the latest", None, None, "2024-03-31"),
    ("no later than 30 days after the publication", "2023-05-10", None, "2023-06-09"),
    ("29 February", "2023-03-01", "2024-02-29", "2024-02-29"),
    # Frequencies, events and vague times keep their text and no dates.
    ("the next meeting", "2023-05-10", None, None),
    ("in due course", "2023-05-10", None, None),
    ("regularly", "2023-05-10", None, None),
    ("quarterly", "2023-05-10", None, None),
    ("on a quarterly basis", "2023-05-10", None, None),
    ("six monthly", "2023-05-10", None, None),
    ("6 monthly", "2023-05-10", None, None),
    ("annually", "2023-05-10", None, None),
    ("monthly", "2023-05-10", None, None),
    ("shortly", "2023-05-10", None, None),
    ("ongoing", "2023-05-10", None, None),
]


@pytest.mark.parametrize(("text", "reference", "start", "end"), TABLE)
def test_annotation_table(text: str, reference: str | None, start: str | None, end: str | None) -> None:
    due = normalise(text, D(reference) if reference else None)
    assert (iso(due.start), iso(due.end)) == (start, end)
    assert due.text  # the expression is always kept


@pytest.mark.parametrize(
    ("text", "expression", "kind"),
    [
        ("a refreshed plan would be brought to Cabinet in September 2023", "September 2023", "date"),
        ("the report be received and responded by May 2016", "by May 2016", "deadline"),
        (
            "a stocktake would take place over the spring and summer of 2023",
            "over the spring and summer of 2023",
            "interval",
        ),
        ("to be received at the Governance & Audit Committee in June", "in June", "date"),
        ("Agree to receive a progress report at the meeting in June 2009", "at the meeting in June 2009", "date"),
        ("the scheme be subject to annual reviews", "annual", "frequency"),
        ("The Board will provide regular reports", "regular", "frequency"),
        ("submitted to the Committee on a six monthly basis", "on a six monthly basis", "frequency"),
        ("six monthly progress reports be submitted", "six monthly", "frequency"),
        (
            "the Council will be notified once the programme of inspection re-commences.",
            "once the programme of inspection re-commences",
            "event",
        ),
        (
            "engagement would continue following the submission to Ofsted.",
            "following the submission to Ofsted",
            "event",
        ),
        ("A report was to be submitted to Scrutiny shortly", "shortly", "event"),
        ("within 90 days of giving the Notice on action taken", "within 90 days of giving the Notice", "relative"),
    ],
)
def test_expression_text_and_kind(text: str, expression: str, kind: str) -> None:
    found = find_times(text, D("2023-05-10"))
    assert [(t.text, t.kind) for t in found] == [(expression, kind)]
    assert text[found[0].start : found[0].end] == expression


def _gold_dues() -> list[tuple[str, str, str | None, dict]]:
    if not GOLD.is_dir():
        return []
    cases = []
    for path in sorted(GOLD.glob("*.gold.json")):
        gold = json.loads(path.read_text("utf-8"))
        for statement in gold["statements"]:
            if statement.get("due"):
                cases.append((path.name, statement["quote"], gold.get("meeting_date"), statement["due"]))
    return cases


GOLD_DUES = _gold_dues()


@pytest.mark.skipif(not GOLD_DUES, reason="dev gold files not present")
@pytest.mark.parametrize(
    ("name", "quote", "meeting", "due"), GOLD_DUES, ids=[f"{c[0][:30]}:{c[1][:30]}" for c in GOLD_DUES]
)
def test_gold_due_dates(name: str, quote: str, meeting: str | None, due: dict) -> None:
    found = due_for(quote, D(meeting) if meeting else None)
    assert found is not None
    assert (iso(found.start), iso(found.end)) == (due["start"], due["end"])
    assert found.text == due["text"]


@pytest.mark.parametrize(
    "text",
    [
        "The case load was high",
        "Item 7",
        "3 of the 21 action points",
        "a 40% increase in referrals",
        "Appendix 1",
        "under section 17 of the Children Act 1989",
        "the Social Services and Well-being (Wales) Act 2014",
        "winter pressures on the hospital",
        "the ongoing fragility of the social care workforce",
        "Care Inspectorate Wales (CIW) Annual Performance Letter",
        "Improvement Plan - Quarterly Progress Report",
        "services for looked after children",
        "the following actions were agreed",
        "She may attend",
        "paragraph 3.1.12 of the report",
        "a 3 year strategic plan",
        "£2,024 was spent",
        "during the financial year and reported against the four core principles",
        "to ensure ongoing and effective Member scrutiny",
        "children waiting over 12 months",
        "the council offices in Spring Gardens",
        "the Winter Pressures Plan",
        "over the Christmas period",
        "the report was presented by April Jones",
        "the first April meeting of the group",
        "Councillors thanked June Evans for her work",
        "for 3 years the service has struggled",
    ],
)
def test_not_times(text: str) -> None:
    assert find_times(text, D("2023-05-10")) == []
    assert due_for(text, D("2023-05-10")) is None


@pytest.mark.parametrize(
    "text",
    [
        # a year in a name is a time, but not when anything is due
        "the Children’s Services Draft Improvement Plan 2023-24 was attached",
        "the Strategy 2024-2028 be noted",
        # background: already past on the reference date
        "We inspected services for children in Powys in July 2017",
        "The report was published on 27 June 2016",
        "Since the last report to Committee in July, 2022",
        # a year left unsaid in past narrative is the one before, not the next
        "The Committee had considered the report in March",
        "Members were informed that the plan was submitted on 13 November",
        "the Members Code of Conduct adopted by Council from 1 September 2008",
    ],
)
def test_times_that_are_not_due_dates(text: str) -> None:
    assert find_times(text, D("2023-05-10"))
    assert due_for(text, D("2023-05-10")) is None


def test_due_for_prefers_the_future_over_background() -> None:
    text = "Following the inspection in July 2017, the plan would be reviewed by March 2019"
    assert due_for(text, D("2018-01-15")).end == D("2019-03-31")
    # A date already past is background, not when anything is due.
    assert due_for("We inspected services in Powys in July 2017", D("2019-01-09")) is None
    # A frequency beats a past date; a future date beats a frequency.
    assert due_for("Since July 2022 reports have come quarterly", D("2023-01-01")).text == "quarterly"
    assert due_for("reports would come quarterly from April 2023", D("2023-01-01")).start == D("2023-04-01")


def test_due_for_reads_future_narrative_with_an_unsaid_year() -> None:
    assert due_for("The report would be considered in March", D("2023-05-10")).start == D("2024-03-01")
    assert due_for("The plan will be submitted on 13 November", D("2023-11-14")).end == D("2024-11-13")


def test_a_reference_with_a_time_of_day_counts_as_its_day() -> None:
    from datetime import datetime

    assert due_for("in June", datetime(2023, 5, 10, 14, 30)) == due_for("in June", D("2023-05-10"))
    assert due_for("in May", datetime(2023, 5, 31, 23, 0)).start == D("2023-05-01")


def test_due_for_ignores_a_plan_named_by_its_year() -> None:
    text = (
        "it be noted that the Care Inspectorate Wales Performance Review Plan 2020/21 has been paused, "
        "and that the Council will be notified once the programme of inspection re-commences"
    )
    assert due_for(text, D("2020-09-22")).text == "once the programme of inspection re-commences"


def test_event_clause_stops_before_a_date() -> None:
    found = find_times("The plan would be published once it is approved in June 2023.", None)
    assert [t.text for t in found] == ["once it is approved", "June 2023"]


def test_offsets_on_a_real_document() -> None:
    path = DOCS / "ciw_press_powys_childrens_2019-01-09.txt"
    if not path.exists():
        pytest.skip("corpus document not present")
    text = path.read_text("utf-8")
    found = find_times(text, D("2019-01-09"))
    assert [t.text for t in found] == [
        "July 2017",
        "October 2018",
        "October 2018",
        "within 20 working days of the publication of this report",
        "on a quarterly basis",
        "12-18 months from the publ",
    ]
    for t in found:
        assert text[t.start : t.end] == t.text
        assert t.kind in KINDS


# ---------------------------------------------------------------- properties

years = st.integers(min_value=1980, max_value=2060)
references = st.dates(min_value=date(1980, 1, 1), max_value=date(2060, 12, 31))


@given(month=st.integers(1, 12), year=years)
def test_month_year_is_the_whole_month(month: int, year: int) -> None:
    due = normalise(f"{MONTHS[month - 1]} {year}", None)
    assert due.start == date(year, month, 1)
    assert due.end == date(year, month, calendar.monthrange(year, month)[1])


@given(month=st.integers(1, 12), reference=references)
def test_in_month_is_the_next_such_month(month: int, reference: date) -> None:
    due = normalise(f"in {MONTHS[month - 1]}", reference)
    assert due.start.month == month
    assert date(reference.year, reference.month, 1) <= due.start < reference + timedelta(days=366)
    assert due.end >= reference


@settings(max_examples=200)
@given(
    text=st.sampled_from(
        [
            "by {m} {y}",
            "{m} {y}",
            "early {y}",
            "mid-{y}",
            "late {m} {y}",
            "spring {y}",
            "winter {y}",
            "autumn and winter {y}",
            "the end of {m} {y}",
            "{y}/{z}",
            "Q{q} {y}/{z}",
            "within {n} working days",
            "within {n} months",
            "{n}-{k} months from publication",
            "in {m}",
            "the 1st of {m}",
            "next year",
            "this winter",
            "in quarter {q}",
            "before {m} {y}",
            "between {m} and {m2} {y}",
        ]
    ),
    month=st.integers(1, 12),
    month2=st.integers(1, 12),
    year=years,
    quarter=st.integers(1, 4),
    n=st.integers(1, 30),
    k=st.integers(0, 30),
    reference=st.none() | references,
)
def test_start_never_after_end(
    text: str, month: int, month2: int, year: int, quarter: int, n: int, k: int, reference: date | None
) -> None:
    expression = text.format(
        m=MONTHS[month - 1], m2=MONTHS[month2 - 1], y=year, z=f"{(year + 1) % 100:02d}", q=quarter, n=n, k=n + k
    )
    for t in find_times(expression, reference):
        if t.due.start and t.due.end:
            assert t.due.start <= t.due.end, expression


WORDS = [
    "by",
    "in",
    "the",
    "end",
    "of",
    "early",
    "mid-",
    "late",
    "next",
    "last",
    "this",
    "within",
    "working",
    "days",
    "months",
    "weeks",
    "from",
    "publication",
    "quarter",
    "Q2",
    "2",
    "12",
    "31st",
    "August",
    "May",
    "June",
    "Sept",
    "2023",
    "2024",
    "2023/24",
    "2023-24",
    "spring",
    "winter",
    "and",
    "summer",
    "financial",
    "year",
    "meeting",
    "at",
    "once",
    "approved",
    "quarterly",
    "on",
    "a",
    "basis",
    "-",
    "before",
    "after",
    "until",
    "since",
    "w/c",
    "onwards",
    ",",
    ".",
    "Plan",
    "report",
    "will",
    "be",
]


@settings(max_examples=300)
@given(tokens=st.lists(st.sampled_from(WORDS), max_size=14), reference=st.none() | references)
def test_any_text_gives_well_formed_matches(tokens: list[str], reference: date | None) -> None:
    text = " ".join(tokens)
    found = find_times(text, reference)
    previous_end = 0
    for t in found:
        assert text[t.start : t.end] == t.text == t.due.text
        assert t.start >= previous_end  # left to right, non-overlapping
        previous_end = t.end
        assert t.kind in KINDS
        if t.due.start and t.due.end:
            assert t.due.start <= t.due.end
        if t.kind in ("frequency", "event"):
            assert t.due.start is None and t.due.end is None
    due = due_for(text, reference)
    assert due is None or due in [t.due for t in found]


@given(reference=references, count=st.integers(1, 60))
def test_working_day_deadlines(reference: date, count: int) -> None:
    due = normalise(f"within {count} working days of the publication of this report", reference)
    assert due.start is None and due.end > reference
    assert due.end.weekday() < 5
    assert due.end not in bank_holidays(due.end.year)
    # exactly `count` working days lie in (reference, end]
    days = [reference + timedelta(days=i) for i in range(1, (due.end - reference).days + 1)]
    assert sum(is_working_day(d) for d in days) == count


@given(year=st.integers(1990, 2060))
def test_financial_quarters_tile_the_year(year: int) -> None:
    fy = f"{year}/{(year + 1) % 100:02d}"
    whole = normalise(fy, None)
    quarters = [normalise(f"Q{q} {fy}", None) for q in range(1, 5)]
    assert quarters[0].start == whole.start == date(year, 4, 1)
    assert quarters[-1].end == whole.end == date(year + 1, 3, 31)
    for before, after in zip(quarters, quarters[1:]):
        assert after.start == before.end + timedelta(days=1)


@given(year=years, month=st.integers(1, 12), count=st.integers(1, 40))
def test_months_interval_walks_whole_months(year: int, month: int, count: int) -> None:
    start, end = months_interval(year, month, count)
    assert start == date(year, month, 1)
    y, m = year, month
    for _ in range(count - 1):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    assert end == month_interval(y, m)[1]


@given(start=references, length=st.integers(3, 800))
def test_early_mid_late_tile_any_interval(start: date, length: int) -> None:
    end = start + timedelta(days=length - 1)
    early, mid, late = (part_of(start, end, p) for p in ("early", "mid", "late"))
    assert all(lo <= hi for lo, hi in (early, mid, late))
    assert early[0] == start and late[1] == end
    assert mid[0] == early[1] + timedelta(days=1) and late[0] == mid[1] + timedelta(days=1)
    first, second = part_of(start, end, "first_half"), part_of(start, end, "second_half")
    assert first[0] == start and second[1] == end and second[0] == first[1] + timedelta(days=1)


# ---------------------------------------------------------------- bank holidays


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # gov.uk England and Wales lists, including substitute and one-off days.
        (2019, ["01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"]),
        (2020, ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"]),
        (2021, ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"]),
        (2022, ["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"]),
        (2023, ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"]),
        (2024, ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"]),
        (2025, ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"]),
        (2026, ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"]),
    ],
)
def test_bank_holidays(year: int, expected: list[str]) -> None:
    assert sorted(bank_holidays(year)) == [date.fromisoformat(f"{year}-{d}") for d in expected]


@given(year=st.integers(1980, 2100))
def test_bank_holidays_are_weekdays(year: int) -> None:
    holidays = bank_holidays(year)
    assert len(holidays) >= 8
    assert all(day.weekday() < 5 and day.year == year for day in holidays)


def test_add_working_days_counts_from_the_next_day() -> None:
    assert add_working_days(D("2019-01-09"), 20) == D("2019-02-06")
    assert add_working_days(D("2023-12-22"), 1) == D("2023-12-27")  # Christmas and Boxing Day
    assert add_working_days(D("2023-05-05"), 1) == D("2023-05-09")  # the Coronation Monday
    assert add_working_days(D("2023-05-05"), 0) == D("2023-05-05")
    with pytest.raises(ValueError):
        add_working_days(D("2023-05-05"), -1)


@given(
    st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzJMASOND0123 -")), max_size=40)
    | st.sampled_from(["Jan", "JUNE", "june", "in due course", "Q1", "quarterly", "the case load was high", "May"])
)
def test_fast_trigger_agrees_with_the_trigger_regex(text):
    from followthrough.extract.timegrammar import grammar
    from followthrough.extract.timex import _triggered

    assert _triggered(grammar(), text) == bool(grammar().trigger.search(text))


def _corpus_and_table_texts() -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted(DOCS.glob("*.txt"))]
    return texts + [row[0] for row in TABLE] + [" ".join(WORDS)]


def _has(name: str, text: str) -> bool:
    return grammar().has_feature(name, text, text.lower())


@pytest.mark.parametrize("rule", grammar().rules, ids=lambda r: r.name)
def test_a_rule_only_matches_text_with_the_features_that_gate_it(rule) -> None:
    """A rule is skipped on text without its features, so each must be in all its matches."""
    matched = 0
    for text in _corpus_and_table_texts():
        for match in rule.regex.finditer(text):
            matched += 1
            for name in rule.features:
                assert _has(name, match.group(0)), (rule.name, name, match.group(0))
    assert matched or rule.name in (
        "date_iso",
        "fy_short",
        "relative_ago",
        "named_day",
        "month_yy",
        "frequency_every",
    ), rule.name


@settings(max_examples=300)
@given(
    tokens=st.lists(
        st.sampled_from(WORDS + ["ago", "later", "every", "twice", "FY", "23/24", "01/02/2024"]), max_size=14
    )
)
def test_features_gate_no_match_away(tokens: list[str]) -> None:
    text = " ".join(tokens)
    for rule in grammar().rules:
        for match in rule.regex.finditer(text):
            assert all(_has(name, match.group(0)) for name in rule.features), (rule.name, match.group(0))


@pytest.mark.parametrize(
    "phrases",
    [
        ["quarterly", "on a quarterly basis", "on-going", "on an ongoing basis"],
        ["in future", "in the future", "in the near future"],
    ],
)
def test_a_phrase_tree_prefers_the_longest_phrase_like_longest_first_order(phrases: list[str]) -> None:
    import re

    from followthrough.extract.timegrammar import alternation, phrase_regex

    tree = re.compile(rf"(?<![\w-])(?:{alternation(phrases)})(?![\w-])", re.I)
    plain = re.compile(
        rf"(?<![\w-])(?:{'|'.join(phrase_regex(p) for p in sorted(phrases, key=len, reverse=True))})(?![\w-])", re.I
    )
    for text in [
        "on a quarterly basis",
        "quarterly",
        "on-going work",
        "on an ongoing basis",
        "in the near  future",
        "in future",
        "in the future tense",
    ]:
        assert [m.span() for m in tree.finditer(text)] == [m.span() for m in plain.finditer(text)], text


@pytest.mark.parametrize("rule", [r for r in grammar().rules if r.features], ids=lambda r: r.name)
def test_features_occur_in_every_text_a_rule_can_match(rule) -> None:
    from regex_samples import matches

    for text in matches(rule.regex, 1500):
        for name in rule.features:
            assert _has(name, text), (rule.name, name, text)
