"""The patient as the decider sees them: one frozen value, the fold of their stream (``evolve``).

No demographics are kept. Only what decisions need is kept: open months in full, closed months
as labels (with their claim ids and entry ids, for late documentation and remittances), and
``prune`` drops what falls outside the documentation window so a snapshot stays small forever.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from care.facts import InpatientStay, Program, TimeEntry
from care.months import month_of, month_of_date
from events.decisions import Phase
from events.upstream import (
    ComplexityAssessed,
    Disclosures,
    ServiceBilledElsewhere,
    TimeEntryVoided,
    TimeLogged,
    UpstreamEvent,
)

_FROZEN = ConfigDict(frozen=True, extra="forbid")
# ``Patient.adt`` marks: the admission / discharge at the same moment was entered in error.
_CANCELS = {"admission_cancelled": "admitted", "discharge_cancelled": "discharged"}


class Visit(BaseModel):
    model_config = _FROZEN
    on: date
    code: str
    g0506: bool
    at: datetime  # when it was reported: a practitioner taking over later did not do it
    key: str  # the store key of the event that recorded it


class Consent(BaseModel):
    model_config = _FROZEN
    at: datetime
    method: str
    obtained_by: str
    disclosures: Disclosures
    key: str  # the store key of the event that recorded it


class CarePlan(BaseModel):
    model_config = _FROZEN
    care_plan_id: str
    in_force_at: datetime  # the first establishment: a revision keeps the plan in force
    revised_at: datetime | None = None
    shared_with_patient_at: datetime | None = None
    keys: tuple[str, ...] = ()  # store keys of the establishment and every revision


class Service(BaseModel):
    """Another service billed for the patient (G0181, ESRD, CCM by someone else)."""

    model_config = _FROZEN
    code: str
    on: date
    billed_by: str


class ClosedMonth(BaseModel):
    model_config = _FROZEN
    track: str | None
    claim_id: str | None
    counted_minutes: int
    corrected: bool = False  # closed again by a corrective close: never reopened twice


class Patient(BaseModel):
    """Everything the decider needs about one patient; ``version`` is the stream version folded."""

    model_config = _FROZEN

    patient_id: str
    timezone: str
    version: int = 0
    phase: Phase | None = None
    phase_since: datetime | None = None
    practice_id: str | None = None
    practitioner_id: str | None = None
    practitioner_since: datetime | None = None
    diagnoses: tuple[str, ...] = ()
    program: Program | None = None
    conditions: tuple[str, ...] = ()
    qmb: bool = False
    primary_care_responsible: bool = False
    last_visit_on: date | None = None
    outreach: tuple[tuple[datetime, str], ...] = ()
    visit: Visit | None = None
    g0506_billed_by: tuple[str, ...] = ()
    consent: Consent | None = None
    care_plan: CarePlan | None = None
    entries: dict[str, dict[str, TimeEntry]] = Field(default_factory=dict)  # month -> id -> entry
    entry_keys: dict[str, str] = Field(default_factory=dict)  # live entry id -> its store key
    closed_entries: dict[str, str] = Field(default_factory=dict)  # entry id -> its closed month
    complexity: dict[str, str] = Field(default_factory=dict)  # open month -> MDM
    adt: tuple[tuple[datetime, str], ...] = ()  # admissions, discharges, cancellations
    services: tuple[Service, ...] = ()
    revoked_at: datetime | None = None
    died_on: date | None = None
    ended_month: str | None = None
    first_month: str | None = None
    closed: dict[str, ClosedMonth] = Field(default_factory=dict)
    closed_through: str | None = None  # every month up to this one closed and was pruned
    at_risk: frozenset[str] = frozenset()  # months flagged short on their check day
    held: tuple[UpstreamEvent, ...] = ()  # stored before identification, applied on it

    @property
    def identified(self) -> bool:
        return self.practice_id is not None

    def is_closed(self, month: str) -> bool:
        return month in self.closed or (
            self.closed_through is not None and month <= self.closed_through
        )

    def entry_month(self, entry_id: str) -> str | None:
        """The month of a known entry: open (in ``entries``) or closed."""
        for month, entries in self.entries.items():
            if entry_id in entries:
                return month
        return self.closed_entries.get(entry_id)

    def live_entry(self, entry_id: str) -> TimeEntry | None:
        month = self.entry_month(entry_id)
        return self.entries.get(month, {}).get(entry_id) if month else None

    def stays(self) -> list[InpatientStay]:
        """Inpatient stays from every admission and discharge in the order they happened, so ADT
        messages may arrive in any order and a hospital-then-SNF transfer is two stays. A
        cancelled admission or discharge (A11 / A13) is left out, whichever arrived first."""
        cancelled = {(moment, _CANCELS[what]) for moment, what in self.adt if what in _CANCELS}
        stays: list[InpatientStay] = []
        for moment, what in sorted(self.adt):
            if what in _CANCELS or (moment, what) in cancelled:
                continue
            if what == "admitted" and (not stays or stays[-1].discharged_at is not None):
                stays.append(InpatientStay(admitted_at=moment))
            elif what == "discharged" and stays and stays[-1].discharged_at is None:
                stays[-1] = InpatientStay(admitted_at=stays[-1].admitted_at, discharged_at=moment)
        return stays

    def last_billed_month(self) -> str | None:
        billed = [m for m, c in self.closed.items() if c.claim_id]
        return max(billed) if billed else None

    def month_of(self, at: datetime) -> str:
        return month_of(at, self.timezone)


def dated_month(state: Patient, event: UpstreamEvent) -> str | None:
    """The service month a piece of documentation belongs to, or None if it is not month-bound."""
    if isinstance(event, TimeLogged):
        at = event.at if event.at is not None else event.start
        return state.month_of(at) if at is not None else None
    if isinstance(event, TimeEntryVoided):
        return state.entry_month(event.entry_id)
    if isinstance(event, ComplexityAssessed):
        return event.service_month
    if isinstance(event, ServiceBilledElsewhere):
        return month_of_date(event.on)
    return None
