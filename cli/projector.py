"""``ccm projector``: the projection runner alone, for a deployment of stateless processes.

Run two (or more): each projection is applied by whichever holds its advisory lock, the others
stand by and take over within seconds when it goes. Never starts a database. SIGTERM finishes
the batch in hand (rows and checkpoint commit together) and exits. With ``CCM_METRICS_PORT`` it
serves ``/metrics`` (lag and checkpoint per projection, from the database) and ``/healthz``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

import asyncpg
import structlog
from temporalio.common import MetricMeter

from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from projections import catalog, status
from runtime.lifecycle import run_until_stopped, stop_on_signals
from runtime.logging import configure_logging
from runtime.settings import Settings
from telemetry import metrics, process

log = structlog.get_logger(__name__)
REPORT_EVERY_S = 5.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("projector", help="run the projection runner alone")
    parser.add_argument(
        "--projection", action="append", choices=catalog.NAMES, help="only these (repeat)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Runs until SIGINT/SIGTERM; exit 2 when nothing is configured, 75 when the database is
    down at start (once running, it waits outages out)."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        asyncio.run(_projector(settings, args.projection))
    except OUTAGES as exc:
        return outage_exit("projector", exc)
    return 0


async def _projector(settings: Settings, names: list[str] | None) -> None:
    from projections.runner import run_projections

    observed = process.install(settings, "projector")
    stop = asyncio.Event()
    stop_on_signals(stop)
    async with database_pool(settings, "app") as pool:

        async def check() -> dict[str, bool]:
            await pool.fetchval("SELECT 1")
            return {"database": True}

        async with process.serve(settings, observed, "projector", check) as url:
            log.info("projector_started", projections=names or list(catalog.NAMES), metrics=url)
            await run_until_stopped(
                stop,
                {
                    "projections": lambda: run_projections(pool, stop, names=names),
                    "lag": lambda: _report(pool, observed.meter, stop),
                },
            )


async def _report(pool: asyncpg.Pool, meter: MetricMeter, stop: asyncio.Event) -> None:
    """Keeps the lag gauges current; a database outage only skips a report."""
    while not stop.is_set():
        with contextlib.suppress(*OUTAGES):
            for s in await status(pool):
                metrics.projection_position(meter, s.name, s.checkpoint, s.lag_events)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REPORT_EVERY_S)
