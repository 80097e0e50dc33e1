"""``evolve(state, event) -> state``: the patient after one stored event, facts and decisions.

The only fold of patient state in the engine: the workflow evolves after each append, a restore
folds the stream, the worklist and the audit packet fold what they read. Pure, total over every
stored event type, never deciding anything: what an event causes is ``decide``'s. Documentation
dated in a closed month is stored but changes nothing here (it is late, domain §7).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from care.facts import TimeEntry
from care.months import month_of_date
from events.base import PatientEvent
from events.decisions import DecisionEvent
from events.registry import union_members
from events.upstream import (
    BillingPractitionerChanged,
    CarePlanEstablished,
    CarePlanRevised,
    ClaimAdjudicated,
    ComplexityAssessed,
    ConsentDeclined,
    ConsentRecorded,
    ConsentRevoked,
    InitiatingVisitCompleted,
    OutreachAttempted,
    PatientAdmissionCancelled,
    PatientAdmitted,
    PatientDied,
    PatientDischargeCancelled,
    PatientDischarged,
    PatientIdentified,
    ServiceBilledElsewhere,
    TimeEntryVoided,
    TimeLogged,
    UpstreamEvent,
)
from patient.evolve_decisions import DECISION_EVOLVERS
from patient.state import CarePlan, Consent, Patient, Service, Visit, dated_month

Evolver = Callable[[Patient, Any], Patient]
DECISIONS = tuple(union_members(DecisionEvent))
FACTS = tuple(union_members(UpstreamEvent))


def evolve(state: Patient, event: PatientEvent) -> Patient:
    """The state after ``event``; an unknown type is a programming error (``KeyError``)."""
    if isinstance(event, DECISIONS):
        return DECISION_EVOLVERS[type(event)](state, event)
    fact = cast(UpstreamEvent, event)
    assert isinstance(fact, FACTS), type(fact)
    if not state.identified and not isinstance(event, PatientIdentified):
        return state.model_copy(update={"held": (*state.held, fact)})
    month = dated_month(state, fact)
    if month is not None and state.is_closed(month):
        return state
    return EVOLVERS[type(fact)](state, fact)


def fold(events: Iterable[PatientEvent], state: Patient) -> Patient:
    """``state`` after every event in order."""
    for event in events:
        state = evolve(state, event)
    return state


def _set(s: Patient, **changes: Any) -> Patient:
    return s.model_copy(update=changes)


def _identified(s: Patient, e: PatientIdentified) -> Patient:
    held = s.held
    s = _set(
        s, practice_id=e.practice_id, practitioner_id=e.practitioner_id, held=(),
        diagnoses=tuple(e.diagnoses), qmb=e.qmb, last_visit_on=e.last_visit_on,
        primary_care_responsible=e.primary_care_responsible,
    )  # fmt: skip
    # Held facts apply in the order they happened (stable: ties keep arrival order).
    return fold(sorted(held, key=lambda h: h.occurred_at), s)


def _outreach(s: Patient, e: OutreachAttempted) -> Patient:
    return _set(s, outreach=(*s.outreach, (e.occurred_at, e.outcome)))


def _visit(s: Patient, e: InitiatingVisitCompleted) -> Patient:
    visit = Visit(on=e.on, code=e.code, g0506=e.g0506, at=e.occurred_at, key=e.store_key)
    return _set(s, visit=visit)


def _consent(s: Patient, e: ConsentRecorded) -> Patient:
    consent = Consent(
        at=e.occurred_at, method=e.method, obtained_by=e.obtained_by,
        disclosures=e.disclosures, key=e.store_key,
    )  # fmt: skip
    renewed = s.revoked_at is not None and s.revoked_at <= e.occurred_at
    return _set(
        s, consent=consent, first_month=s.first_month or s.month_of(e.occurred_at),
        revoked_at=None if renewed else s.revoked_at,
        ended_month=None if renewed else s.ended_month,
    )  # fmt: skip


def _care_plan(s: Patient, e: CarePlanEstablished | CarePlanRevised) -> Patient:
    plan = CarePlan(
        care_plan_id=e.care_plan_id,
        in_force_at=s.care_plan.in_force_at if s.care_plan else e.occurred_at,
        revised_at=e.occurred_at if s.care_plan else None,
        shared_with_patient_at=e.shared_with_patient_at,
        keys=(*(s.care_plan.keys if s.care_plan else ()), e.store_key),
    )
    return _set(s, care_plan=plan)


def _time(s: Patient, e: TimeLogged) -> Patient:
    entry = TimeEntry(
        id=e.entry_id, staff_id=e.staff_id, role=e.role.value, minutes=e.minutes, at=e.at,
        start=e.start, end=e.end,
        counted_toward=e.counted_toward.value if e.counted_toward else None,
    )  # fmt: skip
    month = dated_month(s, e)
    assert month is not None  # the contract requires at or start
    # A corrected entry logged under an id whose entry was voided counts again.
    return _set(
        s,
        entries={**s.entries, month: {**s.entries.get(month, {}), e.entry_id: entry}},
        entry_keys={**s.entry_keys, e.entry_id: e.store_key},
    )


def _voided(s: Patient, e: TimeEntryVoided) -> Patient:
    month = s.entry_month(e.entry_id)
    if month is None or month not in s.entries:
        return s
    rest = {k: v for k, v in s.entries[month].items() if k != e.entry_id}
    keys = {k: v for k, v in s.entry_keys.items() if k != e.entry_id}
    return _set(s, entries={**s.entries, month: rest}, entry_keys=keys)


def _complexity(s: Patient, e: ComplexityAssessed) -> Patient:
    return _set(s, complexity={**s.complexity, e.service_month: e.mdm})


def _admitted(s: Patient, e: PatientAdmitted) -> Patient:
    return _set(s, adt=(*s.adt, (e.occurred_at, "admitted")))


def _discharged(s: Patient, e: PatientDischarged) -> Patient:
    return _set(s, adt=(*s.adt, (e.occurred_at, "discharged")))


def _adt_cancelled(s: Patient, e: PatientAdmissionCancelled | PatientDischargeCancelled) -> Patient:
    # Kept as a mark, not a removal: the cancelled message may arrive after its cancellation.
    if isinstance(e, PatientAdmissionCancelled):
        return _set(s, adt=(*s.adt, (e.admitted_at, "admission_cancelled")))
    return _set(s, adt=(*s.adt, (e.discharged_at, "discharge_cancelled")))


def _elsewhere(s: Patient, e: ServiceBilledElsewhere) -> Patient:
    return _set(s, services=(*s.services, Service(code=e.code, on=e.on, billed_by=e.billed_by)))


def _revoked(s: Patient, e: ConsentRevoked) -> Patient:
    return _set(s, revoked_at=e.occurred_at, ended_month=s.month_of(e.occurred_at))


def _died(s: Patient, e: PatientDied) -> Patient:
    return _set(s, died_on=e.died_on, ended_month=month_of_date(e.died_on))


def _practitioner(s: Patient, e: BillingPractitionerChanged) -> Patient:
    if e.transfer_out:
        return _set(s, ended_month=s.month_of(e.occurred_at))
    changed = _set(s, practitioner_id=e.practitioner_id, practitioner_since=e.occurred_at)
    if s.program is None:
        return changed  # nothing to enrol an ineligible patient in: only the practitioner
    # A new billing practitioner needs new consent (MLN909188), sought by a new outreach window.
    return _set(changed, consent=None, outreach=())


def _unchanged(s: Patient, e: PatientEvent) -> Patient:
    return s


EVOLVERS: dict[type[UpstreamEvent], Evolver] = {
    PatientIdentified: _identified,
    OutreachAttempted: _outreach,
    InitiatingVisitCompleted: _visit,
    ConsentRecorded: _consent,
    ConsentDeclined: _unchanged,
    CarePlanEstablished: _care_plan,
    CarePlanRevised: _care_plan,
    TimeLogged: _time,
    TimeEntryVoided: _voided,
    ComplexityAssessed: _complexity,
    PatientAdmitted: _admitted,
    PatientDischarged: _discharged,
    PatientAdmissionCancelled: _adt_cancelled,
    PatientDischargeCancelled: _adt_cancelled,
    ServiceBilledElsewhere: _elsewhere,
    ConsentRevoked: _revoked,
    PatientDied: _died,
    BillingPractitionerChanged: _practitioner,
    ClaimAdjudicated: _unchanged,
}
