"""Guarantee 7: readers are woken by NOTIFY, and a lost notification only delays them.

``asyncio.timeout`` below only guards against hanging on a regression; nothing here measures time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
import pytest

from events.base import stream_for
from events.store import EventStore
from events.subscription import AppendNotifier, follow
from events.upstream import OutreachAttempted

pytestmark = pytest.mark.integration
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STREAM = stream_for("p1")
GUARD = 60


def outreach(n: int) -> OutreachAttempted:
    return OutreachAttempted(
        event_id=f"call-{n}", patient_id="p1", occurred_at=AT,
        channel="phone", outcome="no_answer", staff_id="staff-1",
    )  # fmt: skip


async def until(condition: Callable[[], bool]) -> None:
    # Watches a counter of the object under test, which offers nothing else to await.
    async with asyncio.timeout(GUARD):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_waiting_reader_is_woken_by_the_notification(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    # Polling only once an hour: after the first poll, only a notification can wake the reader.
    async with AppendNotifier(pool, poll_interval=3600) as notifier:
        waiter = asyncio.create_task(notifier.wait_for_new(0))
        await until(lambda: notifier.polls == 1)
        result = await store.append(STREAM, [outreach(1), outreach(2)], expected_version=0)
        async with asyncio.timeout(GUARD):
            head = await waiter
    assert head == result.positions[-1]
    assert (notifier.polls, notifier.notifications) == (1, 1)


async def test_one_notification_wakes_every_waiting_reader(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    async with AppendNotifier(pool, poll_interval=3600) as notifier:
        waiters = [asyncio.create_task(notifier.wait_for_new(0)) for _ in range(3)]
        await until(lambda: notifier.polls == 3)
        result = await store.append(STREAM, [outreach(1)], expected_version=0)
        async with asyncio.timeout(GUARD):
            heads = await asyncio.gather(*waiters)
    assert heads == [result.positions[0]] * 3
    assert (notifier.polls, notifier.notifications) == (3, 1)


async def test_a_reader_whose_notification_was_lost_still_gets_the_events_by_polling(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    async with AppendNotifier(pool, poll_interval=0.05) as notifier:
        # The listening connection dies, as after a network blip or a server restart.
        terminated = await pool.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
        assert terminated == 1
        result = await store.append(STREAM, [outreach(1)], expected_version=0)
        async with asyncio.timeout(GUARD):
            head = await notifier.wait_for_new(0)
        assert head == result.positions[-1]
        assert notifier.notifications == 0
        assert [e.position for e in await store.read_all(0)] == result.positions


async def test_following_yields_every_page_and_waits_for_the_next_append(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    first = await store.append(STREAM, [outreach(n) for n in range(3)], expected_version=0)
    async with AppendNotifier(pool, poll_interval=0.05) as notifier, asyncio.timeout(GUARD):
        pages = follow(store, notifier, 0, limit=2)
        assert [e.position for e in await anext(pages)] == first.positions[:2]
        assert [e.position for e in await anext(pages)] == first.positions[2:]
        later = asyncio.ensure_future(anext(pages))
        second = await store.append(STREAM, [outreach(3)], expected_version=3)
        assert [e.position for e in await later] == second.positions
