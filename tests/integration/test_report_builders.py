"""A hand-built practice for the report tests (no tests here): every event written out, so each
expected figure in test_report_practice.py can be checked by reading this file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from care.decision import ClaimLine, ExcludedEntry, ExclusionReason, MonthDecision, Track
from events.base import EventMeta, PatientEvent
from events.decisions import (
    ClaimPrepared,
    ClaimSubmitted,
    EligibilityScreened,
    LateEntryRecorded,
    MonthClosed,
    PhaseChanged,
)
from events.upstream import (
    CarePlanEstablished,
    ClaimAdjudicated,
    ConsentRecorded,
    Demographics,
    Disclosures,
    PatientIdentified,
    StaffRole,
    TimeEntryVoided,
    TimeLogged,
)

TZ = "America/New_York"
TOLD = Disclosures(availability=True, cost_sharing=True, stop_anytime=True, one_practitioner=True)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def enrolment(pid: str, day: str, program: Literal["ccm"] | None = "ccm") -> list[PatientEvent]:
    t0 = at(f"{day}T09:00:00-05:00")
    events: list[PatientEvent] = [
        PatientIdentified(
            event_id=f"{pid}-id", patient_id=pid, occurred_at=t0, practice_id="practice-1",
            practitioner_id="dr-1", diagnoses=["E11.9", "I10"], last_visit_on=date(2024, 12, 2),
            demographics=Demographics(name="Jane Q Doe", mbi="1EG4TE5MK73"),
        ),
        EligibilityScreened(
            event_id=f"{pid}-screen", patient_id=pid, occurred_at=t0, program=program,
            conditions=["diabetes", "hypertension"] if program else [], reasons=["screened"],
        ),
    ]  # fmt: skip
    if program is None:
        return [*events, phase(pid, t0, "identified", "ineligible")]
    consent = ConsentRecorded(
        event_id=f"{pid}-consent", patient_id=pid, occurred_at=t0 + timedelta(days=5),
        method="verbal", obtained_by="rn-1", disclosures=TOLD,
    )  # fmt: skip
    plan = CarePlanEstablished(
        event_id=f"{pid}-plan", patient_id=pid, occurred_at=t0 + timedelta(days=7),
        care_plan_id=f"{pid}-cp", problems=["diabetes"], goals=["A1c < 8"],
        shared_with_patient_at=t0 + timedelta(days=7),
    )  # fmt: skip
    return [
        *events,
        phase(pid, t0, "identified", "eligible"),
        phase(pid, t0 + timedelta(days=1), "eligible", "enrolling"),
        consent,
        phase(pid, t0 + timedelta(days=5), "enrolling", "enrolled"),
        plan,
        phase(pid, t0 + timedelta(days=7), "enrolled", "active"),
    ]


def phase(pid: str, when: datetime, previous: str, new: str) -> PhaseChanged:
    return PhaseChanged(
        event_id=f"{pid}-{new}", patient_id=pid, occurred_at=when,
        previous=previous, phase=new, reason=f"to {new}",  # type: ignore[arg-type]
    )  # fmt: skip


def minutes(
    pid: str, entry: str, when: str, n: int, role: StaffRole = StaffRole.clinical_staff
) -> TimeLogged:
    return TimeLogged(
        event_id=f"{pid}-{entry}", patient_id=pid, occurred_at=at(when), entry_id=entry,
        staff_id="rn-1", role=role, credential="RN", minutes=n, at=at(when),
    )  # fmt: skip


def billed_march(pid: str) -> list[PatientEvent]:
    """40 counted minutes (12 + 28), 15 non-clinical excluded, 10 voided; paid 0.43 short."""
    decision = MonthDecision(
        service_month="2025-03", track=Track.ccm_staff,
        codes=[ClaimLine(code="99490", units=1, date_of_service=date(2025, 3, 31)),
               ClaimLine(code="99439", units=1, date_of_service=date(2025, 3, 31))],
        counted_minutes=40, minutes_by_role={"clinical_staff": 40},
        date_of_service=date(2025, 3, 31), allowed_amount=Decimal("106.42"),
        patient_share=Decimal("21.28"), expected_payment=Decimal("83.43"),
        excluded=[ExcludedEntry(entry="t3", reason=ExclusionReason.non_clinical_role, minutes=15)],
        reasons=["40 counted minutes on the clinical-staff track: 99490 + 1 x 99439"],
    )  # fmt: skip
    closed = at("2025-04-04T00:05:00-04:00")
    interval = TimeLogged(
        event_id=f"{pid}-t2", patient_id=pid, occurred_at=at("2025-03-18T09:00:00-04:00"),
        entry_id="t2", staff_id="ma-2", role=StaffRole.clinical_staff, credential="MA",
        start=at("2025-03-18T09:00:00-04:00"), end=at("2025-03-18T09:28:00-04:00"),
    )  # fmt: skip
    claim = "claim-a-2025-03"
    return [
        minutes(pid, "t1", "2025-03-04T10:00:00-05:00", 12),
        interval,
        minutes(pid, "t3", "2025-03-20T10:00:00-04:00", 15, StaffRole.non_clinical),
        minutes(pid, "t4", "2025-03-21T10:00:00-04:00", 10),
        TimeEntryVoided(event_id=f"{pid}-void-t4", patient_id=pid, entry_id="t4",
                        occurred_at=at("2025-03-22T10:00:00-04:00"), reason="wrong patient"),
        MonthClosed(event_id=f"{pid}-close-2025-03", patient_id=pid, occurred_at=closed,
                    service_month="2025-03", decision=decision, facts=None, policy_version=0),
        ClaimPrepared(
            event_id=f"{pid}-claim-2025-03", patient_id=pid, occurred_at=closed, claim_id=claim,
            service_month="2025-03", practitioner_id="dr-1", codes=decision.codes,
            date_of_service=date(2025, 3, 31), allowed_amount=Decimal("106.42"),
            patient_share=Decimal("21.28"), expected_payment=Decimal("83.43"),
            meta=EventMeta(source="engine", actor="biller-7"),
        ),
        ClaimSubmitted(event_id=f"{pid}-submit-2025-03", patient_id=pid, occurred_at=closed,
                       claim_id=claim, service_month="2025-03", submission_ref="outbox-1"),
        ClaimAdjudicated(event_id=f"{pid}-remit", patient_id=pid, claim_id=claim, status="paid",
                         occurred_at=at("2025-04-20T12:00:00-04:00"), paid_amount=Decimal("83.00"),
                         meta=EventMeta(source="clearinghouse")),
        minutes(pid, "t5", "2025-03-28T10:00:00-04:00", 9),
        LateEntryRecorded(
            event_id=f"{pid}-late-t5", patient_id=pid, service_month="2025-03",
            occurred_at=at("2025-04-21T10:00:00-04:00"), late_event_id="upstream:a-t5",
            late_event_type="time_logged",
        ),
    ]  # fmt: skip
