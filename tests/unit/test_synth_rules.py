"""The feed bills what it was designed to bill, decided by the engine's own rules.

Each patient's on-time events go through the workflow's update checks and fold, every month due
by the end of the feed is closed with the care rules (``workflows.closing.close_month``, which
calls ``care.month.evaluate_month`` on ``MonthFacts``), and the codes must equal the feed's
``intended`` codes. Then the late entries are folded: each must be recorded as late.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
from temporalio.exceptions import ApplicationError

from care.eligibility import screen
from events.decisions import MonthClosed
from events.upstream import PatientIdentified, UpstreamEvent
from upstream.synth import SynthFeed, plan_feed
from upstream.synth.scene import Codes
from upstream.synth.timeline import Timeline
from workflows.checks import check_batch
from workflows.closing import close_month, months_due
from workflows.config import CareConfig
from workflows.fold import apply
from workflows.state import PatientState

CFG = CareConfig()


def _bill(events: list[UpstreamEvent], tl: Timeline) -> tuple[dict[str, Codes], list[str]]:
    """(codes per month the engine closed, event ids the engine refused) for one patient."""
    state = PatientState(patient_id=events[0].patient_id)
    refused: list[str] = []
    on_time = [e for e in events if e.meta.correlation_id != "late"]
    for event in on_time:
        try:
            check_batch(state, [], [event], CFG, tl.boundary)
        except ApplicationError:
            refused.append(event.event_id)
            continue
        apply(state, event, CFG)
    billed: dict[str, Codes] = {}
    for month in months_due(state, tl.boundary, CFG):
        for decided in close_month(state, month, tl.boundary, CFG)[0]:
            if isinstance(decided, MonthClosed):
                billed[month] = tuple((c.code, c.units) for c in decided.decision.codes)
    for late in (e for e in events if e.meta.correlation_id == "late"):
        assert [d.type for d in apply(state, late, CFG)] == ["late_entry_recorded"]
    return billed, refused


def _check(feed: SynthFeed, tl: Timeline) -> list[str]:
    """Every refused event id; asserts intended == billed for every month the engine closed."""
    per_patient: dict[str, list[UpstreamEvent]] = defaultdict(list)
    for event in feed.events:
        per_patient[event.patient_id].append(event)
    refused: list[str] = []
    for patient, events in per_patient.items():
        billed, rejected = _bill(events, tl)
        refused += rejected
        for month, codes in billed.items():
            assert codes == feed.intended.get((patient, month), ()), (patient, month)
    return refused


@pytest.mark.parametrize(
    ("end", "seed", "months"),
    [
        (date(2026, 11, 27), 7, 4),  # the default demo shape
        (date(2026, 3, 9), 2, 5),  # across New York's DST change
        (date(2027, 1, 2), 3, 3),  # across a year end; December still in its grace period
    ],
)
def test_every_closed_month_bills_its_intended_codes(end: date, seed: int, months: int) -> None:
    feed = plan_feed(end=end, seed=seed, months=months)
    tl = Timeline.build(end=end, months=months, timezone=CFG.timezone)
    refused = _check(feed, tl)
    # Only the consent that lacks a disclosure is refused by the update checks.
    assert refused == [f"synth-{seed}-{feed.cases['missing-disclosure']}-3"]


def test_designed_cases_bill_their_tracks_in_the_last_closed_month() -> None:
    end = date(2026, 11, 27)
    feed = plan_feed(end=end, patients=34)
    tl = Timeline.build(end=end, months=4, timezone=CFG.timezone)
    per_patient: dict[str, list[UpstreamEvent]] = defaultdict(list)
    for event in feed.events:
        per_patient[event.patient_id].append(event)
    expected = {
        "under-20": (),
        "exactly-20": (("99490", 1),),
        "practitioner-95": (("99491", 1), ("99437", 1)),
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
    for case, codes in expected.items():
        billed, _ = _bill(per_patient[feed.cases[case]], tl)
        assert billed[tl.last_closed.label] == codes, case


def test_the_screening_finds_mostly_ccm_some_pcm_some_ineligible() -> None:
    feed = plan_feed(end=date(2026, 11, 27))
    programs = Counter(
        screen(e.diagnoses).program for e in feed.events if isinstance(e, PatientIdentified)
    )
    assert programs["ccm"] > 0.6 * 200
    assert 10 <= programs["pcm"] <= 50
    assert 10 <= programs[None] <= 40
