"""What the calendar makes due (domain §1, §3, §7): an expired outreach window, the at-risk check,
and the month closes with their claims.

Each event carries the moment it became due, however late the workflow noticed, so two ingests
of one feed record identical events: the end of the window, the start of the check day (progress
judged as of then), the close time (month end + grace).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from care.decision import MonthDecision
from care.fees import FeeSchedule
from care.gates import outreach_exhausted
from care.month import evaluate_month
from care.months import check_time, close_time, month_end, month_of, months_between
from care.progress import MonthProgress, month_progress
from events.decisions import (
    ClaimPrepared,
    MonthAtRiskFlagged,
    MonthClosed,
    PhaseChanged,
    decision_id,
)
from patient.draft import Draft
from patient.month_facts import month_facts
from patient.policies import PolicyHistory
from patient.state import Patient

# With nothing scheduled the workflow still wakes monthly, so search attributes roll over.
IDLE_WAKE = timedelta(days=31)


def claim_id_for(patient_id: str, month: str) -> str:
    """One claim id per patient-month: a second claim for the month cannot even be named."""
    return f"claim-{patient_id}-{month}"


def month_close_time(state: Patient, month: str, policies: PolicyHistory) -> datetime:
    return close_time(month, state.timezone, policies.for_month(month).grace_days)


def months_due(state: Patient, clock: datetime, policies: PolicyHistory) -> list[str]:
    """Months from the first consent to the end of care whose grace period has passed."""
    if state.first_month is None or state.program is None:
        return []
    last = month_of(clock, state.timezone)
    if state.ended_month is not None:
        last = min(last, state.ended_month)
    return [
        m
        for m in months_between(state.first_month, last)
        if not state.is_closed(m) and month_close_time(state, m, policies) <= clock
    ]


def window_expired(draft: Draft, clock: datetime, policies: PolicyHistory) -> None:
    """An enrolling patient whose outreach window ran out without consent is unreachable."""
    s = draft.state
    policy = policies.for_month(month_of(clock, s.timezone))
    if s.phase != "enrolling" or not outreach_exhausted(list(s.outreach), clock, policy):
        return
    first = min(at for at, _ in s.outreach)
    ended = min(clock, first + timedelta(days=policy.outreach_window_days))
    # Keyed on the window's first attempt: a second window (a new practitioner's outreach) that
    # runs out with as many attempts is a different decision and needs an id of its own.
    stamp = first.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    draft.add(
        PhaseChanged(
            event_id=decision_id(s.patient_id, "phase", "unreachable", "window", stamp),
            patient_id=s.patient_id,
            occurred_at=ended,
            previous="enrolling",
            phase="unreachable",
            reason=f"outreach window of {policy.outreach_window_days} days ran out",
        )
    )


def progress_at(state: Patient, at: datetime, policies: PolicyHistory) -> MonthProgress | None:
    """The month's minutes and outlook as of ``at``, for an active patient; None otherwise."""
    if state.phase != "active" or state.program is None:
        return None
    month = month_of(at, state.timezone)
    return month_progress(month_facts(state, month), at, policies.for_month(month))


def at_risk_check(
    draft: Draft, clock: datetime, policies: PolicyHistory, checked: frozenset[str]
) -> None:
    """On the check day (judged as of its start), flags a month short of its threshold, once:
    ``checked`` are the months the host already checked (a month found on track records no
    event, so the host remembers it)."""
    s = draft.state
    month = month_of(clock, s.timezone)
    policy = policies.for_month(month)
    checked_at = check_time(month, s.timezone, policy.at_risk_check_day)
    if month in s.at_risk or month in checked or clock < checked_at:
        return
    if s.phase != "active" or s.program is None:
        return
    progress = month_progress(month_facts(s, month), checked_at, policy)
    if progress.minutes_needed > 0:
        draft.add(
            MonthAtRiskFlagged(
                event_id=decision_id(s.patient_id, "at-risk", month),
                patient_id=s.patient_id,
                occurred_at=checked_at,
                service_month=month,
                minutes_so_far=progress.minutes_so_far,
                minutes_needed=progress.minutes_needed,
                days_left=progress.days_left,
                reachable=progress.reachable,
            )
        )


def check_made(state: Patient, clock: datetime, policies: PolicyHistory) -> str | None:
    """The month whose at-risk check a tick at ``clock`` made (None before its check day)."""
    month = month_of(clock, state.timezone)
    day = policies.for_month(month).at_risk_check_day
    return month if clock >= check_time(month, state.timezone, day) else None


def close(draft: Draft, month: str, policies: PolicyHistory, fees: FeeSchedule) -> None:
    """Decides ``month`` with the care rules and the policy version in force for it."""
    s = draft.state
    version = policies.version_for(month)
    facts = month_facts(s, month)
    decision = evaluate_month(facts, version.policy, fees)
    at = month_close_time(s, month, policies)
    draft.add(
        MonthClosed(
            event_id=decision_id(s.patient_id, "month-closed", month),
            patient_id=s.patient_id,
            occurred_at=at,
            service_month=month,
            decision=decision,
            facts=facts,
            policy_version=version.version,
        )
    )
    if decision.bills:
        draft.add(_claim(draft.state, decision, at))


def _claim(state: Patient, decision: MonthDecision, at: datetime) -> ClaimPrepared:
    assert state.practitioner_id is not None
    return ClaimPrepared(
        event_id=decision_id(state.patient_id, "claim-prepared", decision.service_month),
        patient_id=state.patient_id,
        occurred_at=at,
        claim_id=claim_id_for(state.patient_id, decision.service_month),
        service_month=decision.service_month,
        practitioner_id=state.practitioner_id,
        codes=decision.codes,
        date_of_service=max(line.date_of_service for line in decision.codes),
        allowed_amount=decision.allowed_amount,
        patient_share=decision.patient_share,
        expected_payment=decision.expected_payment,
    )


def next_wake(
    state: Patient, now: datetime, policies: PolicyHistory, checked: frozenset[str]
) -> timedelta:
    """How long to sleep until the next calendar action: a check day, a close, a new month."""
    tz, month = state.timezone, month_of(now, state.timezone)
    policy = policies.for_month(month)
    candidates = [month_end(month, tz)]
    if month not in checked and month not in state.at_risk:
        candidates.append(check_time(month, tz, policy.at_risk_check_day))
    if state.first_month is not None:
        last = min(month, state.ended_month or month)
        opened = [m for m in months_between(state.first_month, last) if not state.is_closed(m)]
        candidates += [month_close_time(state, m, policies) for m in opened]
    if state.phase == "enrolling" and state.outreach:
        first = min(at for at, _ in state.outreach)
        candidates.append(first + timedelta(days=policy.outreach_window_days))
    future = [c for c in candidates if c > now]
    return min(future) - now if future else IDLE_WAKE
