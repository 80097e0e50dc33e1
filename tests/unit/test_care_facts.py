"""MonthFacts, the input contract: builders for the care tests, and validation naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from care.facts import MonthFacts


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


def test_defaults_for_optional_fields() -> None:
    facts = MonthFacts.model_validate(
        {"service_month": "2025-03", "timezone": "UTC", "program": "pcm"}
    )
    assert facts.conditions == [] and facts.time_entries == [] and facts.other_services == []
    assert not (facts.qmb or facts.complex_mdm or facts.ccm_billed_elsewhere)
    assert facts.consent_at is None and facts.initiating_visit is None and facts.died_on is None


def _error(entries: list[dict[str, Any]] | None = None, **overrides: Any) -> str:
    with pytest.raises(ValidationError) as info:
        month_facts(entries, **overrides)
    return str(info.value)


@pytest.mark.parametrize(
    "entry, words",
    [
        pytest.param({"minutes": 5}, "minutes together with at", id="minutes without at"),
        pytest.param(
            {"start": "2025-03-18T09:00:00-04:00"}, "start together with end", id="no end"
        ),
        pytest.param(
            {
                "minutes": 5,
                "at": "2025-03-04T10:00:00-05:00",
                "start": "2025-03-18T09:00:00-04:00",
                "end": "2025-03-18T09:10:00-04:00",
            },
            "exactly one",
            id="both forms",
        ),
        pytest.param({}, "exactly one", id="neither form"),
        pytest.param(
            {"start": "2025-03-18T09:10:00-04:00", "end": "2025-03-18T09:10:00-04:00"},
            "is not after start",
            id="empty interval",
        ),
    ],
)
def test_time_entry_needs_minutes_and_at_or_start_and_end(
    entry: dict[str, Any], words: str
) -> None:
    base = {"id": "t1", "staff_id": "rn-1", "role": "clinical_staff"}
    message = _error([base | entry])
    assert "time_entries.0" in message and words in message


def test_duplicate_entry_ids_are_rejected_naming_the_id() -> None:
    message = _error([at("t1", 5), at("t1", 6)])
    assert "duplicate id 't1'" in message


def test_discharge_must_follow_admission() -> None:
    stay = {
        "admitted_at": "2025-03-05T08:00:00-05:00",
        "discharged_at": "2025-03-05T08:00:00-05:00",
    }
    assert "inpatient_stays.0" in _error(inpatient_stays=[stay])


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"timezone": "Eastern"}, "timezone"),
        ({"service_month": "2025-3"}, "service_month"),
        ({"conditions": ["I10", "ICD"]}, "conditions.1"),
        ({"consent_at": "2025-01-10T15:00:00"}, "consent_at"),
        ({"initiating_visit": {"on": "2025-01-05", "code": "visit"}}, "initiating_visit.code"),
        ({"other_services": [{"code": "G0181"}]}, "other_services.0.on"),
        ({"mystery": True}, "mystery"),
        ({"service_month": "0000-01"}, "service_month"),
        ({"service_month": "2014-12"}, "service_month"),
        ({"died_on": "9999-12-31"}, "died_on"),
        ({"revoked_at": "0001-01-01T00:00:00+00:00"}, "revoked_at"),
    ],
)
def test_bad_fields_are_named(overrides: dict[str, Any], field: str) -> None:
    assert field in _error(**overrides)


def test_conditions_are_normalized_and_facts_frozen() -> None:
    facts = month_facts(conditions=["e119", "I10"])
    assert facts.conditions == ["E11.9", "I10"]
    with pytest.raises(ValidationError):
        facts.qmb = True
