"""The feed and its expected billing on every day of a year: no result depends on the date.

For every end date from 15 December 2027 to 31 December 2028 (the 1st to 3rd of every month,
New Year's Day, 29 February 2028, and both of New York's DST changes among them) the synthetic
plan is built and run through the workflow's steps (``engine_sim``). Every month the engine
closes by the feed's end is a month the plan calls closed and bills its intended codes, every
closed month the plan intends to bill is closed and billed by the engine, and the designed cases
always land in the last closed month: the month ``ccm demo`` reports.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from care.months import close_time, local_midnight, next_month
from care.policy import Policy
from tests.unit.engine_sim import simulate
from tests.unit.test_synth_rules import by_patient
from upstream.synth import plan_feed
from upstream.synth.catalog import designed

FIRST, LAST = date(2027, 12, 15), date(2028, 12, 31)
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
PATIENTS = len(designed()) + 4  # every designed case and a few typical patients
TZ = "America/New_York"
POLICY = Policy()  # the practice records no policy version: the defaults


def expected_last_closed(end: date, grace_days: int) -> str:
    """The latest month whose close time (end + grace) is at or before midnight starting ``end``,
    computed from the engine's own close time, independently of the generator."""
    boundary = local_midnight(end, TZ)
    month = f"{end.year - 1:04d}-{end.month:02d}"
    while close_time(next_month(month), TZ, grace_days) <= boundary:
        month = next_month(month)
    return month


def test_the_year_covers_the_days_that_used_to_break() -> None:
    assert {date(2028, 1, 1), date(2028, 2, 29), date(2028, 3, 12), date(2028, 11, 5)} <= set(DAYS)
    assert all(date(2028, m, d) in DAYS for m in range(1, 13) for d in (1, 2, 3))


@pytest.mark.parametrize("end", DAYS, ids=str)
def test_every_day_bills_the_plan_and_the_designed_cases_land_in_the_last_closed_month(
    end: date,
) -> None:
    feed = plan_feed(end=end, patients=PATIENTS, months=3, seed=end.toordinal() % 97)
    tl = feed.timeline
    assert tl.last_closed.label == expected_last_closed(end, POLICY.grace_days)
    closed = {m.label for m in tl.closed}
    for patient, events in by_patient(feed).items():
        billed = simulate(events, TZ, tl.boundary).codes()
        assert set(billed) <= closed, (patient, sorted(set(billed) - closed))
        intended = {m: c for (p, m), c in feed.intended.items() if p == patient}
        # A month intended to bill nothing may never close (a patient never enrolled).
        assert {m: billed.get(m, ()) for m in intended} == intended, patient
        assert all(billed[m] == () for m in set(billed) - set(intended)), patient
    for case in designed():
        if case.story is None and case.bills:
            assert feed.intended[(feed.cases[case.label], tl.last_closed.label)] == case.bills
