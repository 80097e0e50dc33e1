"""The monthly worklist's inputs: who is active, and the facts their month's progress needs.

Progress is computed by the report with ``care.progress.month_progress`` (the same rule the
workflow's at-risk check uses), because it depends on "today" and the practice's time zone.
The projection keeps those facts as insert-only rows (``COPY``), so their order is the event
order; patient statements each write their own columns, and the practitioner change runs after
identification so a change in the same batch wins, as it does event by event.
"""

from __future__ import annotations

from typing import cast

from events.base import PatientEvent
from events.decisions import EligibilityScreened, PhaseChanged
from events.payloads import PayloadNeeds, union
from events.store import StoredEvent
from events.upstream import BillingPractitionerChanged, PatientIdentified, TimeLogged
from projections.audit_payload import WITHHELD
from projections.base import Copy, Projection, Sql, Writes

# Facts the month's countable minutes depend on (consent, visit, stays, revocation, death,
# practitioner change), the time entries themselves, and the engine's screening (the program)
# and at-risk flags: the report folds them with ``patient.evolve``. The care plan gates billing,
# not countable minutes, so its clinical text is not copied here.
FACT_TYPES = frozenset(
    {
        "patient_identified",
        "initiating_visit_completed",
        "consent_recorded",
        "time_logged",
        "time_entry_voided",
        "patient_admitted",
        "patient_discharged",
        "patient_admission_cancelled",
        "patient_discharge_cancelled",
        "consent_revoked",
        "patient_died",
        "billing_practitioner_changed",
        "month_at_risk_flagged",
        "eligibility_screened",
    }
)

IDENTIFIED = Sql("""
INSERT INTO worklist_patients (patient_id, practice_id, practitioner_id) VALUES ($1, $2, $3)
ON CONFLICT (patient_id) DO UPDATE SET practice_id = EXCLUDED.practice_id,
    practitioner_id = EXCLUDED.practitioner_id
""")
SCREENED = Sql("""
INSERT INTO worklist_patients (patient_id, program) VALUES ($1, $2)
ON CONFLICT (patient_id) DO UPDATE SET program = EXCLUDED.program
""")
PHASE = Sql("""
INSERT INTO worklist_patients (patient_id, phase, phase_since) VALUES ($1, $2, $3)
ON CONFLICT (patient_id) DO UPDATE SET phase = EXCLUDED.phase, phase_since = EXCLUDED.phase_since
""")
PRACTITIONER = Sql("""
INSERT INTO worklist_patients (patient_id, practitioner_id) VALUES ($1, $2)
ON CONFLICT (patient_id) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id
""")
FACT = Copy("worklist_facts", ("position", "patient_id", "type", "schema_version", "at", "data"))


class WorklistProjection(Projection):
    """Typed handlers for the patient row; every fact type is also kept as a ``FACT`` row."""

    def wants(self, event_type: str) -> bool:
        return event_type in FACT_TYPES or super().wants(event_type)

    def payload_needs(self) -> PayloadNeeds | None:
        return union([self.registered_payloads(), PayloadNeeds(FACT_TYPES)])

    def apply(self, writes: Writes, stored: StoredEvent) -> None:
        super().apply(writes, stored)
        if stored.type in FACT_TYPES:
            writes.add(FACT, *fact_row(stored))


def fact_row(stored: StoredEvent) -> tuple[int, str, str, int, object, str]:
    """``(position, patient_id, type, schema_version, at, data)``; demographics withheld."""
    event = cast(PatientEvent, stored.event)  # patient streams only reach this projection
    at = event.occurred_at
    if isinstance(event, TimeLogged):
        at = event.at or event.start or at
    data = event.model_dump_json(exclude=set(WITHHELD.get(stored.type, frozenset())))
    return (
        stored.position,
        event.patient_id,
        stored.type,
        event.schema_version,
        at,
        data,
    )


projection = WorklistProjection(
    "worklist",
    tables=("worklist_patients", "worklist_facts"),
    statements=(IDENTIFIED, SCREENED, PHASE, PRACTITIONER, FACT),
)


@projection.on(PatientIdentified)
def identified(w: Writes, s: StoredEvent, e: PatientIdentified) -> None:
    w.add(IDENTIFIED, e.patient_id, e.practice_id, e.practitioner_id)


@projection.on(EligibilityScreened)
def screened(w: Writes, s: StoredEvent, e: EligibilityScreened) -> None:
    w.add(SCREENED, e.patient_id, e.program)


@projection.on(PhaseChanged)
def phase_changed(w: Writes, s: StoredEvent, e: PhaseChanged) -> None:
    w.add(PHASE, e.patient_id, e.phase, e.occurred_at)


@projection.on(BillingPractitionerChanged)
def practitioner_changed(w: Writes, s: StoredEvent, e: BillingPractitionerChanged) -> None:
    w.add(PRACTITIONER, e.patient_id, e.practitioner_id)
