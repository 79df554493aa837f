"""England & Wales bank holidays, computed from their rules, and working-day arithmetic.

The rules (with substitute days when a holiday falls at a weekend) come from the Banking and
Financial Dealings Act 1971 as applied since 1978; the handful of holidays moved or added by
one-off proclamation live in ``data/bank_holidays.json``. There is no list of years here.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

from dateutil.easter import EASTER_WESTERN, easter

MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6


@lru_cache(maxsize=1)
def _exceptions() -> tuple[dict[date, date], frozenset[date], dict[str, int]]:
    raw = json.loads(resources.files("followthrough.extract").joinpath("data/bank_holidays.json").read_text("utf-8"))
    moved = {date.fromisoformat(k): date.fromisoformat(v) for k, v in raw["moved"].items()}
    extra = frozenset(date.fromisoformat(k) for k in raw["extra"])
    return moved, extra, dict(raw["rules_from"])


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(MONDAY - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - MONDAY) % 7)


def _weekend_substitutes(days: list[date]) -> list[date]:
    """Holidays falling on a weekend move to the next weekday not already a holiday."""
    taken: set[date] = set()
    result = []
    for day in sorted(days):
        while day.weekday() >= SATURDAY or day in taken:
            day += timedelta(days=1)
        taken.add(day)
        result.append(day)
    return result


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """The England & Wales bank holidays observed in ``year``."""
    moved, extra, rules_from = _exceptions()
    easter_sunday = easter(year, EASTER_WESTERN)
    days = [easter_sunday - timedelta(days=2), easter_sunday + timedelta(days=1)]
    if year >= rules_from["early_may"]:
        days.append(_first_monday(year, 5))
    if year >= rules_from["spring"]:
        days.append(_last_monday(year, 5))
    if year >= rules_from["summer"]:
        days.append(_last_monday(year, 8))
    days = [moved.get(day, day) for day in days]
    # New Year's Day, Christmas and Boxing Day take substitute weekdays when at a weekend;
    # Christmas is placed first so that Boxing Day's substitute comes after it.
    days += _weekend_substitutes([date(year, 1, 1)])
    days += _weekend_substitutes([date(year, 12, 25), date(year, 12, 26)])
    days += [day for day in extra if day.year == year]
    return frozenset(days)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England & Wales bank holiday."""
    return day.weekday() < SATURDAY and day not in bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself never counts)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
