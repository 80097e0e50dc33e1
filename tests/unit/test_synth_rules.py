"""The feed bills what it was designed to bill, decided by the engine's own rules.

Each patient's events go through the workflow's steps without Temporal (``engine_sim``): update
checks, the business clock, the calendar's at-risk checks and month closes, the fold. The codes
of every month the engine closed must equal the feed's ``intended`` codes, the months it closed
must be exactly the feed's closed months, and each late entry must be recorded as late.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from care.eligibility import screen
from care.policy import Policy
from events.upstream import PatientIdentified, UpstreamEvent
from tests.unit.engine_sim import simulate
from upstream.synth import SynthFeed, plan_feed

TZ = "America/New_York"
POLICY = Policy()  # the practice records no policy version: the defaults


def by_patient(feed: SynthFeed) -> dict[str, list[UpstreamEvent]]:
    groups: dict[str, list[UpstreamEvent]] = defaultdict(list)
    for event in feed.events:
        groups[event.patient_id].append(event)
    return groups


def check(feed: SynthFeed) -> list[str]:
    """Every refused event id; asserts the engine bills each closed month as intended."""
    tl = feed.timeline
    closed = {m.label for m in tl.closed}
    refused: list[str] = []
    for patient, events in by_patient(feed).items():
        sim = simulate(events, TZ, tl.boundary)
        refused += sim.refused
        billed = sim.codes()
        assert set(billed) <= closed, (patient, sorted(set(billed) - closed))
        for month, codes in billed.items():
            assert codes == feed.intended.get((patient, month), ()), (patient, month)
        late = [e for e in sim.recorded if e.type == "late_entry_recorded"]
        assert len(late) == sum(1 for e in events if e.meta.correlation_id == "late"), patient
    return refused


@pytest.mark.parametrize(
    ("end", "seed", "months"),
    [
        (date(2026, 11, 27), 7, 4),  # the default demo shape
        (date(2026, 3, 9), 2, 5),  # across New York's DST change
        (date(2027, 1, 2), 3, 3),  # across a year end; December still in its grace period
        (date(2026, 12, 2), 7, 4),  # the 2nd: November still awaits its close
        (date(2026, 12, 3), 5, 12),  # a year of care: the scale run's shape
    ],
)
def test_every_closed_month_bills_its_intended_codes(end: date, seed: int, months: int) -> None:
    feed = plan_feed(end=end, seed=seed, months=months)
    refused = check(feed)
    # Only the consent that lacks a disclosure is refused by the update checks.
    assert refused == [f"synth-{seed}-{feed.cases['missing-disclosure']}-3"]


DESIGNED_LAST_MONTH = {
    "under-20": (),
    "exactly-20": (("99490", 1),),
    "100-minutes": (("99490", 1), ("99439", 2)),
    "practitioner-34": (("99491", 1),),
    "practitioner-95": (("99490", 1), ("99439", 2)),  # pays more than 99491 + 99437
    "complex-62": (("99490", 1), ("99439", 2)),  # pays more than 99487 alone
    "complex-90": (("99487", 1), ("99489", 1)),
    "complex-under-60": (("99490", 1), ("99439", 1)),
    "pcm-staff-35": (("99426", 1),),
    "pcm-practitioner-65": (("99424", 1), ("99425", 1)),
    "overlap": (("99490", 1),),
    "hospital-stay": (("99490", 1),),
    "died": (("99490", 1),),
    "g0181": (),
    "consent-mid-month": (),
    "visit-after-consent": (),
}


@pytest.mark.parametrize("months", [4, 12])
def test_designed_cases_bill_their_tracks_in_the_last_closed_month(months: int) -> None:
    feed = plan_feed(end=date(2026, 11, 27), patients=34, months=months)
    groups, last = by_patient(feed), feed.timeline.last_closed.label
    for case, codes in DESIGNED_LAST_MONTH.items():
        sim = simulate(groups[feed.cases[case]], TZ, feed.timeline.boundary)
        assert sim.codes()[last] == codes, case


def test_g0506_is_billed_once_in_the_initiating_visits_month() -> None:
    feed = plan_feed(end=date(2026, 11, 27), patients=34)
    tl, groups = feed.timeline, by_patient(feed)
    for case in ("40-minutes", "60-minutes"):
        sim = simulate(groups[feed.cases[case]], TZ, tl.boundary)
        first = sim.closed()[tl.closed[0].label].decision
        [g0506] = [line for line in first.codes if line.code == "G0506"]
        visit = next(e for e in groups[feed.cases[case]] if e.type == "initiating_visit_completed")
        assert g0506.date_of_service == visit.on
        later = [m for m in sim.closed().values() if m.service_month != tl.closed[0].label]
        assert all(c.code != "G0506" for m in later for c in m.decision.codes), case


def test_the_screening_finds_mostly_ccm_some_pcm_some_ineligible() -> None:
    feed = plan_feed(end=date(2026, 11, 27))
    programs = Counter(
        screen(e.diagnoses).program for e in feed.events if isinstance(e, PatientIdentified)
    )
    assert programs["ccm"] > 0.6 * 200
    assert 10 <= programs["pcm"] <= 50
    assert 10 <= programs[None] <= 40
