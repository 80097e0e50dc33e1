"""Where a month stands before it closes: the day-20 at-risk check and the outreach worklist."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from care.facts import MonthFacts, TimeEntry, as_local_date
from care.minutes import count_time
from care.months import last_day, weekdays_between
from care.policy import DEFAULT_POLICY, Policy
from care.windows import exclusion_windows

# The fewest minutes that bill anything: 99490 for CCM, 99426/99424 for PCM (CY2022 PFS final
# rule); APCM has no time threshold (CY2025 PFS final rule).
MINIMUM_MINUTES = {"ccm": 20, "pcm": 30, "apcm": 0}


class MonthProgress(BaseModel):
    """Counted minutes up to ``as_of`` against the lowest threshold of the patient's program.

    ``days_left`` counts calendar days from ``as_of``'s date to the month's end, inclusive;
    ``reachable`` is True when the missing minutes fit the practice's usual pace
    (``Policy.usual_pace_minutes_per_day``) over the remaining weekdays, today included.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    minutes_so_far: int
    minutes_needed: int
    days_left: int
    working_days_left: int
    reachable: bool
    threshold: int


def month_progress(
    facts: MonthFacts, as_of: datetime, policy: Policy | None = None
) -> MonthProgress:
    """Progress of ``facts.service_month`` as of an aware ``as_of`` (the caller's clock: the
    workflow passes ``workflow.now()``; this module never reads a clock).

    Only entries finished by ``as_of`` count; the usual exclusions apply (``care.minutes``).
    Raises ``ValueError`` for a naive ``as_of``.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    pol = policy or DEFAULT_POLICY
    done = [e for e in facts.time_entries if _finished_by(e, as_of)]
    counted = count_time(done, exclusion_windows(facts, pol))
    threshold = MINIMUM_MINUTES[facts.program]
    so_far = counted.minutes()
    needed = max(threshold - so_far, 0)
    today, end = as_local_date(as_of, facts.zone), last_day(facts.year, facts.month)
    days_left = max((end - today).days + 1, 0)
    working = weekdays_between(today, end)
    return MonthProgress(
        minutes_so_far=so_far,
        minutes_needed=needed,
        days_left=min(days_left, end.day),
        working_days_left=min(working, days_left),
        reachable=needed <= pol.usual_pace_minutes_per_day * working,
        threshold=threshold,
    )


def _finished_by(entry: TimeEntry, as_of: datetime) -> bool:
    moment = entry.end if entry.end is not None else entry.at
    return moment is not None and moment <= as_of
