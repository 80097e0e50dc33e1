"""Approving and rejecting a claim: the decision's event and the outbox row, in one transaction.

The row is locked first (``FOR UPDATE``), so two reviewers of one claim are serialised and the
claim stream's version read under the lock is the one the append expects; only a claim awaiting
review can be decided, and each decision is a new event in ``claim-<claim_id>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

import asyncpg

from events.base import EventMeta
from events.claims import ClaimApproved, ClaimEvent, ClaimRejected, claim_stream
from events.store import EventStore

LOCK = """
SELECT claim_id, patient_id, service_month, review_status FROM claims_outbox
WHERE claim_id = $1 FOR UPDATE
"""
VERSION = "SELECT coalesce((SELECT version FROM streams WHERE stream = $1), 0)"
DECIDE = """
UPDATE claims_outbox SET review_status = $2, reviewed_by = $3, reviewed_at = $4,
    review_reason = $5, review_policy_version = $6
WHERE claim_id = $1
"""

Verdict = Literal["approved", "rejected"]


class ReviewRefused(ValueError):
    """The claim cannot be decided: unknown, or not awaiting review. Names the claim only."""


@dataclass(frozen=True)
class Decision:
    """``by``: the user (or ``policy-v<N>`` with ``policy_version`` N); ``reason`` is required
    for a rejection."""

    verdict: Verdict
    by: str
    at: datetime
    reason: str | None = None
    policy_version: int | None = None


async def decide(pool: asyncpg.Pool, claim_id: str, d: Decision) -> ClaimEvent:
    """Records ``d`` for the claim; raises ``ReviewRefused`` when it is not awaiting review."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(LOCK, claim_id)
        if row is None:
            raise ReviewRefused(f"claim {claim_id}: no such claim in the outbox")
        if row["review_status"] != "awaiting":
            raise ReviewRefused(f"claim {claim_id}: is {row['review_status']}, not awaiting review")
        stream = claim_stream(claim_id)
        version = int(await conn.fetchval(VERSION, stream))
        event = _event(row, d, version + 1)
        # The store issues single statements; on this connection they join the transaction.
        await EventStore(cast(asyncpg.Pool, conn)).append(stream, [event], version)
        await conn.execute(DECIDE, claim_id, d.verdict, d.by, d.at, d.reason, d.policy_version)
    return event


def _event(row: asyncpg.Record, d: Decision, n: int) -> ClaimEvent:
    source = "policy" if d.policy_version is not None else "review"
    common = {
        "event_id": f"{row['claim_id']}.review.{n}", "occurred_at": d.at,
        "patient_id": row["patient_id"], "claim_id": row["claim_id"],
        "service_month": row["service_month"], "meta": EventMeta(source=source, actor=d.by),
    }  # fmt: skip
    if d.verdict == "approved":
        return ClaimApproved.model_validate(
            {**common, "reason": d.reason, "policy_version": d.policy_version}
        )
    if not d.reason:
        raise ReviewRefused("field reason: a rejection must say why")
    return ClaimRejected.model_validate({**common, "reason": d.reason})
