"""month_progress: the day-20 at-risk check and the worklist's "reachable at the usual pace"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from care.policy import Policy
from care.progress import month_progress
from tests.unit.test_care_facts import at, month_facts, span

NY = ZoneInfo("America/New_York")


def test_day_20_with_12_minutes_needs_8_and_is_reachable() -> None:
    facts = month_facts([at("a", 12), at("b", 30, "2025-03-25T10:00:00-04:00")])
    p = month_progress(facts, datetime(2025, 3, 20, 8, tzinfo=NY))
    assert (p.minutes_so_far, p.minutes_needed, p.threshold) == (12, 8, 20)
    assert p.days_left == 12  # 20..31 March inclusive
    assert p.working_days_left == 8  # Thu 20 .. Mon 31 March: 8 weekdays
    assert p.reachable


def test_unreachable_when_the_pace_cannot_close_the_gap() -> None:
    facts = month_facts([], program="pcm")
    p = month_progress(
        facts, datetime(2025, 3, 28, 8, tzinfo=NY), Policy(usual_pace_minutes_per_day=5)
    )
    assert (p.minutes_needed, p.working_days_left, p.threshold) == (30, 2, 30)
    assert not p.reachable


def test_only_finished_and_countable_entries_count() -> None:
    facts = month_facts([span("a", "09:00", "09:30"), at("b", 10, role="non_clinical")])
    assert month_progress(facts, datetime(2025, 3, 18, 9, 29, tzinfo=NY)).minutes_so_far == 0
    assert month_progress(facts, datetime(2025, 3, 18, 9, 30, tzinfo=NY)).minutes_so_far == 30


def test_apcm_has_no_threshold() -> None:
    p = month_progress(month_facts([], program="apcm"), datetime(2025, 3, 20, tzinfo=NY))
    assert (p.threshold, p.minutes_needed, p.reachable) == (0, 0, True)


def test_after_the_month_no_days_are_left() -> None:
    p = month_progress(month_facts([]), datetime(2025, 4, 2, tzinfo=NY))
    assert (p.days_left, p.working_days_left, p.reachable) == (0, 0, False)


def test_naive_as_of_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        month_progress(month_facts([]), datetime(2025, 3, 20))
