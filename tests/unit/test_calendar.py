"""Calendar months in the practice's zone (CCM time counts per calendar month, MLN909188)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from care.months import (
    check_time,
    close_time,
    last_day_of,
    month_of,
    months_between,
    next_month,
)

NY = "America/New_York"


@pytest.mark.parametrize(
    ("at", "month"),
    [
        (datetime(2025, 4, 1, 3, 59, tzinfo=UTC), "2025-03"),  # still March 31st in New York
        (datetime(2025, 4, 1, 4, 0, tzinfo=UTC), "2025-04"),
        (datetime(2026, 1, 1, 4, 59, tzinfo=UTC), "2025-12"),  # year end, EST
    ],
)
def test_a_moment_belongs_to_the_practice_zones_month(at: datetime, month: str) -> None:
    assert month_of(at, NY) == month


def test_months_roll_over_the_year_and_february_has_its_leap_day() -> None:
    assert next_month("2025-12") == "2026-01"
    assert last_day_of("2024-02") == date(2024, 2, 29)
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between("2026-02", "2026-01") == []


def test_close_waits_the_grace_days_after_month_end_in_local_time() -> None:
    # March ends in EDT: close at local midnight of April 4th with the default 3 grace days.
    closes = close_time("2025-03", NY, 3)
    assert closes == datetime(2025, 4, 4, 4, 0, tzinfo=UTC)
    assert check_time("2025-11", NY, 20) == datetime(2025, 11, 20, 5, 0, tzinfo=UTC)
