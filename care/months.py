"""Calendar months in the practice's time zone: CCM is billed per calendar month (MLN909188)."""

from __future__ import annotations

import calendar as _cal
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Sentinels for open-ended windows (before consent, after death ...).
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def last_day(year: int, month: int) -> date:
    """The month's last calendar day."""
    return date(year, month, _cal.monthrange(year, month)[1])


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight at the start of ``day`` (DST-safe: zoneinfo resolves the offset)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` of the calendar month in ``zone``: local midnight to local midnight."""
    return day_start(date(year, month, 1), zone), day_start(
        last_day(year, month) + timedelta(1), zone
    )


def years_before(day: date, years: int) -> date:
    """The same calendar date ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def weekdays_between(first: date, last: date) -> int:
    """Monday-to-Friday days from ``first`` to ``last`` inclusive (0 if ``last`` < ``first``)."""
    days = (last - first).days + 1
    return sum(1 for i in range(max(days, 0)) if (first + timedelta(i)).weekday() < 5)
