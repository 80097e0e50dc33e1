"""``ccm status``: every component of the stack, up or down, with what to do about each problem.

Finds the configured services or a running ``ccm dev`` (never starts anything), reads as the
report role, and always prints a report: a service it cannot reach is a finding. Exit 0 when
everything is healthy, 1 when anything needs attention.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TypeVar

import asyncpg
from temporalio.client import Client

from cli.outage import OUTAGES, describe
from cli.pools import role_pool
from ops.status import collect
from ops.status_model import StackStatus
from runtime.errors import ServiceUnavailable
from runtime.logging import configure_logging
from runtime.settings import Settings
from runtime.stack import open_client, open_database, temporal_address

CONNECT_TIMEOUT_S = 10.0
T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("status", help="health of every component of the stack")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    configure_logging("error")  # the report says what is wrong; library warnings would repeat it
    report = asyncio.run(_status(settings))
    if args.format == "json":
        print(json.dumps({"healthy": report.healthy, **report.model_dump(mode="json")}, indent=2))
    else:
        print(report.render())
    return 0 if report.healthy else 1


async def _status(settings: Settings) -> StackStatus:
    async with AsyncExitStack() as exits:
        pool: asyncpg.Pool | None = None
        client: Client | None = None
        no_db = no_temporal = ""
        try:
            pool = await _within(exits.enter_async_context(_pool(settings)))
        except OUTAGES as exc:
            no_db = describe(exc)
        try:
            client = await _within(exits.enter_async_context(open_client(settings)))
        except OUTAGES as exc:
            no_temporal = describe(exc)
        return await collect(
            pool, client, why_no_database=no_db, why_no_temporal=no_temporal,
            temporal_address=temporal_address(settings) or "(none)",
            task_queue=settings.task_queue, timezone=settings.practice_timezone,
        )  # fmt: skip
    raise AssertionError("unreachable")


async def _within(opening: Awaitable[T]) -> T:
    try:
        return await asyncio.wait_for(opening, CONNECT_TIMEOUT_S)
    except TimeoutError:
        raise ServiceUnavailable(f"did not answer within {CONNECT_TIMEOUT_S:.0f} s") from None


@asynccontextmanager
async def _pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    async with open_database(settings, start_missing=False) as urls, role_pool(urls, "report") as p:
        yield p
