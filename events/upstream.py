"""The upstream contract: facts that the EHR, scheduling, time trackers and the clearinghouse send.

Each model is both the message an upstream system sends and the event stored in the patient's
stream (past-tense names, frozen, versioned). Fields are flat so a JSONL line reads naturally.
Every model is strict (``UpstreamFact``) and every field bounded (``events.fields``); the
windows relative to the business clock are ``events.plausible``'s. README: "The upstream contract".
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from care.facts import check_minutes_or_interval
from events.base import OpaqueId, UpstreamFact
from events.fields import (
    Activity,
    AddressLine,
    AdjustmentCode,
    City,
    Credential,
    Day,
    Icd10Code,
    MemberId,
    Minutes,
    Moment,
    Money,
    PersonName,
    PlanItem,
    ProcedureCode,
    Reason,
    ServiceMonth,
    UsState,
    UsZip,
)

# The longest single time entry: a start-end interval of more than a day is a typo.
MAX_INTERVAL = timedelta(days=1)
_STRICT = ConfigDict(frozen=True, extra="forbid", strict=True)


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


class Address(BaseModel):
    """PHI: the patient's US postal address, as an 837P's subscriber N3/N4 needs it."""

    model_config = _STRICT
    line1: AddressLine
    line2: AddressLine | None = None
    city: City
    state: UsState
    zip: UsZip


class Demographics(BaseModel):
    """PHI: kept in the event store only, never in ids, search attributes, logs or errors.

    ``address`` and ``sex`` (administrative: F, M or U) came later; they are left out of the
    stored JSON when absent, so an identification stored before them dedupes byte-identically.
    """

    model_config = _STRICT
    name: PersonName | None = None
    birth_date: Day | None = None
    mbi: MemberId | None = None
    address: Address | None = None
    sex: Literal["F", "M", "U"] | None = None

    @model_serializer(mode="wrap")
    def _omit_later_fields_when_absent(
        self, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in ("address", "sex"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class PatientIdentified(UpstreamFact):
    """The EHR put a patient forward for screening, with their diagnoses."""

    type: Literal["patient_identified"] = "patient_identified"
    schema_version: Literal[1] = 1
    practice_id: OpaqueId
    practitioner_id: OpaqueId
    diagnoses: list[Icd10Code] = Field(max_length=50)
    last_visit_on: Day | None = None
    qmb: bool = False
    primary_care_responsible: bool = False
    demographics: Demographics | None = None


class OutreachAttempted(UpstreamFact):
    """Someone tried to reach the patient to explain and offer the program."""

    type: Literal["outreach_attempted"] = "outreach_attempted"
    schema_version: Literal[1] = 1
    channel: Literal["phone", "mail", "portal", "sms", "in_person"]
    outcome: Literal["reached", "no_answer", "left_message", "wrong_number"]
    staff_id: OpaqueId


class InitiatingVisitCompleted(UpstreamFact):
    """A face-to-face visit with the billing practitioner where CCM was discussed."""

    type: Literal["initiating_visit_completed"] = "initiating_visit_completed"
    schema_version: Literal[1] = 1
    code: ProcedureCode
    on: Day
    g0506: bool = False


class Disclosures(BaseModel):
    """The four things the patient must have been told before consenting (MLN909188)."""

    model_config = _STRICT
    availability: bool
    cost_sharing: bool
    stop_anytime: bool
    one_practitioner: bool


class ConsentRecorded(UpstreamFact):
    """The patient consented; ``occurred_at`` is the moment of consent."""

    type: Literal["consent_recorded"] = "consent_recorded"
    schema_version: Literal[1] = 1
    method: Literal["verbal", "written"]
    obtained_by: OpaqueId
    disclosures: Disclosures


class ConsentDeclined(UpstreamFact):
    """The patient said no to the program."""

    type: Literal["consent_declined"] = "consent_declined"
    schema_version: Literal[1] = 1
    reason: Reason | None = None


class CarePlanEstablished(UpstreamFact):
    """A comprehensive electronic care plan is in force from ``occurred_at``."""

    type: Literal["care_plan_established"] = "care_plan_established"
    schema_version: Literal[1] = 1
    care_plan_id: OpaqueId
    problems: list[PlanItem] = Field(min_length=1, max_length=100)
    goals: list[PlanItem] = Field(min_length=1, max_length=100)
    shared_with_patient_at: Moment | None = None


class CarePlanRevised(UpstreamFact):
    """The care plan was reviewed and changed."""

    type: Literal["care_plan_revised"] = "care_plan_revised"
    schema_version: Literal[1] = 1
    care_plan_id: OpaqueId
    problems: list[PlanItem] = Field(min_length=1, max_length=100)
    goals: list[PlanItem] = Field(min_length=1, max_length=100)
    shared_with_patient_at: Moment | None = None


class TimeLogged(UpstreamFact):
    """Care-management time documented: ``minutes`` at ``at``, or ``start``-``end``."""

    type: Literal["time_logged"] = "time_logged"
    schema_version: Literal[1] = 1
    entry_id: OpaqueId
    staff_id: OpaqueId
    role: StaffRole = Field(strict=False)  # the enum's value, as JSON gives it
    credential: Credential | None = None
    activity: Activity = "care_management"
    minutes: Minutes | None = None
    at: Moment | None = None
    start: Moment | None = None
    end: Moment | None = None
    counted_toward: OtherService | None = Field(default=None, strict=False)

    @model_validator(mode="after")
    def _minutes_or_interval(self) -> Self:
        check_minutes_or_interval(self.minutes, self.at, self.start, self.end)
        if self.start is not None and self.end is not None and self.end - self.start > MAX_INTERVAL:
            raise ValueError("an interval of more than a day (start to end) is not one entry")
        return self


class TimeEntryVoided(UpstreamFact):
    """A time entry was entered in error; it no longer counts."""

    type: Literal["time_entry_voided"] = "time_entry_voided"
    schema_version: Literal[1] = 1
    entry_id: OpaqueId
    reason: Reason


class ComplexityAssessed(UpstreamFact):
    """The practitioner recorded the month's medical decision making (complex needs mod/high)."""

    type: Literal["complexity_assessed"] = "complexity_assessed"
    schema_version: Literal[1] = 1
    service_month: ServiceMonth
    mdm: Literal["straightforward", "low", "moderate", "high"]


