"""Calendar months in the practice's time zone: CCM time counts per calendar month (MLN909188).

Deterministic: pure arithmetic on aware datetimes and an IANA zone, safe inside a workflow.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def month_of(at: datetime, tz: str) -> str:
    """The service month ("YYYY-MM") that contains ``at`` in the practice's zone."""
    local = at.astimezone(ZoneInfo(tz))
    return f"{local.year:04d}-{local.month:02d}"


def month_of_date(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))


def month_start(month: str, tz: str) -> datetime:
    return local_midnight(date(int(month[:4]), int(month[5:]), 1), tz)


def month_end(month: str, tz: str) -> datetime:
    """The first instant after the month (exclusive end)."""
    return month_start(next_month(month), tz)


def last_day(month: str) -> date:
    nxt = next_month(month)
    return date(int(nxt[:4]), int(nxt[5:]), 1) - timedelta(days=1)


def close_time(month: str, tz: str, grace_days: int) -> datetime:
    """When the month may be closed: its end plus the grace period for late documentation."""
    first_of_next = date(int(next_month(month)[:4]), int(next_month(month)[5:]), 1)
    return local_midnight(first_of_next + timedelta(days=grace_days), tz)


def check_time(month: str, tz: str, day: int) -> datetime:
    """Start of the at-risk check day of the month (the practice's chosen day, default the 20th)."""
    return local_midnight(date(int(month[:4]), int(month[5:]), day), tz)


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty when first > last)."""
    months: list[str] = []
    current = first
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months
