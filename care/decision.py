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


class ExcludedEntry(BaseModel):
    """A time entry that did not count, and the rule that excluded it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    entry: str
    reason: str


class MonthDecision(BaseModel):
    """What a patient-month bills and why. ``track`` is None and ``codes`` empty when nothing bills.

    ``allowed_amount``/``patient_share`` are None when any code is unpriced for the year
    (listed in ``unpriced``): an amount not in the fee schedule is never guessed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    service_month: str
    track: Track | None
    codes: list[CodeUnits]
    counted_minutes: int
    minutes_by_role: dict[str, int] = Field(default_factory=dict)
    date_of_service: date | None
    allowed_amount: Decimal | None
    patient_share: Decimal | None
    unpriced: list[str] = Field(default_factory=list)
    excluded: list[ExcludedEntry]
    reasons: list[str]

    @property
    def bills(self) -> bool:
        return bool(self.codes)
