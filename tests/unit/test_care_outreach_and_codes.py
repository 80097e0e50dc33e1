"""Enrollment outreach exhaustion (policy) and the care-management code set (MLN909188)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from care.codes import CARE_MANAGEMENT_CODES
from care.gates import outreach_exhausted
from care.policy import Policy

T0 = datetime(2025, 3, 3, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("outcomes", "days_later", "exhausted"),
    [
        ([], 0, False),
        (["no_answer", "left_message"], 5, False),
        (["no_answer", "left_message", "wrong_number"], 5, True),  # 3 failed attempts (default)
        (["reached", "reached", "reached"], 5, False),  # reaching the patient is not a failure
        (["no_answer"], 29, False),
        (["no_answer"], 30, True),  # the 30-day window (default) ran out without consent
    ],
)
def test_outreach_runs_out_after_the_attempts_or_the_window(
    outcomes: list[str], days_later: int, exhausted: bool
) -> None:
    attempts = [(T0 + timedelta(days=i), o) for i, o in enumerate(outcomes)]
    now = T0 + timedelta(days=days_later)
    assert outreach_exhausted(attempts, now, Policy()) is exhausted


def test_every_ccm_pcm_and_apcm_code_counts_as_care_management_and_nothing_else() -> None:
    assert {
        *("99490", "99439", "99491", "99437", "99487", "99489"),
        *("99424", "99425", "99426", "99427", "G0556", "G0557", "G0558"),
    } == CARE_MANAGEMENT_CODES
    assert "G0181" not in CARE_MANAGEMENT_CODES
