"""One patient-month's facts, gathered from the patient's state for the care rules to decide."""

from __future__ import annotations

from care.codes import CARE_MANAGEMENT_CODES
from care.facts import InitiatingVisit, MonthFacts, OtherServiceOnDate
from care.months import month_of_date
from patient.state import Patient


def month_facts(state: Patient, month: str) -> MonthFacts:
    """The facts of ``month`` as the rules want them; requires a screened program."""
    if state.program is None:
        raise ValueError(f"patient {state.patient_id} has no program to bill in {month}")
    services = [s for s in state.services if month_of_date(s.on) == month]
    return MonthFacts(
        service_month=month,
        timezone=state.timezone,
        program=state.program,
        conditions=list(state.diagnoses),
        qmb=state.qmb,
        complex_mdm=state.complexity.get(month) in ("moderate", "high"),
        last_visit_on=state.last_visit_on,
        initiating_visit=_visit(state),
        g0506_billed_before=state.practitioner_id in state.g0506_billed_by,
        consent_at=state.consent.at if state.consent else None,
        care_plan_at=state.care_plan.in_force_at if state.care_plan else None,
        time_entries=[e for _, e in sorted(state.entries.get(month, {}).items())],
        inpatient_stays=state.stays(),
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


def _visit(state: Patient) -> InitiatingVisit | None:
    v = state.visit
    if v is None:
        return None
    # G0506 belongs to the practitioner who did the visit: not to one who took over after it.
    ours = state.practitioner_since is None or v.at >= state.practitioner_since
    return InitiatingVisit(on=v.on, code=v.code, g0506=v.g0506 and ours)
