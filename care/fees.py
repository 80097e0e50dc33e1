"""Allowed amounts from the fee schedule data file, and the patient's coinsurance (§7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from care.datafiles import read_table
from care.decision import CodeUnits

CENTS = Decimal("0.01")
# Part B coinsurance is 20% of the allowed amount; QMB patients owe none (MLN909188).
COINSURANCE = Decimal("0.20")


def _load() -> dict[tuple[int, str], Decimal]:
    rows = read_table("fee_schedule.csv")
    return {(int(r["year"]), r["code"]): Decimal(r["allowed"]) for r in rows}


# Read at import, so code running in a Temporal workflow sandbox never does file I/O.
_SCHEDULE = _load()


def fee_schedule() -> dict[tuple[int, str], Decimal]:
    """``(year, code) -> allowed amount`` from ``care/data/fee_schedule.csv``, read at import."""
    return _SCHEDULE


def allowed_amount(year: int, code: str) -> Decimal | None:
    """The national non-facility amount, or None when the file does not list it."""
    return fee_schedule().get((year, code))


@dataclass(frozen=True)
class Pricing:
    """Amounts are None when any code is unpriced: an unknown amount is never guessed."""

    allowed: Decimal | None
    patient_share: Decimal | None
    unpriced: list[str]


def price(codes: Sequence[CodeUnits], year: int, qmb: bool) -> Pricing:
    """Sums amount x units; the share is 20% (0 for QMB), rounded half-up to cents."""
    unpriced = sorted({c.code for c in codes if allowed_amount(year, c.code) is None})
    if unpriced:
        return Pricing(allowed=None, patient_share=None, unpriced=unpriced)
    total = sum((allowed_amount(year, c.code) or Decimal(0)) * c.units for c in codes)
    allowed = Decimal(total).quantize(CENTS, rounding=ROUND_HALF_UP)
    share = Decimal(0) if qmb else allowed * COINSURANCE
    return Pricing(allowed, share.quantize(CENTS, rounding=ROUND_HALF_UP), [])
