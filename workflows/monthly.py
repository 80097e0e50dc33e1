"""The monthly engage cycle: the at-risk check on the practice's chosen day, and when to wake."""

from __future__ import annotations

from datetime import datetime, timedelta

from care.progress import MonthProgress, month_progress
from events.base import PatientEvent
from events.decisions import MonthAtRiskFlagged, decision_id
from workflows.calendar import check_time, close_time, month_end, month_of, months_between
from workflows.config import CareConfig
from workflows.month_facts import month_facts
from workflows.state import PatientState

# With nothing scheduled the workflow still wakes monthly, so search attributes roll over.
IDLE_WAKE = timedelta(days=31)


def progress_now(state: PatientState, cfg: CareConfig, clock: datetime) -> MonthProgress | None:
    """The current month's minutes and outlook, for an active patient; None otherwise."""
    if state.phase != "active" or state.program is None:
        return None
    month = month_of(clock, cfg.timezone)
    return month_progress(month_facts(state, month, cfg), clock, cfg.policy)


def at_risk_check(state: PatientState, cfg: CareConfig, clock: datetime) -> list[PatientEvent]:
    """Once the check day has begun, flags a month short of its threshold, once.

    Progress is judged as of the start of the check day and the flag carries that moment, so a
    timer and a backfilled feed that reach the day differently record the same event.
    """
    month = month_of(clock, cfg.timezone)
    checked_at = check_time(month, cfg.timezone, cfg.policy.at_risk_check_day)
    if month in state.at_risk or clock < checked_at:
        return []
    progress = progress_now(state, cfg, checked_at)
    if progress is None:
        return []
    short = progress.minutes_needed > 0
    state.at_risk[month] = short
    if not short:
        return []
    return [
        MonthAtRiskFlagged(
            event_id=decision_id(state.patient_id, "at-risk", month),
            patient_id=state.patient_id,
            occurred_at=checked_at,
            service_month=month,
            minutes_so_far=progress.minutes_so_far,
            minutes_needed=progress.minutes_needed,
            days_left=progress.days_left,
            reachable=progress.reachable,
        )
    ]


def next_wake(state: PatientState, cfg: CareConfig, now: datetime) -> timedelta:
    """How long to sleep until the next calendar action: a check day, a close, a new month."""
    tz, policy = cfg.timezone, cfg.policy
    month = month_of(now, tz)
    candidates = [month_end(month, tz)]
    if month not in state.at_risk:
        candidates.append(check_time(month, tz, policy.at_risk_check_day))
    open_months = [m for m in _billable_months(state, month) if m not in state.closed]
    candidates += [close_time(m, tz, policy.grace_days) for m in open_months]
    if state.phase == "enrolling" and state.outreach:
        first = min(at for at, _ in state.outreach)
        candidates.append(first + timedelta(days=policy.outreach_window_days))
    future = [c for c in candidates if c > now]
    return min(future) - now if future else IDLE_WAKE


def _billable_months(state: PatientState, current: str) -> list[str]:
    if state.first_month is None:
        return []
    return months_between(state.first_month, min(current, state.ended_month or current))
