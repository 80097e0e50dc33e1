"""Fee schedule and coinsurance (domain §7): by year from the data file, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from care.decision import CodeUnits
from care.fees import allowed_amount, price


@pytest.mark.parametrize(
    "year, code, amount",
    [
        (2025, "99490", "60.49"),
        (2025, "99439", "45.93"),
        (2025, "99491", "82.16"),
        (2025, "99437", "57.58"),
        (2025, "99487", "131.65"),
        (2025, "99489", "70.52"),
        (2025, "G0556", "15.00"),
        (2025, "G0557", "50.00"),
        (2025, "G0558", "110.00"),
        (2026, "99490", "66.13"),
        (2026, "99425", "61.46"),
    ],
)
def test_section_7_national_amounts(year: int, code: str, amount: str) -> None:
    assert allowed_amount(year, code) == Decimal(amount)


@pytest.mark.parametrize("year, code", [(2026, "99439"), (2025, "99425"), (2024, "99490")])
def test_unpublished_amounts_are_absent(year: int, code: str) -> None:
    assert allowed_amount(year, code) is None


def test_share_is_twenty_percent_rounded_half_up() -> None:
    # 99490 + 2 x 99439 = 152.35; 20% = 30.47 exactly. 99487 = 131.65; 20% = 26.33.
    p = price([CodeUnits(code="99490", units=1), CodeUnits(code="99439", units=2)], 2025, qmb=False)
    assert (p.allowed, p.patient_share, p.unpriced) == (Decimal("152.35"), Decimal("30.47"), [])
    # 60.49 x 20% = 12.098 -> 12.10; 82.16 x 20% = 16.432 -> 16.43; 45.93+60.49 -> 21.284 -> 21.28
    assert price([CodeUnits(code="99490", units=1)], 2025, False).patient_share == Decimal("12.10")
    assert price([CodeUnits(code="99491", units=1)], 2025, False).patient_share == Decimal("16.43")
    ccm = [CodeUnits(code="99490", units=1), CodeUnits(code="99439", units=1)]
    assert price(ccm, 2025, False).patient_share == Decimal("21.28")


def test_share_rounds_to_the_nearest_cent_both_ways() -> None:
    # 57.58 x 20% = 11.516 -> 11.52 (up); 99487 + 99489 = 202.17 x 20% = 40.434 -> 40.43 (down).
    # 20% of whole cents is never exactly a half cent, so ROUND_HALF_UP is nearest-cent here.
    assert price([CodeUnits(code="99437", units=1)], 2025, False).patient_share == Decimal("11.52")
    both = [CodeUnits(code="99487", units=1), CodeUnits(code="99489", units=1)]
    assert price(both, 2025, False).patient_share == Decimal("40.43")


def test_qmb_owes_nothing() -> None:
    p = price([CodeUnits(code="G0558", units=1)], 2025, qmb=True)
    assert (p.allowed, p.patient_share) == (Decimal("110.00"), Decimal("0.00"))


def test_any_unpriced_code_blanks_the_amounts() -> None:
    p = price([CodeUnits(code="99490", units=1), CodeUnits(code="99439", units=1)], 2026, False)
    assert (p.allowed, p.patient_share, p.unpriced) == (None, None, ["99439"])
