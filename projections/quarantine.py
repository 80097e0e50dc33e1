"""Patients a projection has set aside: one bad event stops one patient's rows, never everyone's.

Every projection's rows are per patient, so applying one patient's events later, in their own
order, gives the rows an in-order run would have. A quarantined stream's later events are skipped
until a retry applies them all, from the failed one up to the projection's checkpoint, in one
transaction with the checkpoint row locked (no runner applies that projection meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from events.store import COLUMNS
from projections import checkpoints
from projections.base import Conn, Projection
from projections.batch import Batch
from projections.set_sql import Span

log = structlog.get_logger(__name__)

# More patients than this set aside in one projection is a systematic fault (a broken statement,
# a bad migration), not bad data: the projection stops instead, for an operator to fix.
LIMIT = 50

STREAM_EVENTS = f"""
SELECT {COLUMNS} FROM events WHERE stream = $1 AND position >= $2 AND position <= $3
ORDER BY position
"""


@dataclass(frozen=True)
class Quarantined:
    projection: str
    stream: str
    position: int
    event_type: str
    reason: str
    quarantined_at: datetime
    attempts: int
    retried_at: datetime | None


async def streams(conn: Conn, key: str) -> set[str]:
    rows = await conn.fetch("SELECT stream FROM projection_quarantine WHERE projection = $1", key)
    return {r["stream"] for r in rows}


async def listed(conn: Conn, keys: list[str]) -> list[Quarantined]:
    rows = await conn.fetch(
        "SELECT * FROM projection_quarantine WHERE projection = ANY($1::text[])"
        " ORDER BY projection, position",
        keys,
    )
    return [Quarantined(**dict(r)) for r in rows]


async def add(
    conn: Conn, key: str, stream: str, position: int, event_type: str, reason: str
) -> None:
    """Sets ``stream`` aside from ``position`` (the event that failed)."""
    await conn.execute(
        "INSERT INTO projection_quarantine (projection, stream, position, event_type, reason)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (projection, stream) DO NOTHING",
        key, stream, position, event_type, reason[:500],
    )  # fmt: skip
    log.warning("projection set a patient aside", projection=key, stream=stream, position=position,
                event_type=event_type)  # fmt: skip


async def retry(conn: Conn, projection: Projection, key: str) -> list[str]:
    """Applies each quarantined stream's events again; returns the streams released."""
    released = []
    for q in await listed(conn, [key]):
        if await _retry_one(conn, projection, q):
            released.append(q.stream)
    return released


async def _retry_one(conn: Conn, projection: Projection, q: Quarantined) -> bool:
    try:
        async with conn.transaction():
            cp = await checkpoints.lock(conn, q.projection)
            rows = await conn.fetch(STREAM_EVENTS, q.stream, q.position, cp.position)
            batch = Batch(q.position - 1, rows)
            writes = projection.new_writes()
            for i in range(len(batch)):
                if projection.wants(batch.type(i)):
                    projection.take(writes, batch, i)
            await writes.flush(conn, Span(q.position - 1, cp.position, stream=q.stream))
            await conn.execute(
                "DELETE FROM projection_quarantine WHERE projection = $1 AND stream = $2",
                q.projection, q.stream,
            )  # fmt: skip
    except Exception as exc:  # the event still cannot be applied: keep it aside, say why
        await conn.execute(
            "UPDATE projection_quarantine SET attempts = attempts + 1, retried_at = now(),"
            " reason = $3 WHERE projection = $1 AND stream = $2",
            q.projection, q.stream, f"{type(exc).__name__}: {exc}"[:500],
        )  # fmt: skip
        return False
    log.info("projection released a patient", projection=q.projection, stream=q.stream)
    return True


async def promote(conn: Conn, rebuilt: str, live: str) -> None:
    """After a rebuild's swap, its quarantine replaces the live projection's."""
    await conn.execute("DELETE FROM projection_quarantine WHERE projection = $1", live)
    await conn.execute(
        "UPDATE projection_quarantine SET projection = $2 WHERE projection = $1", rebuilt, live
    )


async def forget(conn: Conn, key: str) -> None:
    await conn.execute("DELETE FROM projection_quarantine WHERE projection = $1", key)
