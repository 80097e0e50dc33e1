"""Plausible patient histories for benchmarks and tests: enrollment, monthly time, claims (a
bench fixture: decisions are fabricated, not decided by the rules).

Deterministic for a seed. The month decisions are simplified (pooled clinical-staff minutes on the
99490/99439 track) because only the projections read them here, never the care rules.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from care.decision import ClaimLine, MonthDecision, Track
from events.base import EventMeta, PatientEvent
from events.decisions import (
    ClaimPrepared,
    ClaimSubmitted,
    EligibilityScreened,
    MonthAtRiskFlagged,
    MonthClosed,
    Phase,
    PhaseChanged,
)
from events.upstream import (
    CarePlanEstablished,
    ClaimAdjudicated,
    ConsentRecorded,
    Disclosures,
    InitiatingVisitCompleted,
    PatientIdentified,
    StaffRole,
    TimeEntryVoided,
    TimeLogged,
)

ALL_TOLD = Disclosures(
    availability=True, cost_sharing=True, stop_anytime=True, one_practitioner=True
)
PRICE = {"99490": Decimal("60.49"), "99439": Decimal("45.93")}


def patient_history(
    patient_id: str, first_month: str, months: int, seed: int
) -> list[PatientEvent]:
    """One patient's stream: enrolment in ``first_month``, then ``months`` months of care."""
    rng = random.Random(f"{seed}:{patient_id}")
    year, mon = int(first_month[:4]), int(first_month[5:])
    start = datetime(year, mon, 1, 14, tzinfo=UTC)
    events = _enrolment(patient_id, start)
    for k in range(months):
        y, m = year + (mon - 1 + k) // 12, (mon - 1 + k) % 12 + 1
        events += _month(patient_id, f"{y:04d}-{m:02d}", rng)
    return events


def _enrolment(pid: str, at: datetime) -> list[PatientEvent]:
    steps: list[tuple[Phase, Phase, str]] = [
        ("identified", "eligible", "two chronic conditions"),
        ("eligible", "enrolling", "outreach started"),
        ("enrolling", "enrolled", "consent and initiating visit on record"),
        ("enrolled", "active", "care plan established"),
    ]
    events: list[PatientEvent] = [
        PatientIdentified(
            event_id=f"{pid}.id", patient_id=pid, occurred_at=at, practice_id="practice-1",
            practitioner_id="dr-1", diagnoses=["E11.9", "I10"], last_visit_on=at.date(),
        ),
        EligibilityScreened(
            event_id=f"{pid}.screen", patient_id=pid, occurred_at=at, program="ccm",
            conditions=["diabetes", "hypertension"], reasons=["two chronic conditions"],
        ),
        InitiatingVisitCompleted(
            event_id=f"{pid}.visit", patient_id=pid, occurred_at=at, code="99214", on=at.date()
        ),
        ConsentRecorded(
            event_id=f"{pid}.consent", patient_id=pid, occurred_at=at + timedelta(hours=1),
            method="verbal", obtained_by="rn-1", disclosures=ALL_TOLD,
        ),
        CarePlanEstablished(
            event_id=f"{pid}.plan", patient_id=pid, occurred_at=at + timedelta(hours=2),
            care_plan_id=f"{pid}.cp", problems=["diabetes"], goals=["A1c below 8"],
            shared_with_patient_at=at + timedelta(hours=2),
        ),
    ]  # fmt: skip
    for i, (prev, phase, why) in enumerate(steps):
        events.append(
            PhaseChanged(
                event_id=f"{pid}.phase.{phase}", patient_id=pid,
                occurred_at=at + timedelta(hours=i), previous=prev, phase=phase, reason=why,
            )
        )  # fmt: skip
    return events


