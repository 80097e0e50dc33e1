"""Wakes readers when events are appended: LISTEN/NOTIFY first, polling as the fallback.

``ccm_append`` notifies channel ``ccm_events`` with the batch's last position; PostgreSQL
delivers it at commit, so the position is already readable when a listener hears of it. A
notification can still be lost (the listening connection dropped, a notifier started late), so
``wait_for_new`` also polls the head every ``poll_interval`` seconds: a missed NOTIFY only delays
a reader, never loses an event, because readers always re-read from their own position.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Self

import asyncpg

from events.store import EventStore, StoredEvent

CHANNEL = "ccm_events"
HEAD = "SELECT coalesce(max(position), 0) FROM events"


class AppendNotifier:
    """One listening connection shared by any number of waiting readers in this process."""

    def __init__(
        self, pool: asyncpg.Pool, *, poll_interval: float = 1.0, channel: str = CHANNEL
    ) -> None:
        self._pool = pool
        self._poll_interval = poll_interval
        self._channel = channel
        self._conn: Any = None  # a pool connection held for LISTEN while started
        self._wake = asyncio.Event()
        self._latest = 0
        # Counters that let tests tell a wake by notification from one by polling.
        self.notifications = 0
        self.polls = 0

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Starts listening (again, after the connection was lost)."""
        await self._drop_connection()
        conn = await self._pool.acquire()
        await conn.add_listener(self._channel, self._heard)
        self._conn = conn

    async def close(self) -> None:
        """Stops listening and gives the connection back to the pool."""
        await self._drop_connection()

    # A timeout that returns instead of raising lets a runner do periodic work between waits.
    async def wait_for_new(self, after_position: int, timeout: float | None = None) -> int:  # noqa: ASYNC109
        """Waits until an event past ``after_position`` is committed; returns the head seen.

        Returns a head ``<= after_position`` only when ``timeout`` seconds passed without one.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            if self._latest > after_position:
                return self._latest
            # Taken before polling, so a notification arriving after the poll still wakes us.
            wake = self._wake
            head = await self._poll()
            if head > after_position:
                return head
            wait = self._poll_interval
            if deadline is not None:
                wait = min(wait, deadline - loop.time())
                if wait <= 0:
                    return head
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), wait)

    async def _poll(self) -> int:
        if self._conn is not None and not self._listening():
            # The listener died: re-listen for next time; polling covers what was missed.
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await self.start()
        head = int(await self._pool.fetchval(HEAD))
        self.polls += 1
        self._latest = max(self._latest, head)
        return head

    def _heard(self, conn: object, pid: int, channel: str, payload: object) -> None:
        self.notifications += 1
        with contextlib.suppress(ValueError):
            self._latest = max(self._latest, int(str(payload)))
        # Wakes every reader waiting on the current event; later waits take a fresh one.
        self._wake.set()
        self._wake = asyncio.Event()

    def _listening(self) -> bool:
        try:
            return not self._conn.is_closed()
        except asyncpg.InterfaceError:
            # The pool already took back a connection it saw die.
            return False

    async def _drop_connection(self) -> None:
        if self._conn is None:
            return
        conn, alive = self._conn, self._listening()
        self._conn = None
        if alive:
            await conn.remove_listener(self._channel, self._heard)
        with contextlib.suppress(asyncpg.InterfaceError):
            await self._pool.release(conn)


async def follow(
    store: EventStore, notifier: AppendNotifier, after_position: int, *, limit: int = 1000
) -> AsyncIterator[list[StoredEvent]]:
    """Yields pages of events in global order after ``after_position``, forever."""
    position = after_position
    while True:
        page = await store.read_all(position, limit)
        if page:
            position = page[-1].position
            yield page
        else:
            await notifier.wait_for_new(position)
