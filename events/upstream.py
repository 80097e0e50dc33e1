"""The upstream contract: facts that the EHR, scheduling, time trackers and the clearinghouse send.

Each model is both the message an upstream system sends and the event stored in the patient's
stream (past-tense names, frozen, versioned). Fields are flat so a JSONL line reads naturally.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from care.facts import check_minutes_or_interval
from events.base import OpaqueId, PatientEvent

# ICD-10-CM syntax: a letter, a digit, an alphanumeric, then an optional dot and up to four more.
# Validity of the category is the care rules' business; syntax is checked at the edge.
Icd10Code = Annotated[str, Field(pattern=r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")]
ServiceMonth = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
ProcedureCode = Annotated[str, Field(pattern=r"^([0-9]{5}|[A-Z][0-9]{4})$")]


class StaffRole(StrEnum):
    clinical_staff = "clinical_staff"
    practitioner = "practitioner"
    non_clinical = "non_clinical"


class OtherService(StrEnum):
    """Services whose time may never also count toward CCM (MLN909188)."""

    em = "em"
    tcm = "tcm"
    rpm = "rpm"
    bhi = "bhi"


class Demographics(BaseModel):
    """PHI: kept in the event store only, never in ids, search attributes or logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str | None = None
    birth_date: date | None = None
    mbi: str | None = None


class PatientIdentified(PatientEvent):
    """The EHR put a patient forward for screening, with their diagnoses."""

    type: Literal["patient_identified"] = "patient_identified"
    schema_version: Literal[1] = 1
    practice_id: OpaqueId
    practitioner_id: OpaqueId
    diagnoses: list[Icd10Code]
    last_visit_on: date | None = None
    qmb: bool = False
    primary_care_responsible: bool = False
    demographics: Demographics | None = None


class OutreachAttempted(PatientEvent):
    """Someone tried to reach the patient to explain and offer the program."""

    type: Literal["outreach_attempted"] = "outreach_attempted"
    schema_version: Literal[1] = 1
    channel: Literal["phone", "mail", "portal", "sms", "in_person"]
    outcome: Literal["reached", "no_answer", "left_message", "wrong_number"]
    staff_id: OpaqueId


class InitiatingVisitCompleted(PatientEvent):
    """A face-to-face visit with the billing practitioner where CCM was discussed."""

    type: Literal["initiating_visit_completed"] = "initiating_visit_completed"
    schema_version: Literal[1] = 1
    code: ProcedureCode
    on: date
    g0506: bool = False


class Disclosures(BaseModel):
    """The four things the patient must have been told before consenting (MLN909188)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    availability: bool
    cost_sharing: bool
    stop_anytime: bool
    one_practitioner: bool


class ConsentRecorded(PatientEvent):
    """The patient consented; ``occurred_at`` is the moment of consent."""

    type: Literal["consent_recorded"] = "consent_recorded"
    schema_version: Literal[1] = 1
    method: Literal["verbal", "written"]
    obtained_by: OpaqueId
    disclosures: Disclosures


class ConsentDeclined(PatientEvent):
    """The patient said no to the program."""

    type: Literal["consent_declined"] = "consent_declined"
    schema_version: Literal[1] = 1
    reason: str | None = Field(default=None, max_length=200)


class CarePlanEstablished(PatientEvent):
    """A comprehensive electronic care plan is in force from ``occurred_at``."""

    type: Literal["care_plan_established"] = "care_plan_established"
    schema_version: Literal[1] = 1
    care_plan_id: OpaqueId
    problems: list[str] = Field(min_length=1)
    goals: list[str] = Field(min_length=1)
    shared_with_patient_at: AwareDatetime | None = None


class CarePlanRevised(PatientEvent):
    """The care plan was reviewed and changed."""

    type: Literal["care_plan_revised"] = "care_plan_revised"
    schema_version: Literal[1] = 1
    care_plan_id: OpaqueId
    problems: list[str] = Field(min_length=1)
    goals: list[str] = Field(min_length=1)
    shared_with_patient_at: AwareDatetime | None = None


class TimeLogged(PatientEvent):
    """Care-management time documented: ``minutes`` at ``at``, or ``start``-``end``."""

    type: Literal["time_logged"] = "time_logged"
    schema_version: Literal[1] = 1
    entry_id: OpaqueId
    staff_id: OpaqueId
    role: StaffRole
    credential: str | None = Field(default=None, max_length=16)
    activity: str = Field(default="care_management", max_length=64)
    minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    at: AwareDatetime | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    counted_toward: OtherService | None = None

    @model_validator(mode="after")
    def _minutes_or_interval(self) -> Self:
        check_minutes_or_interval(self.minutes, self.at, self.start, self.end)
        return self


class TimeEntryVoided(PatientEvent):
    """A time entry was entered in error; it no longer counts."""

    type: Literal["time_entry_voided"] = "time_entry_voided"
    schema_version: Literal[1] = 1
    entry_id: OpaqueId
    reason: str = Field(min_length=1, max_length=200)


class ComplexityAssessed(PatientEvent):
    """The practitioner recorded the month's medical decision making (complex needs mod/high)."""

    type: Literal["complexity_assessed"] = "complexity_assessed"
    schema_version: Literal[1] = 1
    service_month: ServiceMonth
    mdm: Literal["straightforward", "low", "moderate", "high"]


