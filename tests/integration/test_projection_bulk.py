"""Set-based flushes (projections/bulk.py) write exactly what row-by-row statements write."""

from __future__ import annotations

import asyncpg
import pytest

from bench.synthetic import patient_history
from events.base import stream_for
from events.store import EventStore
from projections import bulk, catalog
from projections.base import Sql
from projections.runner import catch_up

pytestmark = pytest.mark.integration


async def _tables(pool: asyncpg.Pool) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: sorted(tuple(r) for r in await pool.fetch(f"SELECT * FROM {table}"))
        for p in catalog.ALL
        for table in p.tables
    }


async def test_every_projection_ends_the_same_either_way(
    pool: asyncpg.Pool, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(30):
        patient = f"bulk-{n:03d}"
        await store.append(stream_for(patient), patient_history(patient, "2025-01", 6, seed=n), 0)
    monkeypatch.setattr(bulk, "MIN_ROWS", 10**9)  # row by row
    await catch_up(pool)
    row_by_row = await _tables(pool)
    tables = ", ".join(t for p in catalog.ALL for t in p.tables)
    await pool.execute(f"TRUNCATE {tables}; DELETE FROM projection_checkpoints")
    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    await catch_up(pool)
    assert await _tables(pool) == row_by_row
    assert len(row_by_row["ledger_months"]) == 30 * 6


async def test_rows_sharing_a_key_run_one_by_one_in_order(pool: asyncpg.Pool) -> None:
    await pool.execute("CREATE TABLE bulk_t (k text PRIMARY KEY, n integer NOT NULL)")
    upsert = Sql(
        "INSERT INTO bulk_t (k, n) VALUES ($1, $2)"
        " ON CONFLICT (k) DO UPDATE SET n = bulk_t.n * 10 + EXCLUDED.n"
    )
    rows = [("a", 1), ("b", 1), ("a", 2)] + [(f"x{i}", i) for i in range(20)]
    async with pool.acquire() as conn, conn.transaction():
        await bulk.flush(conn, upsert.sql, rows)
    assert await pool.fetchval("SELECT n FROM bulk_t WHERE k = 'a'") == 12
    await pool.execute("TRUNCATE bulk_t")
    async with pool.acquire() as conn, conn.transaction():
        await bulk.flush(conn, upsert.sql, [(f"y{i}", i) for i in range(20)])  # set-based
        await bulk.flush(conn, upsert.sql, [(f"y{i}", 1) for i in range(20)])
    assert await pool.fetchval("SELECT sum(n) FROM bulk_t") == sum(i * 10 + 1 for i in range(20))


def test_only_known_shapes_are_made_set_based() -> None:
    assert bulk.derive("INSERT INTO t (a, b) VALUES ($1, 'x') ON CONFLICT (a) DO NOTHING")
    assert bulk.derive("INSERT INTO t (a, b) VALUES ($1, now())") is None  # calls: not parsed
    assert bulk.derive("UPDATE t SET a = $2 WHERE k = $1") is not None
    assert bulk.derive("UPDATE t SET a = $2 WHERE k = $1 OR j = $3") is None
    key_not_a_parameter = "INSERT INTO t (a, b) VALUES ($1, $2::text) ON CONFLICT (b) DO NOTHING"
    assert bulk.derive(key_not_a_parameter) is None
    assert bulk.derive("DELETE FROM t WHERE k = $1") is None
