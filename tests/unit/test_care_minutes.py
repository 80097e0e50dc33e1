"""Which minutes count (domain §4): every exclusion reason, partial cuts and overlap unions."""

from __future__ import annotations

from typing import Any

import pytest

from care.decision import ExclusionReason
from care.month import evaluate_month
from tests.unit.test_care_facts import at, month_facts, span


def excluded(entries: list[dict[str, Any]], **overrides: Any) -> list[tuple[str, str, int | None]]:
    decision = evaluate_month(month_facts(entries, **overrides))
    return [(x.entry, x.reason.value, x.minutes) for x in decision.excluded]


def counted(entries: list[dict[str, Any]], **overrides: Any) -> int:
    return evaluate_month(month_facts(entries, **overrides)).counted_minutes


WHOLE_ENTRY_EXCLUSIONS = [
    pytest.param(at("x", 25, role="non_clinical"), {}, "non_clinical_role", id="non-clinical"),
    pytest.param(at("x", 25, counted_toward="em"), {}, "counted_toward_em", id="E/M time"),
    pytest.param(at("x", 25, counted_toward="tcm"), {}, "counted_toward_tcm", id="TCM time"),
    pytest.param(at("x", 25, counted_toward="rpm"), {}, "counted_toward_rpm", id="RPM time"),
    pytest.param(at("x", 25, counted_toward="bhi"), {}, "counted_toward_bhi", id="BHI time"),
    pytest.param(
        at("x", 25, "2025-02-28T23:59:00-05:00"), {}, "outside_month", id="day before the month"
    ),
    pytest.param(
        at("x", 25, "2025-04-01T00:00:00-04:00"), {}, "outside_month", id="first second after"
    ),
    pytest.param(
        at("x", 25, "2025-03-14T08:59:00-04:00"),
        {"consent_at": "2025-03-14T09:00:00-04:00"},
        "before_consent",
        id="a minute before consent",
    ),
    pytest.param(at("x", 25), {"consent_at": None}, "no_consent", id="no consent at all"),
    pytest.param(
        at("x", 25), {"last_visit_on": None}, "no_initiating_visit", id="required visit missing"
    ),
    pytest.param(
        at("x", 25, "2025-03-09T23:00:00-04:00"),
        {"last_visit_on": None, "initiating_visit": {"on": "2025-03-10", "code": "99213"}},
        "before_initiating_visit",
        id="the evening before the initiating visit",
    ),
    pytest.param(
        at("x", 25, "2025-03-06T10:00:00-05:00"),
        {"inpatient_stays": [{"admitted_at": "2025-03-05T08:00:00-05:00"}]},
        "during_inpatient_stay",
        id="while still admitted",
    ),
    pytest.param(
        at("x", 25, "2025-03-10T12:00:00-04:00"),
        {"revoked_at": "2025-03-10T12:00:00-04:00"},
        "after_revocation",
        id="at the revocation timestamp",
    ),
    pytest.param(
        at("x", 25, "2025-03-13T00:00:00-04:00"),
        {"died_on": "2025-03-12"},
        "after_death",
        id="the day after death",
    ),
]


@pytest.mark.parametrize("entry, overrides, reason", WHOLE_ENTRY_EXCLUSIONS)
def test_section_4_exclusions_name_their_reason(
    entry: dict[str, Any], overrides: dict[str, Any], reason: str
) -> None:
    assert excluded([entry], **overrides) == [("x", reason, 25)]
    assert counted([entry], **overrides) == 0


@pytest.mark.parametrize(
    "entry, overrides",
    [
        pytest.param(at("x", 25, role="practitioner"), {}, id="practitioner time counts"),
        pytest.param(at("x", 25, "2025-03-01T00:00:00-05:00"), {}, id="first second of month"),
        pytest.param(
            at("x", 25, "2025-03-31T23:59:00-04:00"), {}, id="last minute of month after DST"
        ),
        pytest.param(
            at("x", 25, "2025-03-07T10:00:00-05:00"),
            {
                "inpatient_stays": [
                    {
                        "admitted_at": "2025-03-05T08:00:00-05:00",
                        "discharged_at": "2025-03-07T09:00:00-05:00",
                    }
                ]
            },
            id="after discharge",
        ),
        pytest.param(
            at("x", 25, "2025-03-12T23:00:00-04:00"), {"died_on": "2025-03-12"}, id="day of death"
        ),
        pytest.param(
            at("x", 25, "2025-03-10T08:00:00-04:00"),
            {"last_visit_on": None, "initiating_visit": {"on": "2025-03-10", "code": "G0402"}},
            id="on the initiating visit's day",
        ),
    ],
)
def test_section_4_countable_minutes_count(
    entry: dict[str, Any], overrides: dict[str, Any]
) -> None:
    assert excluded([entry], **overrides) == []
    assert counted([entry], **overrides) == 25


