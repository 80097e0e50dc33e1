"""The claim (domain §7): date of service, pricing, expected payment, QMB, APCM levels, and
G0506 once as a line of its own dated with the initiating visit."""

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


def test_qmb_patient_owes_no_coinsurance_and_medicare_still_pays_its_80_percent() -> None:
    decision = evaluate_month(month_facts([at("a", 20)], qmb=True))
    assert decision.allowed_amount == Decimal("60.49")
    assert decision.patient_share == Decimal("0.00")
    assert decision.expected_payment == Decimal("47.42")  # 60.49 x 0.80 x 0.98 = 47.424


def test_expected_payment_is_80_percent_less_the_sequestration_policy() -> None:
    decision = evaluate_month(month_facts([at("a", 45)]))
    assert (decision.allowed_amount, decision.patient_share) == (
        Decimal("106.42"),
        Decimal("21.28"),
    )
    assert decision.expected_payment == Decimal("83.43")  # 106.42 x 0.8 x 0.98 = 83.433
    policy = Policy(sequestration_percent=Decimal(0))
    no_sequester = evaluate_month(month_facts([at("a", 45)]), policy)
    assert no_sequester.expected_payment == Decimal("85.14")


def test_unpublished_cy2026_add_on_is_unpriced_never_guessed() -> None:
    entries = [at("a", 45, "2026-03-04T10:00:00-05:00")]
    decision = evaluate_month(month_facts(entries, service_month="2026-03"))
    assert codes(decision) == [("99490", 1), ("99439", 1)]
    assert decision.unpriced == ["99439"]
    assert decision.allowed_amount is None and decision.patient_share is None
    assert decision.expected_payment is None
    assert (
        "no CY2026 amount in the national fee schedule for 99439: not guessed" in decision.reasons
    )


@pytest.mark.parametrize(
    "conditions, qmb, code, amount",
    [
        pytest.param(["E11.9"], False, "G0556", "15.20", id="APCM 0-1 conditions G0556"),
        pytest.param(["E11.9", "I10"], False, "G0557", "48.84", id="APCM 2+ conditions G0557"),
        pytest.param(["E11.9", "E11.65", "I10"], True, "G0558", "107.07", id="APCM 2+ QMB G0558"),
        pytest.param(["E11.9", "E11.65"], True, "G0556", "15.20", id="APCM one category G0556"),
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
AFTER_VISIT = "2025-03-10T10:00:00-04:00"


@pytest.mark.parametrize(
    "overrides, expected",
    [
        pytest.param({}, date(2025, 3, 5), id="G0506 in the visit month on the visit date"),
        pytest.param({"g0506_billed_before": True}, None, id="G0506 only once per practitioner"),
        pytest.param(
            {"service_month": "2025-04", "consent_at": "2025-04-02T10:00:00-04:00"},
            date(2025, 3, 5),
            id="G0506 in the first month after a visit that preceded consent",
        ),
        pytest.param(
            {"initiating_visit": G0506_VISIT | {"on": "2025-04-02"}}, None, id="not before visit"
        ),
        pytest.param({"program": "apcm"}, None, id="G0506 not with APCM"),
        pytest.param(
            {"initiating_visit": G0506_VISIT | {"code": "99211"}}, None, id="G0506 not with 99211"
        ),
        pytest.param({"consent_at": None}, None, id="G0506 not without consent"),
        pytest.param({"care_plan_at": None}, None, id="G0506 not without the care plan"),
    ],
)
def test_g0506_is_a_line_of_its_own_with_the_visit_date(
    overrides: dict[str, Any], expected: date | None
) -> None:
    facts = month_facts(
        [at("a", 25)], **({"last_visit_on": None, "initiating_visit": G0506_VISIT} | overrides)
    )
    g0506 = [c for c in evaluate_month(facts).codes if c.code == "G0506"]
    assert [c.date_of_service for c in g0506] == ([expected] if expected else [])


def test_g0506_bills_even_in_a_month_under_the_threshold() -> None:
    facts = month_facts(
        [at("a", 12, AFTER_VISIT)], last_visit_on=None, initiating_visit=G0506_VISIT
    )
    decision = evaluate_month(facts)
    assert decision.track is None and codes(decision) == [("G0506", 1)]
    assert decision.allowed_amount == Decimal("60.81")
    assert decision.reasons[0].startswith("no care-management code: 12 counted minutes")


def test_the_g0506_line_keeps_its_date_beside_the_month_end_codes() -> None:
    facts = month_facts(
        [at("a", 25, AFTER_VISIT)], last_visit_on=None, initiating_visit=G0506_VISIT
    )
    decision = evaluate_month(facts)
    lines = [(c.code, c.units, c.date_of_service) for c in decision.codes]
    assert lines == [("99490", 1, date(2025, 3, 31)), ("G0506", 1, date(2025, 3, 5))]
    assert decision.date_of_service == date(2025, 3, 31)
    assert decision.allowed_amount == Decimal("121.30")  # 60.49 + 60.81


def test_reasons_explain_the_date_of_service_and_the_unbilled_staff_minutes() -> None:
    entries = [at("a", 35, role="practitioner"), at("b", 12)]
    fixed = Policy(track_choice="fixed_order")
    decision = evaluate_month(month_facts(entries, complex_mdm=True), fixed)
    assert decision.reasons == [
        "35 practitioner's own counted minutes on the practitioner track: 99491",
        "track chosen in the fixed order (policy track_choice=fixed_order)",
        "complex MDM recorded but 47 pooled minutes are under 60 for 99487",
        "12 clinical-staff minutes are not billed on the practitioner track",
        "date of service 2025-03-31 (last day of the month)",
    ]


def test_reasons_name_the_candidates_the_highest_allowed_track_beat() -> None:
    entries = [at("a", 35, role="practitioner"), at("b", 12)]
    decision = evaluate_month(month_facts(entries, complex_mdm=True))
    assert decision.reasons == [
        "47 counted minutes on the clinical-staff track: 99490 + 1 × 99439",
        "clinical-staff track chosen: $106.42 allowed against practitioner $82.16 "
        "(CY2025 national amounts; policy track_choice=highest_allowed)",
        "complex MDM recorded but 47 pooled minutes are under 60 for 99487",
        "date of service 2025-03-31 (last day of the month)",
    ]
    assert [(c.track, c.allowed, c.priced_year) for c in decision.candidates] == [
        ("ccm_practitioner", Decimal("82.16"), 2025),
        ("ccm_staff", Decimal("106.42"), 2025),
    ]
