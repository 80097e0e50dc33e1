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
from pydantic import BaseModel, ConfigDict, Field

from events.base import Event
from events.hashing import content_digest
from events.registry import DEFAULT_REGISTRY, Registry
from events.store import Conn

STORED = "SELECT event_id, stream, version, digest FROM events WHERE event_id = ANY($1::text[])"

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


class Sent(BaseModel):
    """One event of a batch as the lookup needs it: its store key and its content digest."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    key: str
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")  # hex of ``digest_of``


def sent(events: Sequence[Event], registry: Registry = DEFAULT_REGISTRY) -> list[Sent]:
    """Pure (the workflow computes it, so the lookup's input is keys and digests, not the
    events: a batch's events are not serialized, sealed, opened and validated a second time)."""
    return [Sent(key=e.store_key, digest=digest_of(e, registry).hex()) for e in events]


async def identify(
    conn: Conn | asyncpg.Pool, stream: str, batch: Sequence[Sent], after: int | None = None
) -> list[Verdict]:
    """One verdict per sent event, in order, each with that event's own digest.

    ``after``: the stream version a batch was decided on, for a batch the workflow decided as
    all new without asking (checked where it is stored). A key this stream holds after it was
    stored by an earlier attempt of that very call: the workflow is its stream's only writer and
    a call's events are decided deterministically. It counts as new, so a retried call is not
    refused."""
    keys = list(dict.fromkeys(s.key for s in batch))
    rows = {r["event_id"]: r for r in await conn.fetch(STORED, keys)}
    verdicts = []
    for s in batch:  # each its own digest: a key sent twice must not borrow the other's content
        row = rows.get(s.key)
        if after is not None and row is not None and row["stream"] == stream:
            row = None if row["version"] > after else row  # the call's own earlier attempt
        verdicts.append(_verdict(s.key, stream, bytes.fromhex(s.digest), row))
    return verdicts


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