def test_month_is_the_practices_calendar_month_not_utc() -> None:
    # 2025-03-01 03:00 UTC is still February in New York; in UTC it would count.
    entry = at("x", 25, "2025-03-01T03:00:00+00:00")
    assert excluded([entry]) == [("x", "outside_month", 25)]
    assert counted([entry], timezone="UTC") == 25


def test_two_staff_on_one_call_count_once() -> None:
    entries = [span("a", "09:00", "09:20"), span("b", "09:00", "09:20", staff_id="rn-9")]
    assert counted(entries) == 20
    assert excluded(entries) == [("b", "overlaps_counted_entry", 20)]


def test_partial_overlap_counts_the_union_and_names_the_later_entry() -> None:
    entries = [span("a", "09:00", "09:15"), span("b", "09:10", "09:30")]
    assert counted(entries) == 30
    assert excluded(entries) == [("b", "overlaps_counted_entry", 5)]


def test_nested_interval_counts_once() -> None:
    entries = [
        span("a", "09:00", "10:00"),
        span("b", "09:10", "09:20"),
        span("c", "09:50", "10:05"),
    ]
    assert counted(entries) == 65
    assert excluded(entries) == [
        ("b", "overlaps_counted_entry", 10),
        ("c", "overlaps_counted_entry", 10),
    ]


def test_interval_cut_by_consent_counts_only_after_it() -> None:
    entries = [span("a", "09:00", "09:30")]
    assert counted(entries, consent_at="2025-03-18T09:10:00-04:00") == 20
    assert excluded(entries, consent_at="2025-03-18T09:10:00-04:00") == [
        ("a", "before_consent", 10)
    ]


def test_interval_cut_by_admission_and_revocation_names_each_part() -> None:
    stay = [
        {"admitted_at": "2025-03-18T09:05:00-04:00", "discharged_at": "2025-03-18T09:15:00-04:00"}
    ]
    facts = {"inpatient_stays": stay, "revoked_at": "2025-03-18T09:25:00-04:00"}
    entries = [span("a", "09:00", "09:30")]
    assert counted(entries, **facts) == 15
    assert excluded(entries, **facts) == [
        ("a", "after_revocation", 5),
        ("a", "during_inpatient_stay", 10),
    ]


def test_interval_across_midnight_at_month_end_counts_only_the_march_part() -> None:
    entry = {
        "id": "a",
        "staff_id": "rn-1",
        "role": "clinical_staff",
        "start": "2025-03-31T23:50:00-04:00",
        "end": "2025-04-01T00:20:00-04:00",
    }
    assert counted([entry]) == 10
    assert excluded([entry]) == [("a", "outside_month", 20)]


def test_minutes_are_never_rounded_up() -> None:
    entry = span("a", "09:00", "09:19")
    second = {
        **entry,
        "id": "b",
        "start": "2025-03-18T10:00:00-04:00",
        "end": "2025-03-18T10:00:59-04:00",
    }
    decision = evaluate_month(month_facts([entry, second]))
    assert decision.counted_minutes == 19 and not decision.bills


def test_reason_vocabulary_is_fixed() -> None:
    assert {r.value for r in ExclusionReason} == {
        "non_clinical_role",
        "counted_toward_em",
        "counted_toward_tcm",
        "counted_toward_rpm",
        "counted_toward_bhi",
        "outside_month",
        "no_consent",
        "before_consent",
        "no_initiating_visit",
        "before_initiating_visit",
        "during_inpatient_stay",
        "after_revocation",
        "after_death",
        "overlaps_counted_entry",
    }


def test_minutes_by_role_splits_pooled_minutes() -> None:
    entries = [at("a", 12), at("b", 31, role="practitioner"), at("c", 9, role="non_clinical")]
    decision = evaluate_month(month_facts(entries))
    assert decision.minutes_by_role == {"clinical_staff": 12, "practitioner": 31}
    assert decision.counted_minutes == 43
