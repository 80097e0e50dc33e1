"""The event store: append-only patient streams in PostgreSQL, read in one global order.

Each ``append`` is one call of ``ccm_append`` (db/sql/0001_event_store.sql): one round trip and
one commit whatever the batch size. It guarantees per-stream optimistic concurrency, idempotency
by ``store_key``, a global order no reader can miss, and append-only hash-chained history
(events/verify.py); tests/integration/test_event_store_*.py prove each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from pydantic import BaseModel, ConfigDict

from events.base import Event
from events.collector import decoding
from events.hashing import content_digest
from events.payloads import READ_ALL_NEEDED, PayloadNeeds
from events.registry import DEFAULT_REGISTRY, Registry

WRONG_VERSION = "CCM01"
CONFLICT = "CCM02"
KEY_INDEX = "events_event_id_key"

APPEND = (
    "SELECT stream_version, positions, appended FROM ccm_append($1, $2, $3, $4, $5, $6, $7, $8)"
)
COLUMNS = "position, stream, version, event_id, type, schema_version, recorded_at, payload"
READ_STREAM = f"SELECT {COLUMNS} FROM events WHERE stream = $1 AND version > $2 ORDER BY version"
READ_ALL = f"SELECT {COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"

# A connection the caller holds in a transaction (a pooled one, or its own).
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


class WrongExpectedVersion(Exception):
    """Another append reached the stream first: re-read it and decide again."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream}: expected version {expected}, actual {actual}")
        self.stream = stream
        self.expected = expected
        self.actual = actual


class DuplicateEventConflict(Exception):
    """A store key already holds a different event (or lives in another stream)."""

    def __init__(self, stream: str, store_key: str) -> None:
        super().__init__(f"stream {stream}: event {store_key} is already stored with other content")
        self.stream = stream
        self.store_key = store_key


class StoredEvent(BaseModel):
    """An event as stored: its place in the global order and its stream, decoded and upcast."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    position: int
    stream: str
    version: int
    event_id: str  # the store key: "<meta.source>:<event_id>"
    type: str
    schema_version: int  # as stored; ``event`` is the current model
    recorded_at: datetime
    event: Event


class AppendResult(BaseModel):
    """What an append did: the stream version after it, and where each input event lives."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    positions: list[int]
    appended: int
    duplicates: int


class _Batch:
    """The parallel arrays ``ccm_append`` takes, one element per distinct key."""

    def __init__(self, stream: str, events: Sequence[Event], registry: Registry) -> None:
        rows: list[tuple[str, str, int, str, bytes]] = []
        index: dict[str, int] = {}
        self.slot: list[int] = []  # input index -> row index; a repeated key folds into one row
        for i, event in enumerate(events):
            if event.stream != stream:
                raise ValueError(f"events[{i}] belongs to {event.stream}, not to stream {stream}")
            key = event.store_key
            type_, version, payload = registry.encode_json(event)
            row = (key, type_, version, payload, content_digest(key, type_, version, payload))
            j = index.setdefault(key, len(rows))
            if j == len(rows):
                rows.append(row)
            elif rows[j][4] != row[4]:
                raise DuplicateEventConflict(stream, key)
            self.slot.append(j)
        # keys, types, schema versions, payloads, digests
        self.columns: list[list[object]] = [list(column) for column in zip(*rows, strict=True)]


