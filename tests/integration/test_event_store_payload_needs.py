"""A read for known readers (``read_all_raw(..., needs)``) is the full read minus payloads.

Every row comes back, in order, with the same columns; the payload is there exactly where
``PayloadNeeds`` says the reader decodes it, stored bytes unchanged, and NULL elsewhere. An old
schema version of a type read in the database keeps its payload, for the upcaster.
"""

from __future__ import annotations

import json

import asyncpg
import pytest

from bench.synthetic import patient_history
from events.base import stream_for
from events.payloads import PayloadNeeds
from events.store import EventStore
from projections import ledger

pytestmark = pytest.mark.integration


async def test_a_filtered_read_keeps_every_row_and_only_the_needed_payloads(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    for pid in ("n001", "n002"):
        history = patient_history(pid, "2025-01", 3, seed=5)
        await store.append(stream_for(pid), history, expected_version=None)
    old = await pool.fetchrow(
        "SELECT payload FROM events WHERE type = 'month_closed' ORDER BY position LIMIT 1"
    )
    assert old is not None  # the same close, stored again as schema version 2 by another hand
    await pool.execute(
        "INSERT INTO events (position, stream, version, event_id, type, schema_version, payload,"
        " recorded_at, digest, hash) VALUES (nextval('events_position_seq'), 'patient-n003', 1,"
        " 'engine:n003.close', 'month_closed', 2, $1, now(), '\\x00', '\\x00')",
        old["payload"],
    )
    needs = ledger.projection.payload_needs()
    assert isinstance(needs, PayloadNeeds) and needs.in_database["month_closed"] == 3

    full: list[asyncpg.Record] = []
    lean: list[asyncpg.Record] = []
    while page := await store.read_all_raw(full[-1][0] if full else 0, 7):
        full += page
    while page := await store.read_all_raw(lean[-1][0] if lean else 0, 7, needs):
        lean += page

    assert [tuple(r)[:7] for r in lean] == [tuple(r)[:7] for r in full]
    kept = [r["payload"] is not None for r in lean]
    assert kept == [needs.needs(r["type"], r["schema_version"]) for r in full]
    assert [r["payload"] for r in lean if r["payload"] is not None] == [
        f["payload"] for f, keep in zip(full, kept, strict=True) if keep
    ]
    assert (lean[-1]["type"], lean[-1]["schema_version"]) == ("month_closed", 2)
    assert json.loads(lean[-1]["payload"])["service_month"]
    assert sum(kept) == 1  # the history's own events are read in the database or not wanted
