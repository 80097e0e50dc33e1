"""What a writer with a privileged database role can do that the in-database chain cannot see.

Each function disables the append-only triggers (``session_replication_role = replica``, as a
superuser can) and rewrites a stream's events *and* its head consistently: digests and links
are recomputed with ``events/hashing.py``, exactly as ``ccm_append`` computes them, so
``verify_chains`` still reports the stream intact. Only an anchor kept elsewhere can tell.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from events.hashing import GENESIS, content_digest, link_hash

ROWS = """
SELECT position, version, event_id, type, schema_version, payload, recorded_at, hash
FROM events WHERE stream = $1 ORDER BY version
"""
UPDATE = """
UPDATE events SET version = $1, payload = $2::json, digest = $3, hash = $4 WHERE position = $5
"""


async def rewrite_tail(
    pool: asyncpg.Pool,
    stream: str,
    from_version: int,
    edit: Callable[[str], str] = lambda payload: payload,
    *,
    drop_first: bool = False,
) -> int:
    """Rewrites ``stream`` from ``from_version`` to its end: each payload through ``edit``,
    optionally the first of them removed and the rest renumbered; relinks every one and moves
    the head to match. Returns the stream's version after."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        rows = await conn.fetch(ROWS, stream)
        kept = [r for r in rows if r["version"] < from_version]
        tail = [r for r in rows if r["version"] >= from_version]
        if drop_first:
            await conn.execute("DELETE FROM events WHERE position = $1", tail[0]["position"])
            tail = tail[1:]
        link = bytes(kept[-1]["hash"]) if kept else GENESIS
        version = len(kept)
        for row in tail:  # ascending, so a renumbered version is always free
            version += 1
            payload = edit(row["payload"])
            digest = content_digest(row["event_id"], row["type"], row["schema_version"], payload)
            link = link_hash(link, digest, stream, version, row["position"], row["recorded_at"])
            await conn.execute(UPDATE, version, payload, digest, link, row["position"])
        await _move_head(conn, stream, version, link)
        return version


async def truncate_tail(pool: asyncpg.Pool, stream: str, keep: int) -> None:
    """Deletes the stream's events after version ``keep`` and rolls its head back to ``keep``."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("DELETE FROM events WHERE stream = $1 AND version > $2", stream, keep)
        link = await conn.fetchval(
            "SELECT hash FROM events WHERE stream = $1 AND version = $2", stream, keep
        )
        await _move_head(conn, stream, keep, bytes(link) if link is not None else GENESIS)


async def _move_head(
    conn: asyncpg.pool.PoolConnectionProxy[asyncpg.Record], stream: str, version: int, link: bytes
) -> None:
    await conn.execute(
        "UPDATE streams SET version = $1, last_hash = $2 WHERE stream = $3", version, link, stream
    )
