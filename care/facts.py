"""``MonthFacts``: everything the rules need to decide one patient-month, as one JSON document.

This is the input of ``evaluate_month`` and of ``ccm billing evaluate``. Optional fields default to
empty, false or null. Times are ISO 8601 with an offset; dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from care.fields import (
    CountedToward,
    Day,
    Diagnosis,
    EntryId,
    Moment,
    ProcedureCode,
    Program,
    Role,
    ServiceMonth,
)

__all__ = [
    "InitiatingVisit",
    "InpatientStay",
    "MonthFacts",
    "OtherServiceOnDate",
    "Program",
    "Role",
    "TimeEntry",
    "as_local_date",
    "check_minutes_or_interval",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def check_minutes_or_interval(
    minutes: int | None, at: datetime | None, start: datetime | None, end: datetime | None
) -> None:
    """A time entry is ``minutes`` at ``at`` or a ``start``-``end`` interval, exactly one.

    Shared by the upstream ``time_logged`` contract and ``TimeEntry`` so both refuse alike.
    """
    pairs = ((True, True), (False, False))
    point, span = (minutes is not None, at is not None), (start is not None, end is not None)
    if point not in pairs or span not in pairs:
        raise ValueError("give minutes together with at, and start together with end")
    if point[0] == span[0]:
        raise ValueError("give either minutes and at, or start and end (exactly one)")
    if start is not None and end is not None and end <= start:
        raise ValueError("end is not after start")  # never the times: dates of care are PHI


class TimeEntry(BaseModel):
    """Documented care-management time: ``minutes`` at ``at``, or a ``start``-``end`` interval.

    ``counted_toward`` names another billed service (E/M, TCM, RPM, BHI) whose time this already
    is; such time never also counts toward CCM (MLN909188).
    """

    model_config = _FROZEN
    id: EntryId
    staff_id: EntryId
    role: Role
    minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    at: Moment | None = None
    start: Moment | None = None
    end: Moment | None = None
    counted_toward: CountedToward | None = None

    @model_validator(mode="after")
    def _minutes_or_interval(self) -> Self:
        check_minutes_or_interval(self.minutes, self.at, self.start, self.end)
        return self

    @property
    def is_interval(self) -> bool:
        return self.start is not None


class InitiatingVisit(BaseModel):
    """The face-to-face visit that initiated care management; ``g0506`` if the practitioner did
    the extensive assessment and care planning (MLN909188)."""

    model_config = _FROZEN
    on: Day
    code: ProcedureCode
    g0506: bool = False


class InpatientStay(BaseModel):
    """A hospital or SNF inpatient stay; ``discharged_at`` null while still admitted."""

    model_config = _FROZEN
    admitted_at: Moment
    discharged_at: Moment | None = None

    @model_validator(mode="after")
    def _discharge_after_admission(self) -> Self:
        if self.discharged_at is not None and self.discharged_at <= self.admitted_at:
            raise ValueError("discharged_at is not after admitted_at")
        return self


class OtherServiceOnDate(BaseModel):
    """Another service the patient received (G0181, G0182, 90951-90970, ...) on a date.

    ``by_billing_practitioner`` matters only when ``Policy.conflicts_block_whoever_billed`` is off.
    """

    model_config = _FROZEN
    code: ProcedureCode
    on: Day
    by_billing_practitioner: bool = False


class MonthFacts(BaseModel):
    """One patient-month's facts. ``last_visit_on`` is the last face-to-face visit with the billing
    practitioner before consent (null for a new patient)."""

    model_config = _FROZEN
    service_month: ServiceMonth
    timezone: str
    program: Program
    conditions: list[Diagnosis] = Field(default_factory=list)
    qmb: bool = False
    complex_mdm: bool = False
    last_visit_on: Day | None = None
    initiating_visit: InitiatingVisit | None = None
    g0506_billed_before: bool = False
    consent_at: Moment | None = None
    care_plan_at: Moment | None = None
    time_entries: list[TimeEntry] = Field(default_factory=list)
    inpatient_stays: list[InpatientStay] = Field(default_factory=list)
    other_services: list[OtherServiceOnDate] = Field(default_factory=list)
    ccm_billed_elsewhere: bool = False
    revoked_at: Moment | None = None
    died_on: Day | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _unique_entry_ids(self) -> Self:
        seen: set[str] = set()
        for entry in self.time_entries:
            if entry.id in seen:
                raise ValueError(f"time_entries: duplicate id {entry.id!r}")
            seen.add(entry.id)
        return self

    @property
    def revocation(self) -> datetime | None:
        """The revocation of the consent on record: one before ``consent_at`` was superseded by
        that newer consent (a revoking patient may consent again, MLN909188)."""
        if self.revoked_at is None or (self.consent_at and self.revoked_at <= self.consent_at):
            return None
        return self.revoked_at

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def year(self) -> int:
        return int(self.service_month[:4])

    @property
    def month(self) -> int:
        return int(self.service_month[5:])


def as_local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar date of ``moment`` in the practice's time zone."""
    return moment.astimezone(zone).date()
