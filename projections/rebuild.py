"""Rebuilds one projection from position 0 into shadow tables, then swaps them in.

The live tables keep serving reports and the live runner keeps applying while the shadow copy
catches up. The swap is one transaction: it locks the live checkpoint row (pausing the live
runner for that projection), applies the last few events to the shadow, replaces the live tables
with the shadow ones under the same names, and moves the checkpoint to where the shadow reached.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg

from events.store import EventStore
from projections import catalog, checkpoints, locks, quarantine
from projections.apply import Target, apply_batch
from projections.base import Conn, Projection
from projections.batch import Batch, discard
from projections.drain import BATCH_SIZE
from projections.shadow import create_shadow, drop_shadow, index_shadow, swap_tables

Progress = Callable[[int, int], None]


class RebuildInProgress(RuntimeError):
    """Another process is rebuilding this projection right now."""


async def rebuild(
    pool: asyncpg.Pool,
    name: str,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Rebuilds projection ``name`` from scratch and swaps it in; returns its new checkpoint.

    ``progress(position, head)`` is called after each batch. Raises ``UnknownProjection``,
    ``RebuildInProgress``, or ``ProjectionFailed`` when an event cannot be applied (the live
    projection is then left untouched and the shadow dropped).
    """
    projection = catalog.select([name])[0]
    store = EventStore(pool)
    async with pool.acquire() as conn:
        if not await locks.try_lock(conn, locks.REBUILD, [name]):
            raise RebuildInProgress(f"projection {name} is already being rebuilt")
        live = str(await conn.fetchval("SELECT current_schema()"))
        shadow = f"ccm_rebuild_{name}"
        target = Target(
            projection, checkpoints.rebuild_key(name), search_path=f'"{shadow}", "{live}"'
        )
        try:
            await checkpoints.ensure(conn, [name])  # a projection that never ran has no row yet
            await create_shadow(conn, projection.tables, live, shadow)
            await index_shadow(conn, projection.tables, live, shadow)
            await checkpoints.reset(conn, target.checkpoint)
            await quarantine.forget(conn, target.checkpoint)
            await _fill(conn, store, target, progress, batch_size)
            return await _swap(conn, store, target, live, shadow, batch_size)
        finally:
            if not conn.is_closed():
                await drop_shadow(conn, shadow)
                await checkpoints.delete(conn, target.checkpoint)
                await quarantine.forget(conn, target.checkpoint)
                await locks.unlock(conn, locks.REBUILD, [name])


async def _fill(
    conn: Conn, store: EventStore, target: Target, progress: Progress | None, batch_size: int
) -> int:
    """Applies every event to the shadow tables, outside any long transaction. The next batch is
    read on another pool connection while one is applied: reading is half a rebuild's time."""
    after, head = 0, await store.head_position()
    needs = target.projection.payload_needs()
    ahead = asyncio.create_task(store.read_all_raw(after, batch_size, needs))
    try:
        while rows := await ahead:
            batch = Batch(after, rows)
            ahead = asyncio.create_task(store.read_all_raw(batch.last, batch_size, needs))
            await apply_batch(conn, target, batch)
            after = batch.last
            if after >= head:
                head = await store.head_position()
            if progress is not None:
                progress(after, max(head, after))
        return after
    finally:
        discard(ahead)


async def _swap(
    conn: Conn, store: EventStore, target: Target, live: str, shadow: str, batch_size: int
) -> int:
    projection: Projection = target.projection
    async with conn.transaction():
        await checkpoints.lock(conn, projection.name)
        cp = await checkpoints.lock(conn, target.checkpoint)
        after, needs = cp.position, projection.payload_needs()
        while rows := await store.read_all_raw(after, batch_size, needs):
            batch = Batch(after, rows)
            await apply_batch(conn, target, batch)
            after = batch.last
        await swap_tables(conn, projection.tables, live, shadow)
        await quarantine.promote(conn, target.checkpoint, projection.name)
        await checkpoints.advance(conn, projection.name, after)
    return after
