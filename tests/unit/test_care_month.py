"""evaluate_month: every illustrative month of the domain reference (§9) and the months that bill
nothing (§6), plus date of service, G0506 and pricing (§7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from care.decision import MonthDecision
from care.month import evaluate_month
from care.policy import Policy
from tests.unit.test_care_facts import at, month_facts, span


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


def test_the_same_conflicting_service_twice_is_one_reason() -> None:
    twice = [{"code": "G0181", "on": "2025-03-10"}, {"code": "G0181", "on": "2025-03-10"}]
    decision = evaluate_month(month_facts([at("a", 45)], other_services=twice))
    assert sum("G0181" in r for r in decision.reasons) == 1


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


def test_new_consent_after_a_revocation_bills_again() -> None:
    facts = month_facts(
        [at("a", 25)],
        revoked_at="2025-01-20T10:00:00-05:00",
        consent_at="2025-02-03T10:00:00-05:00",
    )
    decision = evaluate_month(facts)
    assert codes(decision) == [("99490", 1)] and decision.excluded == []


def test_revocation_month_end_policy_counts_the_whole_month() -> None:
    entries = [at("a", 25, "2025-03-04T10:00:00-05:00"), at("b", 20, "2025-03-20T10:00:00-04:00")]
    facts = month_facts(entries, revoked_at="2025-03-10T12:00:00-04:00")
    decision = evaluate_month(facts, Policy(revocation_cutoff="month_end"))
    assert codes(decision) == [("99490", 1), ("99439", 1)]


def test_minutes_before_a_required_initiating_visit_do_not_count() -> None:
    visit = {"on": "2025-03-10", "code": "G0438"}
    entries = [at("a", 15, "2025-03-04T10:00:00-05:00"), at("b", 20, "2025-03-10T08:00:00-04:00")]
    decision = evaluate_month(month_facts(entries, last_visit_on=None, initiating_visit=visit))
    assert codes(decision) == [("99490", 1)]
    assert [(x.entry, x.reason) for x in decision.excluded] == [("a", "before_initiating_visit")]


def test_issue_3_input_example_bills_nothing_because_of_g0181() -> None:
    facts = month_facts(
        [at("t1", 12), span("t2", "09:00", "09:09")],
        initiating_visit={"on": "2025-01-05", "code": "99214", "g0506": False},
        inpatient_stays=[{"admitted_at": "2025-03-05T08:00:00-05:00", "discharged_at": None}],
        other_services=[{"code": "G0181", "on": "2025-03-01"}],
    )
    decision = evaluate_month(facts)
    assert (decision.track, decision.codes, decision.counted_minutes) == (None, [], 12)
    assert [(x.entry, x.reason, x.minutes) for x in decision.excluded] == [
        ("t2", "during_inpatient_stay", 9)
    ]
    assert decision.reasons[0].startswith("bills nothing: the patient had G0181")
