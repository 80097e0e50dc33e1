"""What a fact causes in steps 1-2 (domain §1-§3): screening and the phase it moves the patient to.

identify -> eligible / ineligible -> enrolling -> enrolled -> active -> ended. The gates consulted
are care rules (``care.eligibility``, ``care.gates``); this module only names the decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from care.eligibility import screen
from care.gates import initiating_visit_required, outreach_exhausted
from care.policy import Policy
from events.base import PatientEvent
from events.decisions import EligibilityScreened, Phase, PhaseChanged, decision_id
from events.upstream import (
    BillingPractitionerChanged,
    CarePlanEstablished,
    CarePlanRevised,
    ConsentDeclined,
    ConsentRecorded,
    ConsentRevoked,
    InitiatingVisitCompleted,
    OutreachAttempted,
    PatientDied,
    PatientIdentified,
)
from patient.draft import Draft
from patient.state import Patient

# Phases from which a fresh consent (with its gates) enrolls the patient.
ENROLLABLE: frozenset[Phase] = frozenset(
    {"eligible", "enrolling", "unreachable", "declined", "ended"}
)
Consequence = Callable[[Draft, Any, Policy], None]


def move(draft: Draft, to: Phase, cause: PatientEvent, reason: str) -> None:
    """Adds the ``PhaseChanged`` to ``to`` (nothing if the patient is already there)."""
    previous = draft.state.phase or "identified"
    if previous == to:
        return
    draft.add(
        PhaseChanged(
            event_id=decision_id(draft.state.patient_id, "phase", to, cause.store_key),
            patient_id=draft.state.patient_id,
            occurred_at=cause.occurred_at,
            previous=previous,
            phase=to,
            reason=reason,
        )
    )


def _identified(draft: Draft, e: PatientIdentified, policy: Policy) -> None:
    """Screens eligibility from the diagnoses (a heuristic a clinician confirms; domain §2)."""
    result = screen(e.diagnoses, primary_care_responsible=e.primary_care_responsible, policy=policy)
    before = draft.state.phase
    draft.add(
        EligibilityScreened(
            event_id=decision_id(draft.state.patient_id, "screened", e.store_key),
            patient_id=draft.state.patient_id,
            occurred_at=e.occurred_at,
            program=result.program,
            conditions=list(result.conditions),
            reasons=list(result.reasons),
        )
    )
    if before not in (None, "ineligible", "eligible"):
        return
    if result.program is None:
        move(draft, "ineligible", e, "; ".join(result.reasons))
        return
    move(draft, "eligible", e, f"screened eligible for {result.program}")
    move(draft, "enrolling", e, "outreach to educate and enroll")


def gates_met(state: Patient) -> bool:
    """Consent, and the initiating visit when one is required (domain §3.1-3.2)."""
    if state.consent is None or state.program is None:
        return False
    consent_on = state.consent.at.date()
    if not initiating_visit_required(state.last_visit_on, consent_on, state.program):
        return True
    # The visit may follow consent (consent is often taken at that visit); minutes before the
    # visit still never count, which care.month enforces per entry.
    return state.visit is not None


def advance(draft: Draft, cause: PatientEvent, policy: Policy | None = None) -> None:
    """Moves an enrolling patient forward as gates are met; ``active`` needs a care plan too."""
    state = draft.state
    if state.phase in ENROLLABLE and state.consent is not None and gates_met(state):
        move(draft, "enrolled", cause, "consent and initiating visit on record")
    if draft.state.phase == "enrolled" and draft.state.care_plan is not None:
        move(draft, "active", cause, "care plan established; monthly care begins")


def _outreach(draft: Draft, e: OutreachAttempted, policy: Policy) -> None:
    s = draft.state
    if s.phase == "enrolling" and outreach_exhausted(list(s.outreach), e.occurred_at, policy):
        move(draft, "unreachable", e, f"{len(s.outreach)} outreach attempts without enrolment")


def _declined(draft: Draft, e: ConsentDeclined, policy: Policy) -> None:
    if draft.state.phase in ("eligible", "enrolling", "unreachable"):
        move(draft, "declined", e, "patient declined the program")


def _revoked(draft: Draft, e: ConsentRevoked, policy: Policy) -> None:
    move(draft, "ended", e, f"consent revoked; effective end of {draft.state.ended_month}")


def _died(draft: Draft, e: PatientDied, policy: Policy) -> None:
    move(draft, "ended", e, "patient died")


def _practitioner(draft: Draft, e: BillingPractitionerChanged, policy: Policy) -> None:
    if e.transfer_out:
        move(draft, "ended", e, "transferred to another billing practitioner")
    elif draft.state.program is not None:
        move(draft, "enrolling", e, "billing practitioner changed; new consent needed")


CONSEQUENCES: dict[type[PatientEvent], Consequence] = {
    PatientIdentified: _identified,
    OutreachAttempted: _outreach,
    InitiatingVisitCompleted: advance,
    ConsentRecorded: advance,
    CarePlanEstablished: advance,
    CarePlanRevised: advance,
    ConsentDeclined: _declined,
    ConsentRevoked: _revoked,
    PatientDied: _died,
    BillingPractitionerChanged: _practitioner,
}
