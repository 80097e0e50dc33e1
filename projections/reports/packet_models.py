"""The audit packet of one billed patient-month: each answer an auditor asks for (domain §8).

Every section names the event positions it rests on, so each answer can be traced to the
hash-chained record; ``integrity`` says whether that record verifies as unaltered.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from care.decision import ClaimLine

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Eligibility(BaseModel):
    model_config = _FROZEN
    program: str | None
    conditions: list[str]
    diagnoses: list[str]
    reasons: list[str]
    screened_at: datetime
    position: int


class InitiatingVisit(BaseModel):
    model_config = _FROZEN
    required: bool | None  # None when consent (the reference date) is not on record
    code: str | None
    on: date | None
    g0506: bool
    position: int | None


class Consent(BaseModel):
    model_config = _FROZEN
    at: datetime
    method: str
    obtained_by: str
    disclosures: dict[str, bool]
    missing_disclosures: list[str]
    position: int


class CarePlan(BaseModel):
    model_config = _FROZEN
    care_plan_id: str
    established_at: datetime
    last_revised_at: datetime | None
    shared_with_patient_at: datetime | None
    in_force_by_month_end: bool
    positions: list[int]


class TimeEntryLine(BaseModel):
    """A documented entry: counted, or excluded with each rule that removed (part of) it."""

    model_config = _FROZEN
    entry_id: str
    staff_id: str
    role: str
    credential: str | None
    activity: str
    minutes: int | None
    at: datetime | None
    start: datetime | None
    end: datetime | None
    counted_toward: str | None
    excluded_reasons: list[str]
    position: int


class Decision(BaseModel):
    model_config = _FROZEN
    track: str | None
    codes: list[ClaimLine]
    counted_minutes: int
    minutes_by_role: dict[str, int]
    date_of_service: date | None
    allowed_amount: Decimal | None
    patient_share: Decimal | None
    expected_payment: Decimal | None
    unpriced: list[str]
    reasons: list[str]
    policy_version: int  # the practice's policy version the month was decided with
    fee_schedule: str  # which fee schedule priced it (national, or a practice import)
    closed_at: datetime
    position: int


class OtherService(BaseModel):
    model_config = _FROZEN
    code: str
    on: date
    billed_by: str
    position: int


class ClaimStep(BaseModel):
    """One step of the claim's life: prepared, submitted, approved/rejected, paid or denied."""

    model_config = _FROZEN
    step: str
    at: datetime
    by: str  # actor, else the source system ("engine": decided by the rules, no person)
    detail: str
    position: int


class Integrity(BaseModel):
    model_config = _FROZEN
    stream: str
    events_checked: int
    unaltered: bool
    first_problem: str | None


class AuditPacket(BaseModel):
    """Everything §8 asks for one billed month; empty lists mean "none on record"."""

    model_config = _FROZEN
    patient_id: str
    service_month: str
    eligibility: Eligibility | None
    initiating_visit: InitiatingVisit
    consent: Consent | None
    care_plan: CarePlan | None
    counted_entries: list[TimeEntryLine]
    excluded_entries: list[TimeEntryLine]
    decision: Decision | None
    services_billed_elsewhere: list[OtherService]
    claim_id: str | None
    claim: list[ClaimStep]
    late_entries: list[str]
    integrity: Integrity | None
