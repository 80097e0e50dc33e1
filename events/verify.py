"""Walks the hash chains and names the first event of each stream that was altered.

For every stream, in version order, each event must: carry the next version (1, 2, …), sit at a
higher position than the one before, hash to its stored ``digest`` (content), and link to the
previous event's ``hash`` (order and chain). The stream's head row must end at its last event,
which catches events removed from the end. A rewrite of a whole chain from some event to the head
(content, digests and links recomputed) is not detectable from inside the database; anchoring
heads elsewhere would be the next step.
"""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel, ConfigDict

from events.hashing import GENESIS, content_digest, link_hash

ROWS = """
SELECT stream, version, position, event_id, type, schema_version, payload, recorded_at, digest, hash
FROM events {where} ORDER BY stream, version
"""
HEADS = "SELECT stream, version, last_hash FROM streams {where}"


class BrokenEvent(BaseModel):
    """The first event of a stream that fails verification (``position`` None: none found)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream: str
    version: int
    position: int | None
    event_id: str | None
    reason: str

    def describe(self) -> str:
        """One line naming the event (opaque ids only) and what is wrong with it."""
        if self.position is None:
            return f"stream {self.stream} version {self.version}: {self.reason}"
        event = f"version {self.version} (position {self.position}, {self.event_id})"
        return f"stream {self.stream} {event}: {self.reason}"


class VerifyReport(BaseModel):
    """What was checked and, per broken stream, its first bad event (lowest position first)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    streams: int
    events: int
    broken: list[BrokenEvent]

    @property
    def ok(self) -> bool:
        return not self.broken

    @property
    def first_broken(self) -> BrokenEvent | None:
        return self.broken[0] if self.broken else None


class _Chain:
    """The running state of one stream's chain while its events are walked in version order."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self.version = 0
        self.position = 0
        self.link = GENESIS
        self.broken: BrokenEvent | None = None

    def check(self, row: asyncpg.Record) -> None:
        """Advances over one event, recording the first failure (later events are not judged)."""
        if self.broken is not None:
            return
        reason = self._problem(row)
        if reason is not None:
            self.broken = BrokenEvent(
                stream=self.stream, version=row["version"], position=row["position"],
                event_id=row["event_id"], reason=reason,
            )  # fmt: skip
            return
        self.version, self.position, self.link = row["version"], row["position"], row["hash"]

    def _problem(self, row: asyncpg.Record) -> str | None:
        if row["version"] != self.version + 1:
            return f"order altered: version {row['version']} follows {self.version}"
        if row["position"] <= self.position:
            return f"order altered: position not after the previous event's ({self.position})"
        digest = content_digest(row["event_id"], row["type"], row["schema_version"], row["payload"])
        if digest != bytes(row["digest"]):
            return "content altered: the event no longer matches its digest"
        expected = link_hash(
            self.link, digest, self.stream, row["version"], row["position"], row["recorded_at"]
        )
        if expected != bytes(row["hash"]):
            return "link broken: the hash does not chain from the previous event"
        return None

    def check_head(self, head: asyncpg.Record | None) -> None:
        """The stream row must end exactly at the last event walked."""
        if self.broken is not None:
            return
        if head is None or head["version"] != self.version or bytes(head["last_hash"]) != self.link:
            recorded = "no head" if head is None else f"a head at version {head['version']}"
            self.broken = BrokenEvent(
                stream=self.stream, version=self.version + 1, position=None, event_id=None,
                reason=f"events missing: {recorded}, but the chain ends at version {self.version}",
            )  # fmt: skip


async def verify_chains(pool: asyncpg.Pool, stream: str | None = None) -> VerifyReport:
    """Verifies every stream (or just ``stream``) in one consistent snapshot."""
    where = "WHERE stream = $1" if stream is not None else ""
    args = [stream] if stream is not None else []
    chains: dict[str, _Chain] = {}
    events = 0
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        heads = {r["stream"]: r for r in await conn.fetch(HEADS.format(where=where), *args)}
        async for row in conn.cursor(ROWS.format(where=where), *args, prefetch=2000):
            chain = chains.get(row["stream"])
            if chain is None:
                chain = chains[row["stream"]] = _Chain(row["stream"])
            chain.check(row)
            events += 1
    for name in heads.keys() - chains.keys():
        if heads[name]["version"] != 0:
            chains[name] = _Chain(name)
    for name, chain in chains.items():
        chain.check_head(heads.get(name))
    broken = [c.broken for c in chains.values() if c.broken is not None]
    broken.sort(key=lambda b: (b.position is None, b.position or 0, b.stream))
    return VerifyReport(streams=len(chains.keys() | heads.keys()), events=events, broken=broken)
