"""Where each projection stands: checkpoint, head, lag in events and seconds, and any error."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import asyncpg
from pydantic import BaseModel, ConfigDict

from events.store import EventStore
from projections import catalog, checkpoints, quarantine


class ProjectionStatus(BaseModel):
    """One projection's state; ``error_*`` are set while it is stopped on an event.

    ``lag_events`` is ``head - checkpoint`` (positions are dense except for rolled-back appends,
    so it is exact or a slight overestimate); ``lag_seconds`` is how long the oldest unapplied
    event has been waiting (0 when caught up).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    checkpoint: int
    head: int
    lag_events: int
    lag_seconds: float
    updated_at: datetime | None
    error_position: int | None = None
    error_type: str | None = None
    error: str | None = None
    rebuild_position: int | None = None  # set while ``ccm projections rebuild`` is filling shadows
    quarantined: int = 0  # patients set aside on an event this projection cannot apply

    @property
    def state(self) -> str:
        if self.error_position is not None:
            return "stopped"
        if self.quarantined:
            return "patients set aside"
        if self.rebuild_position is not None:
            return "rebuilding"
        return "caught up" if self.lag_events == 0 else "behind"


async def status(pool: asyncpg.Pool) -> list[ProjectionStatus]:
    """Every projection of the catalog, in catalog order (checkpoint 0 if it never ran)."""
    store = EventStore(pool)
    head = await store.head_position()
    async with pool.acquire() as conn:
        keys = [*catalog.NAMES, *(checkpoints.rebuild_key(n) for n in catalog.NAMES)]
        cps = await checkpoints.read(conn, keys)
        aside = Counter(q.projection for q in await quarantine.listed(conn, list(catalog.NAMES)))
    now = datetime.now(UTC)
    result = []
    for name in catalog.NAMES:
        cp = cps.get(name)
        position = cp.position if cp is not None else 0
        shadow = cps.get(checkpoints.rebuild_key(name))
        lag_seconds = await _lag_seconds(store, position, head, now)
        result.append(
            ProjectionStatus(
                name=name,
                checkpoint=position,
                head=head,
                lag_events=max(head - position, 0),
                lag_seconds=round(lag_seconds, 3),
                updated_at=cp.updated_at if cp is not None else None,
                error_position=cp.error_position if cp is not None else None,
                error_type=cp.error_type if cp is not None else None,
                error=cp.error_message if cp is not None else None,
                rebuild_position=shadow.position if shadow is not None else None,
                quarantined=aside[name],
            )
        )
    return result


async def quarantined(pool: asyncpg.Pool) -> list[quarantine.Quarantined]:
    """Every patient a live projection has set aside, with the event and the reason."""
    async with pool.acquire() as conn:
        return await quarantine.listed(conn, list(catalog.NAMES))


async def _lag_seconds(store: EventStore, position: int, head: int, now: datetime) -> float:
    """How long the first event after ``position`` has waited (0 when caught up)."""
    if position >= head:
        return 0.0
    oldest = await store.read_all_raw(position, 1)
    if not oldest:
        return 0.0
    recorded_at: datetime = oldest[0]["recorded_at"]
    return max((now - recorded_at).total_seconds(), 0.0)
