"""A rebuild from position 0 equals the live read models, and a killed runner loses nothing."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

import asyncpg
import pytest

from bench.synthetic import patient_history
from events.base import stream_for
from events.store import EventStore
from projections import catalog, checkpoints, status
from projections.rebuild import rebuild
from projections.runner import catch_up, run_projections
from projections.status import quarantined

pytestmark = pytest.mark.integration

TABLES = [t for p in catalog.ALL for t in p.tables]


async def append_patients(store: EventStore, first: int, count: int, months: int = 3) -> int:
    total = 0
    for i in range(first, first + count):
        events = patient_history(f"p{i:04d}", "2025-01", months, seed=3)
        await store.append(stream_for(events[0].patient_id), events, expected_version=None)
        total += len(events)
    return total


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read model, in a stable order."""
    result = {}
    for table in TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table}")
        result[table] = sorted((tuple(r.values()) for r in rows), key=repr)
    return result


async def index_names(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch(
        "SELECT indexname FROM pg_indexes WHERE tablename = ANY($1::text[]) ORDER BY 1", TABLES
    )
    return [r["indexname"] for r in rows]


async def test_a_rebuild_of_every_projection_equals_the_live_one(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    total = await append_patients(store, 0, 15)
    await catch_up(pool)
    live, indexes = await snapshot(pool), await index_names(pool)
    seen: list[tuple[int, int]] = []
    for name in catalog.NAMES:
        position = await rebuild(
            pool, name, progress=lambda p, h: seen.append((p, h)), batch_size=100
        )
        assert position == total
    assert await snapshot(pool) == live
    assert await index_names(pool) == indexes
    assert seen[-1] == (total, total) and all(0 < p <= h for p, h in seen)
    assert all(s.checkpoint == total and s.error is None for s in await status(pool))
    assert (
        await pool.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ccm_rebuild%'")
        == 0
    )


async def test_a_rebuild_while_the_live_runner_and_writers_keep_going_loses_nothing(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    await append_patients(store, 0, 10)
    stop = asyncio.Event()
    runner = asyncio.create_task(run_projections(pool, stop, poll_interval=0.05, batch_size=50))
    writer = asyncio.create_task(append_patients(store, 10, 20))
    await rebuild(pool, "ledger", batch_size=25)
    await rebuild(pool, "audit", batch_size=25)
    await writer
    await catch_up(pool)
    stop.set()
    await runner
    live = await snapshot(pool)
    for name in catalog.NAMES:
        await rebuild(pool, name)
    assert await snapshot(pool) == live
    head = await store.head_position()
    assert await pool.fetchval("SELECT count(*) FROM audit_events") == head


RUN_UNTIL_KILLED = """
import asyncio, sys
import asyncpg
from projections.runner import run_projections

async def main() -> None:
    pool = await asyncpg.create_pool(sys.argv[1], min_size=1, max_size=4)
    await run_projections(pool, asyncio.Event(), batch_size=40)

asyncio.run(main())
"""


async def test_a_runner_killed_mid_catch_up_resumes_without_applying_any_event_twice(
    pool: asyncpg.Pool, store: EventStore, db_url: str
) -> None:
    head = await append_patients(store, 0, 120)
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", RUN_UNTIL_KILLED, db_url)
    try:
        position = 0
        while not 0 < position < head:  # wait until it has committed some batches, not all
            await asyncio.sleep(0.01)
            position = await pool.fetchval(
                "SELECT coalesce(min(position), 0) FROM projection_checkpoints"
            )
            assert child.returncode is None
        child.send_signal(signal.SIGKILL)
        await child.wait()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    assert await pool.fetchval("SELECT min(position) FROM projection_checkpoints") < head
    await catch_up(pool)  # the restarted runner; locks died with the killed process
    assert await pool.fetchval("SELECT count(*) FROM audit_events") == head
    live = await snapshot(pool)
    for name in catalog.NAMES:
        await rebuild(pool, name)
    assert await snapshot(pool) == live


async def test_a_rebuild_sets_the_same_bad_patient_aside_and_keeps_the_rest(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    await append_patients(store, 2, 3)
    await pool.execute(
        "INSERT INTO events (position, stream, version, event_id, type, schema_version, payload,"
        " recorded_at, digest, hash) VALUES (nextval('events_position_seq'), 'patient-x', 1,"
        " 'upstream:x', 'no_such_type', 1, '{}', now(), '\\x00', '\\x00')"
    )
    await catch_up(pool, ["audit"])
    before = await snapshot(pool)
    await rebuild(pool, "audit")
    assert await snapshot(pool) == before  # the same rows: every good event, the bad one aside
    [aside] = await quarantined(pool)
    assert (aside.projection, aside.stream) == ("audit", "patient-x")
    assert "unknown event type" in aside.reason
    assert (
        await pool.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ccm_rebuild%'")
        == 0
    )
    names = await pool.fetch("SELECT DISTINCT projection FROM projection_quarantine")
    assert [r["projection"] for r in names] == ["audit"]


async def test_status_shows_a_rebuild_in_progress(pool: asyncpg.Pool, store: EventStore) -> None:
    await append_patients(store, 0, 1)
    await catch_up(pool)
    async with pool.acquire() as conn:  # what rebuild() writes while it fills the shadow tables
        await checkpoints.reset(conn, checkpoints.rebuild_key("ledger"))
        await checkpoints.advance(conn, checkpoints.rebuild_key("ledger"), 7)
    by_name = {s.name: s for s in await status(pool)}
    assert (by_name["ledger"].state, by_name["ledger"].rebuild_position) == ("rebuilding", 7)
    assert (by_name["audit"].state, by_name["audit"].rebuild_position) == ("caught up", None)
