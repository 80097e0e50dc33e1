"""Which of a batch's store keys the event store already holds, and as what.

An ``event_id`` is unique per source across all patients. Before a patient's workflow decides on
a batch it asks: new (decide it), stored (the same content in this stream: a harmless re-send),
conflict (this stream holds other content under the key: both digests are named), or foreign
(another patient's stream holds the key). The store's unique key remains the arbiter when two
patients race for one new key: the losing append fails and the workflow asks again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import asyncpg
from pydantic import BaseModel, ConfigDict

from events.base import Event
from events.hashing import content_digest
from events.registry import DEFAULT_REGISTRY, Registry

STORED = "SELECT event_id, stream, digest FROM events WHERE event_id = ANY($1::text[])"

Status = Literal["new", "stored", "conflict", "foreign"]


class Verdict(BaseModel):
    """What the store says of one key; digests are the first 12 hex digits (sha256 of content)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str
    status: Status
    sent_digest: str
    stored_digest: str | None = None


def digest_of(event: Event, registry: Registry = DEFAULT_REGISTRY) -> bytes:
    type_, version, payload = registry.encode_json(event)
    return content_digest(event.store_key, type_, version, payload)


async def identify(
    pool: asyncpg.Pool, stream: str, events: Sequence[Event], registry: Registry = DEFAULT_REGISTRY
) -> list[Verdict]:
    """One verdict per event, in order, each with that event's own digest."""
    keys = list(dict.fromkeys(e.store_key for e in events))
    rows = {r["event_id"]: r for r in await pool.fetch(STORED, keys)}
    # Each event's own digest: a key sent twice with other content must not borrow the other's.
    return [
        _verdict(e.store_key, stream, digest_of(e, registry), rows.get(e.store_key)) for e in events
    ]


def _verdict(key: str, stream: str, sent: bytes, row: asyncpg.Record | None) -> Verdict:
    if row is None:
        return Verdict(key=key, status="new", sent_digest=sent.hex()[:12])
    stored = bytes(row["digest"])
    status: Status = (
        "foreign" if row["stream"] != stream else ("stored" if stored == sent else "conflict")
    )
    return Verdict(
        key=key, status=status, sent_digest=sent.hex()[:12], stored_digest=stored.hex()[:12]
    )
