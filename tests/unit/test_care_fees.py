"""Fee schedule, coinsurance and expected payment (domain §7): by year, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from care.datafiles import read_table
from care.decision import CodeUnits
from care.fees import NATIONAL, FeeEntry, allowed_amount, expected_payment, price
from care.policy import Policy


@pytest.mark.parametrize(
    "year, code, amount",
    [
        (2025, "99490", "60.49"),
        (2025, "99439", "45.93"),
        (2025, "99491", "82.16"),
        (2025, "99437", "57.58"),
        (2025, "99487", "131.65"),
        (2025, "99489", "70.52"),
        (2025, "99424", "80.87"),
        (2025, "99425", "58.87"),
        (2025, "99426", "61.78"),
        (2025, "99427", "50.46"),
        (2025, "G0506", "60.81"),
        (2025, "G0556", "15.20"),
        (2025, "G0557", "48.84"),
        (2025, "G0558", "107.07"),
        (2026, "99490", "66.13"),
        (2026, "99425", "61.46"),
        (2026, "99489", "78.16"),
    ],
)
def test_section_7_national_amounts(year: int, code: str, amount: str) -> None:
    assert allowed_amount(year, code) == Decimal(amount)


@pytest.mark.parametrize("year, code", [(2026, "99439"), (2026, "G0506"), (2024, "99490")])
def test_unpublished_amounts_are_absent(year: int, code: str) -> None:
    assert allowed_amount(year, code) is None


def test_every_row_is_its_rvu_times_the_years_conversion_factor_and_names_a_source() -> None:
    # CY2025 CF 32.3465, CY2026 CF 33.4009 (PFS final rules); ROUND_HALF_UP to the cent.
    factors = {"2025": Decimal("32.3465"), "2026": Decimal("33.4009")}
    for row in read_table("fee_schedule.csv"):
        product = (Decimal(row["rvu"]) * factors[row["year"]]).quantize(
            Decimal("0.01"), "ROUND_HALF_UP"
        )
        assert product == Decimal(row["allowed"]), row
        assert row["source"] in ("PPRRVU25", "CMS-DOMAIN", "SECONDARY2"), row


def test_expected_payment_is_80_percent_less_two_percent_sequestration() -> None:
    assert expected_payment(Decimal("60.49")) == Decimal("47.42")  # 48.392 x 0.98 = 47.424
    assert expected_payment(Decimal("152.35")) == Decimal("119.44")  # 121.88 x 0.98 = 119.4424
    no_sequester = Policy(sequestration_percent=Decimal(0))
    assert expected_payment(Decimal("60.49"), no_sequester) == Decimal("48.39")


def test_a_practice_schedule_replaces_only_the_amounts_it_lists() -> None:
    local = NATIONAL.overlay(
        [FeeEntry(year=2026, code="99439", allowed=Decimal("47.10"), source="import #1")],
        label="practice-1 import #1",
    )
    assert local.amount(2026, "99439") == Decimal("47.10")
    assert local.amount(2026, "99490") == Decimal("66.13")  # national, not in the file
    assert local.amount(2026, "99491") is None  # in neither: unpriced
    assert NATIONAL.amount(2026, "99439") is None  # the national schedule is unchanged


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
    assert (p.allowed, p.patient_share) == (Decimal("107.07"), Decimal("0.00"))


def test_any_unpriced_code_blanks_the_amounts() -> None:
    p = price([CodeUnits(code="99490", units=1), CodeUnits(code="99439", units=1)], 2026, False)
    assert (p.allowed, p.patient_share, p.expected_payment) == (None, None, None)
    assert p.unpriced == ["99439"]
