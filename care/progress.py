"""Where a month stands before it closes: the day-20 at-risk check and the outreach worklist."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

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


# Worklist groups, most urgent first: short but still reachable; short past reach; threshold met.
REACHABLE, OUT_OF_REACH, MET = 0, 1, 2


class Urgency(BaseModel):
    """Where a patient belongs on the care coordinators' worklist, worked top-down.

    ``group`` orders short-but-reachable patients first, then those who can no longer reach the
    threshold this month, then those already over it; within the first group the patient needing
    the most minutes per remaining working day comes first. ``reason`` says why, in one line.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    group: int
    minutes_per_working_day: Decimal | None
    reason: str

    def sort_key(self) -> tuple[int, Decimal]:
        return self.group, -(self.minutes_per_working_day or Decimal(0))


def urgency(progress: MonthProgress) -> Urgency:
    """The worklist rank of a month's progress (see ``Urgency``)."""
    p = progress
    if p.minutes_needed == 0:
        return Urgency(group=MET, minutes_per_working_day=None, reason=_met(p))
    if not p.reachable:
        why = (
            f"cannot reach {p.threshold} this month: {p.minutes_needed} min needed, "
            f"{p.working_days_left} working day(s) left at the usual pace"
        )
        return Urgency(group=OUT_OF_REACH, minutes_per_working_day=None, reason=why)
    per_day = (Decimal(p.minutes_needed) / p.working_days_left).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )
    why = f"{p.minutes_needed} min needed over {p.working_days_left} working day(s): {per_day}/day"
    return Urgency(group=REACHABLE, minutes_per_working_day=per_day, reason=why)


def _met(p: MonthProgress) -> str:
    if p.threshold == 0:
        return "no time threshold (APCM)"
    return f"threshold met: {p.minutes_so_far} of {p.threshold} min"


def still_at_risk(flagged: bool, progress: MonthProgress | None) -> bool:
    """At risk: flagged short on the check day and still short now. The UI's ``CcmAtRisk`` and the
    worklist report both use this, so the saved view and the report list the same patients."""
    return flagged and progress is not None and progress.minutes_needed > 0
