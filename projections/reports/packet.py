"""``audit_packet``: the §8 answers for one patient-month, assembled from the audit trail.

``build_packet`` is pure (trail rows in, packet out); ``audit_packet`` loads the trail and checks
the patient's hash chain in the event store, so the packet says whether its record is unaltered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import asyncpg

from care.gates import care_plan_in_force, initiating_visit_required, missing_disclosures
from care.months import month_bounds
from events.base import PatientEvent, stream_for
from events.store import EventStore, StoredEvent
from events.verify import verify_chains
from patient.evolve import fold
from patient.state import Patient
from projections.reports import packet_models as m
from projections.reports.packet_parts import (
    claim_steps,
    late_entries,
    services_elsewhere,
    time_entries,
)
from projections.reports.trail import AuditEventRow, audit_trail
from runtime.settings import Settings


class MonthNotClosed(LookupError):
    """The patient has no closed month of that name: there is nothing to audit yet."""


async def audit_packet(
    pool: asyncpg.Pool, patient_id: str, month: str, timezone: str | None = None
) -> m.AuditPacket:
    """The packet of ``month`` for ``patient_id``; raises ``MonthNotClosed`` when not closed."""
    rows = await audit_trail(pool, patient_id)
    report = await verify_chains(pool, stream_for(patient_id))
    broken = report.first_broken
    integrity = m.Integrity(
        stream=stream_for(patient_id),
        events_checked=report.events,
        unaltered=report.ok,
        first_problem=broken.describe() if broken is not None else None,
    )
    tz = timezone or Settings.from_env().practice_timezone
    stored = await EventStore(pool).read_stream(stream_for(patient_id))
    return build_packet(rows, stored, patient_id, month, tz, integrity)


def build_packet(
    rows: list[AuditEventRow],
    stored: list[StoredEvent],
    patient_id: str,
    month: str,
    tz: str,
    integrity: m.Integrity | None,
) -> m.AuditPacket:
    """Answers §8 from the patient as they stood at the month's close: the fold of their stream
    up to the ``MonthClosed`` (``patient.evolve``, the decider's own reading), with each answer
    citing the positions of the trail rows it rests on."""
    closed = _last(rows, "month_closed", lambda r: r.data["service_month"] == month)
    if closed is None:
        raise MonthNotClosed(f"patient {patient_id} has no closed month {month}")
    start, end = month_bounds(int(month[:4]), int(month[5:]), ZoneInfo(tz))
    state = fold(
        (cast(PatientEvent, s.event) for s in stored if s.position < closed.position),
        Patient(patient_id=patient_id, timezone=tz),
    )
    before = [r for r in rows if r.position < closed.position]
    at = {f"{r.source}:{r.event_id}": r.position for r in before}
    consent = _consent(state, at, end)
    counted, excluded = time_entries(before, closed, start, end)
    return m.AuditPacket(
        patient_id=patient_id,
        service_month=month,
        eligibility=_eligibility(state, before),
        initiating_visit=_visit(state, at, consent, tz),
        consent=consent,
        care_plan=_care_plan(state, at, end),
        counted_entries=counted,
        excluded_entries=excluded,
        decision=_decision(closed),
        services_billed_elsewhere=services_elsewhere(before, month),
        claim_id=(steps := claim_steps(rows, month))[0],
        claim=steps[1],
        late_entries=late_entries(rows, month),
        integrity=integrity,
    )


def _last(rows: list[AuditEventRow], type_: str, keep: Any = None) -> AuditEventRow | None:
    found = [r for r in rows if r.type == type_ and (keep is None or keep(r))]
    return found[-1] if found else None


def _eligibility(state: Patient, rows: list[AuditEventRow]) -> m.Eligibility | None:
    screened = _last(rows, "eligibility_screened")
    if screened is None:
        return None
    return m.Eligibility(
        program=state.program,
        conditions=list(state.conditions),
        diagnoses=list(state.diagnoses),
        reasons=screened.data["reasons"],
        screened_at=screened.occurred_at,
        position=screened.position,
    )


def _consent(state: Patient, at: dict[str, int], end: datetime) -> m.Consent | None:
    """The consent in force at the close: a practitioner change or a revocation the decision
    honoured is honoured here too."""
    c = state.consent
    if c is None or c.at >= end:
        return None
    disclosures = c.disclosures.model_dump()
    return m.Consent(
        at=c.at, method=c.method, obtained_by=c.obtained_by, disclosures=disclosures,
        missing_disclosures=missing_disclosures(**disclosures), position=at.get(c.key, 0),
    )  # fmt: skip


def _visit(
    state: Patient, at: dict[str, int], consent: m.Consent | None, tz: str
) -> m.InitiatingVisit:
    required = None
    if consent is not None and state.program is not None:
        consent_on = consent.at.astimezone(ZoneInfo(tz)).date()
        required = initiating_visit_required(state.last_visit_on, consent_on, state.program)
    v = state.visit
    return m.InitiatingVisit(
        required=required,
        code=v.code if v else None,
        on=v.on if v else None,
        g0506=v.g0506 if v else False,
        position=at.get(v.key) if v else None,
    )


def _care_plan(state: Patient, at: dict[str, int], end: datetime) -> m.CarePlan | None:
    plan = state.care_plan
    if plan is None:
        return None
    return m.CarePlan(
        care_plan_id=plan.care_plan_id,
        established_at=plan.in_force_at,
        last_revised_at=plan.revised_at if plan.revised_at and plan.revised_at < end else None,
        shared_with_patient_at=plan.shared_with_patient_at,
        in_force_by_month_end=care_plan_in_force(plan.in_force_at, end),
        positions=[at[k] for k in plan.keys if k in at],
    )


def _decision(closed: AuditEventRow) -> m.Decision:
    d = closed.data["decision"]
    keep = ("track", "codes", "counted_minutes", "minutes_by_role", "date_of_service")
    return m.Decision(
        **{k: d[k] for k in keep},
        allowed_amount=d["allowed_amount"],
        patient_share=d["patient_share"],
        expected_payment=d.get("expected_payment"),
        unpriced=d.get("unpriced", []),
        reasons=d["reasons"],
        policy_version=closed.data.get("policy_version", 0),
        fee_schedule=d.get("fee_schedule", "national"),
        closed_at=closed.occurred_at,
        position=closed.position,
    )
