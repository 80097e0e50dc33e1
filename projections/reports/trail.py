"""``audit_trail``: every event of one patient, in order, with who, what, source and times."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

import asyncpg
from pydantic import BaseModel, ConfigDict

QUERY = """
SELECT position, version, event_id, type, schema_version, source, actor, occurred_at,
       recorded_at, summary, data
FROM audit_events WHERE patient_id = $1 ORDER BY position
"""


class AuditEventRow(BaseModel):
    """One event as the trail shows it. ``event_id`` is the event's business id (the store key
    without its source); ``data`` is the payload without PHI (see projections/README.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    TABLE_COLUMNS: ClassVar[tuple[str, ...]] = (
        "position", "occurred_at", "recorded_at", "type", "source", "actor", "summary",
    )  # fmt: skip

    position: int
    version: int
    event_id: str
    type: str
    schema_version: int
    source: str
    actor: str | None
    occurred_at: datetime
    recorded_at: datetime
    summary: str
    data: dict[str, Any]


def _row(r: asyncpg.Record) -> AuditEventRow:
    fields = dict(r)
    fields["data"] = json.loads(fields["data"])
    return AuditEventRow(**fields)


async def audit_trail(pool: asyncpg.Pool, patient_id: str) -> list[AuditEventRow]:
    """The patient's events in global order (empty for an unknown patient)."""
    return [_row(r) for r in await pool.fetch(QUERY, patient_id)]
