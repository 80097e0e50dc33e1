"""Field types of the care input contract, each validated where it enters (``care.facts``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field

from care.icd10 import normalize_icd10

Program = Literal["ccm", "pcm", "apcm"]
Role = Literal["clinical_staff", "practitioner", "non_clinical"]
CountedToward = Literal["em", "tcm", "rpm", "bhi"]
EntryId = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$")
]
ProcedureCode = Annotated[str, Field(pattern=r"^([0-9]{5}|[A-Z][0-9]{4})$")]
# Normalized to dotted upper case; a malformed code fails naming conditions[i] and the code.
Diagnosis = Annotated[str, AfterValidator(normalize_icd10)]

# Dates outside these years are typos, and would overflow month and time-zone arithmetic.
FIRST_YEAR, LAST_YEAR = 1900, 2200
# CCM became separately payable in January 2015 (CY2015 PFS final rule).
FIRST_SERVICE_YEAR = 2015


def _plausible_day(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"date {value.isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return value


def _plausible_moment(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"time {value.isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return value


def _service_month(value: str) -> str:
    if not FIRST_SERVICE_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise ValueError(f"service month {value} is outside {FIRST_SERVICE_YEAR}-{LAST_YEAR}")
    return value


Day = Annotated[date, AfterValidator(_plausible_day)]
Moment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]
ServiceMonth = Annotated[
    str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$"), AfterValidator(_service_month)
]
