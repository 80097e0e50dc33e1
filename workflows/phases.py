"""Phase transitions: identify → eligible → enrolling → enrolled → active → ended (domain §1).

The gates consulted here are care rules (``care.eligibility``, ``care.gates``); this module only
moves the patient between phases and names the decision events that record each move.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from care.eligibility import screen
from care.gates import initiating_visit_required, outreach_exhausted
from events.base import PatientEvent
from events.decisions import EligibilityScreened, Phase, PhaseChanged, decision_id
from events.upstream import PatientIdentified
from workflows.config import CareConfig
from workflows.state import PatientState

# Phases from which a fresh consent (with its gates) enrolls the patient.
ENROLLABLE: frozenset[Phase] = frozenset(
    {"eligible", "enrolling", "unreachable", "declined", "ended"}
)


def move(state: PatientState, to: Phase, cause: PatientEvent, reason: str) -> list[PatientEvent]:
    """Moves the patient to ``to``; returns its ``PhaseChanged`` (none if already there)."""
    previous = state.phase or "identified"
    if previous == to:
        return []
    state.phase = to
    state.phase_since = cause.occurred_at
    return [
        PhaseChanged(
            event_id=decision_id(state.patient_id, "phase", to, cause.store_key),
            patient_id=state.patient_id,
            occurred_at=cause.occurred_at,
            previous=previous,
            phase=to,
            reason=reason,
        )
    ]


def screen_patient(
    state: PatientState, e: PatientIdentified, cfg: CareConfig
) -> list[PatientEvent]:
    """Screens eligibility from the diagnoses (a heuristic a clinician confirms; domain §2)."""
    result = screen(
        e.diagnoses, primary_care_responsible=e.primary_care_responsible, policy=cfg.policy
    )
    state.program = result.program
    state.conditions = list(result.conditions)
    out: list[PatientEvent] = [
        EligibilityScreened(
            event_id=decision_id(state.patient_id, "screened", e.store_key),
            patient_id=state.patient_id,
            occurred_at=e.occurred_at,
            program=result.program,
            conditions=list(result.conditions),
            reasons=list(result.reasons),
        )
    ]
    if state.phase in (None, "ineligible", "eligible"):
        if result.program is None:
            return out + move(state, "ineligible", e, "; ".join(result.reasons))
        out += move(state, "eligible", e, f"screened eligible for {result.program}")
        out += move(state, "enrolling", e, "outreach to educate and enroll")
    return out


def gates_met(state: PatientState) -> bool:
    """Consent, and the initiating visit when one is required (domain §3.1–3.2)."""
    if state.consent is None or state.program is None:
        return False
    consent_on = state.consent.occurred_at.date()
    if not initiating_visit_required(state.last_visit_on, consent_on, state.program):
        return True
    # The visit may follow consent (consent is often taken at that visit); minutes before the
    # visit still never count, which care.month enforces per entry.
    return state.visit is not None


def advance_enrollment(state: PatientState, cause: PatientEvent) -> list[PatientEvent]:
    """Moves an enrolling patient forward as gates are met; ``active`` needs a care plan too."""
    out: list[PatientEvent] = []
    if state.phase in ENROLLABLE and state.consent is not None and gates_met(state):
        out += move(state, "enrolled", cause, "consent and initiating visit on record")
    if state.phase == "enrolled" and state.care_plan is not None:
        out += move(state, "active", cause, "care plan established; monthly care begins")
    return out


def window_expired(state: PatientState, cfg: CareConfig, clock: datetime) -> list[PatientEvent]:
    """An enrolling patient whose outreach window ran out without consent is unreachable.

    The move is dated when the window ended (first attempt + window), however late it is seen.
    """
    if state.phase != "enrolling" or not outreach_exhausted(state.outreach, clock, cfg.policy):
        return []
    first = min(at for at, _ in state.outreach)
    ended = min(clock, first + timedelta(days=cfg.policy.outreach_window_days))
    previous, state.phase, state.phase_since = state.phase, "unreachable", ended
    # Keyed on the window's first attempt: a second window (a new practitioner's outreach) that
    # runs out with as many attempts is a different decision and needs an id of its own.
    return [
        PhaseChanged(
            event_id=decision_id(
                state.patient_id,
                "phase",
                "unreachable",
                "window",
                first.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ"),
            ),
            patient_id=state.patient_id,
            occurred_at=ended,
            previous=previous,
            phase="unreachable",
            reason=f"outreach window of {cfg.policy.outreach_window_days} days ran out",
        )
    ]
