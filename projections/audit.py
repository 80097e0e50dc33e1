"""The audit trail: every event of every patient, in order, with who, what, source and times.

One row per event (``audit_events``), appended by ``COPY`` because the table is insert-only and
keyed by the event's position; the audit packet report is assembled from these rows.
"""

from __future__ import annotations

from typing import cast

from events.base import PatientEvent
from events.store import StoredEvent
from projections.audit_payload import payload_json, summary
from projections.base import Copy, Projection, Writes

PRACTICE_TYPES = frozenset({"policy_changed"})

AUDIT_ROW = Copy(
    "audit_events",
    (
        "position",
        "patient_id",
        "version",
        "event_id",
        "type",
        "schema_version",
        "source",
        "actor",
        "occurred_at",
        "recorded_at",
        "summary",
        "data",
    ),
)


class AuditProjection(Projection):
    """Handles every patient event type: the trail must be complete, so nothing is filtered.
    A practice's own events (its policy versions) are listed by ``ccm policy show``."""

    def wants(self, event_type: str) -> bool:
        return event_type not in PRACTICE_TYPES

    def apply(self, writes: Writes, stored: StoredEvent) -> None:
        event = cast(PatientEvent, stored.event)  # a patient's: practice events are not wanted
        writes.add(
            AUDIT_ROW,
            stored.position,
            event.patient_id,
            stored.version,
            event.event_id,
            stored.type,
            stored.schema_version,
            event.meta.source,
            event.meta.actor,
            event.occurred_at,
            stored.recorded_at,
            summary(event),
            payload_json(event),
        )


projection = AuditProjection("audit", tables=("audit_events",), statements=(AUDIT_ROW,))
