"""Walks the hash chains and names the first event of each stream that was altered.

For every stream, in version order, each event must: carry the next version (1, 2, …), sit at a
higher position than the one before, hash to its stored ``digest`` (content), and link to the
previous event's ``hash`` (order and chain). The stream's head row must end at its last event,
which catches events removed from the end. A consistent rewrite of a chain from some event up to
the head (content, digests, links and head recomputed) passes this walk: only a checkpoint kept
outside the database finds it, so the walk also recomputes, for the versions a checkpoint names,
each stream's link from the rows' content alone (``events/anchor_check.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from pydantic import BaseModel, ConfigDict

from events.hashing import GENESIS, content_digest, link_hash

ROWS = """
SELECT stream, version, position, event_id, type, schema_version, payload, recorded_at, digest, hash
FROM events {where} ORDER BY stream, version
"""
HEADS = "SELECT stream, version, last_hash FROM streams {where}"
# A plain connection or one borrowed from a pool.
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


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


class Recomputed(BaseModel):
    """One stream's rows hashed from their content alone, never trusting a stored hash or head."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_version: int  # the highest version among the stream's rows (0: no rows)
    links: dict[int, bytes]  # the link at each version asked about that holds an event


class VerifyReport(BaseModel):
    """What was checked and, per broken stream, its first bad event (lowest position first)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    streams: int
    events: int
    broken: list[BrokenEvent]
    recomputed: dict[str, Recomputed] = {}  # only the streams ``marks`` named

    @property
    def ok(self) -> bool:
        return not self.broken

    @property
    def first_broken(self) -> BrokenEvent | None:
        return self.broken[0] if self.broken else None


class _Chain:
    """The running state of one stream's chain while its events are walked in version order."""

    def __init__(self, stream: str, marks: Collection[int] = ()) -> None:
        self.stream = stream
        self.version = 0
        self.position = 0
        # Recomputed from content for every row, past a break too: while the chain is unbroken
        # it equals the previous row's stored hash, so the stored links are judged against it.
        self.link = GENESIS
        self.last_version = 0
        self.marks = marks
        self.links: dict[int, bytes] = {}
        self.broken: BrokenEvent | None = None

    def check(self, row: asyncpg.Record) -> None:
        """Advances over one event, recording the first failure (later events are not judged)."""
        digest = content_digest(row["event_id"], row["type"], row["schema_version"], row["payload"])
        self.link = link_hash(
            self.link, digest, self.stream, row["version"], row["position"], row["recorded_at"]
        )
        self.last_version = row["version"]
        if row["version"] in self.marks:
            self.links[row["version"]] = self.link
        if self.broken is not None:
            return
        reason = self._problem(row, digest)
        if reason is not None:
            self.broken = BrokenEvent(
                stream=self.stream, version=row["version"], position=row["position"],
                event_id=row["event_id"], reason=reason,
            )  # fmt: skip
            return
        self.version, self.position = row["version"], row["position"]

    def _problem(self, row: asyncpg.Record, digest: bytes) -> str | None:
        if row["version"] != self.version + 1:
            return f"order altered: version {row['version']} follows {self.version}"
        if row["position"] <= self.position:
            return f"order altered: position not after the previous event's ({self.position})"
        if digest != bytes(row["digest"]):
            return "content altered: the event no longer matches its digest"
        if self.link != bytes(row["hash"]):
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

    def recomputed(self) -> Recomputed:
        return Recomputed(last_version=self.last_version, links=self.links)


async def verify_chains(pool: asyncpg.Pool, stream: str | None = None) -> VerifyReport:
    """Verifies every stream (or just ``stream``) in one consistent snapshot."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await walk_chains(conn, stream)


async def walk_chains(
    conn: Conn,
    stream: str | None = None,
    marks: Mapping[str, Collection[int]] | None = None,
) -> VerifyReport:
    """Verifies inside the caller's snapshot (a REPEATABLE READ transaction on ``conn``).

    ``marks`` names versions per stream whose link is recomputed from content into
    ``recomputed`` (a marked stream without rows reports ``last_version`` 0).
    """
    where, args = ("WHERE stream = $1", [stream]) if stream is not None else ("", [])
    marks = marks or {}
    chains: dict[str, _Chain] = {}
    events = 0
    heads = {r["stream"]: r for r in await conn.fetch(HEADS.format(where=where), *args)}
    async for row in conn.cursor(ROWS.format(where=where), *args, prefetch=2000):
        chain = chains.get(row["stream"])
        if chain is None:
            chain = chains[row["stream"]] = _Chain(row["stream"], marks.get(row["stream"], ()))
        chain.check(row)
        events += 1
    for name in heads.keys() - chains.keys():
        if heads[name]["version"] != 0:
            chains[name] = _Chain(name)
    for name, chain in chains.items():
        chain.check_head(heads.get(name))
    broken = [c.broken for c in chains.values() if c.broken is not None]
    broken.sort(key=lambda b: (b.position is None, b.position or 0, b.stream))
    return VerifyReport(
        streams=len(chains.keys() | heads.keys()), events=events, broken=broken,
        recomputed=_recomputed(chains, marks, stream),
    )  # fmt: skip


def _recomputed(
    chains: dict[str, _Chain], marks: Mapping[str, Collection[int]], stream: str | None
) -> dict[str, Recomputed]:
    none = Recomputed(last_version=0, links={})
    return {
        name: chains[name].recomputed() if name in chains else none
        for name in marks
        if stream is None or name == stream
    }
