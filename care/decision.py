"""The month's billing decision: what ``evaluate_month`` returns and ``MonthClosed`` stores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Track(StrEnum):
    ccm_staff = "ccm_staff"
    ccm_practitioner = "ccm_practitioner"
    ccm_complex = "ccm_complex"
    pcm_staff = "pcm_staff"
    pcm_practitioner = "pcm_practitioner"
    apcm = "apcm"


class CodeUnits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str
    units: int = Field(ge=1)


class ExclusionReason(StrEnum):
    """Why (part of) a time entry did not count; the fixed vocabulary an auditor reads (§4, §3)."""

    non_clinical_role = "non_clinical_role"  # only clinical staff / billing practitioner count
    counted_toward_em = "counted_toward_em"  # time already counted toward another billed service
    counted_toward_tcm = "counted_toward_tcm"
    counted_toward_rpm = "counted_toward_rpm"
    counted_toward_bhi = "counted_toward_bhi"
    outside_month = "outside_month"  # not in the calendar month, in the practice's time zone
    no_consent = "no_consent"  # no consent recorded (or none in force yet this month)
    before_consent = "before_consent"
    no_initiating_visit = "no_initiating_visit"  # a visit was required and none qualifies
    before_initiating_visit = "before_initiating_visit"
    during_inpatient_stay = "during_inpatient_stay"
    after_revocation = "after_revocation"
    after_death = "after_death"
    overlaps_counted_entry = "overlaps_counted_entry"  # the union of overlapping intervals counts


class ExcludedEntry(BaseModel):
    """(Part of) a time entry that did not count, and the rule that excluded it.

    ``minutes`` is how much of the entry that rule removed (whole minutes, rounded down); one
    entry may appear once per reason when an interval is cut by several rules.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    entry: str
    reason: ExclusionReason
    minutes: int | None = None


class ClaimLine(BaseModel):
    """One billable line: a code, its units and its own date of service (G0506 carries the
    initiating visit's date beside the month's care-management codes, MLN909188)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str
    units: int = Field(ge=1)
    date_of_service: date


class TrackCandidate(BaseModel):
    """A track the month's facts qualify for, its codes, and what they allow in ``priced_year``
    (None when that year does not price every code)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    track: Track
    codes: list[CodeUnits]
    allowed: Decimal | None
    priced_year: int | None


class MonthDecision(BaseModel):
    """What a patient-month bills and why. ``track`` is None when no care-management code bills;
    ``codes`` is empty when nothing bills at all.

    ``codes`` lists every line the month makes billable, each with its date of service: the
    track's codes (``date_of_service``: the last day of the month, the date of death, or the day
    the threshold was met, by policy) and G0506 once with the initiating visit's date.
    ``allowed_amount``/``patient_share``/``expected_payment`` are None when any code is unpriced
    (listed in ``unpriced``): an amount not in the fee schedule is never guessed; they are 0.00
    when nothing bills. ``expected_payment`` is what Medicare pays: 80% of the allowed amount less
    the payment sequestration (``Policy.sequestration_percent``). ``minutes_by_role`` splits
    ``counted_minutes`` into ``clinical_staff`` and ``practitioner`` (each rounded down from
    seconds, so they may sum to a minute less). ``candidates`` lists every track the facts
    qualified for, with its amount, and ``fee_schedule`` names the schedule that priced them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    service_month: str
    track: Track | None
    codes: list[ClaimLine]
    counted_minutes: int
    minutes_by_role: dict[str, int] = Field(default_factory=dict)
    date_of_service: date | None
    allowed_amount: Decimal | None
    patient_share: Decimal | None
    expected_payment: Decimal | None = None
    unpriced: list[str] = Field(default_factory=list)
    excluded: list[ExcludedEntry]
    reasons: list[str]
    candidates: list[TrackCandidate] = Field(default_factory=list)
    fee_schedule: str = "national"

    @property
    def bills(self) -> bool:
        return bool(self.codes)
