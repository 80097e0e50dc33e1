"""Advisory locks: one runner applies a projection at a time; one rebuild of it at a time.

Session-level locks on the connection that applies the batches, so they vanish with it: a runner
that crashes or loses its connection frees its projections for another machine at once.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from projections.base import Conn

# First key of the two-int advisory lock space: "CCMP" (apply) and "CCMR" (rebuild). Only
# distinctness from the other lock users of this database matters (migrator, event store).
APPLY = 0x43434D50
REBUILD = 0x43434D52


def key(name: str) -> int:
    """A stable signed 32-bit key for a projection name."""
    value = zlib.crc32(name.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


async def try_lock(conn: Conn, space: int, names: Sequence[str]) -> list[str]:
    """Takes each free lock without waiting; returns the names now held by ``conn``."""
    held = []
    for name in names:
        if await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", space, key(name)):
            held.append(name)
    return held


async def unlock(conn: Conn, space: int, names: Sequence[str]) -> None:
    """Releases locks this connection holds (a closed connection has released them already)."""
    if conn.is_closed():
        return
    for name in names:
        await conn.execute("SELECT pg_advisory_unlock($1, $2)", space, key(name))
