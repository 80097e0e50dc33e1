"""Where prepared claims go. The default adapter writes the claims outbox table.

A real clearinghouse (837P over SFTP or an API) is a separate adapter that drains the outbox;
that system lies outside the engine, so tests may replace it with a named fake.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import asyncpg

from events.decisions import ClaimPrepared
from events.store import Conn


class ClaimAlreadyExists(Exception):
    """A different claim already exists for this patient-month (domain §7: never two)."""


class Clearinghouse(Protocol):
    async def submit(self, claim: ClaimPrepared) -> str:
        """Hands the claim over; returns a reference. Must be idempotent per ``claim_id``."""
        ...


@runtime_checkable
class TransactionalClearinghouse(Clearinghouse, Protocol):
    """An adapter that can hand a claim over inside the caller's database transaction, so the
    close, the claim and its hand-over commit together or not at all (activities/record.py)."""

    async def submit_in(self, conn: Conn, claim: ClaimPrepared) -> str:
        """``submit`` on ``conn``; the same claim twice is a no-op with the same reference."""
        ...


INSERT = """
INSERT INTO claims_outbox (claim_id, patient_id, service_month, practitioner_id, payload)
VALUES ($1, $2, $3, $4, $5::jsonb)
ON CONFLICT (claim_id) DO NOTHING
"""


class OutboxClearinghouse:
    """Writes the claim to ``claims_outbox``; the same claim twice is a no-op."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def submit(self, claim: ClaimPrepared) -> str:
        async with self.pool.acquire() as conn:
            return await self.submit_in(conn, claim)

    async def submit_in(self, conn: Conn, claim: ClaimPrepared) -> str:
        try:
            await conn.execute(
                INSERT,
                claim.claim_id,
                claim.patient_id,
                claim.service_month,
                claim.practitioner_id,
                claim.model_dump_json(),
            )
        except asyncpg.UniqueViolationError as exc:
            raise ClaimAlreadyExists(
                f"claim {claim.claim_id}: patient-month {claim.service_month} already has a claim"
            ) from exc
        return f"outbox:{claim.claim_id}"
