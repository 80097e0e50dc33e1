"""Enrollment gates (domain §3): initiating visit, disclosures, care plan, re-attestation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from care.gates import (
    care_plan_in_force,
    consent_current,
    initiating_visit_required,
    missing_disclosures,
    qualifies_as_initiating_visit,
)
from care.policy import Policy

CONSENT_ON = date(2025, 3, 10)


@pytest.mark.parametrize(
    "last_visit, program, required",
    [
        pytest.param(None, "ccm", True, id="new patient needs a visit"),
        pytest.param(date(2024, 3, 10), "ccm", False, id="seen exactly 12 months before"),
        pytest.param(date(2024, 3, 9), "ccm", True, id="not seen within 12 months"),
        pytest.param(date(2024, 3, 9), "pcm", True, id="PCM uses 12 months too"),
        pytest.param(date(2022, 3, 10), "apcm", False, id="APCM seen within 3 years"),
        pytest.param(date(2022, 3, 9), "apcm", True, id="APCM not seen within 3 years"),
        pytest.param(None, "apcm", True, id="APCM new patient"),
    ],
)
def test_section_3_initiating_visit_required(
    last_visit: date | None, program: str, required: bool
) -> None:
    assert initiating_visit_required(last_visit, CONSENT_ON, program) is required  # type: ignore[arg-type]


def test_leap_day_consent_looks_back_to_28_february() -> None:
    assert not initiating_visit_required(date(2023, 2, 28), date(2024, 2, 29), "ccm")
    assert initiating_visit_required(date(2023, 2, 27), date(2024, 2, 29), "ccm")


@pytest.mark.parametrize(
    "code, ok",
    [
        ("99202", True),
        ("99205", True),
        ("99212", True),
        ("99215", True),
        ("G0438", True),
        ("G0439", True),
        ("G0402", True),
        ("99211", False),
        ("99201", False),
        ("99490", False),
        ("99495", False),
    ],
)
def test_section_3_qualifying_initiating_visit_codes(code: str, ok: bool) -> None:
    assert qualifies_as_initiating_visit(code) is ok


def test_all_four_disclosures_are_required() -> None:
    full = {
        "availability": True,
        "cost_sharing": True,
        "stop_anytime": True,
        "one_practitioner": True,
    }
    assert missing_disclosures(**full) == []
    partial = full | {"cost_sharing": False, "one_practitioner": False}
    assert missing_disclosures(**partial) == ["cost_sharing", "one_practitioner"]


def test_care_plan_must_be_in_force_before_month_end() -> None:
    end = datetime(2025, 4, 1, 4, tzinfo=UTC)
    assert care_plan_in_force(datetime(2025, 3, 31, 23, tzinfo=UTC), end)
    assert not care_plan_in_force(end, end)
    assert not care_plan_in_force(None, end)


def test_consent_does_not_expire_unless_annual_reattestation_is_on() -> None:
    month_start = datetime(2025, 3, 1, tzinfo=UTC)
    old = datetime(2024, 2, 28, tzinfo=UTC)
    assert consent_current(old, month_start)
    assert not consent_current(old, month_start, Policy(consent_annual_reattestation=True))
    recent = datetime(2024, 3, 1, tzinfo=UTC)
    assert consent_current(recent, month_start, Policy(consent_annual_reattestation=True))
    assert not consent_current(None, month_start)
