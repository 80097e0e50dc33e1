"""evaluate_month: every illustrative month of the domain reference (§9) and the months that bill
nothing (§6), plus date of service, G0506 and pricing (§7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from care.decision import MonthDecision
from care.facts import MonthFacts
from care.month import evaluate_month
from care.policy import Policy


def month_facts(entries: list[dict[str, Any]] | None = None, **overrides: Any) -> MonthFacts:
    """An enrolled CCM patient in March 2025 (consent and care plan in force), plus overrides."""
    base: dict[str, Any] = {
        "service_month": "2025-03",
        "timezone": "America/New_York",
        "program": "ccm",
        "conditions": ["E11.9", "I10"],
        "last_visit_on": "2024-12-02",
        "consent_at": "2025-01-10T15:00:00-05:00",
        "care_plan_at": "2025-01-12T09:00:00-05:00",
        "time_entries": entries or [],
    }
    return MonthFacts.model_validate(base | overrides)


def at(
    entry_id: str, minutes: int, when: str = "2025-03-04T10:00:00-05:00", **kw: Any
) -> dict[str, Any]:
    """A minutes-at entry by clinical staff unless ``role`` is given."""
    return (
        {"id": entry_id, "staff_id": "rn-1", "role": "clinical_staff"}
        | kw
        | {
            "minutes": minutes,
            "at": when,
        }
    )


def span(entry_id: str, start: str, end: str, **kw: Any) -> dict[str, Any]:
    """A start-end entry on 18 March 2025 (EDT), times given as HH:MM."""
    day = "2025-03-18T{}:00-04:00"
    return (
        {"id": entry_id, "staff_id": "ma-2", "role": "clinical_staff"}
        | kw
        | {
            "start": day.format(start),
            "end": day.format(end),
        }
    )


def codes(decision: MonthDecision) -> list[tuple[str, int]]:
    return [(c.code, c.units) for c in decision.codes]


ILLUSTRATIVE = [
    pytest.param([at("a", 12), at("b", 7)], {}, [], id="12+7 minutes bills nothing (19<20)"),
    pytest.param([at("a", 12), at("b", 8)], {}, [("99490", 1)], id="12+8 minutes bills 99490"),
    pytest.param([at("a", 39)], {}, [("99490", 1)], id="39 minutes bills 99490"),
    pytest.param([at("a", 40)], {}, [("99490", 1), ("99439", 1)], id="40 minutes 99490+99439"),
    pytest.param(
        [at("a", 100)], {}, [("99490", 1), ("99439", 2)], id="100 minutes not complex 99439x2"
    ),
    pytest.param(
        [at("a", 30, role="practitioner")], {}, [("99491", 1)], id="practitioner 30 bills 99491"
    ),
    pytest.param(
        [at("a", 90)],
        {"complex_mdm": True},
        [("99487", 1), ("99489", 1)],
        id="complex MDM 90 minutes 99487+99489",
    ),
    pytest.param(
        [at("a", 15, "2025-03-13T10:00:00-04:00"), at("b", 18, "2025-03-20T10:00:00-04:00")],
        {"consent_at": "2025-03-14T09:00:00-04:00"},
        [],
        id="consent on the 14th: 15 before, 18 after bills nothing",
    ),
    pytest.param(
        [at("a", 45)],
        {"other_services": [{"code": "G0181", "on": "2025-03-10"}]},
        [],
        id="45 minutes with G0181 this month bills nothing",
    ),
    pytest.param([at("a", 35)], {"program": "pcm"}, [("99426", 1)], id="PCM 35 minutes 99426"),
]


@pytest.mark.parametrize("entries, overrides, expected", ILLUSTRATIVE)
def test_domain_section_9_illustrative_months(
    entries: list[dict[str, Any]], overrides: dict[str, Any], expected: list[tuple[str, int]]
) -> None:
    decision = evaluate_month(month_facts(entries, **overrides))
    assert codes(decision) == expected
    assert (decision.track is None) == (not expected)


def test_issue_example_prices_40_minutes_at_cy2025_amounts() -> None:
    decision = evaluate_month(month_facts([at("a", 12), at("b", 28, "2025-03-18T09:00:00-04:00")]))
    assert decision.track == "ccm_staff"
    assert decision.date_of_service == date(2025, 3, 31)
    assert decision.allowed_amount == Decimal("106.42")
    assert decision.patient_share == Decimal("21.28")
    assert (
        decision.reasons[0] == "40 counted minutes on the clinical-staff track: 99490 + 1 × 99439"
    )


BILLS_NOTHING = [
    pytest.param({"ccm_billed_elsewhere": True}, "another practitioner", id="ccm billed elsewhere"),
    pytest.param(
        {"other_services": [{"code": "G0182", "on": "2025-03-31"}]}, "G0182", id="hospice G0182"
    ),
    pytest.param(
        {"other_services": [{"code": "90960", "on": "2025-03-02"}]}, "ESRD", id="ESRD 90960"
    ),
    pytest.param({"care_plan_at": None}, "care plan", id="no care plan"),
    pytest.param(
        {"care_plan_at": "2025-04-01T00:00:00-04:00"}, "care plan", id="care plan after month end"
    ),
    pytest.param({"consent_at": None}, "no consent", id="no consent"),
    pytest.param(
        {"revoked_at": "2025-02-20T10:00:00-05:00"}, "revoked", id="revoked in an earlier month"
    ),
    pytest.param({"died_on": "2025-02-27"}, "died", id="died before the month"),
    pytest.param(
        {"last_visit_on": None}, "initiating visit", id="new patient without initiating visit"
    ),
    pytest.param(
        {"program": "apcm", "service_month": "2024-12"}, "from January 2025", id="APCM before 2025"
    ),
]


@pytest.mark.parametrize("overrides, words", BILLS_NOTHING)
def test_domain_section_6_months_that_bill_nothing(overrides: dict[str, Any], words: str) -> None:
    entries = [at("a", 45, "2025-03-04T10:00:00-05:00")]
    if overrides.get("service_month") == "2024-12":
        entries = [at("a", 45, "2024-12-04T10:00:00-05:00")]
    decision = evaluate_month(month_facts(entries, **overrides))
    assert decision.codes == [] and decision.track is None
    assert decision.date_of_service is None
    assert decision.allowed_amount == Decimal("0.00")
    assert any(words in r for r in decision.reasons), decision.reasons


def test_conflicting_service_in_another_month_does_not_block() -> None:
    facts = month_facts([at("a", 45)], other_services=[{"code": "G0181", "on": "2025-02-28"}])
    assert codes(evaluate_month(facts)) == [("99490", 1), ("99439", 1)]


def test_policy_conflicts_only_when_billed_by_our_practitioner() -> None:
    policy = Policy(conflicts_block_whoever_billed=False)
    theirs = [{"code": "G0181", "on": "2025-03-10"}]
    ours = [{"code": "G0181", "on": "2025-03-10", "by_billing_practitioner": True}]
    assert evaluate_month(month_facts([at("a", 45)], other_services=theirs), policy).bills
    assert not evaluate_month(month_facts([at("a", 45)], other_services=ours), policy).bills


def test_revocation_month_bills_when_threshold_met_before_revocation() -> None:
    entries = [at("a", 25, "2025-03-04T10:00:00-05:00"), at("b", 20, "2025-03-20T10:00:00-04:00")]
    decision = evaluate_month(month_facts(entries, revoked_at="2025-03-10T12:00:00-04:00"))
    assert codes(decision) == [("99490", 1)]
    assert [(x.entry, x.reason) for x in decision.excluded] == [("b", "after_revocation")]


def test_revocation_month_end_policy_counts_the_whole_month() -> None:
    entries = [at("a", 25, "2025-03-04T10:00:00-05:00"), at("b", 20, "2025-03-20T10:00:00-04:00")]
    facts = month_facts(entries, revoked_at="2025-03-10T12:00:00-04:00")
    decision = evaluate_month(facts, Policy(revocation_cutoff="month_end"))
    assert codes(decision) == [("99490", 1), ("99439", 1)]


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


def test_minutes_before_a_required_initiating_visit_do_not_count() -> None:
    visit = {"on": "2025-03-10", "code": "G0438"}
    entries = [at("a", 15, "2025-03-04T10:00:00-05:00"), at("b", 20, "2025-03-10T08:00:00-04:00")]
    decision = evaluate_month(month_facts(entries, last_visit_on=None, initiating_visit=visit))
    assert codes(decision) == [("99490", 1)]
    assert [(x.entry, x.reason) for x in decision.excluded] == [("a", "before_initiating_visit")]
