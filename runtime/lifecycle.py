"""Running long-lived in-process services (worker, projection runner, supervisor) until the
process is asked to stop, restarting one that fails when asked to."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Collection

import structlog

from runtime.supervisor import BACKOFF_S, LIMIT, WINDOW_S, GaveUp

log = structlog.get_logger(__name__)


class ServiceStopped(RuntimeError):
    """A service returned before it was asked to stop."""


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGINT (Ctrl-C) and SIGTERM set ``stop`` instead of killing the process mid-shutdown.

    SIGTERM's default action would skip every ``finally`` and ``atexit`` hook and leave PostgreSQL
    and the Temporal server running.
    """
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def run_until_stopped(
    stop: asyncio.Event,
    services: dict[str, Callable[[], Awaitable[None]]],
    *,
    restart: Collection[str] = (),
) -> None:
    """Runs every service until ``stop`` is set and each has returned.

    A service named in ``restart`` that fails or returns early is started again after a pause
    (up to the supervisor's limit); any other sets ``stop`` so the others shut down cleanly (not
    cancelled mid-transaction); the first failure that stopped everything is then re-raised.
    """
    results = await asyncio.gather(
        *(_watch(name, start, stop, name in restart) for name, start in services.items()),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]


async def _watch(
    name: str, start: Callable[[], Awaitable[None]], stop: asyncio.Event, restart: bool
) -> None:
    deaths: list[float] = []
    loop = asyncio.get_running_loop()
    while True:
        try:
            await start()
            if stop.is_set():
                log.info("service_stopped", service=name)
                return
            failure: BaseException = ServiceStopped(f"{name} stopped before it was asked to")
        except Exception as exc:  # any failure of a service is logged, then handled below
            failure = exc
        deaths = [t for t in deaths if loop.time() - t < WINDOW_S] + [loop.time()]
        log.error("service_failed", service=name, error=type(failure).__name__)
        if not restart or isinstance(failure, GaveUp) or stop.is_set() or len(deaths) > LIMIT:
            stop.set()
            raise failure
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), BACKOFF_S[min(len(deaths), len(BACKOFF_S)) - 1])
        if stop.is_set():
            return
        log.warning("service_restarting", service=name)
