"""What became of an event, read from the store: recorded, or recorded and flagged late."""

from __future__ import annotations

import asyncpg

from api.models import EventReceipt
from events.base import stream_for

# The late flag is the engine's LateEntryRecorded in the same stream, naming the store key.
LOOKUP = """
SELECT e.stream, e.version, e.position, e.type, e.recorded_at,
       (SELECT l.payload->>'service_month' FROM events l
        WHERE l.stream = e.stream AND l.type = 'late_entry_recorded'
          AND l.payload->>'late_event_id' = e.event_id
        LIMIT 1) AS late_for_month
FROM events e WHERE e.event_id = $1
"""
PREFIX = stream_for("")


async def receipt_of(pool: asyncpg.Pool, source: str, event_id: str) -> EventReceipt | None:
    """The receipt of ``source``'s event ``event_id``; None when the store never recorded it
    (never sent, refused, or still on its way)."""
    row = await pool.fetchrow(LOOKUP, f"{source}:{event_id}")
    if row is None or not str(row["stream"]).startswith(PREFIX):
        return None
    late = row["late_for_month"]
    return EventReceipt(
        event_id=event_id, source=source, patient_id=row["stream"].removeprefix(PREFIX),
        type=row["type"], outcome="late" if late else "recorded", late_for_month=late,
        position=row["position"], stream_version=row["version"], recorded_at=row["recorded_at"],
    )  # fmt: skip
