"""``ccm worker``: the Temporal worker alone, against a real cluster or a running ``ccm dev``.

Never starts embedded services: a worker in production must fail loudly when its cluster or
database is missing rather than quietly run against a private one. SIGTERM drains it: polling
stops and running activities get 30 s to finish. With ``CCM_METRICS_PORT`` it serves
``/metrics`` and ``/healthz``.
"""

from __future__ import annotations

import argparse
import asyncio

import structlog

from cli.outage import OUTAGES, outage_exit
from runtime.lifecycle import run_until_stopped, stop_on_signals
from runtime.logging import configure_logging
from runtime.settings import Settings
from runtime.stack import open_stack
from telemetry import process, tracing

log = structlog.get_logger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "worker", help="run the worker (TEMPORAL_ADDRESS / CCM_DATABASE_URL or a running `ccm dev`)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Runs until SIGINT/SIGTERM; exit 2 when nothing is configured, 75 when a service is down."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        asyncio.run(_worker(settings))
    except OUTAGES as exc:
        return outage_exit("worker", exc)
    return 0


async def _worker(settings: Settings) -> None:
    from worker import run_worker  # lazily: a broken worker module fails this command only

    observed = process.install(settings, "worker")
    stop = asyncio.Event()
    stop_on_signals(stop)
    async with open_stack(settings, start_missing=False) as stack:

        async def check() -> dict[str, bool]:
            await stack.pool.fetchval("SELECT 1")
            return {"database": True, "temporal": await stack.client.service_client.check_health()}

        async with process.serve(settings, observed, "worker", check) as url:
            log.info("worker_started", task_queue=settings.task_queue, metrics=url)
            await run_until_stopped(
                stop, {"worker": lambda: run_worker(settings, stack.client, stack.pool, stop)}
            )
    tracing.flush()
