"""Field types of the upstream contract: every bound a value must meet to be stored.

Whatever these accept, every table and projection can hold: text is bounded and free of control
characters, NUL and lone surrogates (jsonb and UTF-8 refuse them); numbers fit their columns;
dates lie between 1900 and 2100 (relative windows are ``events.plausible``'s). The models using
them are strict (``events.base.StrictModel``): no coercion from other JSON types.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

FIRST_YEAR, LAST_YEAR = 1900, 2100
# CCM became separately payable in January 2015 (CY2015 PFS final rule).
FIRST_SERVICE_YEAR = 2015
# Free text may break lines (TAB, LF, CR, NEL, LS, PS); a one-line field may not.
_LINE_BREAKS = frozenset("\t\n\r\x85\u2028\u2029")
_UNICODE_BREAKS = frozenset("\u2028\u2029")  # not control characters, but line breaks all the same
# The extended ISO 8601 forms only: "1772722800" is a number in a string, never a moment or a day.
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_MOMENT_FORM = "YYYY-MM-DDTHH:MM[:SS[.ffffff]] with Z or ±HH:MM"
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# UTC-12:00 to UTC+14:00 are the offsets in use anywhere (IANA tz database).
_MAX_OFFSET = timedelta(hours=14)
# An amount as a string: plain digits and cents ("51.85"), no sign, exponent, blank or underscore.
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,4})(\.[0-9]{1,2})?")


def _check_text(value: str, multiline: bool) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a lone surrogate (not a character)") from None
    for index, char in enumerate(value):
        code = ord(char)
        control = code < 0x20 or 0x7F <= code <= 0x9F or char in _UNICODE_BREAKS
        if control and not (multiline and char in _LINE_BREAKS):
            kind = "line break" if char in _UNICODE_BREAKS else "control character"
            raise ValueError(f"contains {kind} U+{code:04X} at position {index}")
    return value


def _line(value: str) -> str:
    return _check_text(value, multiline=False)


def _text(value: str) -> str:
    return _check_text(value, multiline=True)


def _plausible_day(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must lie between {FIRST_YEAR} and {LAST_YEAR}")
    return value


def _plausible_moment(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must lie between {FIRST_YEAR} and {LAST_YEAR}")
    offset = value.utcoffset()
    if offset is not None and abs(offset) > _MAX_OFFSET:
        raise ValueError("has an offset beyond -12:00 to +14:00")
    return value


def _moment(value: object) -> object:
    """A moment from its ISO 8601 text; pydantic alone reads a string of digits as a Unix time
    (and, past a before-validator, takes no string at all in strict mode)."""
    if not isinstance(value, str):
        return value  # a datetime built in code; any other JSON type fails strict validation
    if not _MOMENT.fullmatch(value):
        raise ValueError(f"must be an ISO 8601 string {_MOMENT_FORM}")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a real date and time") from None


def _day(value: object) -> object:
    if not isinstance(value, str):
        return value
    if not _DAY.fullmatch(value):
        raise ValueError("must be an ISO 8601 date string YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a real date") from None


# The before-validators' syntax checks as patterns pydantic-core runs itself: the stored-event
# validators (``events.trusted``) use these in place of the Python functions, then parse laxly.
CORE_PATTERNS: dict[Callable[[object], object], str] = {
    _moment: f"^(?:{_MOMENT.pattern})$",
    _day: f"^(?:{_DAY.pattern})$",
}


def _amount(value: object) -> object:
    """A JSON number or a plain decimal string ("51.85"): no sign, exponent, blank or ``_``."""
    if isinstance(value, bool):
        return value  # strict validation refuses it
    if isinstance(value, str):
        if not _AMOUNT.fullmatch(value):
            raise ValueError("must be digits with at most two decimals, like 51.85")
        return Decimal(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))
    return value


def _service_month(value: str) -> str:
    if not FIRST_SERVICE_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise ValueError(f"must lie between {FIRST_SERVICE_YEAR}-01 and {LAST_YEAR}-12")
    return value


def _bounded(max_length: int) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=max_length)


# One-line fields: no control characters at all.
Credential = Annotated[str, _bounded(16), AfterValidator(_line)]  # RN, LPN, MA, MD, NP ...
Activity = Annotated[str, _bounded(64), AfterValidator(_line)]  # care_management, ...
Reason = Annotated[str, _bounded(200), AfterValidator(_line)]  # a void's or decline's reason
PersonName = Annotated[str, _bounded(200), AfterValidator(_line)]
MemberId = Annotated[str, _bounded(32), AfterValidator(_line)]  # the MBI as the EHR sent it
# A postal address line and city: X12 N301/N401 hold 55 and 30 characters.
AddressLine = Annotated[str, _bounded(55), AfterValidator(_line)]
City = Annotated[str, _bounded(30), AfterValidator(_line)]
# USPS codes of the states, DC and the territories; ZIP or ZIP+4 as digits only (an 837P's N403).
UsState = Annotated[
    str,
    Field(
        pattern=r"^(A[KLRSZ]|C[AOT]|D[CE]|FL|G[AU]|HI|I[ADLN]|K[SY]|LA|M[ADEINOPST]|N[CDEHJMVY]"
        r"|O[HKR]|P[AR]|RI|S[CD]|T[NX]|UT|V[AIT]|W[AIVY])$"
    ),
]
UsZip = Annotated[str, Field(pattern=r"^([0-9]{5}|[0-9]{9})$")]
# Free text that may break lines: care-plan problems and goals.
PlanItem = Annotated[str, _bounded(500), AfterValidator(_text)]


# ISO 8601 with an offset only (strict JSON refuses numbers), between 1900 and 2100.
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_moment),
    AfterValidator(_plausible_moment),
]
Day = Annotated[date, BeforeValidator(_day), AfterValidator(_plausible_day)]
ServiceMonth = Annotated[
    str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$"), AfterValidator(_service_month)
]
# ICD-10-CM syntax: a letter, a digit, an alphanumeric, then an optional dot and up to four more.
Icd10Code = Annotated[str, Field(pattern=r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")]
ProcedureCode = Annotated[str, Field(pattern=r"^([0-9]{5}|[A-Z][0-9]{4})$")]
# X12 claim adjustment group + reason (CO-45, PR-2, OA-18) or a remark code (N130, MA01).
AdjustmentCode = Annotated[str, Field(pattern=r"^([A-Z]{2}-[A-Z0-9]{1,3}|[A-Z]{1,2}[0-9]{1,3})$")]
# A remittance amount: fits ledger_months.paid_amount numeric(12,2) with room to spare.
Money = Annotated[
    Decimal, BeforeValidator(_amount), Field(ge=0, le=Decimal("99999.99"), decimal_places=2)
]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]