class PatientAdmitted(UpstreamFact):
    """Inpatient admission: time while admitted never counts."""

    type: Literal["patient_admitted"] = "patient_admitted"
    schema_version: Literal[1] = 1
    facility: Literal["hospital", "snf"]


class PatientDischarged(UpstreamFact):
    """Discharge from the current inpatient stay."""

    type: Literal["patient_discharged"] = "patient_discharged"
    schema_version: Literal[1] = 1


class PatientAdmissionCancelled(UpstreamFact):
    """The admission at ``admitted_at`` was entered in error (HL7 A11): that stay never was."""

    type: Literal["patient_admission_cancelled"] = "patient_admission_cancelled"
    schema_version: Literal[1] = 1
    admitted_at: Moment


class PatientDischargeCancelled(UpstreamFact):
    """The discharge at ``discharged_at`` was entered in error (HL7 A13): the stay goes on."""

    type: Literal["patient_discharge_cancelled"] = "patient_discharge_cancelled"
    schema_version: Literal[1] = 1
    discharged_at: Moment


class ServiceBilledElsewhere(UpstreamFact):
    """Another service billed for the patient (G0181, G0182, ESRD, or CCM by someone else)."""

    type: Literal["service_billed_elsewhere"] = "service_billed_elsewhere"
    schema_version: Literal[1] = 1
    code: ProcedureCode
    on: Day
    billed_by: OpaqueId


class ConsentRevoked(UpstreamFact):
    """The patient stopped the program; effective at the end of the calendar month."""

    type: Literal["consent_revoked"] = "consent_revoked"
    schema_version: Literal[1] = 1


class PatientDied(UpstreamFact):
    """Death: no minute counts after it."""

    type: Literal["patient_died"] = "patient_died"
    schema_version: Literal[1] = 1
    died_on: Day


class BillingPractitionerChanged(UpstreamFact):
    """A new billing practitioner: consent must be obtained again (MLN909188)."""

    type: Literal["billing_practitioner_changed"] = "billing_practitioner_changed"
    schema_version: Literal[1] = 1
    practitioner_id: OpaqueId
    transfer_out: bool = False


class ClaimAdjudicated(UpstreamFact):
    """The clearinghouse's remittance for a claim the engine submitted.

    ``status``: paid; adjusted (paid, reduced beyond the fee schedule and the sequestration);
    denied; reversed (CLP02 22: the payer took back an earlier payment, ``paid_amount`` is what
    the claim is paid after it, 0); corrected (the claim's new adjudication after a reversal).
    ``reason_codes`` are CARCs with their group (``CO-45``), ``remark_codes`` RARCs (``N130``).
    The 835 fields (``claim_status_code`` CLP02, ``charge_amount``, ``patient_responsibility``,
    ``payer_claim_control_number`` CLP07) are optional and were added without a version bump:
    every stored v1 event reads unchanged, with them empty.
    """

    type: Literal["claim_adjudicated"] = "claim_adjudicated"
    schema_version: Literal[1] = 1
    claim_id: OpaqueId
    status: Literal["paid", "adjusted", "denied", "reversed", "corrected"]
    paid_amount: Money = Field(default=Decimal("0"))
    reason_codes: list[AdjustmentCode] = Field(default_factory=list, max_length=20)
    remark_codes: list[AdjustmentCode] = Field(default_factory=list, max_length=20)
    claim_status_code: Annotated[str, Field(pattern=r"^[0-9]{1,2}$")] | None = None
    charge_amount: Money | None = None
    patient_responsibility: Money | None = None
    payer_claim_control_number: (
        Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9-]+$")] | None
    ) = None

    @model_serializer(mode="wrap")
    def _omit_empty_additions(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An event sent before the 835 fields existed must serialise to the same JSON as it was
        # stored with, or a re-send would read as a conflicting duplicate (events/store.py).
        data: dict[str, Any] = handler(self)
        for name in ADDED_835_FIELDS:
            if data.get(name) in (None, []):
                data.pop(name, None)
        return data


ADDED_835_FIELDS = (
    "remark_codes", "claim_status_code", "charge_amount", "patient_responsibility",
    "payer_claim_control_number",
)  # fmt: skip


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
    | PatientAdmissionCancelled
    | PatientDischargeCancelled
    | ServiceBilledElsewhere
    | ConsentRevoked
    | PatientDied
    | BillingPractitionerChanged
    | ClaimAdjudicated,
    Field(discriminator="type"),
]
