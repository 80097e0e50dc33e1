"""Running long-lived services (worker, projection runner) until the process is asked to stop."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

import structlog

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
    stop: asyncio.Event, services: dict[str, Callable[[], Awaitable[None]]]
) -> None:
    """Runs every service until ``stop`` is set and each has returned.

    A service that fails or returns early sets ``stop`` so the others shut down cleanly (not
    cancelled mid-transaction); the first failure is then re-raised.
    """
    results = await asyncio.gather(
        *(_watch(name, start, stop) for name, start in services.items()), return_exceptions=True
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]


async def _watch(name: str, start: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
    try:
        await start()
    except BaseException as exc:
        log.error("service_failed", service=name, error=type(exc).__name__)
        stop.set()
        raise
    if not stop.is_set():
        stop.set()
        raise ServiceStopped(f"{name} stopped before it was asked to")
    log.info("service_stopped", service=name)
