"""Time expressions in UK local-government English, resolved to the dates they name.

``find_times`` finds every expression ("by May 2016", "quarter 2 of the 2023-24 financial
year", "within 20 working days of the publication of this report", "on a quarterly basis",
"once it had been approved"), ``due_for`` picks the one that says when a statement's action
is due. The patterns are in ``data/time_rules.txt`` and the words in ``data/time_words.json``
(loaded by :mod:`~followthrough.extract.timegrammar`); this module gives them meaning.

Conventions (ANNOTATION.md "Time", and choices where it is silent):

- an interval is its first and last day; "by X", "the end of X", "until X" keep only the end;
  "before X" ends the day before X starts; "from X" keeps only the start;
- a year left unsaid is the first occurrence not yet over on the reference date ("in June"
  said on 15 June is this June); "next June" the one after; no reference, no dates;
- seasons: spring Mar-May, summer Jun-Aug, autumn Sep-Nov, winter Dec-Feb (winter 2023 runs
  into 2024; in "winter 2023/24" autumn and winter take the first year, spring and summer the
  second);
- "2023-24"/"2023/24" is the financial year April-March (an "academic year" September-August,
  a "municipal year" May-April); Q1 is April-June of it; "Q1 2024" with a plain year is the
  calendar quarter January-March; a quarter with no year is the next one not yet over;
- early/mid/late X are the first, middle and last third of X (early 2024 = Jan-Apr, mid =
  May-Aug, late = Sep-Dec; early June = 1-10, mid = 11-20, late = 21-30);
- "within N (working) days/weeks/months [of publication]" ends N after the reference date,
  with working days skipping weekends and England & Wales bank holidays; "in N months" and
  "N-M months from publication" are the date(s) N (to M) after it; counting from any other
  event ("of giving the Notice") stays unresolved;
- frequencies ("quarterly", "annual"), events ("once it had been approved") and vague times
  ("shortly", "the next meeting") keep their text and have no dates.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from dateutil.easter import easter

from followthrough.extract.periods import (
    Interval,
    calendar_unit,
    fy_interval,
    fy_start_year,
    month_interval,
    months_interval,
    part_of,
    resolve_unsaid,
    safe_date,
    shift,
)
from followthrough.extract.timegrammar import Grammar, grammar
from followthrough.models import DueDate

KINDS = ("date", "interval", "deadline", "relative", "frequency", "event")
DATED_TIER = 0


@dataclass(slots=True)
class TimeMatch:
    """One time expression: its text and place in the input, the dates it names, its kind."""

    text: str
    start: int
    end: int
    due: DueDate
    kind: str


@dataclass(slots=True)
class _Span:
    """The meaning of a match while modifiers are applied to it."""

    start: date | None
    end: date | None
    kind: str
    bare: bool = False  # needs a cue word before it ("in June", "by 2025")
    strict: bool = False  # needs a cue that changes it ("by the end of the year")
    unsaid: Callable[[int], Interval | None] | None = None  # the interval in a given year
    past: bool = False  # background ("since July 2022", "two years ago")


@dataclass(slots=True)
class _Found:
    """A match with what due_for needs to rank it."""

    match: TimeMatch
    tier: int
    past: bool
    weak: bool = False
    label: bool = False  # part of a name: "Performance Review Plan 2020/21"
    yearless: bool = False  # the year was left unsaid ("in March")


# ---------------------------------------------------------------- rule handlers


def _unsaid_span(unsaid: Callable[[int], Interval | None], ref: date | None, kind: str, **extra: Any) -> _Span:
    interval = resolve_unsaid(unsaid, ref, "default") if ref else None
    start, end = interval if interval else (None, None)
    return _Span(start, end, kind, unsaid=unsaid, **extra)


def _month(g: Grammar, text: str) -> int:
    return g.months[text.rstrip(".").lower()]


def _day(g: Grammar, text: str) -> int:
    text = text.lower()
    if text in g.words["ordinal_days"]:
        return g.words["ordinal_days"][text]
    digits = re.match(r"\d+", text)
    assert digits is not None  # an ordinal the grammar matched: digits when not a word
    return int(digits[0])


def _number(g: Grammar, text: str) -> int | None:
    text = re.sub(r"\s+", " ", text.lower())
    if text.isdigit():
        return int(text)
    return g.numbers.get(text)


def _unit(g: Grammar, text: str) -> tuple[str, int]:
    word = re.sub(r"\s+", " ", text.lower())
    word = word[:-1] if word.endswith("s") else word
    kind, amount = g.words["units"][word]
    return kind, amount


def _year_kind_month(g: Grammar, *names: str | None) -> int:
    for name in names:
        if name:
            return g.words["year_kinds"][name.lower()]
    return 4


def _parse_fy(text: str) -> int | None:
    """The first year of '2023-24', '2023/24', '2023-2024' or '23/24', when the second follows it."""
    first, second = re.findall(r"\d+", text)
    start = int(first) if len(first) == 4 else 2000 + int(first)
    follows = (start + 1) % 100 == int(second) if len(second) == 2 else int(second) == start + 1
    return start if follows else None


def _date_span(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    month, day = _month(g, m["m"]) if not m["m"].isdigit() else int(m["m"]), _day(g, m["d"])
    if m["y"]:
        year = int(m["y"])
        if len(m["y"]) == 2:
            year += 2000 if year < 70 else 1900
        found = safe_date(year, month, day)
        return _Span(found, found, "date") if found else None
    if safe_date(2000, month, day) is None:  # 2000 is a leap year: 29 February is allowed
        return None

    def unsaid(year: int) -> Interval | None:
        found = safe_date(year, month, day)
        return (found, found) if found else None

    return _unsaid_span(unsaid, ref, "date")


def _h_date_dmy(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if m["d"][0].isalpha() and not re.search(r"\bof\b", m[0], re.I):
        return None  # "the first of April" is a date, "the first April meeting" is not
    return _date_span(g, m, ref)


def _h_date_mdy(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    # "May 20" alone is too often not a date; a year or an ordinal suffix makes it one.
    if not m["y"] and not re.search(r"(?:st|nd|rd|th)$", m["d"], re.I):
        return None
    return _date_span(g, m, ref)


def _h_date_numeric(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if m["sep"] != "/" and len(m["y"]) != 4:  # 3.1.12 is a paragraph number
        return None
    return _date_span(g, m, ref)


def _h_date_iso(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    return _date_span(g, m, ref)


def _h_date_range_dmy(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if m["sep"].lower() == "and" and (m["lead"] or "").lower() != "between":
        return None  # "3 and 10 December" is two dates, not a range
    month, first, last = _month(g, m["m"]), _day(g, m["d1"]), _day(g, m["d2"])
    if first >= last:
        return None

    def unsaid(year: int) -> Interval | None:
        lo, hi = safe_date(year, month, first), safe_date(year, month, last)
        return (lo, hi) if lo and hi else None

    if m["y"]:
        interval = unsaid(int(m["y"]))
        return _Span(*interval, "interval") if interval else None
    return _unsaid_span(unsaid, ref, "interval")


def _h_date_range_full(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if m["sep"].lower() == "and" and (m["lead"] or "").lower() != "between":
        return None
    m1, d1, m2, d2, y2 = _month(g, m["m1"]), _day(g, m["d1"]), _month(g, m["m2"]), _day(g, m["d2"]), int(m["y2"])
    y1 = int(m["y1"]) if m["y1"] else (y2 if (m1, d1) <= (m2, d2) else y2 - 1)
    start, end = safe_date(y1, m1, d1), safe_date(y2, m2, d2)
    return _Span(start, end, "interval") if start and end and start < end else None


def _h_month_range(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    first, last, year2 = _month(g, m["m1"]), _month(g, m["m2"]), int(m["y2"])
    year1 = int(m["y1"]) if m["y1"] else (year2 if first <= last else year2 - 1)
    start, end = month_interval(year1, first)[0], month_interval(year2, last)[1]
    return _Span(start, end, "interval") if start < end else None


def _h_year_range(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    first, last = int(m["y1"]), int(m["y2"])
    if last <= first or (last == first + 1 and m["sep"] in "-–—"):
        return None  # "2023-2024" is a financial year
    if m["sep"].lower() == "and" and (m["lead"] or "").lower() != "between":
        return None
    return _Span(date(first, 1, 1), date(last, 12, 31), "interval")


def _h_month_year(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    return _Span(*month_interval(int(m["y"]), _month(g, m["m"])), "date")


def _h_month_yy(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    # "Mar-24", "Sept '23": action-plan trackers write month and year this way.
    year = int(m["yy"])
    return _Span(*month_interval(year + (2000 if year < 70 else 1900), _month(g, m["m"])), "date")


def _h_meeting_month(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    # "to the December meeting", "at its March 2024 Cabinet"
    month = _month(g, m["m"])
    if m["y"]:
        return _Span(*month_interval(int(m["y"]), month), "date")
    return _unsaid_span(lambda year: month_interval(year, month), ref, "date")


def _h_named_day(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    # "by Christmas", "before Easter": a named day needs a cue ("the Christmas period" is not one)
    rule = g.words["named_days"][re.sub(r"\s+", " ", m["name"].lower())]

    def unsaid(year: int) -> Interval | None:
        if rule.startswith("easter"):
            day = easter(year) + timedelta(days=int(rule[len("easter") :]))
        else:
            day = safe_date(year, int(rule[:2]), int(rule[3:]))
        return (day, day) if day else None

    if m["y"]:
        interval = unsaid(int(m["y"]))
        assert interval is not None  # the named days' rules are valid dates
        return _Span(*interval, "date")
    return _unsaid_span(unsaid, ref, "date", bare=True)


def _h_month_bare(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if re.match(r"\s+[A-Z][a-z]", m.string[m.end() :]):
        return None  # a first name: "by April Jones", "thanked June Evans"
    month = _month(g, m["m"])
    return _unsaid_span(lambda year: month_interval(year, month), ref, "date", bare=True)


def _season_interval(g: Grammar, name: str, year: int) -> Interval:
    first, last = g.words["seasons"][name.lower()]
    return months_interval(year, first, (last - first) % 12 + 1)


def _h_season(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    first, last = m["s1"].lower(), (m["s2"] or m["s1"]).lower()
    if not (m["y"] or m["fy"]) and re.match(r"\s+(?!Term\b)[A-Z]", m.string[m.end() :]):
        return None  # a name: "in Spring Gardens", "the Winter Pressures Plan"

    def unsaid(year: int, second_year: int | None = None) -> Interval:
        lo = _season_interval(g, first, year)
        hi = _season_interval(g, last, year if second_year is None else second_year)
        if hi[1] < lo[0]:  # "winter and spring 2024": the winter before
            lo = _season_interval(g, first, year - 1) if first == "winter" else lo
            hi = hi if hi[1] >= lo[0] else _season_interval(g, last, year + 1)
        return lo[0], hi[1]

    if m["fy"]:
        start_year = _parse_fy(m["fy"])
        if start_year is None:
            return None
        # In "winter 2023/24" autumn and winter belong to the first year, spring and summer the second.
        in_first = {"autumn", "winter"}
        first_year = start_year if first in in_first else start_year + 1
        second_year = start_year if last in in_first else start_year + 1
        return _Span(*unsaid(first_year, second_year), "interval")
    if m["y"]:
        return _Span(*unsaid(int(m["y"])), "interval")
    return _unsaid_span(unsaid, ref, "interval", bare=not m["prep"])


def _h_quarter(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    quarter = g.words["quarters"][(m["qn"] or m["qq"] or m["qo"]).lower()]
    last_quarter = int(m["qq2"]) if m["qq2"] else quarter  # "Q1-Q2"
    if last_quarter < quarter:
        return None
    first_month = _year_kind_month(g, m["yk1"], m["yk2"], m["yk3"])

    def in_year(start_year: int, first: int = first_month) -> Interval:
        return months_interval(start_year, first + 3 * (quarter - 1), 3 * (last_quarter - quarter + 1))

    if m["fy"]:
        start_year = _parse_fy(m["fy"])
        return _Span(*in_year(start_year), "interval") if start_year else None
    if m["y"]:
        # "Q1 2024": a calendar quarter, unless a financial year is named ("quarter 1 of financial year 2024").
        named = m["yk1"] or m["yk2"]
        return _Span(*in_year(int(m["y"]), first_month if named else 1), "interval")
    if m["rel"]:
        if ref is None:
            return _Span(None, None, "interval")
        start_year = fy_start_year(ref, first_month) + _relative_offset(m["rel"])
        return _Span(*in_year(start_year), "interval", past=_relative_offset(m["rel"]) < 0)
    return _unsaid_span(in_year, ref, "interval")


def _relative_offset(word: str) -> int:
    word = word.lower().split()[-1]
    return {"next": 1, "coming": 1, "following": 1, "last": -1, "previous": -1}.get(word, 0)


def _h_fy_quarter(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    quarter, last_quarter, start_year = int(m["qq"]), int(m["qq2"] or m["qq"]), _parse_fy(m["fy"])
    if start_year is None or last_quarter < quarter:
        return None
    return _Span(*months_interval(start_year, 4 + 3 * (quarter - 1), 3 * (last_quarter - quarter + 1)), "interval")


def _h_fy_short(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    start_year = _parse_fy(m["fy"])
    return _Span(*fy_interval(start_year), "interval") if start_year else None


def _h_fy_range(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    first, last = _parse_fy(m["fy1"]), _parse_fy(m["fy2"])
    if first is None or last is None or last <= first:
        return None
    if m["sep"].lower() == "and" and (m["lead"] or "").lower() != "between":
        return None
    return _Span(fy_interval(first)[0], fy_interval(last)[1], "interval")


def _h_fy(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    start_year = _parse_fy(m["fy"])
    if start_year is None:
        return None
    return _Span(*fy_interval(start_year, _year_kind_month(g, m["yk1"], m["yk2"])), "interval")


def _h_fy_relative(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if ref is None:
        return _Span(None, None, "interval", strict=m["rel"].lower() == "the")
    first_month = _year_kind_month(g, m["yk"])
    offset = _relative_offset(m["rel"])
    # "the financial year" alone is background ("during the financial year"); with a cue
    # ("the end of the financial year") it is the one containing the reference date.
    strict = m["rel"].lower() == "the"
    interval = fy_interval(fy_start_year(ref, first_month) + offset, first_month)
    return _Span(*interval, "interval", past=offset < 0, strict=strict)


def _h_calendar_relative(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if ref is None:
        return _Span(None, None, "interval")
    offset = _relative_offset(m["rel"])
    return _Span(*calendar_unit(ref, m["unit"].lower(), offset), "interval", past=offset < 0)


def _h_later_this(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if ref is None:
        return _Span(None, None, "interval")
    return _Span(ref, calendar_unit(ref, m["unit"].lower(), 0)[1], "interval")


def _h_the_year(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    if ref is None:
        return _Span(None, None, "date", strict=True)
    return _Span(*calendar_unit(ref, m["unit"].lower(), 0), "date", strict=True)


def _h_year_bare(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    year = int(m["y"])
    return _Span(date(year, 1, 1), date(year, 12, 31), "date", bare=not m["cal"])


def _anchor_resolvable(g: Grammar, anchor: str, at_text_end: bool) -> bool:
    """Whether a relative time counts from the document's own date (its publication or meeting)."""
    if g.resolvable_anchor.search(anchor):
        return True
    # A stored excerpt may stop mid-word: "12-18 months from the publ".
    last = re.findall(r"[\w’'-]+", anchor)[-1].lower()
    return at_text_end and len(last) >= 3 and any(w.startswith(last) for w in g.words["anchor_head_words"])


