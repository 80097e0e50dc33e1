"""Every way into (and out of) enrollment, as the stored PhaseChanged events and the view show it.

Live patients on the time-skipping server: events are dated just before the server's "now".
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from events.decisions import EligibilityScreened, PhaseChanged

from .builders import Life, life
from .conftest import Engine

ENROLLING = [("identified", "eligible"), ("eligible", "enrolling")]
ACTIVE = [*ENROLLING, ("enrolling", "enrolled"), ("enrolled", "active")]


async def phases(engine: Engine, p: Life) -> list[tuple[str, str]]:
    """The patient's phase moves, in stream order."""
    moves: list[tuple[str, str]] = []
    for stored in await engine.events(p, "phase_changed"):
        assert isinstance(stored.event, PhaseChanged)
        moves.append((stored.event.previous, stored.event.phase))
    return moves


async def screened_program(engine: Engine, p: Life) -> str | None:
    (stored,) = await engine.events(p, "eligibility_screened")
    assert isinstance(stored.event, EligibilityScreened)
    return stored.event.program


async def test_consent_and_care_plan_make_a_recently_seen_patient_active(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(hours=3)
    first = await engine.client.send([p.identified(t0, ["E11.9", "I10"])])
    assert first.phase == "enrolling"
    assert await phases(engine, p) == ENROLLING
    await engine.client.send([p.consent(t0 + timedelta(minutes=10))])
    assert (await engine.view(p)).phase == "enrolled"  # consent alone: no care plan yet
    last = await engine.client.send([p.care_plan(t0 + timedelta(minutes=20))])
    assert last.phase == "active"
    assert await phases(engine, p) == ACTIVE
    assert await screened_program(engine, p) == "ccm"
    view = await engine.view(p)
    assert (view.phase, view.program, view.practitioner_id) == ("active", "ccm", "dr-1")


@pytest.mark.parametrize(
    "last_visit_days_before_consent", [None, 400], ids=["new-patient", "not-seen-13-months"]
)
async def test_a_patient_not_seen_within_12_months_waits_for_the_initiating_visit(
    engine: Engine, last_visit_days_before_consent: int | None
) -> None:
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(hours=3)
    last_visit: date | None = None
    if last_visit_days_before_consent is not None:
        last_visit = (t0 - timedelta(days=last_visit_days_before_consent)).date()
    receipt = await engine.client.send(
        [
            p.identified(t0, ["E11.9", "I50.9"], last_visit_on=last_visit),
            p.consent(t0 + timedelta(minutes=10)),
            p.care_plan(t0 + timedelta(minutes=20)),
        ]
    )
    assert receipt.phase == "enrolling"  # MLN909188: consent and plan are not enough
    assert await phases(engine, p) == ENROLLING
    assert (await engine.view(p)).phase == "enrolling"
    visited = await engine.client.send([p.visit(t0 + timedelta(minutes=30))])
    assert visited.phase == "active"
    assert await phases(engine, p) == ACTIVE


async def test_a_visit_eleven_months_before_consent_needs_no_initiating_visit(
    engine: Engine,
) -> None:
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(hours=3)
    receipt = await engine.client.send(
        [
            p.identified(t0, ["E11.9", "I50.9"], last_visit_on=(t0 - timedelta(days=335)).date()),
            p.consent(t0 + timedelta(minutes=10)),
            p.care_plan(t0 + timedelta(minutes=20)),
        ]
    )
    assert receipt.phase == "active"
    assert await phases(engine, p) == ACTIVE


async def test_only_acute_diagnoses_are_ineligible(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    receipt = await engine.client.send([p.identified(now - timedelta(hours=1), ["I21.4", "J06.9"])])
    assert receipt.phase == "ineligible"
    assert await phases(engine, p) == [("identified", "ineligible")]
    assert await screened_program(engine, p) is None
    view = await engine.view(p)
    assert (view.phase, view.program) == ("ineligible", None)


async def test_a_patient_who_declines_ends_in_declined(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(hours=2)
    receipt = await engine.client.send(
        [
            p.identified(t0, ["E11.9", "I10"]),
            p.outreach(t0 + timedelta(minutes=5), outcome="reached"),
            p.declined(t0 + timedelta(minutes=6)),
        ]
    )
    assert receipt.phase == "declined"
    assert await phases(engine, p) == [*ENROLLING, ("enrolling", "declined")]
    assert (await engine.view(p)).phase == "declined"


async def test_three_failed_outreach_attempts_make_the_patient_unreachable(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(days=3)
    await engine.client.send([p.identified(t0, ["E11.9", "I10"])])
    two = await engine.client.send(
        [p.outreach(t0 + timedelta(hours=1)), p.outreach(t0 + timedelta(days=1), "left_message")]
    )
    assert two.phase == "enrolling"  # two misses are not yet the policy's three
    third = await engine.client.send([p.outreach(t0 + timedelta(days=2), "wrong_number")])
    assert third.phase == "unreachable"
    assert await phases(engine, p) == [*ENROLLING, ("enrolling", "unreachable")]
    assert (await engine.view(p)).phase == "unreachable"


async def test_an_outreach_window_that_runs_out_makes_the_patient_unreachable(
    engine: Engine,
) -> None:
    p = life(engine.patient())
    now = await engine.now()
    attempt = p.outreach(now - timedelta(minutes=30))
    await engine.client.send([p.identified(now - timedelta(hours=1), ["E11.9", "I10"]), attempt])
    assert (await engine.view(p)).phase == "enrolling"
    await engine.sleep(days=31)  # the policy's 30-day window passes with one failed attempt
    # Re-sending a known event is a no-op that returns only after the workflow has caught up.
    again = await engine.client.send([attempt])
    assert again.duplicates == [attempt.store_key]
    assert again.phase == "unreachable"
    moves = await engine.events(p, "phase_changed")
    last = moves[-1].event
    assert isinstance(last, PhaseChanged)
    assert (last.previous, last.phase) == ("enrolling", "unreachable")
    assert "window" in last.reason
    assert (await engine.view(p)).phase == "unreachable"


async def test_one_chronic_condition_screens_for_pcm_and_enrolls(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(hours=3)
    receipt = await engine.client.send(
        [
            p.identified(t0, ["I50.9"]),
            p.consent(t0 + timedelta(minutes=10)),
            p.care_plan(t0 + timedelta(minutes=20)),
        ]
    )
    assert receipt.phase == "active"
    assert await screened_program(engine, p) == "pcm"
    assert await phases(engine, p) == ACTIVE
    assert (await engine.view(p)).program == "pcm"


async def test_a_new_billing_practitioner_sends_the_patient_back_to_enrolling(
    engine: Engine,
) -> None:
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(hours=5)
    await engine.client.send(p.enrolled(t0))
    changed = await engine.client.send([p.practitioner_changed(t0 + timedelta(hours=3), "dr-2")])
    assert changed.phase == "enrolling"  # MLN909188: new practitioner, new consent
    view = await engine.view(p)
    assert (view.phase, view.practitioner_id) == ("enrolling", "dr-2")
    # Any other documentation does not re-enroll; only a fresh consent does.
    still = await engine.client.send([p.time(t0 + timedelta(hours=3, minutes=5), 10)])
    assert still.phase == "enrolling"
    again = await engine.client.send([p.consent(t0 + timedelta(hours=4))])
    assert again.phase == "active"  # the care plan in force carries over
    assert await phases(engine, p) == [
        *ACTIVE,
        ("active", "enrolling"),
        ("enrolling", "enrolled"),
        ("enrolled", "active"),
    ]


async def test_a_transfer_out_ends_the_program(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(hours=5)
    await engine.client.send(p.enrolled(t0))
    out = await engine.client.send(
        [p.practitioner_changed(t0 + timedelta(hours=1), "dr-9", transfer_out=True)]
    )
    assert out.phase == "ended"
    assert (await phases(engine, p))[-1] == ("active", "ended")


async def test_a_new_practitioner_starts_a_new_outreach_window(engine: Engine) -> None:
    """Outreach for the old practitioner's enrolment does not make the patient unreachable for
    the new one: they are enrolling until the new consent, however long ago that outreach was."""
    p = life(engine.patient())
    now = await engine.now()
    t0 = now - timedelta(days=45)
    await engine.client.send(
        [
            p.identified(t0, ["E11.9", "I10"]),
            p.outreach(t0 + timedelta(hours=1), outcome="reached"),
            p.consent(t0 + timedelta(hours=2)),
            p.care_plan(t0 + timedelta(hours=3)),
        ]
    )
    changed = await engine.client.send([p.practitioner_changed(now - timedelta(hours=1), "dr-2")])
    assert changed.phase == "enrolling"
    assert (await phases(engine, p))[-1] == ("active", "enrolling")


async def test_a_second_outreach_window_running_out_is_recorded_again(engine: Engine) -> None:
    """Unreachable by the window, enrolled later, then a new practitioner and a second window
    that runs out: the second move is its own event (a reused id would stall the patient)."""
    p = life(engine.patient())
    now = await engine.now()
    first = p.outreach(now - timedelta(minutes=30))
    await engine.client.send([p.identified(now - timedelta(hours=1), ["E11.9", "I10"]), first])
    await engine.sleep(days=31)
    assert (await engine.client.send([first])).phase == "unreachable"
    now = await engine.now()
    await engine.client.send(
        [p.consent(now - timedelta(minutes=50)), p.care_plan(now - timedelta(minutes=40))]
    )
    second = p.outreach(now - timedelta(minutes=10))
    # Bounded: a refused append stalls the workflow, which would leave an update waiting forever.
    changed = await asyncio.wait_for(
        engine.client.send([p.practitioner_changed(now - timedelta(minutes=20), "dr-2"), second]),
        timeout=60,
    )
    assert changed.phase == "enrolling"
    await engine.sleep(days=31)
    again = await asyncio.wait_for(engine.client.send([second]), timeout=60)
    assert again.phase == "unreachable"
    windows = [m for m in await phases(engine, p) if m == ("enrolling", "unreachable")]
    assert len(windows) == 2


async def test_a_new_practitioner_does_not_make_an_ineligible_patient_enrolling(
    engine: Engine,
) -> None:
    p = life(engine.patient())
    now = await engine.now()
    await engine.client.send([p.identified(now - timedelta(hours=2), ["I21.4"])])
    changed = await engine.client.send([p.practitioner_changed(now - timedelta(hours=1), "dr-2")])
    assert changed.phase == "ineligible"
    view = await engine.view(p)
    assert (view.phase, view.practitioner_id) == ("ineligible", "dr-2")
    assert await phases(engine, p) == [("identified", "ineligible")]
