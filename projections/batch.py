"""One read of the global order, shared by every projection at the same checkpoint.

Rows come from ``EventStore.read_all_raw`` (so the store's no-skip guarantee holds) and are decoded
lazily, once, and only for projections that handle their type: most projections read a handful of
types, and decoding is the expensive part of a read. A read for known readers carries only the
payloads they decode (``Projection.payload_needs``); every row is there all the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg

from events.registry import DEFAULT_REGISTRY, Registry
from events.store import StoredEvent, stored_event


class MissingPayload(RuntimeError):
    """A row was read without the payload a projection decodes: its ``payload_needs`` is wrong."""

    def __init__(self, position: int, type_: str) -> None:
        super().__init__(f"event at position {position} ({type_}) was read without its payload")


class Batch:
    """Events with position in ``(after, last]``, in order; ``event(i)`` decodes row ``i``."""

    def __init__(
        self, after: int, rows: Sequence[asyncpg.Record], registry: Registry = DEFAULT_REGISTRY
    ) -> None:
        self.after = after
        self.rows = rows
        self._registry = registry
        self._decoded: dict[int, StoredEvent] = {}

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def last(self) -> int:
        """The last position read (``after`` for an empty batch)."""
        return int(self.rows[-1]["position"]) if self.rows else self.after

    def position(self, i: int) -> int:
        return int(self.rows[i]["position"])

    def type(self, i: int) -> str:
        return str(self.rows[i]["type"])

    def stream(self, i: int) -> str:
        return str(self.rows[i]["stream"])

    def schema_version(self, i: int) -> int:
        return int(self.rows[i]["schema_version"])

    def event(self, i: int) -> StoredEvent:
        """Row ``i`` as a current model; raises ``EventDecodeError`` naming its position."""
        cached = self._decoded.get(i)
        if cached is not None:
            return cached
        row = self.rows[i]
        position, stream, version, event_id, type_, schema_version, recorded_at, payload = row
        if payload is None:
            raise MissingPayload(position, type_)
        event = self._registry.decode_json(type_, schema_version, payload, position)
        stored = stored_event(
            position, stream, version, event_id, type_, schema_version, recorded_at, event
        )
        self._decoded[i] = stored
        return stored

    def start_index(self, checkpoint: int) -> int:
        """Index of the first row after ``checkpoint`` (``len`` when none is)."""
        lo, hi = 0, len(self.rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.position(mid) <= checkpoint:
                lo = mid + 1
            else:
                hi = mid
        return lo


def discard(read: asyncio.Task[list[asyncpg.Record]]) -> None:
    """Cancels a read-ahead nobody will use, and fetches its outcome once it ends so that a failed
    one is not reported as an exception never retrieved."""
    read.cancel()
    read.add_done_callback(_retrieve)


def _retrieve(task: asyncio.Task[list[asyncpg.Record]]) -> None:
    if not task.cancelled():
        task.exception()
