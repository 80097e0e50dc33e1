"""Brings a set of projections up to the head of the event store, sharing reads between them.

Projections at the same checkpoint form a group that reads each batch once; a projection that
lags (new, or just rebuilt) reads on its own until it joins the others. While one batch is being
applied the next is already being read on another pool connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
import structlog

from events.payloads import PayloadNeeds, union
from events.store import EventStore
from projections import checkpoints, quarantine
from projections.apply import ProjectionFailed, Target, apply_batch
from projections.base import Conn, Projection
from projections.batch import Batch, discard

log = structlog.get_logger(__name__)

BATCH_SIZE = 2000


@dataclass
class DrainResult:
    """``applied``: events consumed, summed over projections; ``seen``: highest position read."""

    applied: int = 0
    seen: int = 0
    failures: list[ProjectionFailed] = field(default_factory=list)


async def drain(
    conn: Conn,
    store: EventStore,
    projections: Sequence[Projection],
    *,
    retry_stopped: bool = False,
    stop: asyncio.Event | None = None,
    batch_size: int = BATCH_SIZE,
) -> DrainResult:
    """Applies everything readable now to ``projections`` (whose locks ``conn`` holds).

    Stopped projections are skipped unless ``retry_stopped``, which also retries every patient a
    projection set aside; one that fails during the drain is recorded, logged and left out, and
    the others carry on. Returns when every remaining one has read an empty batch, or when
    ``stop`` is set (between batches).
    """
    result = DrainResult()
    if retry_stopped:
        for p in projections:
            await quarantine.retry(conn, p, p.name)
    cps = await checkpoints.read(conn, [p.name for p in projections])
    positions = {
        p.name: cps[p.name].position
        for p in projections
        if retry_stopped or not cps[p.name].stopped
    }
    members = {p.name: p for p in projections}
    # One filter for every read: a read ahead serves whichever projections reach its position.
    read = _Reader(store, union(p.payload_needs() for p in projections), batch_size)
    reads: dict[int, asyncio.Task[list[asyncpg.Record]]] = {}
    try:
        while positions and not (stop is not None and stop.is_set()):
            if not await _round(conn, read, members, positions, reads, result, retry_stopped):
                break
    finally:
        for task in reads.values():
            discard(task)
    return result


@dataclass(frozen=True)
class _Reader:
    """Reads one batch after a position, with the payloads some projection of the drain needs."""

    store: EventStore
    needs: PayloadNeeds | None
    size: int

    async def __call__(self, after: int) -> list[asyncpg.Record]:
        return await self.store.read_all_raw(after, self.size, self.needs)


async def _round(
    conn: Conn,
    read: _Reader,
    members: dict[str, Projection],
    positions: dict[str, int],
    reads: dict[int, asyncio.Task[list[asyncpg.Record]]],
    result: DrainResult,
    retry_stopped: bool,
) -> bool:
    """One batch per group of projections at the same position; False when all were empty."""
    progressed = False
    for after in sorted(set(positions.values())):
        task = reads.pop(after, None)
        rows = await task if task is not None else await read(after)
        result.seen = max(result.seen, after)
        if not rows:
            continue
        batch = Batch(after, rows)
        result.seen = max(result.seen, batch.last)
        if len(rows) == read.size:
            reads[batch.last] = asyncio.create_task(read(batch.last))
        progressed = True
        for name in [n for n, at in positions.items() if at == after]:
            await _apply_one(conn, members[name], batch, positions, result, retry_stopped)
    return progressed


async def _apply_one(
    conn: Conn,
    projection: Projection,
    batch: Batch,
    positions: dict[str, int],
    result: DrainResult,
    retry_stopped: bool,
) -> None:
    name = projection.name
    try:
        applied = await apply_batch(
            conn, Target(projection, name), batch, retry_stopped=retry_stopped
        )
    except ProjectionFailed as failed:
        log.error(
            "projection stopped",
            projection=name,
            position=failed.position,
            event_type=failed.event_type,
        )
        result.failures.append(failed)
        del positions[name]
        return
    result.applied += applied
    if applied:
        positions[name] = batch.last
        return
    # Nothing applied: the checkpoint moved under us (a rebuild swapped in) or was stopped.
    cp = (await checkpoints.read(conn, [name]))[name]
    if (cp.stopped and not retry_stopped) or cp.position == batch.after:
        del positions[name]
    else:
        positions[name] = cp.position
