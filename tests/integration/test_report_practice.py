"""Reports over a hand-built practice: one billed month with every §8 answer, one patient this
month on the worklist, one ineligible patient in the funnel."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

import asyncpg
import pytest

from care.decision import CodeUnits, ExcludedEntry, ExclusionReason, MonthDecision, Track
from events.base import EventMeta, PatientEvent, stream_for
from events.decisions import (
    ClaimPrepared,
    ClaimSubmitted,
    EligibilityScreened,
    LateEntryRecorded,
    MonthClosed,
    PhaseChanged,
)
from events.store import EventStore
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
from projections import reports
from projections.runner import catch_up

pytestmark = pytest.mark.integration

TZ = "America/New_York"
ENGINE = EventMeta(source="engine")
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
    """40 counted minutes (12 + 28), 15 non-clinical excluded, 10 voided; paid 2.14 short."""
    decision = MonthDecision(
        service_month="2025-03", track=Track.ccm_staff,
        codes=[CodeUnits(code="99490", units=1), CodeUnits(code="99439", units=1)],
        counted_minutes=40, minutes_by_role={"clinical_staff": 40},
        date_of_service=date(2025, 3, 31), allowed_amount=Decimal("106.42"),
        patient_share=Decimal("21.28"),
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
                    service_month="2025-03", decision=decision),
        ClaimPrepared(
            event_id=f"{pid}-claim-2025-03", patient_id=pid, occurred_at=closed, claim_id=claim,
            service_month="2025-03", practitioner_id="dr-1", codes=decision.codes,
            date_of_service=date(2025, 3, 31), allowed_amount=Decimal("106.42"),
            patient_share=Decimal("21.28"), meta=EventMeta(source="engine", actor="biller-7"),
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


@pytest.fixture
async def practice(pool: asyncpg.Pool, store: EventStore) -> asyncpg.Pool:
    streams = {
        "a": [*enrolment("a", "2025-01-05"), *billed_march("a")],
        "b": [*enrolment("b", "2025-04-01"), minutes("b", "b1", "2025-04-09T10:00:00-04:00", 8)],
        "c": enrolment("c", "2025-02-01", program=None),
    }
    for pid, events in streams.items():
        await store.append(stream_for(pid), events, expected_version=0)
    await catch_up(pool)
    return pool


async def test_billing_shows_codes_amounts_claim_status_and_the_shortfall(
    practice: asyncpg.Pool,
) -> None:
    [row] = await reports.billing_month(practice, "2025-03")
    assert (row.patient_id, row.track, row.counted_minutes, row.clinical_staff_minutes) == (
        "a",
        "ccm_staff",
        40,
        40,
    )
    assert [(c.code, c.units) for c in row.codes] == [("99490", 1), ("99439", 1)]
    assert (row.expected_allowed, row.patient_share, row.expected_payment) == (
        Decimal("106.42"), Decimal("21.28"), Decimal("85.14"),
    )  # fmt: skip
    assert (row.claim_status, row.paid_amount, row.difference) == (
        "paid",
        Decimal("83.00"),
        Decimal("-2.14"),
    )
    assert row.date_of_service == date(2025, 3, 31)
    assert await reports.billing_month(practice, "2025-02") == []


async def test_the_audit_packet_answers_every_question_of_section_8(practice: asyncpg.Pool) -> None:
    p = await reports.audit_packet(practice, "a", "2025-03", TZ)
    assert p.eligibility is not None and p.eligibility.conditions == ["diabetes", "hypertension"]
    assert p.initiating_visit.required is False  # seen 2024-12-02, within 12 months of consent
    assert (
        p.consent is not None
        and p.consent.obtained_by == "rn-1"
        and p.consent.missing_disclosures == []
    )
    assert p.care_plan is not None and p.care_plan.in_force_by_month_end
    assert [e.entry_id for e in p.counted_entries] == ["t1", "t2"]
    assert {e.entry_id: e.excluded_reasons for e in p.excluded_entries} == {
        "t3": ["non_clinical_role (15 min)"], "t4": ["voided: wrong patient"],
    }  # fmt: skip
    assert p.decision is not None and p.decision.reasons[0].startswith("40 counted minutes")
    assert p.services_billed_elsewhere == []
    assert [(s.step, s.by) for s in p.claim] == [
        ("prepared", "biller-7"), ("submitted", "engine"), ("paid", "clearinghouse"),
    ]  # fmt: skip
    assert len(p.late_entries) == 1 and p.late_entries[0].startswith("time_logged upstream:a-t5")
    assert p.integrity is not None and p.integrity.unaltered and p.integrity.events_checked == 19
    with pytest.raises(reports.MonthNotClosed):
        await reports.audit_packet(practice, "a", "2025-04", TZ)


async def test_the_trail_lists_every_event_and_no_read_model_holds_demographics(
    practice: asyncpg.Pool,
) -> None:
    trail = await reports.audit_trail(practice, "a")
    assert [r.version for r in trail] == list(range(1, 20))
    assert trail[0].type == "patient_identified" and "demographics" not in trail[0].data
    for table in ("audit_events", "worklist_facts"):
        leaked = await practice.fetchval(
            f"SELECT count(*) FROM {table} WHERE data::text ~ 'Jane|1EG4TE5MK73|A1c'"
        )
        assert leaked == 0


async def test_the_worklist_shows_progress_this_month(practice: asyncpg.Pool) -> None:
    rows = await reports.worklist(practice, date(2025, 4, 10), TZ)
    by_id = {r.patient_id: r for r in rows}
    b = by_id["b"]
    assert (b.minutes_so_far, b.threshold, b.minutes_needed, b.days_left) == (8, 20, 12, 21)
    assert b.reachable and not b.flagged_at_risk
    assert by_id["a"].minutes_so_far == 0 and "c" not in by_id


async def test_the_funnel_counts_phases_conversion_and_time(practice: asyncpg.Pool) -> None:
    rows = {r.phase: r for r in await reports.funnel(practice)}
    assert (rows["identified"].entered, rows["eligible"].entered, rows["ineligible"].entered) == (
        3,
        2,
        1,
    )
    assert rows["eligible"].conversion == Decimal("0.667")
    assert rows["active"].patients_now == 2 and rows["ineligible"].patients_now == 1
    assert rows["enrolling"].median_days == Decimal("4.0")
    assert rows["declined"].entered == 0 and rows["declined"].conversion == Decimal("0.000")


async def test_late_entries_show_the_claim_they_did_not_change(practice: asyncpg.Pool) -> None:
    [late] = await reports.late_entries(practice)
    assert (late.patient_id, late.service_month, late.claim_status) == ("a", "2025-03", "paid")
    assert late.late_event_type == "time_logged"
