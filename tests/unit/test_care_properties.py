"""Properties of evaluate_month over generated months (hypothesis).

- Adding a minute of any role never lowers the claim under the default ``highest_allowed``
  track choice: it never stops billing and never lowers the CY2025 allowed amount (every code is
  priced in CY2025). The ``fixed_order`` policy can (see test_care_codes).
- No output holds two tracks' codes, an add-on without its base, or add-on units over the cap.
- Shuffling the entries never changes the decision.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from care.codes import APCM_CODES, TRACKS
from care.decision import MonthDecision
from care.facts import MonthFacts
from care.month import evaluate_month
from care.policy import DEFAULT_POLICY
from tests.unit.test_care_facts import month_facts

# Generated in UTC: wall-clock arithmetic in New York would build nonexistent DST times.
MONTH_START = datetime(2025, 3, 1, 5, tzinfo=UTC)
ROLES = st.sampled_from(["clinical_staff", "clinical_staff", "practitioner", "non_clinical"])
TOWARD = st.sampled_from([None, None, None, "em", "tcm"])


@st.composite
def entries(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 8))
    out = []
    for i in range(count):
        # Minutes from late February to early April: some fall outside the month.
        start = MONTH_START + timedelta(minutes=draw(st.integers(-3000, 46000)))
        length = draw(st.integers(1, 70))
        base: dict[str, Any] = {"id": f"e{i}", "staff_id": f"s{i % 3}", "role": draw(ROLES)}
        base["counted_toward"] = draw(TOWARD)
        if draw(st.booleans()):
            base |= {"minutes": length, "at": start.isoformat()}
        else:
            base |= {
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=length)).isoformat(),
            }
        out.append(base)
    return out


@st.composite
def months(draw: st.DrawFn) -> MonthFacts:
    overrides: dict[str, Any] = {
        "program": draw(st.sampled_from(["ccm", "ccm", "pcm", "apcm"])),
        "complex_mdm": draw(st.booleans()),
        "qmb": draw(st.booleans()),
    }
    if draw(st.booleans()):
        overrides["consent_at"] = (
            MONTH_START + timedelta(days=draw(st.integers(-5, 20)))
        ).isoformat()
    if draw(st.booleans()):
        admitted = MONTH_START + timedelta(hours=draw(st.integers(0, 700)))
        discharged = admitted + timedelta(hours=draw(st.integers(1, 100)))
        overrides["inpatient_stays"] = [
            {"admitted_at": admitted.isoformat(), "discharged_at": discharged.isoformat()}
        ]
    if draw(st.booleans()):
        overrides["revoked_at"] = (
            MONTH_START + timedelta(days=draw(st.integers(0, 30)))
        ).isoformat()
    return month_facts(draw(entries()), **overrides)


@st.composite
def role_months(draw: st.DrawFn) -> MonthFacts:
    """An enrolled month whose minutes per role lie around every threshold of domain §5."""
    entries = []
    for i, role in enumerate(["clinical_staff", "practitioner"]):
        minutes = draw(st.integers(0, 130))
        day = draw(st.integers(2, 27))
        if minutes:
            at = f"2025-03-{day:02d}T1{i}:00:00-04:00"
            entries.append(
                {"id": f"r{i}", "staff_id": role, "role": role, "minutes": minutes, "at": at}
            )
    program = draw(st.sampled_from(["ccm", "ccm", "pcm"]))
    return month_facts(entries, program=program, complex_mdm=draw(st.booleans()))


def amount(decision: MonthDecision) -> Decimal:
    return decision.allowed_amount or Decimal(0)


def add_minute(facts: MonthFacts, role: str, minutes: int = 1) -> MonthFacts:
    extra = {
        "id": "added",
        "staff_id": "x",
        "role": role,
        "minutes": minutes,
        "at": "2025-03-30T12:00:00-04:00",
    }
    entries = [e.model_dump(mode="json") for e in facts.time_entries] + [extra]
    return MonthFacts.model_validate(facts.model_dump(mode="json") | {"time_entries": entries})


RELAXED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


MONOTONE_EXAMPLES = 400


@pytest.mark.parametrize("role", ["clinical_staff", "practitioner", "non_clinical"])
@settings(RELAXED, max_examples=MONOTONE_EXAMPLES)
@given(facts=st.one_of(months(), role_months()), extra=st.integers(1, 90))
def test_more_minutes_of_any_role_never_lower_the_allowed_amount(
    role: str, facts: MonthFacts, extra: int
) -> None:
    before, after = evaluate_month(facts), evaluate_month(add_minute(facts, role, extra))
    assert before.counted_minutes <= after.counted_minutes <= before.counted_minutes + extra
    assert after.bills or not before.bills
    assert amount(after) >= amount(before)


def _track_of(code: str) -> str:
    if code in APCM_CODES:
        return "apcm"
    return next(str(t) for t, r in TRACKS.items() if code in (r.base, r.add_on))


@RELAXED
@given(months())
def test_never_two_tracks_an_orphan_add_on_or_units_over_the_cap(facts: MonthFacts) -> None:
    decision = evaluate_month(facts)
    codes = [c for c in decision.codes if c.code != "G0506"]  # the visit's own line
    tracks = {_track_of(c.code) for c in codes}
    assert len(tracks) <= 1
    assert (decision.track is None) == (not codes)
    if decision.track is not None and decision.track != "apcm":
        assert tracks == {decision.track.value}
        rule = TRACKS[decision.track]
        assert (codes[0].code, codes[0].units) == (rule.base, 1)
        cap = rule.cap(DEFAULT_POLICY)
        for c in codes[1:]:
            assert c.code == rule.add_on and (cap is None or c.units <= cap)
    assert len({c.code for c in decision.codes}) == len(decision.codes)


@RELAXED
@given(months(), st.randoms(use_true_random=False))
def test_shuffling_entries_never_changes_the_decision(
    facts: MonthFacts, rnd: random.Random
) -> None:
    entries = list(facts.time_entries)
    rnd.shuffle(entries)
    shuffled = facts.model_copy(update={"time_entries": entries})
    assert evaluate_month(shuffled) == evaluate_month(facts)


def documented_minutes(facts: MonthFacts) -> int:
    total = 0
    for e in facts.time_entries:
        if e.start is not None and e.end is not None:
            total += int((e.end - e.start).total_seconds()) // 60
        else:
            total += e.minutes or 0
    return total


@RELAXED
@given(months())
def test_counted_minutes_never_exceed_documented_minutes(facts: MonthFacts) -> None:
    decision = evaluate_month(facts)
    assert decision.counted_minutes <= documented_minutes(facts)
    assert sum(decision.minutes_by_role.values()) <= decision.counted_minutes


@RELAXED
@given(months())
def test_decision_round_trips_through_json_as_stored_in_month_closed(facts: MonthFacts) -> None:
    decision = evaluate_month(facts)
    assert MonthDecision.model_validate_json(decision.model_dump_json()) == decision
