"""Review decisions on a claim, in the claim's own stream (``claim-<claim_id>``).

A decision is a person's (``meta.actor`` is the user, ``meta.source`` ``review``) or the
practice's auto-approval policy's (``meta.actor`` ``policy-v<N>``, ``policy_version`` N). They
live beside the patient's stream, not in it: a review is the biller's act on a claim the engine
already prepared, it changes nothing the patient's decider reads, and writing it through the
store directly lets the decision and the ``claims_outbox`` row change in one transaction
without a workflow round trip (claims/review.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from events.base import Event, EventMeta, OpaqueId
from events.fields import Reason, ServiceMonth

REVIEW = EventMeta(source="review")


def claim_stream(claim_id: str) -> str:
    """The stream of one claim's review history: opaque, as the claim id is."""
    return f"claim-{claim_id}"


class ClaimEvent(Event):
    """Base of every event in a claim's stream; ``patient_id`` lets the audit trail list it."""

    patient_id: OpaqueId
    claim_id: OpaqueId
    service_month: ServiceMonth

    @property
    def stream(self) -> str:
        return claim_stream(self.claim_id)


class ClaimApproved(ClaimEvent):
    """The claim may be sent: by ``meta.actor``, or by the policy version ``policy_version``."""

    type: Literal["claim_approved"] = "claim_approved"
    schema_version: Literal[1] = 1
    meta: EventMeta = REVIEW
    reason: Reason | None = None
    policy_version: int | None = Field(default=None, ge=0)


class ClaimRejected(ClaimEvent):
    """The claim must not be sent as it is; ``reason`` says why (a reopen may correct it)."""

    type: Literal["claim_rejected"] = "claim_rejected"
    schema_version: Literal[1] = 1
    meta: EventMeta = REVIEW
    reason: Reason


class ClaimReopened(ClaimEvent):
    """A rejected claim corrected by a corrective month close, once; it awaits review again
    (``bills`` False: the corrected month bills nothing, and the claim stays rejected)."""

    type: Literal["claim_reopened"] = "claim_reopened"
    schema_version: Literal[1] = 1
    meta: EventMeta = REVIEW
    reason: Reason
    bills: bool


ClaimEventAny = Annotated[
    ClaimApproved | ClaimRejected | ClaimReopened, Field(discriminator="type")
]
