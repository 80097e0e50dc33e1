"""The runner applies every event exactly once: across failures, cancellation and rival runners."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import pytest

from bench.synthetic import patient_history
from events.base import stream_for
from events.store import EventStore, StoredEvent
from projections import catalog, checkpoints, quarantine, status
from projections.base import Projection, Sql, Writes
from projections.drain import drain
from projections.runner import catch_up, run_projections
from projections.status import quarantined

pytestmark = pytest.mark.integration


async def append_patients(store: EventStore, count: int, months: int, prefix: str = "p") -> int:
    total = 0
    for i in range(count):
        events = patient_history(f"{prefix}{i:03d}", "2025-01", months, seed=7)
        await store.append(stream_for(events[0].patient_id), events, expected_version=None)
        total += len(events)
    return total


class Counting(Projection):
    """Records each position it applies plus a running total: a second application of any event
    would break the primary key or the total, and the crash hook fails one event on demand."""

    def __init__(self) -> None:
        self.applied = Sql("INSERT INTO test_applied (position) VALUES ($1)")
        self.total = Sql("UPDATE test_total SET n = n + 1")
        super().__init__("test_counting", ("test_applied",), (self.applied, self.total))
        self.fail_at: int | None = None

    def wants(self, event_type: str) -> bool:
        return True

    def apply(self, writes: Writes, stored: StoredEvent) -> None:
        position = stored.position
        writes.add(self.applied, position)
        writes.add(self.total)
        if position == self.fail_at:
            raise RuntimeError("crash after this event's writes were queued")


async def counting_tables(pool: asyncpg.Pool, projection: Counting) -> None:
    await pool.execute("CREATE TABLE test_applied (position bigint PRIMARY KEY)")
    await pool.execute(
        "CREATE TABLE test_total (n bigint NOT NULL); INSERT INTO test_total VALUES (0)"
    )
    async with pool.acquire() as conn:
        await checkpoints.ensure(conn, [projection.name])


async def audited(pool: asyncpg.Pool, count: int) -> None:
    """Returns once the audit trail holds ``count`` events (callers bound it with a hang guard)."""
    while True:
        if await pool.fetchval("SELECT count(*) FROM audit_events") >= count:
            return
        await asyncio.sleep(0.02)


async def all_caught_up(pool: asyncpg.Pool) -> None:
    """Returns once every projection has applied up to the head (callers bound it)."""
    while True:
        if all(s.lag_events == 0 for s in await status(pool)):
            return
        await asyncio.sleep(0.02)


async def assert_each_once(pool: asyncpg.Pool, head: int) -> None:
    positions = [
        r["position"] for r in await pool.fetch("SELECT position FROM test_applied ORDER BY 1")
    ]
    assert positions == list(range(1, head + 1))
    assert await pool.fetchval("SELECT n FROM test_total") == head


async def test_catch_up_applies_every_event_to_every_projection(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    total = await append_patients(store, 12, 4)
    applied = await catch_up(pool)
    assert applied == total * len(catalog.ALL)
    assert await pool.fetchval("SELECT count(*) FROM audit_events") == total
    assert await pool.fetchval("SELECT count(*) FROM ledger_months") == 12 * 4
    assert await catch_up(pool) == 0
    assert all(s.checkpoint == total and s.lag_events == 0 for s in await status(pool))


async def test_a_failure_sets_one_patient_aside_and_a_retry_applies_their_events_once(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    head = await append_patients(store, 5, 3)
    projection = Counting()
    await counting_tables(pool, projection)
    projection.fail_at = head // 2
    stream = await pool.fetchval("SELECT stream FROM events WHERE position = $1", head // 2)
    async with pool.acquire() as conn:
        result = await drain(conn, store, [projection], batch_size=50)
        assert result.failures == []
        cp = (await checkpoints.read(conn, [projection.name]))[projection.name]
        assert (cp.position, cp.error_position) == (head, None)  # everyone else carried on
        [aside] = await quarantine.listed(conn, [projection.name])
        assert (aside.stream, aside.position) == (stream, head // 2)
        assert "crash after this event" in aside.reason
        skipped = await pool.fetchval(
            "SELECT count(*) FROM events WHERE stream = $1 AND position >= $2", stream, head // 2
        )
        applied = await pool.fetchval("SELECT count(*) FROM test_applied")
        assert applied == head - skipped  # the patient's rows stop at the bad event
        assert await quarantine.retry(conn, projection, projection.name) == []  # still broken
        projection.fail_at = None  # the fix is deployed; the restarted runner retries
        await drain(conn, store, [projection], retry_stopped=True, batch_size=50)
        assert await quarantine.listed(conn, [projection.name]) == []
    await assert_each_once(pool, head)


async def test_cancelling_the_runner_mid_batch_never_applies_an_event_twice_or_skips_one(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    head = await append_patients(store, 8, 3)
    projection = Counting()
    await counting_tables(pool, projection)
    positions, delay = [0], 0.002
    while positions[-1] < head:  # cancel after a growing delay until it got through
        async with pool.acquire() as conn:
            task = asyncio.create_task(drain(conn, store, [projection], batch_size=7))
            await asyncio.sleep(delay)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            cp = await checkpoints.read(conn, [projection.name])
        positions.append(cp[projection.name].position)
        delay *= 1.3
    assert any(0 < p < head for p in positions)  # some cancellations hit a run in progress
    await assert_each_once(pool, head)


async def test_an_event_that_cannot_be_read_sets_only_its_patient_aside(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    good = await append_patients(store, 2, 2)
    bad = good + 1
    await pool.execute(
        "INSERT INTO events (position, stream, version, event_id, type, schema_version, payload,"
        " recorded_at, digest, hash) VALUES (nextval('events_position_seq'), 'patient-x', 1,"
        " 'upstream:x', 'time_logged', 1, '{\"minutes\": 5}', now(), '\\x00', '\\x00')"
    )
    after = await append_patients(store, 1, 1, prefix="q")
    await catch_up(pool)  # no projection stops
    head = bad + after
    by_name = {s.name: s for s in await status(pool)}
    for name in ("audit", "worklist"):  # the projections that read time_logged
        assert by_name[name].error is None and by_name[name].checkpoint == head
        assert (by_name[name].quarantined, by_name[name].state) == (1, "patients set aside")
    for name in ("ledger", "funnel"):
        assert by_name[name].quarantined == 0 and by_name[name].lag_events == 0
    [first, second] = await quarantined(pool)
    assert {first.projection, second.projection} == {"audit", "worklist"}
    assert (first.stream, first.position, first.event_type) == ("patient-x", bad, "time_logged")
    assert f"position {bad}" in first.reason and "malformed data" in first.reason
    # Patients after the bad event were applied: q000 is in the audit trail.
    assert await pool.fetchval("SELECT count(*) FROM audit_events WHERE patient_id = 'q000'") > 0


async def test_more_set_aside_than_the_limit_stops_the_projection(
    pool: asyncpg.Pool, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quarantine, "LIMIT", 2)
    head = await append_patients(store, 4, 1)
    projection = Broken()
    await counting_tables(pool, projection)
    async with pool.acquire() as conn:
        result = await drain(conn, store, [projection], batch_size=50)
        [failed] = result.failures
        assert "systematic fault" in failed.reason
        assert len(await quarantine.listed(conn, [projection.name])) == 2
        cp = (await checkpoints.read(conn, [projection.name]))[projection.name]
    assert cp.stopped and cp.position < head


class Broken(Counting):
    """Every event fails: a systematic fault (a broken statement), not one patient's bad data."""

    def apply(self, writes: Writes, stored: StoredEvent) -> None:
        raise RuntimeError("broken statement")


