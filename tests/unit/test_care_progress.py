"""month_progress: the day-20 at-risk check and the worklist's "reachable at the usual pace"."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from care.policy import Policy
from care.progress import MonthProgress, month_progress, still_at_risk, urgency
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


def _progress(so_far: int, threshold: int, working: int, pace: int = 5) -> MonthProgress:
    needed = max(threshold - so_far, 0)
    return MonthProgress(
        minutes_so_far=so_far, minutes_needed=needed, days_left=working, working_days_left=working,
        reachable=needed <= pace * working, threshold=threshold,
    )  # fmt: skip


@pytest.mark.parametrize(
    "progress, group, per_day, reason",
    [
        (_progress(5, 20, 3), 0, "5.0", "15 min needed over 3 working day(s): 5.0/day"),
        (_progress(10, 20, 8), 0, "1.3", "10 min needed over 8 working day(s): 1.3/day"),
        (_progress(0, 30, 2), 1, None, "cannot reach 30 this month: 30 min needed, 2 working"),
        (_progress(19, 20, 0), 1, None, "cannot reach 20 this month: 1 min needed, 0 working"),
        (_progress(25, 20, 4), 2, None, "threshold met: 25 of 20 min"),
        (_progress(0, 0, 4), 2, None, "no time threshold (APCM)"),
    ],
)
def test_worklist_urgency_groups_and_reasons(
    progress: MonthProgress, group: int, per_day: str | None, reason: str
) -> None:
    u = urgency(progress)
    assert u.group == group and u.reason.startswith(reason)
    assert u.minutes_per_working_day == (Decimal(per_day) if per_day else None)


def test_worklist_order_reachable_by_need_per_day_then_out_of_reach_then_met() -> None:
    names = {
        "met": _progress(30, 20, 5), "gone": _progress(0, 20, 1), "light": _progress(15, 20, 10),
        "heavy": _progress(2, 20, 4),
    }  # fmt: skip
    order = sorted(names, key=lambda n: urgency(names[n]).sort_key())
    assert order == ["heavy", "light", "gone", "met"]


def test_still_at_risk_only_when_flagged_and_still_short() -> None:
    assert still_at_risk(True, _progress(5, 20, 3))
    assert not still_at_risk(True, _progress(20, 20, 3))
    assert not still_at_risk(False, _progress(5, 20, 3))
    assert not still_at_risk(True, None)