class PatientAdmitted(PatientEvent):
    """Inpatient admission: time while admitted never counts."""

    type: Literal["patient_admitted"] = "patient_admitted"
    schema_version: Literal[1] = 1
    facility: Literal["hospital", "snf"]


class PatientDischarged(PatientEvent):
    """Discharge from the current inpatient stay."""

    type: Literal["patient_discharged"] = "patient_discharged"
    schema_version: Literal[1] = 1


class ServiceBilledElsewhere(PatientEvent):
    """Another service billed for the patient (G0181, G0182, ESRD, or CCM by someone else)."""

    type: Literal["service_billed_elsewhere"] = "service_billed_elsewhere"
    schema_version: Literal[1] = 1
    code: ProcedureCode
    on: date
    billed_by: OpaqueId


class ConsentRevoked(PatientEvent):
    """The patient stopped the program; effective at the end of the calendar month."""

    type: Literal["consent_revoked"] = "consent_revoked"
    schema_version: Literal[1] = 1


class PatientDied(PatientEvent):
    """Death: no minute counts after it."""

    type: Literal["patient_died"] = "patient_died"
    schema_version: Literal[1] = 1
    died_on: date


class BillingPractitionerChanged(PatientEvent):
    """A new billing practitioner: consent must be obtained again (MLN909188)."""

    type: Literal["billing_practitioner_changed"] = "billing_practitioner_changed"
    schema_version: Literal[1] = 1
    practitioner_id: OpaqueId
    transfer_out: bool = False


class ClaimAdjudicated(PatientEvent):
    """The clearinghouse's remittance for a claim the engine submitted."""

    type: Literal["claim_adjudicated"] = "claim_adjudicated"
    schema_version: Literal[1] = 1
    claim_id: OpaqueId
    status: Literal["paid", "denied"]
    paid_amount: Decimal = Field(default=Decimal("0"), ge=0, decimal_places=2)
    reason_codes: list[str] = Field(default_factory=list)


UpstreamEvent = Annotated[
    PatientIdentified
    | OutreachAttempted
    | InitiatingVisitCompleted
    | ConsentRecorded
    | ConsentDeclined
    | CarePlanEstablished
    | CarePlanRevised
    | TimeLogged
    | TimeEntryVoided
    | ComplexityAssessed
    | PatientAdmitted
    | PatientDischarged
    | ServiceBilledElsewhere
    | ConsentRevoked
    | PatientDied
    | BillingPractitionerChanged
    | ClaimAdjudicated,
    Field(discriminator="type"),
]