async def test_two_runners_share_the_work_and_apply_each_event_once(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    stop = asyncio.Event()
    runners = [
        asyncio.create_task(run_projections(pool, stop, poll_interval=0.05)) for _ in range(2)
    ]
    total = await append_patients(store, 10, 3)
    await catch_up(pool)  # waits for the runners holding the locks to reach the head
    stop.set()
    await asyncio.gather(*runners)
    assert await pool.fetchval("SELECT count(*) FROM audit_events") == total
    assert all(s.lag_events == 0 and s.error is None for s in await status(pool))


async def test_the_runner_is_woken_by_the_append_notification_not_by_polling(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    stop = asyncio.Event()
    # Polling once an hour: only the NOTIFY sent at commit can wake it within the guard below.
    runner = asyncio.create_task(run_projections(pool, stop, poll_interval=3600))

    total = await append_patients(store, 1, 1)
    await asyncio.wait_for(audited(pool, total), 60)  # a hang guard, not a timing assertion
    total += await append_patients(store, 1, 1, prefix="q")
    await asyncio.wait_for(audited(pool, total), 60)
    stop.set()
    await runner
    assert await pool.fetchval("SELECT count(*) FROM audit_events") == total


async def test_a_standby_runner_takes_over_when_the_active_one_stops(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    first_stop, second_stop = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(run_projections(pool, first_stop, poll_interval=0.05))
    total = await append_patients(store, 2, 2)
    await catch_up(pool)  # the first runner holds every lock and gets there
    second = asyncio.create_task(
        run_projections(pool, second_stop, poll_interval=0.05, retry_interval=0.1)
    )
    first_stop.set()
    await first  # its locks are released; the standby takes them on its next try
    total += await append_patients(store, 2, 2, prefix="q")
    await asyncio.wait_for(audited(pool, total), 60)  # only the standby is left to apply them
    # Audit is one of four projections; the others may still be a batch behind it.
    await asyncio.wait_for(all_caught_up(pool), 60)
    second_stop.set()
    await second
    assert await pool.fetchval("SELECT count(*) FROM audit_events") == total
    assert all(s.lag_events == 0 and s.error is None for s in await status(pool))
