"""The claims queue: ``claims_outbox`` rows with what a reviewer filters and decides on.

Practice and track come from the patient's stream (the ``patient_identified`` and the month's
``month_closed``), never from a projection, so a claim is in the queue the moment its row is
committed. Filters combine (AND); an empty filter selects every claim in the given status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import asyncpg
from pydantic import BaseModel, ConfigDict

from projections.base import Conn

QUERY = """
WITH q AS (
  SELECT o.claim_id, o.patient_id, o.service_month, o.practitioner_id, o.review_status,
         o.reviewed_by, o.reviewed_at, o.review_reason, o.review_policy_version, o.reopen_count,
         o.created_at, o.payload,
         (o.payload->>'allowed_amount')::numeric AS allowed,
         (SELECT e.payload->>'practice_id' FROM events e
           WHERE e.stream = 'patient-' || o.patient_id AND e.type = 'patient_identified'
           ORDER BY e.version LIMIT 1) AS practice_id,
         (SELECT e.payload->'decision'->>'track' FROM events e
           WHERE e.stream = 'patient-' || o.patient_id AND e.type = 'month_closed'
             AND e.payload->>'service_month' = o.service_month
           ORDER BY e.version DESC LIMIT 1) AS track
  FROM claims_outbox o
)
SELECT * FROM q
WHERE ($1::text IS NULL OR review_status = $1)
  AND ($2::text IS NULL OR practice_id = $2)
  AND ($3::text IS NULL OR practitioner_id = $3)
  AND ($4::text IS NULL OR service_month = $4)
  AND ($5::text IS NULL OR track = $5)
  AND ($6::numeric IS NULL OR allowed >= $6)
  AND ($7::numeric IS NULL OR allowed <= $7)
  AND (cardinality($8::text[]) = 0 OR claim_id = ANY($8))
ORDER BY service_month, claim_id
"""


@dataclass(frozen=True)
class ClaimFilter:
    """Which claims: ``status`` None means any review status."""

    status: str | None = "awaiting"
    practice: str | None = None
    practitioner: str | None = None
    month: str | None = None
    track: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    claim_ids: tuple[str, ...] = ()

    def args(self) -> tuple[Any, ...]:
        return (
            self.status, self.practice, self.practitioner, self.month, self.track,
            self.min_amount, self.max_amount, list(self.claim_ids),
        )  # fmt: skip


class QueueRow(BaseModel):
    """One claim as the reviewer sees it (field names are the JSON/CSV contract).

    ``allowed`` / ``expected_payment`` are the claim's amounts (None: unpriced); ``status`` is
    the review status (awaiting, approved, rejected); ``reviewed_by`` a user or ``policy-v<N>``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    TABLE_COLUMNS: ClassVar[tuple[str, ...]] = (
        "claim_id", "service_month", "practice_id", "practitioner_id", "track", "codes",
        "allowed", "expected_payment", "status", "reviewed_by", "review_reason",
    )  # fmt: skip

    claim_id: str
    patient_id: str
    service_month: str
    practice_id: str | None
    practitioner_id: str
    track: str | None
    codes: list[dict[str, Any]]
    allowed: Decimal | None
    expected_payment: Decimal | None
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_reason: str | None
    policy_version: int | None
    reopened: bool
    prepared_at: datetime


def _row(r: asyncpg.Record) -> QueueRow:
    claim = json.loads(r["payload"])
    expected = claim.get("expected_payment")
    return QueueRow(
        claim_id=r["claim_id"], patient_id=r["patient_id"], service_month=r["service_month"],
        practice_id=r["practice_id"], practitioner_id=r["practitioner_id"], track=r["track"],
        codes=claim["codes"], allowed=r["allowed"],
        expected_payment=Decimal(expected) if expected is not None else None,
        status=r["review_status"], reviewed_by=r["reviewed_by"], reviewed_at=r["reviewed_at"],
        review_reason=r["review_reason"], policy_version=r["review_policy_version"],
        reopened=r["reopen_count"] > 0, prepared_at=r["created_at"],
    )  # fmt: skip


async def claims(conn: Conn | asyncpg.Pool, which: ClaimFilter) -> list[QueueRow]:
    """The claims ``which`` selects, by month then claim id."""
    return [_row(r) for r in await conn.fetch(QUERY, *which.args())]
