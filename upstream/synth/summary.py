"""``summarize``: what a feed contains, by event type, by source and by edge case.

Edge cases are read from the events themselves (not from the generator's design), so the summary
of any contract feed is meaningful. Each ``edge_cases`` key counts:

- late_entries: events delivered late (``meta.correlation_id == "late"``)
- overlapping_intervals: patients with two start/end entries that overlap
- voided_entries, non_clinical_entries, practitioner_entries, em_counted_entries: time entries
  voided, by non-clinical staff, by a practitioner, or already counted toward another service
- complex_months: ``complexity_assessed`` with moderate/high MDM
- admissions, revocations, deaths, conflicting_services: those event types
- unreachable: patients with 3+ outreach attempts and none reached
- declined, incomplete_consents: declines; consents missing a required disclosure
- initiating_visits, g0506_visits: initiating visits, and those with G0506
- claims_paid, claims_denied: remittances by status

``designed`` maps each designed case label (``case-<label>`` on a patient's identification) to
its patient id.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from events.upstream import (
    ClaimAdjudicated,
    ComplexityAssessed,
    ConsentRecorded,
    InitiatingVisitCompleted,
    OutreachAttempted,
    PatientIdentified,
    StaffRole,
    TimeLogged,
    UpstreamEvent,
)

CASE_PREFIX = "case-"


def _overlapping(entries: list[TimeLogged]) -> bool:
    spans = sorted((e.start, e.end) for e in entries if e.start is not None and e.end is not None)
    return any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))


def _unreachable(attempts: list[OutreachAttempted]) -> bool:
    return len(attempts) >= 3 and all(a.outcome != "reached" for a in attempts)


def _per_event(event: UpstreamEvent, edge: Counter[str]) -> None:
    """Counts the edge cases one event shows on its own."""
    if event.meta.correlation_id == "late":
        edge["late_entries"] += 1
    if isinstance(event, TimeLogged):
        edge["non_clinical_entries"] += event.role is StaffRole.non_clinical
        edge["practitioner_entries"] += event.role is StaffRole.practitioner
        edge["em_counted_entries"] += event.counted_toward is not None
    elif isinstance(event, ComplexityAssessed):
        edge["complex_months"] += event.mdm in ("moderate", "high")
    elif isinstance(event, ConsentRecorded):
        edge["incomplete_consents"] += not all(event.disclosures.model_dump().values())
    elif isinstance(event, InitiatingVisitCompleted):
        edge["initiating_visits"] += 1
        edge["g0506_visits"] += event.g0506
    elif isinstance(event, ClaimAdjudicated):
        edge[f"claims_{event.status}"] += 1


# Edge cases that are simply an event type.
_BY_TYPE = {
    "voided_entries": "time_entry_voided",
    "admissions": "patient_admitted",
    "revocations": "consent_revoked",
    "deaths": "patient_died",
    "conflicting_services": "service_billed_elsewhere",
    "declined": "consent_declined",
}


def _edge_cases(events: Sequence[UpstreamEvent], by_type: Counter[str]) -> dict[str, int]:
    edge: Counter[str] = Counter()
    entries: dict[str, list[TimeLogged]] = defaultdict(list)
    attempts: dict[str, list[OutreachAttempted]] = defaultdict(list)
    for event in events:
        _per_event(event, edge)
        if isinstance(event, TimeLogged):
            entries[event.patient_id].append(event)
        elif isinstance(event, OutreachAttempted):
            attempts[event.patient_id].append(event)
    edge["overlapping_intervals"] = sum(_overlapping(e) for e in entries.values())
    edge["unreachable"] = sum(_unreachable(a) for a in attempts.values())
    for name, kind in _BY_TYPE.items():
        edge[name] = by_type[kind]
    return dict(sorted(edge.items()))


def _designed(events: Sequence[UpstreamEvent]) -> dict[str, str]:
    """Case label -> patient id, in patient order."""
    found = {
        e.meta.correlation_id.removeprefix(CASE_PREFIX): e.patient_id
        for e in events
        if isinstance(e, PatientIdentified) and e.meta.correlation_id
    }
    return dict(sorted(found.items(), key=lambda item: item[1]))


def summarize(events: Sequence[UpstreamEvent]) -> dict[str, Any]:
    """JSON-ready counts: patients, events, first/last, by_type, by_source, edge_cases, designed."""
    by_type: Counter[str] = Counter(event.type for event in events)
    times: list[datetime] = [event.occurred_at for event in events]
    return {
        "patients": len({event.patient_id for event in events}),
        "events": len(events),
        "first": min(times).isoformat() if times else None,
        "last": max(times).isoformat() if times else None,
        "by_type": dict(sorted(by_type.items())),
        "by_source": dict(sorted(Counter(event.meta.source for event in events).items())),
        "edge_cases": _edge_cases(events, by_type),
        "designed": _designed(events),
    }
