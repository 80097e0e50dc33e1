"""The projection runner: keeps every read model current, exactly once, on any number of hosts.

Each projection is applied only by the runner holding its advisory lock (``projections.locks``);
the others stand by and take over when that runner's connection goes away. Each batch writes
rows and checkpoint in one transaction (``projections.apply``). The runner sleeps until an append
is notified on ``ccm_events``, polling as the fallback (``events.subscription``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import structlog

from events.store import EventStore
from events.subscription import AppendNotifier
from projections import catalog, checkpoints, locks, quarantine
from projections.apply import TRANSIENT, ProjectionFailed
from projections.base import Conn, Projection
from projections.drain import BATCH_SIZE, drain

log = structlog.get_logger(__name__)

POLL_SECONDS = 1.0  # fallback when a notification is lost
RETRY_SECONDS = 5.0  # after losing the database, and between tries for a lock another runner holds
QUARANTINE_RETRY_SECONDS = 300.0  # patients set aside are tried again this often (after a fix)


async def run_projections(
    pool: asyncpg.Pool,
    stop: asyncio.Event,
    *,
    names: Sequence[str] | None = None,
    batch_size: int = BATCH_SIZE,
    poll_interval: float = POLL_SECONDS,
    retry_interval: float = RETRY_SECONDS,
) -> None:
    """Runs the projections (all, or ``names``) until ``stop`` is set; returns once stopped.

    Projections another runner holds are tried again every ``retry_interval`` seconds (a standby
    takes over when that runner goes). Survives database outages (reconnects after
    ``retry_interval``). A projection that cannot apply an event stays stopped, recorded for
    ``status``, while the others carry on; starting the runner again (after a fix) retries it once.
    """
    runner = _Runner(pool, catalog.select(names), stop, batch_size, poll_interval, retry_interval)
    while not stop.is_set():
        try:
            await runner.serve()
        except TRANSIENT as e:
            log.warning("projection runner lost the database; retrying", error=type(e).__name__)
            await _sleep_unless(stop, retry_interval)


@dataclass
class _Runner:
    pool: asyncpg.Pool
    selected: list[Projection]
    stop: asyncio.Event
    batch_size: int
    poll_interval: float
    retry_interval: float
    retry_stopped: bool = True  # only on the first pass after a start

    async def serve(self) -> None:
        """One connection's life: lock what is free, drain, wait for appends, repeat."""
        owned: list[Projection] = []
        async with (
            self.pool.acquire() as conn,
            AppendNotifier(self.pool, poll_interval=self.poll_interval) as notifier,
        ):
            await checkpoints.ensure(conn, [p.name for p in self.selected])
            try:
                await self._loop(conn, notifier, owned)
            finally:
                with contextlib.suppress(*TRANSIENT):
                    await locks.unlock(conn, locks.APPLY, [p.name for p in owned])

    async def _loop(self, conn: Conn, notifier: AppendNotifier, owned: list[Projection]) -> None:
        store = EventStore(self.pool)
        clock = asyncio.get_running_loop()
        next_lock_try, next_quarantine_retry = 0.0, clock.time() + QUARANTINE_RETRY_SECONDS
        while not self.stop.is_set():
            if len(owned) < len(self.selected) and clock.time() >= next_lock_try:
                owned += await _lock(conn, [p for p in self.selected if p not in owned])
                next_lock_try = clock.time() + self.retry_interval
            if clock.time() >= next_quarantine_retry:
                for p in owned:
                    await quarantine.retry(conn, p, p.name)
                next_quarantine_retry = clock.time() + QUARANTINE_RETRY_SECONDS
            done = await drain(
                conn, store, owned, retry_stopped=self.retry_stopped, stop=self.stop,
                batch_size=self.batch_size,
            )  # fmt: skip
            self.retry_stopped = False
            await _wait(notifier, done.seen if owned else None, self.stop, self.poll_interval)


async def catch_up(pool: asyncpg.Pool, names: Sequence[str] | None = None) -> int:
    """Applies every event committed before the call to the projections (all, or ``names``).

    Returns the number of events this call applied, summed over projections. A projection that
    another runner holds is waited for instead, until it reaches the head seen at the start.
    Stopped projections are retried once. Raises ``ProjectionFailed`` (naming the position and
    type) if any of them is stopped on an event at the end.
    """
    selected = catalog.select(names)
    store = EventStore(pool)
    head = await store.head_position()
    applied, pending = 0, selected
    async with pool.acquire() as conn:
        await checkpoints.ensure(conn, [p.name for p in selected])
        while pending:
            owned = await _lock(conn, pending)
            try:
                applied += (await drain(conn, store, owned, retry_stopped=True)).applied
            finally:
                await locks.unlock(conn, locks.APPLY, [p.name for p in owned])
            pending = await _behind(conn, [p for p in pending if p not in owned], head)
            if pending:
                await asyncio.sleep(0.05)  # another runner is applying them: check again soon
        cps = await checkpoints.read(conn, [p.name for p in selected])
    for cp in cps.values():
        if cp.stopped:
            assert cp.error_position is not None
            raise ProjectionFailed(
                cp.projection, cp.error_position, cp.error_type or "?", cp.error_message or ""
            )
    return applied


async def _lock(conn: Conn, projections: Sequence[Projection]) -> list[Projection]:
    held = await locks.try_lock(conn, locks.APPLY, [p.name for p in projections])
    return [p for p in projections if p.name in held]


async def _behind(conn: Conn, projections: Sequence[Projection], head: int) -> list[Projection]:
    cps = await checkpoints.read(conn, [p.name for p in projections])
    return [p for p in projections if cps[p.name].position < head and not cps[p.name].stopped]


async def _wait(
    notifier: AppendNotifier, seen: int | None, stop: asyncio.Event, poll_interval: float
) -> None:
    """Until an event past ``seen`` is committed, ``stop`` is set, or one poll interval passes
    (``seen`` None: nothing owned, so only the timeout or ``stop``)."""
    waits: list[asyncio.Task[object]] = [asyncio.create_task(stop.wait())]
    if seen is not None:
        waits.append(asyncio.create_task(notifier.wait_for_new(seen, timeout=poll_interval)))
    try:
        await asyncio.wait(waits, timeout=poll_interval, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
