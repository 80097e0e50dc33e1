"""The feed's calendar: closed months, the month in progress, and local moments inside them.

A feed of ``months`` calendar months ends at ``end``: the month containing ``end`` is in progress
and the ``months - 1`` before it are closed (billable once the engine's grace period has passed).
``end`` is exclusive: every event happens before midnight starting ``end`` in the practice's time
zone, so a demo that passes today's date never receives an event from later today.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


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
    """The months a feed spans (oldest first, the last in progress) in one practice time zone."""

    months: tuple[Month, ...]
    zone: ZoneInfo
    end: date

    @classmethod
    def build(cls, *, end: date, months: int, timezone: str) -> Timeline:
        """Raises ValueError unless 2 <= months <= 6: one closed month at least, and few enough
        that a visit 180 days before the feed is still within 12 months at its end."""
        if not 2 <= months <= 6:
            raise ValueError(f"months must be between 2 and 6, not {months}")
        span = [Month(end.year, end.month)]
        while len(span) < months:
            span.append(span[-1].previous())
        return cls(months=tuple(reversed(span)), zone=ZoneInfo(timezone), end=end)

    @property
    def closed(self) -> tuple[Month, ...]:
        return self.months[:-1]

    @property
    def current(self) -> Month:
        return self.months[-1]

    @property
    def last_closed(self) -> Month:
        return self.months[-2]

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
