"""The calendar's wake-up timer is started once per wake-up time, not once per update
(``workflows.wake``): updates that leave the next check day, close or month end where it was
keep the pending timer instead of cancelling it and starting another (a Temporal action and two
history events each time)."""

from __future__ import annotations

from datetime import timedelta

from temporalio.api.enums.v1 import EventType

from workflows.patient import workflow_id_for

from .builders import life
from .conftest import Engine

TIMERS = (
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_TIMER_FIRED,
    EventType.EVENT_TYPE_TIMER_CANCELED,
)


async def test_updates_that_leave_the_wake_up_time_keep_its_timer(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    await engine.client.send(p.enrolled(now - timedelta(hours=30)))
    for k in range(5):
        await engine.client.send([p.time(now - timedelta(hours=5 - k), 4)])
    handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id))
    history = await handle.fetch_history()
    kinds = [e.event_type for e in history.events]
    updates = kinds.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    started, fired, cancelled = (kinds.count(kind) for kind in TIMERS)
    assert updates == 6
    # However the test server skips time meanwhile, no update moved the wake-up time, so no
    # timer was cancelled and exactly one is pending.
    assert (cancelled, started - fired) == (0, 1)
    assert len(await engine.events(p, "time_logged")) == 5