def _h_relative_within(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    op, nxt = m["op"].lower(), (m["next"] or "").lower()
    unit_text = m["unit"].lower()
    n1: int | None
    n2: int | None
    if not m["n1"]:
        # "over the coming year": one unit; "in the coming months" is vague, not a count.
        if not nxt or unit_text.endswith("s"):
            return None
        n1 = n2 = 1
    else:
        n1 = _number(g, m["n1"])
        n2 = _number(g, m["n2"]) if m["n2"] else n1
    if n1 is None or n2 is None or n2 < n1:
        return None
    if op in ("for", "during", "over") and not nxt:
        return None  # "for 3 years" is a duration, "over 12 months" a quantity
    if m["the"] and not nxt and m["n1"]:
        return None  # "in the 12 months to March 2023" is a stated period, usually past
    unit, amount = _unit(g, m["unit"])
    kind = "relative"
    following = m.string[m.end() : m.end() + 30]
    resolvable = ref is not None
    if m["anchor"]:
        resolvable = resolvable and _anchor_resolvable(g, m["anchor"], not m.string[m.end() :].strip(" .…"))
    clause = re.split(r"[.;:!?]\s|\n", m.string[max(0, m.start() - 80) : m.start()])[-1]
    measure = g.measure_cue.search(clause)
    if measure or g.not_deadline_after.match(following) or not resolvable:
        return _Span(None, None, kind)
    assert ref is not None  # resolvable
    if op in ("within", "inside"):
        return _Span(None, shift(ref, n2 * amount, unit), kind)
    if op == "after":
        return _Span(shift(ref, n1 * amount, unit), shift(ref, n2 * amount, unit), kind)
    if nxt or op in ("over", "during", "for"):
        return _Span(ref, shift(ref, n2 * amount, unit), kind)
    return _Span(shift(ref, n1 * amount, unit), shift(ref, n2 * amount, unit), kind)


def _h_relative_from(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    n1 = _number(g, m["n1"])
    n2 = _number(g, m["n2"]) if m["n2"] else n1
    if n1 is None or n2 is None or n2 < n1:
        return None
    unit, amount = _unit(g, m["unit"])
    at_end = not m.string[m.end() :].strip(" .…")
    if ref is None or not _anchor_resolvable(g, m["anchor"], at_end):
        return _Span(None, None, "relative")
    return _Span(shift(ref, n1 * amount, unit), shift(ref, n2 * amount, unit), "relative")


def _h_relative_ago(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    n1 = _number(g, m["n1"])
    if n1 is None:
        return None
    if ref is None:
        return _Span(None, None, "relative", past=True)
    unit, amount = _unit(g, m["unit"])
    if unit == "working_day":
        return None
    found = shift(ref, -n1 * amount, unit)
    return _Span(found, found, "relative", past=True)


def _h_frequency(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    # An adjective before a capitalised word is a title: "Annual Performance Letter".
    if g.frequency_adjectives.match(m[0]) and re.match(r"\s+[A-Z]", m.string[m.end() :]):
        return None
    # "the work is ongoing" is a standing state; "the ongoing fragility" is not a schedule.
    if m[0].lower() in g.words["frequency_predicative"]:
        before = m.string[max(0, m.start() - 20) : m.start()].lower().split()
        after_copula = bool(before) and before[-1] in g.words["copulas"]
        if not after_copula and re.match(r"\s*[\w(]", m.string[m.end() :]):
            return None
    return _Span(None, None, "frequency")


_h_frequency_every = _h_frequency


def _h_vague(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    return _Span(None, None, "event")


def _h_event(g: Grammar, m: re.Match[str], ref: date | None) -> _Span | None:
    return _Span(None, None, "event")


HANDLERS: dict[str, Callable[[Grammar, re.Match[str], date | None], _Span | None]] = {
    name[3:]: handler for name, handler in globals().items() if name.startswith("_h_")
}


# ---------------------------------------------------------------- modifiers


def _modify(span: _Span, effect: str, ref: date | None) -> _Span | None:
    """The span after a cue word before it, or None when the cue does not apply."""
    if effect in ("neutral",):
        return span
    if effect == "past":
        return replace(span, past=True)
    if effect in ("next", "this", "last"):
        if span.unsaid is None:
            return None
        if ref is None:
            return replace(span, past=effect == "last")
        interval = resolve_unsaid(span.unsaid, ref, effect)
        start, end = interval if interval else (None, None)
        return replace(span, start=start, end=end, past=effect == "last")
    if effect in ("deadline", "end_of"):
        return replace(span, start=None, kind="deadline", unsaid=None)
    if effect == "before":
        end = span.start - timedelta(days=1) if span.start else None
        return replace(span, start=None, end=end, kind="deadline", unsaid=None)
    if effect == "from":
        return replace(span, end=None, unsaid=None)
    if effect == "remainder":
        if span.end is None:
            return replace(span, kind="interval", unsaid=None)
        start = max(ref, span.start) if ref and span.start else span.start
        assert start is not None  # a remainder modifies a span with a start
        return replace(span, start=start, kind="interval", unsaid=None) if start <= span.end else None
    if effect == "week_of":
        if span.start is None or span.start != span.end:
            return None if span.start else replace(span, kind="interval", unsaid=None)
        return replace(span, end=span.start + timedelta(days=6), kind="interval", unsaid=None)
    if effect == "after":
        start = span.end + timedelta(days=1) if span.end else None
        return replace(span, start=start, end=None, unsaid=None)
    # early / mid / late / halves
    if span.start is None or span.end is None:
        return replace(span, kind="interval", unsaid=None) if span.kind != "deadline" else None
    if (span.end - span.start).days < 2 or span.kind == "deadline":
        return None  # a day or two has no early, mid and late
    start, end = part_of(span.start, span.end, effect)
    return replace(span, start=start, end=end, kind="interval", unsaid=None)


def _word_before(text: str, end: int) -> str:
    """The word (with a trailing hyphen, if any) that ends just before ``end``, lower-cased."""
    i = end
    while i > 0 and text[i - 1].isspace():
        i -= 1
    stop = i
    if i > 0 and text[i - 1] == "-" and i == end:
        i -= 1
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in "-’'/"):
        i -= 1
    return text[i:stop].lower()


def _with_modifiers(g: Grammar, text: str, start: int, span: _Span, ref: date | None) -> tuple[int, _Span, bool, bool]:
    """Extend a match leftwards over its cue words; returns start, span, cued, changed."""
    cued = changed = False
    while True:
        # Cheap test first: the word just before must be one a modifier ends with.
        regex = g.modifiers_ending_with.get(_word_before(text, start))
        if regex is None:
            break
        found = regex.search(text, max(0, start - 90), start)
        if not found:
            break
        modifier = g.modifiers[_group_index(found)]
        new = _modify(span, modifier.effect, ref)
        if new is None:
            break
        cued = True
        changed = changed or modifier.effect not in ("neutral", "past")
        include = modifier.include == "always" or (modifier.include == "bare" and (span.bare or span.strict))
        span = new
        if not include:
            break
        start = found.start()
    return start, span, cued, changed


# ---------------------------------------------------------------- finding


def _event_end(g: Grammar, m: re.Match[str]) -> int | None:
    """Where an event clause ends: a stop word, punctuation, or the word limit."""
    body_start = m.start("body")
    body = m["body"]
    stop = g.event_stop.search(body)
    if stop:
        body = body[: stop.start()]
    words = list(re.finditer(r"\S+", body))
    if not words:
        return None
    words = words[: g.words["event_max_words"]]
    return body_start + words[-1].end()


def _event_allowed(g: Grammar, text: str, m: re.Match[str]) -> bool:
    before = text[max(0, m.start() - 20) : m.start()].lower().split()
    opener = m["op"].lower().split()[0]
    if before and before[-1] in g.words["event_not_after"] and opener in ("after", "following", "once"):
        return False
    return not re.match(r"(?:again|more|only|per|every|a\s+(?:year|month|week|quarter))\b", m["body"], re.I)


def _group_index(match: re.Match[str]) -> int:
    """The index in the name of the alternative that matched: "m12" -> 12."""
    assert match.lastgroup is not None  # every alternative is a named group
    return int(match.lastgroup[1:])


def _after_name(g: Grammar, text: str, start: int) -> bool:
    """Whether ``start`` follows a capitalised word that is not a cue: 'Improvement Plan 2017-18'."""
    before = re.search(r"([A-Z][\w’'&-]*)\s+$", text[max(0, start - 40) : start])
    return before is not None and before[1] not in g.words["label_exempt_words"] and before[1].lower() not in g.months


def _candidates(text: str, reference: date | None) -> list[_Found]:
    g = grammar()
    found: list[_Found] = []
    present: dict[str, bool] = {}
    lower = text.lower()
    for rule in g.rules:
        skip = False
        for name in rule.features:
            if name not in present:
                present[name] = g.has_feature(name, text, lower)
            if not present[name]:
                skip = True
                break
        if skip:
            continue
        handler = HANDLERS[rule.name]
        pos = 0
        while (m := rule.regex.search(text, pos)) is not None:
            pos = m.end() if m.end() > m.start() else m.start() + 1
            span = handler(g, m, reference)
            if span is None:
                pos = m.start() + 1  # a shorter match may still start inside this one
                continue
            start, end = m.start(), m.end()
            if rule.name == "event":
                if not _event_allowed(g, text, m):
                    continue
                end = _event_end(g, m) or end
            if rule.needs == "strict":
                span.strict = True
            if rule.needs == "bare":
                span.bare = True
            yearless = span.unsaid is not None
            if rule.tier == DATED_TIER:
                start, span, cued, changed = _with_modifiers(g, text, start, span, reference)
                suffix = g.suffix_regex.match(text, end)
                if suffix and (after := _modify(span, g.suffix_effects[_group_index(suffix)], reference)):
                    span, end, changed = after, suffix.end(), True
                if (span.strict and not changed) or (span.bare and not cued):
                    continue
            if span.start and span.end and span.start > span.end:
                continue
            expression = text[start:end]
            weak = expression.lower() in g.weak_frequencies
            label = rule.name in ("fy", "fy_range", "year_range") and start == m.start() and _after_name(g, text, start)
            due = DueDate(expression, span.start, span.end)
            match = TimeMatch(expression, start, end, due, span.kind)
            found.append(_Found(match, rule.tier, span.past, weak, label, yearless))
    return found


def _select(found: list[_Found]) -> list[_Found]:
    """Non-overlapping matches: dated before frequency before vague before events, longest first.

    An event clause that runs into a dated match is cut before it ("once approved in June 2023").
    """
    chosen: list[_Found] = []
    starts: list[int] = []  # of the chosen matches, sorted; they never overlap, so ends sort alike
    ends: list[int] = []
    for item in sorted(found, key=lambda f: (f.tier, -(f.match.end - f.match.start), f.match.start)):
        m = item.match
        i = bisect.bisect_right(starts, m.start)
        if i > 0 and ends[i - 1] > m.start:
            continue  # starts inside a match already chosen
        if i < len(starts) and starts[i] < m.end:
            if item.tier < 3:
                continue
            kept = re.sub(
                r"(?:\s+(?:in|on|at|by|from|during|of|to|and|for|the))*\s*$",
                "",
                m.text[: starts[i] - m.start],
                flags=re.I,
            )
            if len(kept.split()) < 2:
                continue
            item = replace(item, match=replace(m, text=kept, end=m.start + len(kept), due=DueDate(kept)))
        starts.insert(i, item.match.start)
        ends.insert(i, item.match.end)
        chosen.append(item)
    return sorted(chosen, key=lambda f: f.match.start)


def _day_of(reference: date | None) -> date | None:
    # A meeting's date and time: only the day counts.
    return reference.date() if isinstance(reference, datetime) else reference


def _triggered(g: Grammar, text: str) -> bool:
    """``g.trigger.search(text)`` by substring tests: the same answer, several times faster."""
    if cast(re.Pattern[str], g.features["digit"]).search(text):  # a regex, not a WordFeature
        return True
    for name in g.trigger_months:
        if name in text:
            return True
    lower = text.lower()
    for word in g.trigger_words:
        if word in lower:
            return True
    return False


def _find(text: str, reference: date | None) -> list[_Found]:
    reference = _day_of(reference)
    if not text or not _triggered(grammar(), text):
        return []
    return _select(_candidates(text, reference))


def find_times(text: str, reference: date | None) -> list[TimeMatch]:
    """Every time expression in ``text``, left to right, non-overlapping, longest first.

    Where expressions overlap, a dated one wins over a frequency, a frequency over a vague
    time, a vague time over an event clause; within a tier the longest wins. An event clause
    that runs into a date is cut before it ("once it is approved" | "in June 2023").
    """
    return [f.match for f in _find(text, reference)]


def normalise(expression: str, reference: date | None) -> DueDate:
    """Normalise one expression: the longest time found in it, or no dates at all."""
    found = find_times(expression, reference)
    if not found:
        return DueDate(expression.strip())
    best = max(found, key=lambda t: t.end - t.start)
    return best.due


# ---------------------------------------------------------------- choosing a due date


def _score(g: Grammar, item: _Found, text: str, reference: date | None) -> float | None:
    """How well a time states when an action is due; None for background (a past date)."""
    m = item.match
    if m.kind == "frequency":
        return 1.5 if item.weak else 2.0
    if m.kind == "event":
        return 1.0
    resolved = m.due.start is not None or m.due.end is not None
    score = 4.0 if resolved else 3.0
    if m.kind == "deadline":
        score += 0.5
    if "meeting" in m.text.lower():
        score += 0.3
    clause = re.split(r"[.;:!?]\s|,\s", text[max(0, m.start - 60) : m.start])[-1]
    last = m.due.end or m.due.start  # "from 1 September 2008" is over once it has started
    is_past = item.past or (reference is not None and last is not None and last < reference)
    if is_past:
        # A past deadline may still be the due date ("was due by March"); a past date is background.
        return 1.8 if m.kind == "deadline" and not item.past else None
    if item.label:
        return None  # the year in a name ("Improvement Plan 2017-18") is not when anything is due
    if item.yearless and m.kind != "deadline" and _past_event(g, text, m.start, m.end):
        return None  # "In March the Board received ...", "the plan, approved in March": the March before
    if g.future.search(clause):
        score += 0.2
    elif g.background.search(clause[-40:]):
        if item.yearless:
            return None  # "the report had been considered in March": the March before, background
        score -= 1.5
    return score


# A verb in the past: "-ed" forms other than those that plan ahead ("scheduled for March"),
# and the common irregular ones.
_PAST_VERB = re.compile(
    r"\b(?:was|were|had|met|held|took|began|made|gave|saw|went|came|sent|set\s+out|(?!(?:scheduled|planned|programmed|timetabled|"
    r"expected|intended|anticipated|targeted|proposed|needed|required|due|agreed|delayed|deferred|postponed|extended|moved|"
    r"rescheduled|reconvened|arranged)\b)[a-z]{3,}ed)\b",
    re.IGNORECASE,
)
# Re-dating and scheduling look ahead even in the past tense ("was deferred to September").
_LOOKS_AHEAD = re.compile(
    r"\b(?:deferred|postponed|moved|rescheduled|delayed|extended|put\s+back|brought\s+forward|scheduled|planned|"
    r"programmed|timetabled|due|expected|until|next|agreed)\b",
    re.IGNORECASE,
)
_LOCAL_CLAUSE_BREAK = re.compile(r"[,;.:()]|\b(?:and|but|which|while|whilst|although|where|when)\b", re.IGNORECASE)


def _past_event(g: Grammar, text: str, start: int, end: int) -> bool:
    """Whether the time at text[start:end] dates something that happened: its own clause
    (between commas and joining words) has a past verb and nothing that looks ahead."""
    before = [b.end() for b in _LOCAL_CLAUSE_BREAK.finditer(text, max(0, start - 80), start)]
    after = _LOCAL_CLAUSE_BREAK.search(text, end, end + 80)
    clause = text[before[-1] if before else max(0, start - 80) : after.start() if after else min(len(text), end + 80)]
    return bool(_PAST_VERB.search(clause)) and not g.future.search(clause) and not _LOOKS_AHEAD.search(clause)


def due_for(text: str, reference: date | None) -> DueDate | None:
    """The due date of a statement: its best time expression, or None when it states none.

    Prefers a future deadline, date or interval ("by X", "in X", "at the meeting in X")
    over frequencies, then events and vague times; a date already past on ``reference``
    is background and never chosen (a past deadline only when nothing better is said).
    """
    reference = _day_of(reference)
    found = _find(text, reference)
    if not found:
        return None
    g = grammar()
    scored = [(score, -f.match.start, f) for f in found if (score := _score(g, f, text, reference)) is not None]
    if not scored:
        return None
    best = max(scored, key=lambda s: (s[0], s[1]))[2]
    return best.match.due
