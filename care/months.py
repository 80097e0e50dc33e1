"""Calendar months in the practice's time zone: CCM is billed per calendar month (MLN909188).

The one module of month arithmetic. Months are labels ``"YYYY-MM"`` (what events and reports
carry) or ``(year, month)`` pairs (what the rules compute with); zones are IANA names or
``ZoneInfo``. Pure and deterministic, safe inside a workflow.
"""

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


# ---- months as labels ----------------------------------------------------------------------


def month_of(at: datetime, tz: str) -> str:
    """The service month ("YYYY-MM") that contains ``at`` in the practice's zone."""
    local = at.astimezone(ZoneInfo(tz))
    return f"{local.year:04d}-{local.month:02d}"


def month_of_date(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def year_month(label: str) -> tuple[int, int]:
    return int(label[:4]), int(label[5:])


def next_month(label: str) -> str:
    year, mon = year_month(label)
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def previous_month(label: str) -> str:
    year, mon = year_month(label)
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def local_midnight(day: date, tz: str) -> datetime:
    return day_start(day, ZoneInfo(tz))


def month_start(label: str, tz: str) -> datetime:
    return local_midnight(date(*year_month(label), 1), tz)


def month_end(label: str, tz: str) -> datetime:
    """The first instant after the month (exclusive end)."""
    return month_start(next_month(label), tz)


def last_day_of(label: str) -> date:
    return last_day(*year_month(label))


def close_time(label: str, tz: str, grace_days: int) -> datetime:
    """When the month may be closed: its end plus the grace period for late documentation."""
    return local_midnight(date(*year_month(next_month(label)), 1) + timedelta(days=grace_days), tz)


def check_time(label: str, tz: str, day: int) -> datetime:
    """Start of the at-risk check day of the month (the practice's chosen day, default the 20th)."""
    return local_midnight(date(*year_month(label), day), tz)


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty when first > last)."""
    months: list[str] = []
    current = first
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months
