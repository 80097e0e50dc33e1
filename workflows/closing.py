"""Month close: which months are due, and the events that record each one's decision (pure).

A month closes at its close time (month end + grace period, in the practice's zone) and the
events of the close carry that moment as ``occurred_at``, whether a timer or a later event
brought the workflow to it, so two ingests of one feed record identical events.
"""

from __future__ import annotations

from datetime import datetime

from care.decision import MonthDecision
from care.fees import FeeSchedule
from care.month import evaluate_month
from events.base import PatientEvent
from events.decisions import ClaimPrepared, MonthClosed, decision_id
from workflows.calendar import close_time, month_of, months_between
from workflows.config import CareConfig
from workflows.month_facts import month_facts
from workflows.state import ClosedMonth, PatientState


def claim_id_for(patient_id: str, month: str) -> str:
    """One claim id per patient-month: a second claim for the month cannot even be named."""
    return f"claim-{patient_id}-{month}"


def month_close_time(month: str, cfg: CareConfig) -> datetime:
    return close_time(month, cfg.timezone, cfg.policy.grace_days)


def months_due(state: PatientState, clock: datetime, cfg: CareConfig) -> list[str]:
    """Months from the first consent to the end of care whose grace period has passed."""
    if state.first_month is None or state.program is None:
        return []
    last = month_of(clock, cfg.timezone)
    if state.ended_month is not None:
        last = min(last, state.ended_month)
    return [
        m
        for m in months_between(state.first_month, last)
        if m not in state.closed and month_close_time(m, cfg) <= clock
    ]


def close_month(
    state: PatientState, month: str, cfg: CareConfig, fees: FeeSchedule
) -> tuple[list[PatientEvent], ClaimPrepared | None]:
    """Decides the month with the care rules and records it in state; returns the events."""
    decision = evaluate_month(month_facts(state, month, cfg), cfg.policy, fees)
    at = month_close_time(month, cfg)
    closed = MonthClosed(
        event_id=decision_id(state.patient_id, "month-closed", month),
        patient_id=state.patient_id,
        occurred_at=at,
        service_month=month,
        decision=decision,
    )
    claim = _claim(state, decision, at) if decision.bills else None
    state.closed[month] = ClosedMonth(
        track=decision.track.value if decision.track else None,
        claim_id=claim.claim_id if claim else None,
        counted_minutes=decision.counted_minutes,
    )
    if any(line.code == "G0506" for line in decision.codes) and state.practitioner_id:
        # G0506 is billed once per patient per billing practitioner (MLN909188).
        state.g0506_billed_by.append(state.practitioner_id)
    return ([closed, claim] if claim else [closed]), claim


def _claim(state: PatientState, decision: MonthDecision, at: datetime) -> ClaimPrepared:
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
