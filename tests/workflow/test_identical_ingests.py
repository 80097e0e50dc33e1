"""Two ingests of one feed, hours apart and into two stores, record identical events: what the
calendar decided carries the moment it became due, never the moment a worker noticed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
from temporalio.testing import WorkflowEnvironment

from db.migrate import migrate
from events.base import stream_for
from tests.fixtures_pg import database_uri
from upstream.client import CcmClient
from worker import build_worker

from .builders import calendar_moments, closable_months, in_month, life, settle
from .conftest import Engine


async def _fresh_pool(pg_server: str) -> tuple[asyncpg.Pool, str]:
    name = f"test_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(pg_server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = database_uri(pg_server, name)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return await asyncpg.create_pool(url, min_size=1, max_size=4), name


async def _payloads(pool: asyncpg.Pool, patient_id: str) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT event_id, payload::text AS payload FROM events WHERE stream = $1 ORDER BY version",
        stream_for(patient_id),
    )
    return [(r["event_id"], r["payload"]) for r in rows]


async def _past_the_calendar_within(engine: Engine, window: timedelta) -> None:
    """Moves the test's clock past any month close, at-risk check or month start due within
    ``window`` of now: one due between the two ingests would be made by the second only, on
    whichever day and hour the suite runs."""
    now = await engine.now()
    for due in calendar_moments(now):
        if now < due <= now + window:
            await engine.sleep(seconds=(due - now).total_seconds() + 60)
            now = await engine.now()


async def test_the_same_feed_ingested_twice_records_the_same_events(
    engine: Engine, skipping_env: WorkflowEnvironment, pg_server: str
) -> None:
    await _past_the_calendar_within(engine, timedelta(hours=8))
    p = life(engine.patient())
    m1, m2 = closable_months(await engine.now(), 2)
    feed = [
        *p.enrolled(in_month(m1, 2)),
        p.time(in_month(m1, 9), 12),  # short on the 20th: flagged
        p.time(in_month(m1, 25), 15),
        p.time(in_month(m2, 4), 22),
        p.outreach(in_month(m2, 6)),
    ]
    await engine.client.send(feed)
    await settle(engine.env.client, [p.id])
    first = await _payloads(engine.pool, p.id)
    await engine.env.client.get_workflow_handle(f"ccm-patient-{p.id}").terminate("ingest again")

    await engine.sleep(hours=7)  # a later ingest: every calendar action is noticed later
    pool, _ = await _fresh_pool(pg_server)
    try:
        queue = f"again-{uuid.uuid4().hex[:8]}"
        async with build_worker(skipping_env.client, pool, queue):
            await CcmClient(skipping_env.client, queue).send(feed)
            await settle(skipping_env.client, [p.id])
            second = await _payloads(pool, p.id)
    finally:
        await pool.close()
    # m2 closes at "now" in both ingests, 7 hours apart: its events still match byte for byte.
    assert second == first
    types = [e.split(":", 1)[1] for e, _ in first]
    assert any("at-risk" in t for t in types) and any("month-closed" in t for t in types)
