"""Allowed amounts, the patient's coinsurance and Medicare's expected payment (domain §7).

A ``FeeSchedule`` is data: the packaged national amounts (``care/data/fee_schedule.csv``), or a
practice's own locality schedule laid over them (``ccm fees import``). An amount a schedule does
not list is unpriced, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from care.datafiles import read_table
from care.policy import DEFAULT_POLICY, Policy

CENTS = Decimal("0.01")
# Part B coinsurance is 20% of the allowed amount; QMB patients owe none (MLN909188).
COINSURANCE = Decimal("0.20")


class Billable(Protocol):
    """A code and its units: a track's codes or a claim line."""

    @property
    def code(self) -> str: ...
    @property
    def units(self) -> int: ...


class FeeEntry(BaseModel):
    """One allowed amount: ``code`` in calendar ``year``, and where the figure comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    year: int = Field(ge=2015, le=2200)
    code: str = Field(pattern=r"^([0-9]{5}|[A-Z][0-9]{4})$")
    allowed: Decimal = Field(ge=0, le=100_000, decimal_places=2)
    source: str = Field(min_length=1, max_length=200)


class FeeSchedule(BaseModel):
    """Allowed amounts by (year, code); a later entry for the same pair replaces an earlier one.

    ``label`` names the schedule in each decision it prices (``national``, or a practice's
    imported version), so a biller can tell which amounts a month was billed at.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    label: str = Field(min_length=1, max_length=300)
    entries: list[FeeEntry]
    _index: dict[tuple[int, str], Decimal] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object) -> None:
        self._index = {(e.year, e.code): e.allowed for e in self.entries}

    def amount(self, year: int, code: str) -> Decimal | None:
        return self._index.get((year, code))

    def years(self) -> list[int]:
        """Every year the schedule prices anything in, newest first."""
        return sorted({year for year, _ in self._index}, reverse=True)

    def overlay(self, entries: Iterable[FeeEntry], label: str) -> FeeSchedule:
        """This schedule with ``entries`` replacing the amounts they name."""
        return FeeSchedule(label=label, entries=[*self.entries, *entries])


def _entry(row: dict[str, str]) -> FeeEntry:
    allowed = Decimal(row["allowed"])
    return FeeEntry(year=int(row["year"]), code=row["code"], allowed=allowed, source=row["source"])


def _load() -> FeeSchedule:
    rows = read_table("fee_schedule.csv")
    return FeeSchedule(label="national", entries=[_entry(r) for r in rows])


# Read at import, so code running in a Temporal workflow sandbox never does file I/O.
NATIONAL = _load()


def allowed_amount(year: int, code: str, fees: FeeSchedule = NATIONAL) -> Decimal | None:
    """The schedule's amount for one unit of ``code`` in ``year``, or None when it has none."""
    return fees.amount(year, code)


def unpriced_codes(codes: Sequence[Billable], year: int, fees: FeeSchedule) -> list[str]:
    return sorted({c.code for c in codes if fees.amount(year, c.code) is None})


def total_allowed(codes: Sequence[Billable], year: int, fees: FeeSchedule) -> Decimal | None:
    """Sum of amount x units, to cents; None when any code is unpriced in ``year``."""
    if unpriced_codes(codes, year, fees):
        return None
    total = sum((fees.amount(year, c.code) or Decimal(0)) * c.units for c in codes)
    return Decimal(total).quantize(CENTS, rounding=ROUND_HALF_UP)


def expected_payment(allowed: Decimal, policy: Policy = DEFAULT_POLICY) -> Decimal:
    """What Medicare pays: 80% of the allowed amount, less the payment sequestration (§7)."""
    medicare = allowed * (1 - COINSURANCE) * (1 - policy.sequestration_percent / 100)
    return medicare.quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Pricing:
    """Amounts are None when any code is unpriced: an unknown amount is never guessed."""

    allowed: Decimal | None
    patient_share: Decimal | None
    expected_payment: Decimal | None
    unpriced: list[str]


def price(
    codes: Sequence[Billable],
    year: int,
    qmb: bool,
    fees: FeeSchedule = NATIONAL,
    policy: Policy = DEFAULT_POLICY,
) -> Pricing:
    """The claim's allowed amount, the patient's 20% (0 for QMB) and Medicare's payment."""
    allowed = total_allowed(codes, year, fees)
    if allowed is None:
        return Pricing(None, None, None, unpriced_codes(codes, year, fees))
    share = Decimal(0) if qmb else allowed * COINSURANCE
    return Pricing(
        allowed,
        share.quantize(CENTS, rounding=ROUND_HALF_UP),
        expected_payment(allowed, policy),
        [],
    )
