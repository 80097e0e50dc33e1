"""What the roles cost an append (run by hand: ``python -m bench.append_roles``).

Appends the same synthetic streams, four writers, one event or ten per call, into two databases
of one embedded server: ``before`` has the schema up to 0005 and appends as the superuser through
a SECURITY INVOKER ``ccm_append``; ``after`` has 0007 and appends as ``ccm_app`` through the
SECURITY DEFINER one with its fixed ``search_path``. Prints events/s, median of three rounds.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench.synthetic import patient_history
from db.migrate import CREATE_TABLE, available, migrate
from events.base import PatientEvent, stream_for
from events.store import EventStore
from runtime.embedded_pg import EmbeddedPostgres, start_postgres

WRITERS, STREAMS, ROUNDS = 4, 20, 3


def on(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


async def create(pg: EmbeddedPostgres, name: str, with_roles: bool) -> str:
    """A database migrated up to 0005 (as the superuser) or fully (as the owner); its URL."""
    admin = await asyncpg.connect(pg.admin_url)
    await admin.execute(f'CREATE DATABASE "{name}" OWNER ccm_owner')
    await admin.close()
    conn = await asyncpg.connect(on(pg.urls.owner if with_roles else pg.admin_url, name))
    if with_roles:
        await migrate(conn)
    else:
        await conn.execute(CREATE_TABLE)
        for m in available():
            if m.version < 7:
                await conn.execute(m.sql)
    await conn.close()
    return on(pg.urls.app if with_roles else pg.admin_url, name)


async def rate(url: str, batch: int) -> float:
    """Events/s appending ``STREAMS`` fresh year-long streams, ``batch`` events per call."""
    pool = await asyncpg.create_pool(url, min_size=WRITERS, max_size=WRITERS)
    store = EventStore(pool)
    streams = [
        patient_history(f"b{uuid.uuid4().hex[:8]}", "2025-01", 12, 1) for _ in range(STREAMS)
    ]

    async def write(histories: list[list[PatientEvent]]) -> int:
        done = 0
        for events in histories:
            version = 0
            for i in range(0, len(events), batch):
                chunk = events[i : i + batch]
                stream = stream_for(events[0].patient_id)
                version = (await store.append(stream, chunk, expected_version=version)).version
                done += len(chunk)
        return done

    started = time.perf_counter()
    counts = await asyncio.gather(*(write(streams[k::WRITERS]) for k in range(WRITERS)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return sum(counts) / elapsed


async def main() -> None:
    pg = await start_postgres(Path(tempfile.mkdtemp(prefix="ccm-bench-roles-")))
    try:
        urls = {"before 0007, superuser": await create(pg, "before", False),
                "after 0007, ccm_app": await create(pg, "after", True)}  # fmt: skip
        for batch in (1, 10):
            for label, url in urls.items():
                rates = [await rate(url, batch) for _ in range(ROUNDS)]
                median, shown = statistics.median(rates), ", ".join(f"{r:.0f}" for r in rates)
                print(f"batch {batch:2d}  {label:24s} {median:8.0f} events/s  ({shown})")
    finally:
        await pg.stop()


if __name__ == "__main__":
    asyncio.run(main())
