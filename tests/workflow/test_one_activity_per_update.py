"""A delivery of new events costs its update one local activity, the record, which checks the
events itself (``PatientStart.record_checks_keys``); only a re-send makes the workflow ask the
store first, and then it answers as it always did."""

from __future__ import annotations

import json
from datetime import timedelta

from temporalio.api.enums.v1 import EventType

from .builders import Life, clear_of_month_start, life
from .conftest import Engine


async def local_activities(engine: Engine, p: Life) -> list[str]:
    """The activity type of every local activity in the patient's current run, in order."""
    handle = engine.env.client.get_workflow_handle(f"ccm-patient-{p.id}")
    found = []
    for event in (await handle.fetch_history()).events:
        attrs = event.marker_recorded_event_attributes
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED and (
            attrs.marker_name == "core_local_activity"
        ):
            found.append(json.loads(attrs.details["data"].payloads[0].data)["activity_type"])
    return found


async def test_new_events_are_recorded_without_asking_the_store_first(engine: Engine) -> None:
    p = life(engine.patient())
    now = await clear_of_month_start(engine)
    assert (await engine.client.send(p.enrolled(now - timedelta(hours=3)))).phase == "active"
    before = await local_activities(engine, p)
    receipt = await engine.client.send([p.time(now - timedelta(minutes=30), 12)])
    assert len(receipt.recorded) == 1
    assert (await local_activities(engine, p))[len(before) :] == ["record_events"]
    assert "lookup_keys" not in before


async def test_a_resent_event_makes_the_workflow_ask_and_is_a_duplicate(engine: Engine) -> None:
    p = life(engine.patient())
    now = await clear_of_month_start(engine)
    await engine.client.send(p.enrolled(now - timedelta(hours=3)))
    entry, later = p.time(now - timedelta(minutes=30), 12), p.time(now - timedelta(minutes=10), 5)
    await engine.client.send([entry])
    before = await local_activities(engine, p)
    again = await engine.client.send([entry, later])
    assert (again.duplicates, again.recorded) == ([entry.store_key], [later.store_key])
    # The refused record kept nothing; the workflow asked, then recorded only the new entry.
    assert (await local_activities(engine, p))[len(before) :] == [
        "record_events", "lookup_keys", "record_events",
    ]  # fmt: skip
    stored = [s.event.event_id for s in await engine.events(p, "time_logged")]
    assert stored == [entry.event_id, later.event_id]