def _month(pid: str, month: str, rng: random.Random) -> list[PatientEvent]:
    first = datetime(int(month[:4]), int(month[5:]), 3, 15, tzinfo=UTC)
    entries = [
        TimeLogged(
            event_id=f"{pid}.t.{month}.{i}", patient_id=pid, entry_id=f"{pid}.{month}.{i}",
            occurred_at=first + timedelta(days=3 * i), staff_id=f"rn-{rng.randint(1, 5)}",
            role=StaffRole.clinical_staff, credential="RN", minutes=rng.randint(3, 15),
            at=first + timedelta(days=3 * i),
        )
        for i in range(rng.randint(1, 6))
    ]  # fmt: skip
    events: list[PatientEvent] = list(entries)
    minutes = sum(e.minutes or 0 for e in entries)
    if len(entries) > 2 and rng.random() < 0.1:
        voided = entries[-1]
        events.append(
            TimeEntryVoided(
                event_id=f"{pid}.void.{month}", patient_id=pid, occurred_at=first + timedelta(20),
                entry_id=voided.entry_id, reason="entered in error",
            )
        )  # fmt: skip
        minutes -= voided.minutes or 0
    if minutes < 20:
        events.append(_at_risk(pid, month, first + timedelta(days=17), minutes))
    return events + _close(pid, month, minutes, rng)


def _at_risk(pid: str, month: str, at: datetime, minutes: int) -> PatientEvent:
    return MonthAtRiskFlagged(
        event_id=f"{pid}.risk.{month}", patient_id=pid, occurred_at=at, service_month=month,
        minutes_so_far=minutes, minutes_needed=20 - minutes, days_left=11, reachable=minutes >= 10,
    )  # fmt: skip


def decision(month: str, minutes: int) -> MonthDecision:
    """The simplified 99490/99439 decision for ``minutes`` pooled clinical-staff minutes."""
    last = _last_day(month)
    codes = []
    if minutes >= 20:
        codes.append(ClaimLine(code="99490", units=1, date_of_service=last))
        if minutes >= 40:
            units = min((minutes - 20) // 20, 2)
            codes.append(ClaimLine(code="99439", units=units, date_of_service=last))
    allowed = sum((PRICE[c.code] * c.units for c in codes), Decimal("0.00"))
    return MonthDecision(
        service_month=month, track=Track.ccm_staff if codes else None, codes=codes,
        counted_minutes=minutes, minutes_by_role={"clinical_staff": minutes},
        date_of_service=last if codes else None, allowed_amount=allowed if codes else None,
        patient_share=(allowed * Decimal("0.2")).quantize(Decimal("0.01")) if codes else None,
        excluded=[], reasons=[f"{minutes} counted minutes"],
    )  # fmt: skip


def _last_day(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:])
    return date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1)


def _close(pid: str, month: str, minutes: int, rng: random.Random) -> list[PatientEvent]:
    d = decision(month, minutes)
    closed_at = datetime.combine(_last_day(month), datetime.min.time(), UTC) + timedelta(days=4)
    engine = EventMeta(source="engine", actor="ccm-engine")
    out: list[PatientEvent] = [
        MonthClosed(event_id=f"{pid}.close.{month}", patient_id=pid, occurred_at=closed_at,
                    service_month=month, decision=d, facts=None, policy_version=0, meta=engine),
    ]  # fmt: skip
    if not d.bills or d.date_of_service is None:
        return out
    claim = f"claim-{pid}-{month}"
    paid = rng.random() < 0.9
    amount = (d.allowed_amount or Decimal(0)) - (d.patient_share or Decimal(0))
    out += [
        ClaimPrepared(
            event_id=f"{pid}.claim.{month}", patient_id=pid, occurred_at=closed_at, meta=engine,
            claim_id=claim, service_month=month, practitioner_id="dr-1", codes=d.codes,
            date_of_service=d.date_of_service, allowed_amount=d.allowed_amount,
            patient_share=d.patient_share,
        ),
        ClaimSubmitted(
            event_id=f"{pid}.submit.{month}", patient_id=pid, occurred_at=closed_at, meta=engine,
            claim_id=claim, service_month=month, submission_ref=f"outbox-{claim}",
        ),
        ClaimAdjudicated(
            event_id=f"{pid}.remit.{month}", patient_id=pid,
            occurred_at=closed_at + timedelta(days=14), claim_id=claim,
            status="paid" if paid else "denied", paid_amount=amount if paid else Decimal("0"),
            reason_codes=[] if paid else ["CO-16"],
        ),
    ]  # fmt: skip
    return out
