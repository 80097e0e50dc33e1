"""Applies one accepted upstream event to a patient's state; returns the decisions it caused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from care.gates import outreach_exhausted
from events.base import PatientEvent
from events.decisions import LateEntryRecorded, decision_id
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
    PatientAdmitted,
    PatientDied,
    PatientDischarged,
    PatientIdentified,
    ServiceBilledElsewhere,
    TimeEntryVoided,
    TimeLogged,
    UpstreamEvent,
)
from workflows.calendar import month_of, month_of_date
from workflows.config import CareConfig
from workflows.phases import advance_enrollment, move, screen_patient
from workflows.state import PatientState, Stay

Derived = list[PatientEvent]


def apply(state: PatientState, event: UpstreamEvent, cfg: CareConfig) -> Derived:
    """Folds ``event`` into ``state``. Events before identification are held, then replayed."""
    state.applied.add(event.store_key)
    if not state.identified and not isinstance(event, PatientIdentified):
        state.held.append(event)
        return []
    late = dated_month(state, event, cfg)
    if late is not None and late in state.closed:
        return [_late(state, event, late)]
    handler: Callable[[PatientState, Any, CareConfig], Derived] = HANDLERS[type(event)]
    derived = handler(state, event, cfg)
    if isinstance(event, PatientIdentified):
        held, state.held = state.held, []
        # Fix: held events were replayed in arrival order, so a feed delivered newest-first
        # before identification paired a discharge with no admission (and then an admission
        # with no discharge), excluding the rest of the month. Replay them in the order they
        # happened (stable: ties keep arrival order), as an in-order feed would have applied them.
        for h in sorted(held, key=lambda e: e.occurred_at):
            state.applied.discard(h.store_key)
            derived += apply(state, h, cfg)
    return derived


def dated_month(state: PatientState, event: PatientEvent, cfg: CareConfig) -> str | None:
    """The service month a piece of documentation belongs to, or None if it is not month-bound."""
    if isinstance(event, TimeLogged):
        at = event.at if event.at is not None else event.start
        return month_of(at, cfg.timezone) if at is not None else None
    if isinstance(event, TimeEntryVoided) and event.entry_id in state.time_entries:
        return dated_month(state, state.time_entries[event.entry_id], cfg)
    if isinstance(event, ComplexityAssessed):
        return event.service_month
    if isinstance(event, ServiceBilledElsewhere):
        return month_of_date(event.on)
    return None


def _late(state: PatientState, event: PatientEvent, month: str) -> PatientEvent:
    # Domain §7: documentation for a billed month is kept and reported, never re-bills it.
    return LateEntryRecorded(
        event_id=decision_id(state.patient_id, "late", event.store_key),
        patient_id=state.patient_id,
        occurred_at=event.occurred_at,
        service_month=month,
        late_event_id=event.store_key,
        late_event_type=event.type,
    )


def _identified(s: PatientState, e: PatientIdentified, cfg: CareConfig) -> Derived:
    s.practice_id, s.practitioner_id = e.practice_id, e.practitioner_id
    s.diagnoses, s.qmb, s.last_visit_on = list(e.diagnoses), e.qmb, e.last_visit_on
    s.primary_care_responsible = e.primary_care_responsible
    return screen_patient(s, e, cfg)


def _outreach(s: PatientState, e: OutreachAttempted, cfg: CareConfig) -> Derived:
    s.outreach.append((e.occurred_at, e.outcome))
    if s.phase == "enrolling" and outreach_exhausted(s.outreach, e.occurred_at, cfg.policy):
        return move(s, "unreachable", e, f"{len(s.outreach)} outreach attempts without enrolment")
    return []


def _visit(s: PatientState, e: InitiatingVisitCompleted, cfg: CareConfig) -> Derived:
    s.visit = e
    return advance_enrollment(s, e)


def _consent(s: PatientState, e: ConsentRecorded, cfg: CareConfig) -> Derived:
    s.consent = e
    if s.revoked_at is not None and s.revoked_at <= e.occurred_at:
        s.revoked_at, s.ended_month = None, None
    s.first_month = s.first_month or month_of(e.occurred_at, cfg.timezone)
    return advance_enrollment(s, e)


def _declined(s: PatientState, e: ConsentDeclined, cfg: CareConfig) -> Derived:
    if s.phase in ("eligible", "enrolling", "unreachable"):
        return move(s, "declined", e, "patient declined the program")
    return []


def _care_plan(
    s: PatientState, e: CarePlanEstablished | CarePlanRevised, cfg: CareConfig
) -> Derived:
    s.care_plan = e
    s.care_plan_at = s.care_plan_at or e.occurred_at
    return advance_enrollment(s, e)


def _time(s: PatientState, e: TimeLogged, cfg: CareConfig) -> Derived:
    s.time_entries[e.entry_id] = e
    s.voided.discard(e.entry_id)  # fix: a corrected entry logged after its void counts again
    return []


def _voided(s: PatientState, e: TimeEntryVoided, cfg: CareConfig) -> Derived:
    s.voided.add(e.entry_id)
    return []


def _complexity(s: PatientState, e: ComplexityAssessed, cfg: CareConfig) -> Derived:
    s.complexity[e.service_month] = e.mdm
    return []


def _admitted(s: PatientState, e: PatientAdmitted, cfg: CareConfig) -> Derived:
    return _adt(s, e.occurred_at, "admitted")


def _discharged(s: PatientState, e: PatientDischarged, cfg: CareConfig) -> Derived:
    return _adt(s, e.occurred_at, "discharged")


def _adt(s: PatientState, at: datetime, kind: str) -> Derived:
    """Rebuilds the inpatient stays from every admission and discharge, in the order they
    happened. Fix: stays were paired in arrival order, so a discharge delivered before its
    admission was dropped and the stay never ended (every later minute excluded), and a second
    admission (hospital, then SNF) left the first stay open forever."""
    s.adt.append((at, kind))
    stays: list[Stay] = []
    for moment, what in sorted(s.adt):
        if what == "admitted" and (not stays or stays[-1].discharged_at is not None):
            stays.append(Stay(admitted_at=moment))
        elif what == "discharged" and stays and stays[-1].discharged_at is None:
            stays[-1].discharged_at = moment
    s.stays = stays
    return []


def _elsewhere(s: PatientState, e: ServiceBilledElsewhere, cfg: CareConfig) -> Derived:
    s.services.append(e)
    return []


def _revoked(s: PatientState, e: ConsentRevoked, cfg: CareConfig) -> Derived:
    s.revoked_at = e.occurred_at
    s.ended_month = month_of(e.occurred_at, cfg.timezone)
    return move(s, "ended", e, f"consent revoked; effective end of {s.ended_month}")


def _died(s: PatientState, e: PatientDied, cfg: CareConfig) -> Derived:
    s.died_on = e.died_on
    s.ended_month = month_of_date(e.died_on)
    return move(s, "ended", e, "patient died")


def _practitioner(s: PatientState, e: BillingPractitionerChanged, cfg: CareConfig) -> Derived:
    if e.transfer_out:
        s.ended_month = month_of(e.occurred_at, cfg.timezone)
        return move(s, "ended", e, "transferred to another billing practitioner")
    if s.program is None:
        # Fix: an ineligible patient was moved to "enrolling"; there is nothing to enrol them
        # in, so only the new practitioner is recorded.
        s.practitioner_id, s.practitioner_since = e.practitioner_id, e.occurred_at
        return []
    # A new billing practitioner needs new consent (MLN909188), sought by new outreach. Fix: the
    # old practitioner's outreach stayed in state, so its long-past window made the patient
    # "unreachable" at once, before anyone could ask them for the new consent.
    s.practitioner_id, s.consent, s.outreach = e.practitioner_id, None, []
    s.practitioner_since = e.occurred_at
    return move(s, "enrolling", e, "billing practitioner changed; new consent needed")


def _adjudicated(s: PatientState, e: ClaimAdjudicated, cfg: CareConfig) -> Derived:
    return []


HANDLERS: dict[type[PatientEvent], Callable[[PatientState, Any, CareConfig], Derived]] = {
    PatientIdentified: _identified,
    OutreachAttempted: _outreach,
    InitiatingVisitCompleted: _visit,
    ConsentRecorded: _consent,
    ConsentDeclined: _declined,
    CarePlanEstablished: _care_plan,
    CarePlanRevised: _care_plan,
    TimeLogged: _time,
    TimeEntryVoided: _voided,
    ComplexityAssessed: _complexity,
    PatientAdmitted: _admitted,
    PatientDischarged: _discharged,
    ServiceBilledElsewhere: _elsewhere,
    ConsentRevoked: _revoked,
    PatientDied: _died,
    BillingPractitionerChanged: _practitioner,
    ClaimAdjudicated: _adjudicated,
}
