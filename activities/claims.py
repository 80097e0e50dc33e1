"""Submitting a prepared claim through the configured clearinghouse adapter."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.clearinghouse import ClaimAlreadyExists, Clearinghouse
from events.decisions import ClaimPrepared
from telemetry import metrics


class SubmitClaimInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    claim: ClaimPrepared


class ClaimActivities:
    def __init__(self, clearinghouse: Clearinghouse) -> None:
        self.clearinghouse = clearinghouse

    @activity.defn(name="submit_claim")
    async def submit_claim(self, inp: SubmitClaimInput) -> str:
        """Returns the submission reference; idempotent per claim id, so retries are safe."""
        try:
            ref = await self.clearinghouse.submit(inp.claim)
        except ClaimAlreadyExists as exc:
            raise ApplicationError(str(exc), type="ClaimAlreadyExists", non_retryable=True) from exc
        metrics.claim_submitted()
        return ref
