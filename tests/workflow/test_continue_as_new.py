"""The workflow continues as new by history size (``workflows.rollover``), not after each close,
and nothing the patient's care needs is lost: dedup keys, closed months, the phase and this
month's minutes all carry into the new run. Tests that follow a carry lower the thresholds (the
rollover module is passed through the sandbox, so the worker in this process sees them)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus

from care.months import close_time, month_of, next_month
from events.decisions import MonthClosed
from workflows import rollover
from workflows.patient import workflow_id_for

from .builders import TZ, Life, clear_of_month_start, in_month, life
from .conftest import Engine


async def sleep_until(engine: Engine, when: datetime) -> None:
    now = await engine.now()
    if when > now:
        await engine.env.sleep(when - now)


async def runs(engine: Engine, p: Life) -> list[str]:
    """Run ids of the patient's chain, first to current, walked back from the current run."""
    handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id))
    chain = [(await handle.describe()).run_id]
    while True:
        history = await engine.env.client.get_workflow_handle(
            workflow_id_for(p.id), run_id=chain[0]
        ).fetch_history()
        started = history.events[0].workflow_execution_started_event_attributes
        if not started.continued_execution_run_id:
            return chain
        chain.insert(0, started.continued_execution_run_id)


async def chain_of(engine: Engine, p: Life, length: int) -> list[str]:
    """The chain once it has ``length`` runs. The update that triggered a close may be answered
    a moment before the continue-as-new lands, so this polls (bounded) instead of racing."""
    for _ in range(100):
        chain = await runs(engine, p)
        if len(chain) >= length:
            return chain
        await asyncio.sleep(0.1)
    return await runs(engine, p)


async def last_event_of_run(engine: Engine, p: Life, run_id: str) -> EventType.ValueType:
    handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id), run_id=run_id)
    history = await handle.fetch_history()
    return history.events[-1].event_type


async def closed_months(engine: Engine, p: Life) -> dict[str, int]:
    out: dict[str, int] = {}
    for stored in await engine.events(p, "month_closed"):
        assert isinstance(stored.event, MonthClosed)
        out[stored.event.service_month] = stored.event.decision.counted_minutes
    return out


async def test_each_month_close_continues_as_new_carrying_the_patients_state(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollover, "MONTHS_PER_RUN", 1)
    p = life(engine.patient())
    now = await clear_of_month_start(engine)
    first_month = month_of(now, TZ)
    second_month = next_month(first_month)
    enrolment = p.enrolled(now - timedelta(hours=3))
    minutes = p.time(now - timedelta(minutes=30), 25)
    await engine.client.send([*enrolment, minutes])
    assert len(await runs(engine, p)) == 1

    # The month's grace period passes: the workflow closes it on its own timer.
    await sleep_until(engine, close_time(first_month, TZ, 3) + timedelta(hours=1))
    resent = await engine.client.send([minutes])  # also waits until the workflow caught up
    assert resent.duplicates == [minutes.store_key]  # dedup keys carried into the new run
    chain = await chain_of(engine, p, 2)
    assert len(chain) == 2
    assert await last_event_of_run(engine, p, chain[0]) == (
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    )
    assert await closed_months(engine, p) == {first_month: 25}

    # The new run knows the patient: still active, the closed month, new minutes counted.
    view = await engine.view(p)
    assert (view.phase, view.closed_months) == ("active", {first_month: "ccm_staff"})
    later = await engine.client.send([p.time(in_month(second_month, 2), 14)])
    assert later.recorded and later.phase == "active"
    assert (await engine.view(p)).minutes_this_month == 14
    # A late entry for the closed month is recognised as late in the new run.
    late = await engine.client.send([p.time(in_month(first_month, 20), 30)])
    assert len(late.late) == 1

    # The next close continues as new again; enrolment re-sent is still all duplicates.
    await sleep_until(engine, close_time(second_month, TZ, 3) + timedelta(hours=1))
    again = await engine.client.send(enrolment)
    assert again.duplicates == [e.store_key for e in enrolment]
    chain_after = await chain_of(engine, p, 3)
    assert len(chain_after) == 3 and chain_after[:2] == chain
    assert await closed_months(engine, p) == {first_month: 25, second_month: 14}
    described = await engine.env.client.get_workflow_handle(workflow_id_for(p.id)).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING
    claims = await engine.pool.fetchval(
        "SELECT count(*) FROM claims_outbox WHERE patient_id = $1", p.id
    )
    assert claims == 1  # only the first month reached 20 minutes


async def test_a_backfill_closing_many_months_continues_as_new_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollover, "MONTHS_PER_RUN", 1)
    p = life(engine.patient())
    now = await engine.now()
    month = month_of(now - timedelta(days=100), TZ)
    feed = [*p.enrolled(in_month(month, 2)), p.time(in_month(month, 9), 21)]
    receipt = await engine.client.send(feed)
    assert len(receipt.recorded) == len(feed)
    chain = await chain_of(engine, p, 2)
    assert len(chain) == 2  # three or four months closed in one run, then one continue-as-new
    assert len(await closed_months(engine, p)) >= 3
    assert (await engine.client.send(feed)).duplicates == [e.store_key for e in feed]


async def test_closing_months_alone_does_not_continue_as_new(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    month = month_of(now - timedelta(days=100), TZ)
    feed = [*p.enrolled(in_month(month, 2)), p.time(in_month(month, 9), 21)]
    await engine.client.send(feed)
    assert len(await closed_months(engine, p)) >= 3
    assert (await engine.client.send(feed)).duplicates == [e.store_key for e in feed]
    assert len(await runs(engine, p)) == 1  # fewer closes than MONTHS_PER_RUN, a short history


async def test_a_long_history_continues_as_new_without_a_close(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollover, "HISTORY_EVENTS", 30)
    p = life(engine.patient())
    now = await clear_of_month_start(engine)
    await engine.client.send(p.enrolled(now - timedelta(hours=3)))
    for k in range(4):  # a few updates: each adds its update, task and timer events
        await engine.client.send([p.time(now - timedelta(minutes=50 - 10 * k), 5)])
    chain = await chain_of(engine, p, 2)
    assert len(chain) >= 2
    assert await closed_months(engine, p) == {}
    assert (await engine.view(p)).minutes_this_month == 20  # carried into the new run
