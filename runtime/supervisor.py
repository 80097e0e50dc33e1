"""Keeping ``ccm dev``'s children alive: a dead one is logged, restarted with backoff, and past a
limit the whole stack is stopped so nobody works against half of it.

A child is anything with a pid that can die on its own (the postmaster, the Temporal dev server).
Deaths are noticed by polling: the postmaster is not our child (``pg_ctl`` daemonises it), so
there is no exit status to wait for.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from runtime.errors import ServiceUnavailable

log = structlog.get_logger(__name__)

POLL_S = 1.0
BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)
LIMIT = 5  # deaths of one child within WINDOW_S before the stack gives up
WINDOW_S = 600.0


class GaveUp(ServiceUnavailable):
    """A child kept dying: the stack stops; the message names it and where its log is."""


@dataclass
class Child:
    """``alive`` and ``why`` look at the current process; ``restart`` replaces it."""

    name: str
    alive: Callable[[], bool]
    why: Callable[[], str]  # how the current process ended ("killed by SIGKILL", "gone")
    restart: Callable[[], Awaitable[int]]  # returns the new pid
    log_file: str
    deaths: list[float] = field(default_factory=list)


async def supervise(
    children: list[Child],
    stop: asyncio.Event,
    on_restart: Callable[[], None],
    *,
    poll_s: float = POLL_S,
) -> None:
    """Until ``stop`` is set: restarts each child that died; raises ``GaveUp`` past the limit."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        for child in children:
            if not stop.is_set() and not child.alive():
                await _revive(child, loop.time(), stop)
                on_restart()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_s)


async def _revive(child: Child, now: float, stop: asyncio.Event) -> None:
    child.deaths = [t for t in child.deaths if now - t < WINDOW_S] + [now]
    why = child.why()
    if len(child.deaths) > LIMIT:
        raise GaveUp(
            f"{child.name} died {len(child.deaths)} times in {WINDOW_S / 60:.0f} minutes (last:"
            f" {why}); stopping everything. Its log: {child.log_file}"
        )
    pause = BACKOFF_S[min(len(child.deaths) - 1, len(BACKOFF_S) - 1)]
    log.error("service_died", service=child.name, why=why, restart_in_s=pause)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), pause)
    if stop.is_set():
        return
    while True:
        try:
            pid = await child.restart()
            break
        except Exception as exc:  # the port still held, the data dir recovering: try again
            log.error("service_restart_failed", service=child.name, error=str(exc)[:200])
            child.deaths.append(asyncio.get_running_loop().time())
            if len(child.deaths) > LIMIT:
                raise GaveUp(f"{child.name} could not be restarted: {exc}") from exc
            await asyncio.sleep(BACKOFF_S[min(len(child.deaths), len(BACKOFF_S)) - 1])
    log.warning("service_restarted", service=child.name, pid=pid)
