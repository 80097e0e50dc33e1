"""What a synthetic practice must end up with in the store, however the run went: each month
closed once, billing its designed codes, each billed month with exactly one claim."""

from __future__ import annotations

from collections import Counter

import asyncpg

from events.decisions import MonthClosed
from events.store import EventStore
from upstream.synth.feed import SynthFeed


async def closes(pool: asyncpg.Pool) -> list[MonthClosed]:
    store, after, found = EventStore(pool), 0, []
    while batch := await store.read_all(after, limit=2000):
        found += [s.event for s in batch if isinstance(s.event, MonthClosed)]
        after = batch[-1].position
    return found


async def stored_keys(pool: asyncpg.Pool) -> set[str]:
    return {r["event_id"] for r in await pool.fetch("SELECT event_id FROM events")}


async def assert_billed_as_designed(pool: asyncpg.Pool, feed: SynthFeed) -> None:
    closed = await closes(pool)
    per_month = Counter((c.patient_id, c.service_month) for c in closed)
    assert [k for k, n in per_month.items() if n > 1] == [], "a month closed twice"
    labels = {m.label for m in feed.timeline.closed}
    billed = {
        (c.patient_id, c.service_month): tuple((x.code, x.units) for x in c.decision.codes)
        for c in closed
    }
    assert {m for _, m in billed} <= labels
    for key, codes in billed.items():
        assert codes == feed.intended.get(key, ()), key
    owed = {k for k, codes in feed.intended.items() if codes and k[1] in labels}
    assert owed <= set(billed), f"months never closed: {sorted(owed - set(billed))[:5]}"
    claims = await pool.fetch("SELECT patient_id, service_month FROM claims_outbox")
    handed = Counter((r["patient_id"], r["service_month"]) for r in claims)
    assert set(handed) == {k for k, codes in billed.items() if codes}
    assert max(handed.values(), default=1) == 1
