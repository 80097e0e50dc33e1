"""The 837P builder: every variant it writes passes pyx12, and pyx12 does catch a broken file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from care.decision import ClaimLine
from claims.provider import BillingProvider, ProviderSettingError
from claims.x12_837 import (
    ExportClaim,
    ExportRefused,
    Subscriber,
    SubscriberAddress,
    amount,
    build_837p,
)
from claims.x12_validate import validate_x12
from events.decisions import ClaimPrepared

AT = datetime(2026, 11, 4, 9, 30, tzinfo=UTC)
ANN = Subscriber("SYNTH-TESTER", "ANN", "0SYNTH00001", date(1950, 1, 2))


def claim(codes: list[tuple[str, int]], month: str = "2026-10") -> ClaimPrepared:
    dos = date(2026, 10, 31)
    return ClaimPrepared(
        event_id=f"p1.claim.{month}", patient_id="p1", occurred_at=AT,
        claim_id=f"claim-p1-{month}", service_month=month, practitioner_id="dr-1",
        codes=[ClaimLine(code=c, units=u, date_of_service=dos) for c, u in codes],
        date_of_service=dos, allowed_amount=Decimal("157.99"), patient_share=Decimal("31.60"),
    )  # fmt: skip


def test_complex_claim_with_add_on_units_five_diagnoses_and_a_replacement_is_valid() -> None:
    complex_month = ExportClaim(
        claim([("99487", 1), ("99489", 2)]), ANN, ("E11.9", "I10", "N18.3", "J44.9", "I50.9"),
        (Decimal("131.65"), Decimal("141.04")),
    )  # fmt: skip
    replaced = ExportClaim(
        claim([("99490", 1), ("99439", 2)], "2026-09"), ANN, ("E11.9", "I10"),
        (Decimal("60.49"), Decimal("91.86")), "replacement", "PCN0001",
    )  # fmt: skip
    text = build_837p(BillingProvider(), [complex_month, replaced], 42, AT)
    verdict = validate_x12(text)
    assert verdict.valid, verdict.problems
    assert "SV1*HC:99489*141.04*UN*2***1:2:3:4~" in text
    assert "HI*ABK:E119*ABF:I10*ABF:N183*ABF:J449*ABF:I509~" in text
    assert "CLM*claim-p1-2026-09*152.35***11:B:7*Y*A*Y*Y~\nREF*F8*PCN0001~" in text
    assert "*000000042*0*T*:~" in text and "IEA*1*000000042~" in text


def test_pyx12_refuses_a_broken_file_naming_the_segment_not_the_value() -> None:
    text = build_837p(BillingProvider(), [ExportClaim(claim([("99490", 1)]), ANN, ("I10",),
                                                      (Decimal("60.49"),))], 7, AT)  # fmt: skip
    broken = validate_x12(text.replace("*UN*1", "*ZZ*1"))
    assert not broken.valid and any(p.startswith("IK3*SV1") for p in broken.problems)
    assert not any("ZZ" in p for p in broken.problems if p.startswith("IK4"))


def test_refusals_name_the_field() -> None:
    with pytest.raises(ExportRefused, match="field diagnoses"):
        build_837p(BillingProvider(), [ExportClaim(claim([("99490", 1)]), ANN, (), (Decimal(1),))],
                   1, AT)  # fmt: skip
    with pytest.raises(ProviderSettingError, match="CCM_BILLING_ZIP"):
        BillingProvider.from_env({"CCM_BILLING_ZIP": "2124"})
    assert amount(Decimal("120.00")) == "120" and amount(Decimal("60.5")) == "60.5"


def test_the_subscriber_s_address_and_sex_are_n3_n4_and_dmg03() -> None:
    home = SubscriberAddress("1 Synthetic Way", "Apt 2", "Testville", "MD", "212440001")
    addressed = ExportClaim(
        claim([("99490", 1)]), replace(ANN, address=home, sex="F"), ("I10",), (Decimal("60.49"),)
    )
    text = build_837p(BillingProvider(), [addressed], 3, AT)
    verdict = validate_x12(text)
    assert verdict.valid, verdict.problems
    assert (
        "NM1*IL*1*SYNTH-TESTER*ANN****MI*0SYNTH00001~\nN3*1 SYNTHETIC WAY*APT 2~\n"
        "N4*TESTVILLE*MD*212440001~\nDMG*D8*19500102*F~"
    ) in text
