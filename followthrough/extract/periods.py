"""Calendar arithmetic for the time normaliser: months, UK financial years, parts of periods.

An interval is a pair of dates, first and last day included.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from followthrough.extract.holidays import add_working_days

Interval = tuple[date, date]


def month_interval(year: int, month: int) -> Interval:
    """The whole of one calendar month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def months_interval(year: int, first_month: int, months: int) -> Interval:
    """``months`` whole months starting at ``first_month`` of ``year`` (may run into later years)."""
    first = year * 12 + first_month - 1  # months since year 0, so the arithmetic stays in integers
    last = first + months - 1
    return date(first // 12, first % 12 + 1, 1), month_interval(last // 12, last % 12 + 1)[1]


def fy_interval(start_year: int, first_month: int = 4) -> Interval:
    """The year starting in ``first_month`` of ``start_year``: UK financial years start in April."""
    return months_interval(start_year, first_month, 12)


def fy_start_year(day: date, first_month: int = 4) -> int:
    """The first calendar year of the financial (or other) year holding ``day``."""
    return day.year if day.month >= first_month else day.year - 1


def safe_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist (31 April, 29 February 2023)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_unsaid(unsaid: Callable[[int], Interval | None], ref: date, mode: str) -> Interval | None:
    """Which year an expression with no year means, seen from ``ref``.

    default/this: the first occurrence not yet over on ``ref``; next: the first starting
    after ``ref``'s occurrence; last: the latest one already over.
    """
    found = [iv for year in range(ref.year - 2, ref.year + 3) if (iv := unsaid(year)) is not None]
    if mode == "last":
        over = [iv for iv in found if iv[1] < ref]
        return over[-1] if over else None
    current = next((iv for iv in found if iv[1] >= ref), None)
    if mode == "next" and current is not None and current[0] <= ref:
        return next((iv for iv in found if iv[0] > current[1]), None)
    return current


def shift(day: date, amount: int, unit: str) -> date:
    """``day`` moved by ``amount`` days, working days, months or years (month ends clamp)."""
    if unit == "working_day":
        return add_working_days(day, amount)
    if unit == "day":
        return day + timedelta(days=amount)
    if unit == "month":
        return day + relativedelta(months=amount)
    return day + relativedelta(years=amount)


def part_of(start: date, end: date, part: str) -> Interval:
    """First, middle or last third (or half) of an interval; by whole months when they divide evenly."""
    parts = {"early": (0, 3), "mid": (1, 3), "late": (2, 3), "first_half": (0, 2), "second_half": (1, 2)}
    index, count = parts[part]
    if (end - start).days + 1 < count:
        raise ValueError(f"{start}..{end} is too short to split into {count}")
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
    if whole_months and months % count == 0 and months >= count:
        size = months // count
        first = start + relativedelta(months=index * size)
        return first, first + relativedelta(months=size) - timedelta(days=1)
    length = (end - start).days + 1
    lo = start + timedelta(days=length * index // count)
    hi = start + timedelta(days=length * (index + 1) // count - 1)
    return lo, hi


def calendar_unit(ref: date, unit: str, offset: int) -> Interval:
    """The week (Monday to Sunday), month, quarter or year holding ``ref``, moved by ``offset`` units."""
    if unit == "year":
        return date(ref.year + offset, 1, 1), date(ref.year + offset, 12, 31)
    if unit == "month":
        start = date(ref.year, ref.month, 1) + relativedelta(months=offset)
        return month_interval(start.year, start.month)
    if unit == "quarter":
        start_year = fy_start_year(ref)
        index = (ref.month - 4) % 12 // 3 + offset
        return months_interval(start_year, 4 + 3 * index, 3)
    monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=offset)
    return monday, monday + timedelta(days=6)
