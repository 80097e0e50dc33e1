"""What the audit trail keeps of an event: a one-line summary and a payload without PHI.

The event store keeps the full record; the read model keeps identifiers, codes, times and counts.
Demographics never leave the store, and free-text clinical content (care-plan problems and goals,
a decline's reason) is replaced by counts, so a report can be shared without exposing it.
"""

from __future__ import annotations

import json
from typing import Any

from events.base import PatientEvent
from events.decisions import (
    ClaimPrepared,
    EligibilityScreened,
    MonthClosed,
    PhaseChanged,
)
from events.upstream import (
    CarePlanEstablished,
    CarePlanRevised,
    ClaimAdjudicated,
    ConsentRecorded,
    TimeLogged,
)

# Envelope fields are columns of audit_events; the rest is the payload.
ENVELOPE = frozenset({"type", "schema_version", "event_id", "patient_id", "occurred_at", "meta"})
# Per type: fields that must not reach a read model (PHI or free clinical text).
WITHHELD: dict[str, frozenset[str]] = {
    "patient_identified": frozenset({"demographics"}),
    "care_plan_established": frozenset({"problems", "goals"}),
    "care_plan_revised": frozenset({"problems", "goals"}),
    "consent_declined": frozenset({"reason"}),
}


def _exclude(event_type: str) -> set[str]:
    return set(ENVELOPE | WITHHELD.get(event_type, frozenset()))


def payload(event: PatientEvent) -> dict[str, Any]:
    """The event's own fields as JSON-ready values, minus the envelope and withheld fields."""
    data: dict[str, Any] = event.model_dump(mode="json", exclude=_exclude(event.type))
    if isinstance(event, CarePlanEstablished | CarePlanRevised):
        data["problem_count"] = len(event.problems)
        data["goal_count"] = len(event.goals)
    return data


def payload_json(event: PatientEvent) -> str:
    """``payload`` as compact JSON text; serialised in one pass by pydantic where it can be."""
    if isinstance(event, CarePlanEstablished | CarePlanRevised):
        return json.dumps(payload(event), separators=(",", ":"))
    return event.model_dump_json(exclude=_exclude(event.type))


def summary(event: PatientEvent) -> str:
    """A short line a person reads in the trail; identifiers and codes only."""
    if isinstance(event, TimeLogged):
        amount = f"{event.minutes} min" if event.minutes is not None else "interval"
        return f"time {event.entry_id}: {amount} by {event.staff_id} ({event.role.value})"
    if isinstance(event, ConsentRecorded):
        return f"consent ({event.method}) obtained by {event.obtained_by}"
    if isinstance(event, EligibilityScreened):
        program = event.program or "ineligible"
        return f"screened: {program}, {len(event.conditions)} condition(s)"
    if isinstance(event, PhaseChanged):
        return f"phase {event.previous} -> {event.phase}: {event.reason}"
    if isinstance(event, MonthClosed):
        codes = " + ".join(f"{c.code}x{c.units}" for c in event.decision.codes) or "nothing"
        return f"month {event.service_month} closed: bills {codes}"
    if isinstance(event, ClaimPrepared):
        return f"claim {event.claim_id} prepared for {event.service_month}"
    if isinstance(event, ClaimAdjudicated):
        return f"claim {event.claim_id} {event.status} {event.paid_amount}"
    return event.type.replace("_", " ")
