"""Guarantee 3: a reader following ``position > last`` never misses an event.

Writers race while a reader follows the global order. Two kinds of writer widen the classic
window on purpose: one holds its append transaction open (sleeping) before committing, another
rolls its append back after positions were taken. With positions handed out in commit order the
reader must still end having seen every committed event exactly once, and gaps left by the
rollbacks are simply never filled.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest

from events.base import PatientEvent, stream_for
from events.hashing import content_digest
from events.registry import DEFAULT_REGISTRY
from events.store import APPEND, EventStore
from events.upstream import OutreachAttempted

pytestmark = pytest.mark.integration
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WRITERS = 4
BATCHES = 40


class RolledBack(Exception):
    """Raised inside a transaction to roll it back on purpose."""


def outreach(patient: str, n: int) -> OutreachAttempted:
    return OutreachAttempted(
        event_id=f"{patient}-call-{n}", patient_id=patient, occurred_at=AT,
        channel="phone", outcome="left_message", staff_id="staff-1",
    )  # fmt: skip


def append_args(stream: str, events: list[PatientEvent]) -> list[object]:
    """The arguments of the store's one SQL call, built the way ``EventStore.append`` does."""
    encoded = [DEFAULT_REGISTRY.encode_json(e) for e in events]
    return [
        stream, None, [e.store_key for e in events], [t for t, _, _ in encoded],
        [v for _, v, _ in encoded], [p for _, _, p in encoded],
        [content_digest(e.store_key, *fields) for e, fields in zip(events, encoded, strict=True)],
        False,
    ]  # fmt: skip


async def writer(store: EventStore, w: int) -> list[int]:
    stream, version, positions = stream_for(f"w{w}"), 0, []
    for b in range(BATCHES):
        size = 1 + (b * 7 + w) % 5
        batch = [outreach(f"w{w}", b * 10 + i) for i in range(size)]
        result = await store.append(stream, batch, expected_version=version)
        version = result.version
        positions += result.positions
    return positions


async def slow_writer(pool: asyncpg.Pool, commit: bool) -> list[int]:
    """Appends inside a transaction it keeps open a while, then commits or rolls back."""
    kept: list[int] = []
    name = "slow" if commit else "undone"
    for b in range(10):
        args = append_args(stream_for(name), [outreach(name, b)])
        try:
            async with pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(APPEND, *args)
                await conn.execute("SELECT pg_sleep(0.02)")
                if not commit:
                    raise RolledBack
            assert row is not None
            kept += row["positions"]
        except RolledBack:
            pass
    return kept


async def reader(store: EventStore, writers_done: asyncio.Event) -> list[int]:
    seen: list[int] = []
    while True:
        done = writers_done.is_set()  # read before the page: a final empty page then proves the end
        page = await store.read_all(seen[-1] if seen else 0, limit=7)
        seen += [e.position for e in page]
        if not page and done:
            return seen
        await asyncio.sleep(0)


async def test_a_reader_following_position_sees_every_event_exactly_once(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    writers_done = asyncio.Event()
    following = asyncio.create_task(reader(store, writers_done))
    written = await asyncio.gather(
        *(writer(store, w) for w in range(WRITERS)),
        slow_writer(pool, commit=True),
        slow_writer(pool, commit=False),
    )
    writers_done.set()
    seen = await following

    committed = sorted(p for positions in written for p in positions)
    assert len(committed) == len(set(committed))
    assert seen == committed  # in global order, each exactly once, nothing rolled back
    stored = [r["position"] for r in await pool.fetch("SELECT position FROM events ORDER BY 1")]
    assert stored == committed
    assert max(stored) > len(stored)  # the rolled-back appends did leave gaps
