"""The tracking table: where each projection has read to, and the error that stopped it.

Every function takes the caller's connection so it joins the caller's transaction: a checkpoint
moves only in the transaction that wrote the rows it covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from projections.base import Conn


@dataclass(frozen=True)
class Checkpoint:
    """A projection's position and, when it stopped on an event, which one and why."""

    projection: str
    position: int
    updated_at: datetime
    error_position: int | None = None
    error_type: str | None = None
    error_message: str | None = None
    error_at: datetime | None = None

    @property
    def stopped(self) -> bool:
        return self.error_position is not None


def rebuild_key(name: str) -> str:
    """The checkpoint row a rebuild of ``name`` fills its shadow tables under."""
    return f"{name}@rebuild"


COLUMNS = "projection, position, updated_at, error_position, error_type, error_message, error_at"


def _checkpoint(row: asyncpg.Record) -> Checkpoint:
    return Checkpoint(**dict(row))


async def ensure(conn: Conn, names: Sequence[str]) -> None:
    """Creates a row at position 0 for each projection that has none (a new projection)."""
    await conn.execute(
        "INSERT INTO projection_checkpoints (projection) SELECT unnest($1::text[])"
        " ON CONFLICT (projection) DO NOTHING",
        list(names),
    )


async def lock(conn: Conn, name: str) -> Checkpoint:
    """Reads and row-locks one checkpoint until the transaction ends.

    The row lock is what makes apply-and-advance atomic against any other writer of this
    projection (a second runner without the advisory lock, or a rebuild swapping tables in).
    """
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM projection_checkpoints WHERE projection = $1 FOR UPDATE", name
    )
    if row is None:
        raise LookupError(f"projection {name} has no checkpoint row (run ensure first)")
    return _checkpoint(row)


async def read(conn: Conn, names: Sequence[str]) -> dict[str, Checkpoint]:
    """Current checkpoints by projection name (unlocked snapshot)."""
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM projection_checkpoints WHERE projection = ANY($1::text[])",
        list(names),
    )
    return {r["projection"]: _checkpoint(r) for r in rows}


async def advance(conn: Conn, name: str, position: int) -> None:
    """Moves the checkpoint to ``position`` and clears any recorded error."""
    await conn.execute(
        "UPDATE projection_checkpoints SET position = $2, updated_at = now(),"
        " error_position = NULL, error_type = NULL, error_message = NULL, error_at = NULL"
        " WHERE projection = $1",
        name,
        position,
    )


async def record_error(conn: Conn, name: str, position: int, event_type: str, message: str) -> None:
    """Records why the projection stopped; its position stays before the failing event."""
    await conn.execute(
        "UPDATE projection_checkpoints SET error_position = $2, error_type = $3,"
        " error_message = $4, error_at = now() WHERE projection = $1",
        name,
        position,
        event_type,
        message[:500],
    )


async def reset(conn: Conn, name: str) -> None:
    """Sets a (shadow) checkpoint back to 0 with no error, creating it if needed."""
    await conn.execute(
        "INSERT INTO projection_checkpoints (projection) VALUES ($1) ON CONFLICT (projection)"
        " DO UPDATE SET position = 0, updated_at = now(), error_position = NULL,"
        " error_type = NULL, error_message = NULL, error_at = NULL",
        name,
    )


async def delete(conn: Conn, name: str) -> None:
    await conn.execute("DELETE FROM projection_checkpoints WHERE projection = $1", name)
