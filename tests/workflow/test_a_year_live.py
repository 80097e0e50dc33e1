"""A patient carried live through a year on the time-skipping server: each month the workflow's
own timers flag a short month on the 20th, close it after the grace period and bill it once
(across both DST changes); the run continues as new once it has closed a year of months."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from care.months import close_time, month_of, next_month
from events.decisions import MonthAtRiskFlagged, MonthClosed
from workflows import rollover
from workflows.patient import workflow_id_for

from .builders import TZ, clear_of_month_start, in_month, life
from .conftest import Engine

# Minutes documented on the 5th of each of the twelve months after enrolment.
MINUTES = [25, 10, 40, 0, 19, 20, 100, 31, 5, 60, 22, 45]


async def sleep_until(engine: Engine, when: datetime) -> None:
    now = await engine.now()
    if when > now:
        await engine.env.sleep(when - now)


def expected_codes(minutes: int) -> list[tuple[str, int]]:
    if minutes < 20:
        return []
    addons = min((minutes - 20) // 20, 2)
    return [("99490", 1), *([("99439", addons)] if addons else [])]


async def test_a_year_of_live_months_each_closed_flagged_and_billed_once(engine: Engine) -> None:
    p = life(engine.patient())
    now = await clear_of_month_start(engine)
    enrolment = p.enrolled(now - timedelta(hours=3))
    await engine.client.send(enrolment)
    enrolled_in = month_of(now - timedelta(hours=3), TZ)
    months = [next_month(enrolled_in)]
    while len(months) < len(MINUTES):
        months.append(next_month(months[-1]))

    for month, minutes in zip(months, MINUTES, strict=True):
        await sleep_until(engine, in_month(month, 5, hour=11))
        if minutes:
            await engine.client.send([p.time(in_month(month, 5, hour=10), minutes)])
    await sleep_until(engine, close_time(months[-1], TZ, 3) + timedelta(hours=1))
    caught_up = await engine.client.send(enrolment[:1])  # returns once the workflow caught up
    assert caught_up.phase == "active"

    closed: dict[str, MonthClosed] = {}
    for stored in await engine.events(p, "month_closed"):
        assert isinstance(stored.event, MonthClosed)
        assert stored.event.service_month not in closed
        closed[stored.event.service_month] = stored.event
    assert list(closed) == [enrolled_in, *months]
    for month, minutes in zip(months, MINUTES, strict=True):
        decision = closed[month].decision
        assert decision.counted_minutes == minutes, month
        assert [(c.code, c.units) for c in decision.codes] == expected_codes(minutes), month
        # Closed by the timer after the grace period, not before it.
        assert closed[month].occurred_at >= close_time(month, TZ, 3)

    flagged = {}
    for stored in await engine.events(p, "month_at_risk_flagged"):
        assert isinstance(stored.event, MonthAtRiskFlagged)
        flagged[stored.event.service_month] = stored.event.minutes_so_far
    short = {m: n for m, n in zip(months, MINUTES, strict=True) if n < 20}
    assert {m: n for m, n in flagged.items() if m in months} == short

    billed = [m for m, n in zip(months, MINUTES, strict=True) if n >= 20]
    rows = await engine.pool.fetch(
        "SELECT service_month FROM claims_outbox WHERE patient_id = $1 ORDER BY 1", p.id
    )
    assert [r["service_month"] for r in rows] == billed
    assert len(await engine.events(p, "claim_submitted")) == len(billed)

    # A run per MONTHS_PER_RUN closed months (not one per close), each run's history bounded.
    handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id))
    expected = len(closed) // rollover.MONTHS_PER_RUN + 1
    assert expected == 2  # the year and its enrolment month: one continue-as-new
    runs = 0
    for _ in range(100):  # the last continue-as-new may land just after the final update
        runs = await chain_length(engine, p.id, (await handle.describe()).run_id)
        if runs == expected:
            break
        await asyncio.sleep(0.1)
    assert runs == expected


async def chain_length(engine: Engine, patient_id: str, run_id: str) -> int:
    length, current = 1, run_id
    while True:
        history = await engine.env.client.get_workflow_handle(
            workflow_id_for(patient_id), run_id=current
        ).fetch_history()
        assert len(history.events) < rollover.HISTORY_EVENTS  # continue-as-new bounds each run
        previous = history.events[0].workflow_execution_started_event_attributes
        if not previous.continued_execution_run_id:
            return length
        length, current = length + 1, previous.continued_execution_run_id
