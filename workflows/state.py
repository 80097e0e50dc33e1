"""A patient's state as a fold over their events: deterministic, so the workflow may run it.

``apply`` changes state and returns the decision events the engine records alongside the fact
(screening, phase changes, late entries). The phase rules themselves live in ``workflows.phases``;
the care rules they consult live in ``care``.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from care.eligibility import Program
from events.base import PatientEvent
from events.decisions import Phase
from events.upstream import (
    CarePlanEstablished,
    CarePlanRevised,
    ConsentRecorded,
    InitiatingVisitCompleted,
    ServiceBilledElsewhere,
    TimeLogged,
    UpstreamEvent,
)


class Stay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    admitted_at: datetime
    discharged_at: datetime | None = None


class ClosedMonth(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    track: str | None
    claim_id: str | None
    counted_minutes: int


class PatientState(BaseModel):
    """Everything the workflow needs to decide; no demographics are kept here."""

    model_config = ConfigDict(extra="forbid")

    patient_id: str
    stream_version: int = 0
    applied: set[str] = Field(default_factory=set)
    phase: Phase | None = None
    phase_since: datetime | None = None
    practice_id: str | None = None
    practitioner_id: str | None = None
    program: Program | None = None
    diagnoses: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    qmb: bool = False
    primary_care_responsible: bool = False
    last_visit_on: date | None = None
    outreach: list[tuple[datetime, str]] = Field(default_factory=list)
    visit: InitiatingVisitCompleted | None = None
    # Billing practitioners who already billed G0506 for this patient (once each, MLN909188).
    g0506_billed_by: list[str] = Field(default_factory=list)
    # When the current billing practitioner took over; facts before it were another's.
    practitioner_since: datetime | None = None
    consent: ConsentRecorded | None = None
    care_plan: CarePlanEstablished | CarePlanRevised | None = None
    care_plan_at: datetime | None = None
    time_entries: dict[str, TimeLogged] = Field(default_factory=dict)
    voided: set[str] = Field(default_factory=set)
    complexity: dict[str, str] = Field(default_factory=dict)
    stays: list[Stay] = Field(default_factory=list)
    # Every admission and discharge as (occurred_at, "admitted" | "discharged"): ``stays`` is
    # rebuilt from them in time order, so ADT messages may arrive in any order (fold._adt).
    adt: list[tuple[datetime, str]] = Field(default_factory=list)
    services: list[ServiceBilledElsewhere] = Field(default_factory=list)
    revoked_at: datetime | None = None
    died_on: date | None = None
    ended_month: str | None = None
    first_month: str | None = None
    closed: dict[str, ClosedMonth] = Field(default_factory=dict)
    at_risk: dict[str, bool] = Field(default_factory=dict)
    held: list[UpstreamEvent] = Field(default_factory=list)

    @property
    def identified(self) -> bool:
        return self.phase is not None

    @property
    def enrolled(self) -> bool:
        return self.phase in ("enrolled", "active")

    def is_duplicate(self, event: PatientEvent) -> bool:
        return event.store_key in self.applied

    def last_billed_month(self) -> str | None:
        billed = [m for m, c in self.closed.items() if c.claim_id]
        return max(billed) if billed else None
