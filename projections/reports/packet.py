"""``audit_packet``: the §8 answers for one patient-month, assembled from the audit trail.

``build_packet`` is pure (trail rows in, packet out); ``audit_packet`` loads the trail and checks
the patient's hash chain in the event store, so the packet says whether its record is unaltered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from care.gates import care_plan_in_force, initiating_visit_required, missing_disclosures
from care.months import month_bounds
from events.base import stream_for
from events.verify import verify_chains
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
    return build_packet(rows, patient_id, month, tz, integrity)


def build_packet(
    rows: list[AuditEventRow], patient_id: str, month: str, tz: str, integrity: m.Integrity | None
) -> m.AuditPacket:
    """Answers §8 from the trail as it stood at the month's close (later facts are ignored)."""
    closed = _last(rows, "month_closed", lambda r: r.data["service_month"] == month)
    if closed is None:
        raise MonthNotClosed(f"patient {patient_id} has no closed month {month}")
    start, end = month_bounds(int(month[:4]), int(month[5:]), ZoneInfo(tz))
    before = [r for r in rows if r.position < closed.position]
    consent = _consent(before, end)
    eligibility = _eligibility(before)
    counted, excluded = time_entries(before, closed, start, end)
    return m.AuditPacket(
        patient_id=patient_id,
        service_month=month,
        eligibility=eligibility,
        initiating_visit=_visit(before, end, consent, eligibility, tz),
        consent=consent,
        care_plan=_care_plan(before, end),
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


def _eligibility(rows: list[AuditEventRow]) -> m.Eligibility | None:
    screened = _last(rows, "eligibility_screened")
    if screened is None:
        return None
    identified = _last(rows, "patient_identified")
    return m.Eligibility(
        program=screened.data["program"],
        conditions=screened.data["conditions"],
        diagnoses=identified.data["diagnoses"] if identified else [],
        reasons=screened.data["reasons"],
        screened_at=screened.occurred_at,
        position=screened.position,
    )


def _consent(rows: list[AuditEventRow], end: datetime) -> m.Consent | None:
    r = _last(rows, "consent_recorded", lambda r: r.occurred_at < end)
    if r is None:
        return None
    disclosures: dict[str, bool] = r.data["disclosures"]
    return m.Consent(
        at=r.occurred_at,
        method=r.data["method"],
        obtained_by=r.data["obtained_by"],
        disclosures=disclosures,
        missing_disclosures=missing_disclosures(**disclosures),
        position=r.position,
    )


def _visit(
    rows: list[AuditEventRow],
    end: datetime,
    consent: m.Consent | None,
    eligibility: m.Eligibility | None,
    tz: str,
) -> m.InitiatingVisit:
    visit = _last(rows, "initiating_visit_completed", lambda r: r.occurred_at < end)
    identified = _last(rows, "patient_identified")
    required = None
    if consent is not None and eligibility is not None and eligibility.program is not None:
        last_visit = identified.data.get("last_visit_on") if identified else None
        consent_on = consent.at.astimezone(ZoneInfo(tz)).date()
        last = date.fromisoformat(last_visit) if last_visit else None
        required = initiating_visit_required(last, consent_on, eligibility.program)  # type: ignore[arg-type]
    return m.InitiatingVisit(
        required=required,
        code=visit.data["code"] if visit else None,
        on=visit.data["on"] if visit else None,
        g0506=bool(visit.data.get("g0506")) if visit else False,
        position=visit.position if visit else None,
    )


def _care_plan(rows: list[AuditEventRow], end: datetime) -> m.CarePlan | None:
    plans = [r for r in rows if r.type in ("care_plan_established", "care_plan_revised")]
    if not plans:
        return None
    established = plans[0]
    revised = [r for r in plans[1:] if r.occurred_at < end]
    shared = [r.data["shared_with_patient_at"] for r in plans if r.data["shared_with_patient_at"]]
    return m.CarePlan(
        care_plan_id=plans[-1].data["care_plan_id"],
        established_at=established.occurred_at,
        last_revised_at=revised[-1].occurred_at if revised else None,
        shared_with_patient_at=shared[-1] if shared else None,
        in_force_by_month_end=care_plan_in_force(established.occurred_at, end),
        positions=[r.position for r in plans],
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
        closed_at=closed.occurred_at,
        position=closed.position,
    )
