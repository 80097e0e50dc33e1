"""The ledger's floor for bench/side_by_side.py, and the engine's runs beside it.

The floor is what any implementation must at least do: read every event in global order, raw,
and COPY the rows the ledger ends up holding into tables of the same definition. The rows are
taken from a warm-up catch-up, so the floor writes exactly what the projection writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from bench.projections import reset
from events.store import EventStore
from projections.rebuild import rebuild as rebuild_projection
from projections.runner import catch_up as catch_up_projections

TABLES = ("ledger_months", "ledger_late_entries")
PAGE = 2000


@dataclass
class Floor:
    pool: asyncpg.Pool
    total: int
    rows: dict[str, tuple[list[str], list[tuple[object, ...]]]]

    @classmethod
    async def prepare(cls, pool: asyncpg.Pool, total: int) -> Floor:
        """Catches the ledger up once (warm-up) and keeps what it wrote."""
        await catch_up(pool)
        rows: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {}
        for table in TABLES:
            records = await pool.fetch(f"SELECT * FROM {table}")
            columns = list(records[0].keys()) if records else []
            rows[table] = (columns, [tuple(r.values()) for r in records])
            await pool.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        return cls(pool, total, rows)

    async def run(self, _tag: str) -> float:
        """Seconds to read every event raw and COPY the ledger's rows."""
        await self.pool.execute(f"TRUNCATE {', '.join(f'floor_{t}' for t in TABLES)}")
        store, started, after = EventStore(self.pool), time.perf_counter(), 0
        while rows := await store.read_all_raw(after, PAGE):
            after = rows[-1]["position"]
        for table, (columns, records) in self.rows.items():
            if records:
                await self.pool.copy_records_to_table(
                    f"floor_{table}", records=records, columns=columns
                )
        return time.perf_counter() - started


async def catch_up(pool: asyncpg.Pool, _tag: str = "") -> float:
    """Seconds for the ledger to catch up from position 0 (its tables emptied first)."""
    await reset(pool)
    started = time.perf_counter()
    await catch_up_projections(pool, ["ledger"])
    return time.perf_counter() - started


async def rebuild(pool: asyncpg.Pool, _tag: str = "") -> float:
    """Seconds for a full rebuild of the ledger (shadow tables, index build, swap)."""
    started = time.perf_counter()
    await rebuild_projection(pool, "ledger")
    return time.perf_counter() - started
