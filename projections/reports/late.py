"""``late_entries``: documentation that arrived after its month was closed, kept and reported."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from pydantic import BaseModel, ConfigDict

QUERY = """
SELECT l.patient_id, l.service_month, l.late_event_type, l.late_event_id, l.recorded_at,
       l.position, m.claim_id, m.claim_status
FROM ledger_late_entries l
LEFT JOIN ledger_months m USING (patient_id, service_month)
WHERE $1::text IS NULL OR l.service_month = $1
ORDER BY l.position
"""


class LateEntryRow(BaseModel):
    """A late entry and the claim of its month, which it never changed (domain §7)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patient_id: str
    service_month: str
    late_event_type: str
    late_event_id: str
    recorded_at: datetime
    position: int
    claim_id: str | None
    claim_status: str | None


async def late_entries(pool: asyncpg.Pool, month: str | None = None) -> list[LateEntryRow]:
    """Every late entry (or those of ``month``), in the order they were recorded."""
    return [LateEntryRow(**dict(r)) for r in await pool.fetch(QUERY, month)]
