"""Gathers one patient-month's facts from the workflow state for the care rules to decide."""

from __future__ import annotations

from care.codes import CARE_MANAGEMENT_CODES
from care.facts import InitiatingVisit, InpatientStay, MonthFacts, OtherServiceOnDate, TimeEntry
from events.upstream import TimeLogged
from workflows.calendar import month_of, month_of_date
from workflows.config import CareConfig
from workflows.state import PatientState


def month_facts(state: PatientState, month: str, cfg: CareConfig) -> MonthFacts:
    """The facts of ``month`` as the rules want them; requires a screened program."""
    if state.program is None:
        raise ValueError(f"patient {state.patient_id} has no program to bill in {month}")
    services = [s for s in state.services if month_of_date(s.on) == month]
    return MonthFacts(
        service_month=month,
        timezone=cfg.timezone,
        program=state.program,
        conditions=state.diagnoses,
        qmb=state.qmb,
        complex_mdm=state.complexity.get(month) in ("moderate", "high"),
        last_visit_on=state.last_visit_on,
        initiating_visit=_visit(state),
        g0506_billed_before=state.practitioner_id in state.g0506_billed_by,
        consent_at=state.consent.occurred_at if state.consent else None,
        care_plan_at=state.care_plan_at,
        time_entries=[_entry(e) for e in _entries_in(state, month, cfg)],
        inpatient_stays=[
            InpatientStay(admitted_at=s.admitted_at, discharged_at=s.discharged_at)
            for s in state.stays
        ],
        other_services=[
            OtherServiceOnDate(
                code=s.code, on=s.on, by_billing_practitioner=s.billed_by == state.practitioner_id
            )
            for s in services
            if s.code not in CARE_MANAGEMENT_CODES
        ],
        ccm_billed_elsewhere=any(
            s.code in CARE_MANAGEMENT_CODES and s.billed_by != state.practitioner_id
            for s in services
        ),
        revoked_at=state.revoked_at,
        died_on=state.died_on,
    )


def _visit(state: PatientState) -> InitiatingVisit | None:
    v = state.visit
    if v is None:
        return None
    # G0506 belongs to the practitioner who did the visit: not to one who took over after it.
    ours = state.practitioner_since is None or v.occurred_at >= state.practitioner_since
    return InitiatingVisit(on=v.on, code=v.code, g0506=v.g0506 and ours)


def _entries_in(state: PatientState, month: str, cfg: CareConfig) -> list[TimeLogged]:
    def month_key(e: TimeLogged) -> str:
        at = e.at if e.at is not None else e.start
        assert at is not None  # the contract requires at or start
        return month_of(at, cfg.timezone)

    return [
        e
        for entry_id, e in sorted(state.time_entries.items())
        if entry_id not in state.voided and month_key(e) == month
    ]


def _entry(e: TimeLogged) -> TimeEntry:
    return TimeEntry(
        id=e.entry_id,
        staff_id=e.staff_id,
        role=e.role.value,
        minutes=e.minutes,
        at=e.at,
        start=e.start,
        end=e.end,
        counted_toward=e.counted_toward.value if e.counted_toward else None,
    )
