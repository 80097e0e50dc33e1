"""The patient decider, given/when/then: the stream so far, one command, the events it records.

Each case cites the rule it holds. ``given`` is folded with ``evolve`` (the only fold), ``when``
is decided, ``then`` is the recorded event types (or the refused field). Clocks are fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from events.base import PatientEvent
from events.decisions import MonthClosed
from events.registry import AnyEvent, union_members
from events.upstream import UpstreamEvent
from patient.commands import Command, Record, Refused, Tick
from patient.decide import decide
from patient.evolve import EVOLVERS, evolve, fold
from patient.evolve_decisions import DECISION_EVOLVERS
from patient.policies import PolicyHistory
from patient.state import Patient
from tests.workflow.builders import Life, in_month

TZ = "America/New_York"
MARCH = in_month("2026-03", 3)


@dataclass(frozen=True)
class Case:
    name: str
    rule: str
    given: Callable[[Life], list[UpstreamEvent]]
    when: Callable[[Life], Command]
    then: tuple[str, ...] | str  # event types recorded, or the field a refusal names


def enrolled(p: Life) -> list[UpstreamEvent]:
    return [*p.enrolled(MARCH)]


def _replay(p: Life, facts: list[UpstreamEvent]) -> Patient:
    """The state a live host would hold after recording ``facts`` one by one."""
    state = Patient(patient_id=p.id, timezone=TZ)
    for fact in facts:
        state = fold(decide(state, Record(fact), PolicyHistory()), state)
    return state


CASES = [
    Case(
        "two chronic conditions are screened eligible and enrolment starts",
        "domain §2 CCM",
        lambda p: [],
        lambda p: Record(p.identified(MARCH, ["E11.9", "I10"])),
        ("patient_identified", "eligibility_screened", "phase_changed", "phase_changed"),
    ),
    Case(
        "a fact before identification is stored and held, nothing decided",
        "contract: facts may arrive in any order",
        lambda p: [],
        lambda p: Record(p.time(MARCH, 25)),
        ("time_logged",),
    ),
    Case(
        "consent moves an identified patient to enrolled",
        "domain §3.2",
        lambda p: [p.identified(MARCH, ["E11.9", "I10"])],
        lambda p: Record(p.consent(MARCH + timedelta(hours=1))),
        ("consent_recorded", "phase_changed"),
    ),
    Case(
        "a care plan after consent makes the patient active",
        "domain §3.3",
        lambda p: [p.identified(MARCH, ["E11.9", "I10"]), p.consent(MARCH + timedelta(hours=1))],
        lambda p: Record(p.care_plan(MARCH + timedelta(hours=2))),
        ("care_plan_established", "phase_changed"),
    ),
    Case(
        "time in an open month is recorded and decides nothing yet",
        "domain §7: claims wait for the month to close",
        enrolled,
        lambda p: Record(p.time(MARCH + timedelta(days=1), 25)),
        ("time_logged",),
    ),
    Case(
        "voiding an entry never logged is refused, naming entry_id",
        "contract: a void names a known entry",
        enrolled,
        lambda p: Record(p.void(MARCH + timedelta(days=1), "t-never-logged")),
        "entry_id",
    ),
    Case(
        "the close of a 25-minute month records the decision and one claim",
        "domain §5 (99490) and §7 (one claim per month)",
        lambda p: [*enrolled(p), p.time(MARCH + timedelta(days=1), 25)],
        lambda p: Tick(in_month("2026-04", 10)),
        ("month_closed", "claim_prepared"),
    ),
    Case(
        "the close of a 19-minute month bills nothing: minutes are never rounded",
        "domain §4",
        lambda p: [*enrolled(p), p.time(MARCH + timedelta(days=1), 19)],
        lambda p: Tick(in_month("2026-04", 10)),
        ("month_closed",),
    ),
    Case(
        "a tick inside the grace period closes nothing",
        "domain §7: close waits the grace period",
        lambda p: [*enrolled(p), p.time(MARCH + timedelta(days=1), 25)],
        lambda p: Tick(in_month("2026-04", 2)),
        (),
    ),
    Case(
        "revocation ends the program",
        "domain §6 revocation",
        enrolled,
        lambda p: Record(p.revoked(MARCH + timedelta(days=5))),
        ("consent_revoked", "phase_changed"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_decider(case: Case) -> None:
    p = Life(f"p-case-{CASES.index(case)}")
    state = _replay(p, case.given(p))
    before = state.model_dump()
    command = case.when(p)
    if isinstance(case.then, str):
        with pytest.raises(Refused) as refused:
            decide(state, command, PolicyHistory())
        assert refused.value.field == case.then
    else:
        assert tuple(e.type for e in decide(state, command, PolicyHistory())) == case.then
    assert state.model_dump() == before, "decide must never change the state it was given"


def test_documentation_for_a_closed_month_is_kept_and_flagged_late() -> None:
    """Domain §7: late documentation is stored and reported, and never re-bills the month."""
    p = Life("p-late")
    state = _replay(p, [*enrolled(p), p.time(MARCH + timedelta(days=1), 25)])
    state = fold(decide(state, Tick(in_month("2026-04", 10)), PolicyHistory()), state)
    late = decide(state, Record(p.time(in_month("2026-03", 20), 30)), PolicyHistory())
    assert [e.type for e in late] == ["time_logged", "late_entry_recorded"]
    assert fold(late, state).closed == state.closed


def test_a_month_closes_once_whatever_the_ticks() -> None:
    """Domain §7: a second claim for a month must be impossible, not merely unlikely."""
    p = Life("p-once")
    state = _replay(p, [*enrolled(p), p.time(MARCH + timedelta(days=1), 25)])
    closes: list[MonthClosed] = []
    for day in (10, 11, 20):
        events = decide(state, Tick(in_month("2026-04", day)), PolicyHistory())
        closes += [e for e in events if isinstance(e, MonthClosed)]
        state = fold(events, state)
    assert [e.service_month for e in closes] == ["2026-03"]


def test_the_stream_folds_to_the_state_the_host_evolved() -> None:
    """One fold: evolving after each decision equals folding the stored stream from scratch."""
    p = Life("p-fold")
    live = Patient(patient_id=p.id, timezone=TZ)
    stream: list[PatientEvent] = []
    commands: list[Command] = [
        *(Record(e) for e in p.enrolled(MARCH)),
        Record(p.time(MARCH + timedelta(days=1), 45)),
        Tick(in_month("2026-04", 10)),
        Record(p.time(in_month("2026-04", 12), 20)),
    ]
    for command in commands:
        events = decide(live, command, PolicyHistory())
        stream += events
        for event in events:
            live = evolve(live, event)
    assert fold(stream, Patient(patient_id=p.id, timezone=TZ)) == live


def test_evolve_is_total_over_every_stored_patient_event() -> None:
    stored = {t for t in union_members(AnyEvent) if issubclass(t, PatientEvent)}
    assert stored == set(EVOLVERS) | set(DECISION_EVOLVERS)