class EventStore:
    """Appends to and reads from the events table through an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool, registry: Registry = DEFAULT_REGISTRY) -> None:
        self._pool = pool
        self._registry = registry

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    async def append(
        self,
        stream: str,
        events: Sequence[Event],
        expected_version: int | None,
        *,
        on: Conn | None = None,
    ) -> AppendResult:
        """Appends ``events`` (all of ``stream``) atomically; returns where each one is stored.

        ``expected_version`` is the stream's current last version (0: empty) or None for no check
        (ingesting independent upstream facts). Already stored identical events are no-ops and
        report their stored position; a batch made only of those succeeds whatever
        ``expected_version`` says (a retried append). A *partial* duplicate batch skips the stored
        events and appends the rest only if the stream is at ``expected_version``: some other
        append stored part of the batch, which is exactly what the check exists to catch.
        An empty batch checks ``expected_version`` and appends nothing.

        ``on``: a connection in a transaction of the caller's (the events commit with whatever
        else it writes); each attempt runs in a savepoint, so a refused one leaves it usable.
        """
        if not events:
            return await self._empty_append(stream, expected_version)
        batch = _Batch(stream, events, self._registry)
        args = (stream, expected_version, *batch.columns)
        try:
            try:
                row = await self._append_row(on, args, False)
            except asyncpg.PostgresError as e:
                if not _maybe_stored(e):
                    raise
                # Some key may be stored already: again, looking them up (see ccm_append).
                row = await self._append_row(on, args, True)
        except asyncpg.PostgresError as e:
            raise _translate(e, stream, expected_version) from None
        assert row is not None  # ccm_append always returns one row
        stored: list[int] = row["positions"]
        appended: int = row["appended"]
        return AppendResult(
            version=row["stream_version"],
            positions=[stored[j] for j in batch.slot],
            appended=appended,
            duplicates=len(events) - appended,
        )

    async def _append_row(
        self, on: Conn | None, args: tuple[object, ...], lookup: bool
    ) -> asyncpg.Record | None:
        if on is None:
            return await self._pool.fetchrow(APPEND, *args, lookup)
        async with on.transaction():  # nested: a savepoint
            return await on.fetchrow(APPEND, *args, lookup)

    async def _empty_append(self, stream: str, expected_version: int | None) -> AppendResult:
        actual = await self.stream_version(stream)
        if expected_version is not None and expected_version != actual:
            raise WrongExpectedVersion(stream, expected_version, actual)
        return AppendResult(version=actual, positions=[], appended=0, duplicates=0)

    async def read_stream(self, stream: str, after_version: int = 0) -> list[StoredEvent]:
        """The stream's events with version > ``after_version``, in version order."""
        return self._decode(await self._pool.fetch(READ_STREAM, stream, after_version))

    async def read_all(self, after_position: int, limit: int = 1000) -> list[StoredEvent]:
        """Up to ``limit`` events with position > ``after_position``, in global order.

        Never skips: once a position is visible, every lower one is committed (or never will be).
        """
        return self._decode(await self.read_all_raw(after_position, limit))

    async def read_all_raw(
        self, after_position: int, limit: int = 1000, needs: PayloadNeeds | None = None
    ) -> list[asyncpg.Record]:
        """Like ``read_all`` without decoding: records with ``COLUMNS`` (payload as JSON text).

        With ``needs``, the same rows, with the payload NULL wherever ``needs`` says the caller
        will not decode it."""
        if needs is None:
            return await self._pool.fetch(READ_ALL, after_position, limit)
        return await self._pool.fetch(READ_ALL_NEEDED, after_position, limit, *needs.args())

    async def stream_version(self, stream: str) -> int:
        """The stream's last version; 0 for a stream never appended to."""
        version = await self._pool.fetchval("SELECT version FROM streams WHERE stream = $1", stream)
        return 0 if version is None else int(version)

    async def head_position(self) -> int:
        """The highest committed position; 0 for an empty store."""
        head = await self._pool.fetchval("SELECT coalesce(max(position), 0) FROM events")
        return int(head)

    def _decode(self, rows: list[asyncpg.Record]) -> list[StoredEvent]:
        decode = self._registry.decode_json  # one call per event on the hot read path, not two
        with decoding():
            return [
                stored_event(position, stream, version, event_id, type_, schema_version, at,
                             decode(type_, schema_version, payload, position))
                for position, stream, version, event_id, type_, schema_version, at, payload in rows
            ]  # fmt: skip


_STORED_FIELDS = frozenset(StoredEvent.model_fields)
_new = object.__new__
_set = object.__setattr__


def stored_event(
    position: int,
    stream: str,
    version: int,
    event_id: str,
    type_: str,
    schema_version: int,
    recorded_at: datetime,
    event: Event,
) -> StoredEvent:
    """A ``StoredEvent`` from a row's columns and its decoded ``event``, without validation.

    What ``model_construct`` does, for the one model whose fields all come straight from typed
    database columns: the hot read path builds one per event, and the generic construction
    costs as much as decoding the event itself.
    """  # fmt: skip
    stored: StoredEvent = _new(StoredEvent)
    _set(stored, "__dict__", {
        "position": position, "stream": stream, "version": version, "event_id": event_id,
        "type": type_, "schema_version": schema_version, "recorded_at": recorded_at,
        "event": event,
    })  # fmt: skip
    _set(stored, "__pydantic_fields_set__", set(_STORED_FIELDS))
    _set(stored, "__pydantic_extra__", None)
    _set(stored, "__pydantic_private__", None)
    return stored


def _maybe_stored(error: asyncpg.PostgresError) -> bool:
    """A fast-path failure that a stored duplicate could explain."""
    if error.sqlstate == WRONG_VERSION:
        return True
    return isinstance(error, asyncpg.UniqueViolationError) and error.constraint_name == KEY_INDEX


def _translate(error: asyncpg.PostgresError, stream: str, expected: int | None) -> Exception:
    """The typed error for ``ccm_append``'s SQLSTATEs; other errors pass through unchanged."""
    detail = getattr(error, "detail", None) or ""
    if error.sqlstate == WRONG_VERSION and expected is not None:
        return WrongExpectedVersion(stream, expected, int(detail))
    if error.sqlstate == CONFLICT:
        return DuplicateEventConflict(stream, detail)
    return error
