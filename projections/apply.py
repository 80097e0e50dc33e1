"""Applies a batch to one projection: its rows and its checkpoint in ONE transaction.

This is the exactly-once guarantee. The checkpoint row is locked first and only events after the
position it holds are applied, so a crash before COMMIT leaves neither rows nor checkpoint, and a
batch replayed after a crash (or raced by another runner) skips what is already applied.

An event the projection cannot apply sets its patient aside (``projections.quarantine``): that
patient's later events are skipped until a retry, every other patient carries on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg

from events.collector import decoding
from projections import checkpoints, quarantine
from projections.base import Conn, Projection
from projections.batch import Batch
from projections.set_sql import Span

# Failures of the connection or of concurrency, not of the event: retry later, record nothing.
TRANSIENT: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.QueryCanceledError,
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
)


class ProjectionFailed(Exception):
    """A projection cannot apply the event at ``position``; it stays stopped before it."""

    def __init__(self, projection: str, position: int, event_type: str, reason: str) -> None:
        super().__init__(
            f"projection {projection} stopped at position {position} ({event_type}): {reason}"
        )
        self.projection = projection
        self.position = position
        self.event_type = event_type
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """Where a projection is applied: its live tables, or a rebuild's shadow tables.

    ``search_path`` (a rebuild's) puts the shadow schema first, so the projection's unqualified
    table names resolve to the shadow tables while ``projection_checkpoints`` stays the live one.
    """

    projection: Projection
    checkpoint: str
    search_path: str | None = None


class _EventFailed(Exception):
    def __init__(self, index: int, cause: BaseException) -> None:
        self.index = index
        self.cause = cause


async def apply_batch(
    conn: Conn, target: Target, batch: Batch, *, retry_stopped: bool = False
) -> int:
    """Applies the events of ``batch`` after the target's checkpoint; returns how many.

    Returns 0 when the projection is stopped (unless ``retry_stopped``), already past the batch,
    or behind its start (it needs its own read). When the batch fails as a whole, it is replayed
    one event per transaction so the events before the bad one commit and the bad one is named:
    its patient is quarantined and the rest goes on. Past ``quarantine.LIMIT`` patients the
    fault is systematic: the error is recorded on the checkpoint and ``ProjectionFailed`` raised.
    """
    try:
        return await _apply(conn, target, batch, single=False, retry_stopped=retry_stopped)
    except TRANSIENT:
        raise
    except Exception:
        pass  # located and reported event by event below
    consumed = 0
    while True:
        try:
            n = await _apply(conn, target, batch, single=True, retry_stopped=True)
        except _EventFailed as failed:
            if isinstance(failed.cause, TRANSIENT):
                raise failed.cause from None
            n = await _set_aside(conn, target, batch, failed)
        if n == 0:
            return consumed
        consumed += n


async def _apply(
    conn: Conn, target: Target, batch: Batch, *, single: bool, retry_stopped: bool
) -> int:
    projection = target.projection
    async with conn.transaction():
        cp = await checkpoints.lock(conn, target.checkpoint)
        if (cp.stopped and not retry_stopped) or cp.position < batch.after:
            return 0
        start = batch.start_index(cp.position)
        end = _single_end(batch, projection, start) if single else len(batch)
        if start >= end:
            return 0
        if target.search_path is not None:
            await conn.execute("SELECT set_config('search_path', $1, true)", target.search_path)
        aside = await quarantine.streams(conn, target.checkpoint)
        writes = projection.new_writes()
        with decoding():  # synchronous: decode and build rows, no I/O
            for i in range(start, end):
                try:
                    if projection.wants(batch.type(i)) and batch.stream(i) not in aside:
                        projection.take(writes, batch, i)
                except Exception as e:
                    raise _EventFailed(i, e) from e
        try:
            await writes.flush(conn, Span(cp.position, batch.position(end - 1), frozenset(aside)))
        except Exception as e:
            raise _EventFailed(end - 1, e) from e
        await checkpoints.advance(conn, target.checkpoint, batch.position(end - 1))
        return end - start


async def _set_aside(conn: Conn, target: Target, batch: Batch, failed: _EventFailed) -> int:
    """Quarantines the failed event's patient and moves the checkpoint past that event, in one
    transaction; returns 1 (the event is consumed). Past the limit the projection stops."""
    position, event_type = batch.position(failed.index), batch.type(failed.index)
    reason = f"{type(failed.cause).__name__}: {failed.cause}"
    if len(await quarantine.streams(conn, target.checkpoint)) >= quarantine.LIMIT:
        await _stop(conn, target, batch, failed)
    async with conn.transaction():
        await checkpoints.lock(conn, target.checkpoint)
        stream = batch.stream(failed.index)
        await quarantine.add(conn, target.checkpoint, stream, position, event_type, reason)
        await checkpoints.advance(conn, target.checkpoint, position)
    return 1


def _single_end(batch: Batch, projection: Projection, start: int) -> int:
    """End of the next step: a run of events it ignores, else exactly one event it handles."""
    for i in range(start, len(batch)):
        if projection.wants(batch.type(i)):
            return max(i, start + 1)
    return len(batch)


async def _stop(conn: Conn, target: Target, batch: Batch, failed: _EventFailed) -> None:
    position, event_type = batch.position(failed.index), batch.type(failed.index)
    reason = (
        f"more than {quarantine.LIMIT} patients set aside, a systematic fault; last: "
        f"{type(failed.cause).__name__}: {failed.cause}"
    )
    await checkpoints.record_error(conn, target.checkpoint, position, event_type, reason)
    raise ProjectionFailed(target.projection.name, position, event_type, reason) from failed.cause
