"""The record activity's own dedup check (activities/record.py, ``RecordInput.unasked``): the
events a workflow decided as new without asking the store are checked before anything is kept,
a re-send refuses the whole call, and a retried call is told apart from a re-send."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.clearinghouse import OutboxClearinghouse
from activities.record import RecordActivities, RecordInput
from events.base import stream_for
from events.identity import sent
from events.store import EventStore
from events.upstream import TimeLogged

from .test_record_activity import claim, outbox

AT = datetime(2025, 12, 9, 15, tzinfo=UTC)


def entry(patient_id: str, n: int, minutes: int = 12) -> TimeLogged:
    return TimeLogged.model_validate({
        "event_id": f"{patient_id}.t{n}", "patient_id": patient_id, "occurred_at": AT,
        "entry_id": f"{patient_id}.e{n}", "staff_id": "rn-1", "role": "clinical_staff",
        "minutes": minutes, "at": AT,
    })  # fmt: skip


def unasked(events: list[TimeLogged], version: int) -> RecordInput:
    stream = stream_for(events[0].patient_id)
    return RecordInput(stream=stream, expected_version=version, events=[*events],
                       unasked=sent(events))  # fmt: skip


def activities(pool: asyncpg.Pool) -> RecordActivities:
    return RecordActivities(EventStore(pool), OutboxClearinghouse(pool))


async def test_a_call_whose_unasked_event_is_stored_keeps_nothing(app_pool: asyncpg.Pool) -> None:
    record = activities(app_pool).record
    first, second = entry("p-chk-1", 1), entry("p-chk-1", 2)
    await ActivityEnvironment().run(record, unasked([first], 0))
    prepared = claim("p-chk-1")
    resent = unasked([first, second], 1).model_copy(update={"claims": [prepared]})
    result = await ActivityEnvironment().run(record, resent)
    assert [v.status for v in result.refused] == ["stored", "new"]
    assert result.version == 1 and result.submitted == []
    stored = await EventStore(app_pool).read_stream(stream_for("p-chk-1"))
    assert [s.event.event_id for s in stored] == [first.event_id]
    assert await outbox(app_pool, "p-chk-1") == []  # no claim from a refused call


async def test_a_retried_call_is_not_refused_by_its_own_events(app_pool: asyncpg.Pool) -> None:
    record = activities(app_pool).record
    batch = unasked([entry("p-chk-2", 1), entry("p-chk-2", 2)], 0)
    first = await ActivityEnvironment().run(record, batch)
    again = await ActivityEnvironment().run(record, batch)  # a lost acknowledgement
    assert first == again and first.version == 2 and first.refused == []
    assert await EventStore(app_pool).stream_version(stream_for("p-chk-2")) == 2


async def test_an_unasked_event_with_other_content_or_in_another_stream_is_refused(
    app_pool: asyncpg.Pool,
) -> None:
    record = activities(app_pool).record
    mine, theirs = entry("p-chk-3", 1), entry("p-chk-4", 1)
    await ActivityEnvironment().run(record, unasked([mine], 0))
    await ActivityEnvironment().run(record, unasked([theirs], 0))
    changed = entry("p-chk-3", 1, minutes=30)
    borrowed = theirs.model_copy(update={"patient_id": "p-chk-3"})
    result = await ActivityEnvironment().run(record, unasked([changed, borrowed], 1))
    assert [v.status for v in result.refused] == ["conflict", "foreign"]
    assert await EventStore(app_pool).stream_version(stream_for("p-chk-3")) == 1
