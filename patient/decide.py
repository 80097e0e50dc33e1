"""``decide(state, command, policies) -> events``: what the patient's history says must be recorded.

Never mutates: the events come back, the host appends them, then evolves. Raises ``Refused``
(naming the field) for a fact that must not be recorded. The rules it consults are in ``care``;
the phases in ``patient.enrollment``; what the calendar makes due in ``patient.due``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from care.fees import NATIONAL, FeeSchedule
from care.months import month_of
from events.base import PatientEvent
from events.decisions import ClaimSubmitted, LateEntryRecorded, decision_id
from events.upstream import PatientIdentified, UpstreamEvent
from patient import due
from patient.commands import Command, HandedOver, Record, Reopen, Tick
from patient.draft import Draft
from patient.enrollment import CONSEQUENCES
from patient.policies import PolicyHistory
from patient.reopen import reopen
from patient.state import Patient, dated_month
from patient.validate import check_held, check_recorded


def decide(
    state: Patient,
    command: Command,
    policies: PolicyHistory,
    checked: frozenset[str] = frozenset(),
) -> list[PatientEvent]:
    """The events ``command`` makes the patient's history record, in order.

    ``checked``: months whose at-risk check the host already made (a tick skips them).
    """
    draft = Draft(state)
    match command:
        case Record(event=event):
            _record(draft, event, policies)
        case Tick(clock=clock, fees=fees):
            _tick(draft, clock, fees, policies, checked)
        case Reopen():
            reopen(draft, command, policies)
        case HandedOver(claim=claim, ref=ref):
            draft.add(
                ClaimSubmitted(
                    event_id=decision_id(state.patient_id, "claim-submitted", claim.service_month),
                    patient_id=state.patient_id,
                    occurred_at=claim.occurred_at,
                    claim_id=claim.claim_id,
                    service_month=claim.service_month,
                    submission_ref=ref,
                )
            )
    return draft.events


def _record(draft: Draft, event: UpstreamEvent, policies: PolicyHistory) -> None:
    state = draft.state
    if not state.identified and not isinstance(event, PatientIdentified):
        check_held(state, event)
        draft.add(event)  # held, stored, applied on identification
        return
    month = dated_month(state, event)
    if month is not None and state.is_closed(month):
        # Domain §7: documentation for a closed month is kept and reported, never re-bills it.
        draft.add(event, _late(state, event, month))
        return
    check_recorded(state, event)
    held = state.held if isinstance(event, PatientIdentified) else ()
    draft.add(event)
    policy = policies.for_month(month_of(event.occurred_at, state.timezone))
    for fact in (event, *sorted(held, key=lambda h: h.occurred_at)):
        consequence = CONSEQUENCES.get(type(fact))
        if consequence is not None:
            consequence(draft, fact, policy)


def _late(state: Patient, event: UpstreamEvent, month: str) -> LateEntryRecorded:
    return LateEntryRecorded(
        event_id=decision_id(state.patient_id, "late", event.store_key),
        patient_id=state.patient_id,
        occurred_at=event.occurred_at,
        service_month=month,
        late_event_id=event.store_key,
        late_event_type=event.type,
    )


def _tick(
    draft: Draft,
    clock: datetime,
    fees: Mapping[str, FeeSchedule],
    policies: PolicyHistory,
    checked: frozenset[str],
) -> None:
    """Calendar actions due at ``clock``; a month without a fee schedule given is priced with
    the national one."""
    due.window_expired(draft, clock, policies)
    due.at_risk_check(draft, clock, policies, checked)
    for month in due.months_due(draft.state, clock, policies):
        due.close(draft, month, policies, fees.get(month, NATIONAL))
