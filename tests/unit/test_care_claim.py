"""The claim (domain §7): date of service, pricing, QMB, APCM levels and G0506 once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from care.month import evaluate_month
from care.policy import Policy
from tests.unit.test_care_facts import at, month_facts
from tests.unit.test_care_month import codes


def test_death_in_month_sets_date_of_service_to_date_of_death() -> None:
    entries = [at("a", 25, "2025-03-04T10:00:00-05:00"), at("b", 20, "2025-03-20T10:00:00-04:00")]
    decision = evaluate_month(month_facts(entries, died_on="2025-03-12"))
    assert codes(decision) == [("99490", 1)]
    assert decision.date_of_service == date(2025, 3, 12)
    assert [(x.entry, x.reason) for x in decision.excluded] == [("b", "after_death")]


def test_bill_on_threshold_day_policy_dates_the_claim_when_20_minutes_are_reached() -> None:
    entries = [at("a", 12, "2025-03-04T10:00:00-05:00"), at("b", 10, "2025-03-11T10:00:00-04:00")]
    decision = evaluate_month(month_facts(entries), Policy(bill_on_threshold_day=True))
    assert decision.date_of_service == date(2025, 3, 11)


def test_qmb_patient_owes_no_coinsurance() -> None:
    decision = evaluate_month(month_facts([at("a", 20)], qmb=True))
    assert decision.allowed_amount == Decimal("60.49")
    assert decision.patient_share == Decimal("0.00")


def test_unpublished_cy2026_add_on_is_unpriced_never_guessed() -> None:
    entries = [at("a", 45, "2026-03-04T10:00:00-05:00")]
    decision = evaluate_month(month_facts(entries, service_month="2026-03"))
    assert codes(decision) == [("99490", 1), ("99439", 1)]
    assert decision.unpriced == ["99439"]
    assert decision.allowed_amount is None and decision.patient_share is None


@pytest.mark.parametrize(
    "conditions, qmb, code, amount",
    [
        pytest.param(["E11.9"], False, "G0556", "15.00", id="APCM 0-1 conditions G0556"),
        pytest.param(["E11.9", "I10"], False, "G0557", "50.00", id="APCM 2+ conditions G0557"),
        pytest.param(["E11.9", "E11.65", "I10"], True, "G0558", "110.00", id="APCM 2+ QMB G0558"),
        pytest.param(["E11.9", "E11.65"], True, "G0556", "15.00", id="APCM one category G0556"),
    ],
)
def test_apcm_level_by_conditions_and_qmb_without_time_threshold(
    conditions: list[str], qmb: bool, code: str, amount: str
) -> None:
    facts = month_facts([], program="apcm", conditions=conditions, qmb=qmb)
    decision = evaluate_month(facts)
    assert decision.track == "apcm"
    assert codes(decision) == [(code, 1)]
    assert decision.allowed_amount == Decimal(amount)


def test_apcm_needs_an_initiating_visit_only_if_not_seen_within_three_years() -> None:
    seen_2023 = month_facts([], program="apcm", last_visit_on="2023-01-15")
    assert evaluate_month(seen_2023).bills
    assert not evaluate_month(seen_2023.model_copy(update={"program": "ccm"})).bills


G0506_VISIT = {"on": "2025-03-05", "code": "99214", "g0506": True}


@pytest.mark.parametrize(
    "overrides, expected",
    [
        pytest.param({}, date(2025, 3, 5), id="G0506 due in the visit month on the visit date"),
        pytest.param({"g0506_billed_before": True}, None, id="G0506 only once per patient"),
        pytest.param({"service_month": "2025-04"}, None, id="G0506 not in a later month"),
        pytest.param({"program": "apcm"}, None, id="G0506 not with APCM"),
        pytest.param(
            {"initiating_visit": G0506_VISIT | {"code": "99211"}}, None, id="G0506 not with 99211"
        ),
    ],
)
def test_g0506_once_with_the_initiating_visit(overrides: dict[str, Any], expected: date) -> None:
    facts = month_facts(
        [], **({"last_visit_on": None, "initiating_visit": G0506_VISIT} | overrides)
    )
    decision = evaluate_month(facts)
    assert decision.g0506_on == expected
    assert all(c.code != "G0506" for c in decision.codes)


def test_reasons_explain_the_date_of_service_and_the_unbilled_staff_minutes() -> None:
    entries = [at("a", 35, role="practitioner"), at("b", 12)]
    decision = evaluate_month(month_facts(entries, complex_mdm=True))
    assert decision.reasons == [
        "35 practitioner's own counted minutes on the practitioner track: 99491",
        "complex MDM recorded but 47 pooled minutes are under 60 for 99487",
        "12 clinical-staff minutes are not billed on the practitioner track",
        "date of service 2025-03-31 (last day of the month)",
    ]
