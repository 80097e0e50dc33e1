"""The enrollment funnel: every phase each patient entered, in order.

Insert-only (``COPY``): identification opens the funnel at ``identified``; each ``PhaseChanged``
adds the phase entered. Counts, conversion and time in phase are computed by the report.
"""

from __future__ import annotations

from events.decisions import PhaseChanged
from events.store import StoredEvent
from events.upstream import PatientIdentified
from projections.base import Copy, Projection, Writes

TRANSITION = Copy(
    "funnel_transitions",
    ("position", "patient_id", "previous", "phase", "reason", "occurred_at"),
)

projection = Projection("funnel", tables=("funnel_transitions",), statements=(TRANSITION,))


@projection.on(PatientIdentified)
def identified(w: Writes, s: StoredEvent, e: PatientIdentified) -> None:
    w.add(TRANSITION, s.position, e.patient_id, None, "identified", "identified", e.occurred_at)


@projection.on(PhaseChanged)
def phase_changed(w: Writes, s: StoredEvent, e: PhaseChanged) -> None:
    w.add(TRANSITION, s.position, e.patient_id, e.previous, e.phase, e.reason, e.occurred_at)
