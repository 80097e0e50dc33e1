"""The feed's calendar: closed months, a month awaiting its close, the month in progress.

A feed ends at ``end`` (exclusive: every event happens before midnight starting ``end`` in the
practice's time zone, so a demo that passes today's date never receives an event from later
today). The month containing ``end`` is in progress. A month is *closed* when the engine will have
closed it by then: its end plus the grace period (``workflows.calendar.close_time``) is at or
before ``end``. In the first days of a month the previous one is still *awaiting* its close.
``months - 1`` months are closed whatever the day, so a feed's designed cases always land in a
month the engine has billed by the feed's end.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from care.months import close_time

MAX_MONTHS = 12


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; ``label`` is the engine's service-month form ``YYYY-MM``."""

    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def on(self, day: int) -> date:
        return date(self.year, self.month, day)


@dataclass(frozen=True)
class Timeline:
    """The months a feed spans, oldest first: closed, then at most one awaiting its close, then
    the month in progress; in one practice time zone, with the engine's grace period."""

    months: tuple[Month, ...]
    zone: ZoneInfo
    end: date
    grace_days: int = 3

    @classmethod
    def build(cls, *, end: date, months: int, timezone: str, grace_days: int = 3) -> Timeline:
        """``months - 1`` closed months before the month of ``end`` (and before the previous
        month while it awaits its close). Raises ValueError unless 2 <= months <= 12: one closed
        month at least, and at most a year of care."""
        if not 2 <= months <= MAX_MONTHS:
            raise ValueError(f"months must be between 2 and {MAX_MONTHS}, not {months}")
        boundary = datetime.combine(end, time(0), tzinfo=ZoneInfo(timezone))
        span = [Month(end.year, end.month)]
        closed = 0
        while closed < months - 1:
            span.append(span[-1].previous())
            closed += close_time(span[-1].label, timezone, grace_days) <= boundary
        return cls(tuple(reversed(span)), ZoneInfo(timezone), end, grace_days)

    def is_closed(self, month: Month) -> bool:
        """Whether the engine has closed ``month`` (end + grace period) by the feed's end."""
        return close_time(month.label, self.zone.key, self.grace_days) <= self.boundary

    @property
    def closed(self) -> tuple[Month, ...]:
        return tuple(m for m in self.months if self.is_closed(m))

    @property
    def awaiting(self) -> tuple[Month, ...]:
        """Months over but not yet closed (within their grace period at the feed's end)."""
        return tuple(m for m in self.months[:-1] if not self.is_closed(m))

    @property
    def current(self) -> Month:
        return self.months[-1]

    @property
    def last_closed(self) -> Month:
        return self.closed[-1]

    @property
    def boundary(self) -> datetime:
        """Midnight starting ``end``, local: every event of the feed is before it."""
        return datetime.combine(self.end, time(0), tzinfo=self.zone)

    def open_days(self, month: Month) -> int:
        """How many days of ``month`` lie before ``end`` (all of them for a closed month)."""
        return self.end.day - 1 if month == self.current else month.days

    def moment(self, month: Month, day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(month.year, month.month, day, hour, minute, tzinfo=self.zone)

    def month_of(self, moment: datetime) -> Month:
        local = moment.astimezone(self.zone)
        return Month(local.year, local.month)

    def random_moment(self, rng: random.Random, after: datetime, within_days: int) -> datetime:
        """A working-hours moment on one of the ``within_days`` days after ``after``'s day."""
        day = after.astimezone(self.zone).date() + timedelta(days=rng.randint(1, within_days))
        return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=self.zone)
