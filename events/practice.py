"""Events of a practice's own stream (``practice-<id>``): its policies, as versions with history."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from care.policy import Policy
from events.base import EventMeta, PracticeEvent
from events.fields import Reason, ServiceMonth

POLICY_SOURCE = EventMeta(source="policy")


class PolicyChanged(PracticeEvent):
    """The practice's policies from ``effective_month`` on: the complete set, as version
    ``version`` (1, 2, ...). ``meta.actor`` is who changed them; ``reason`` why."""

    type: Literal["policy_changed"] = "policy_changed"
    schema_version: Literal[1] = 1
    meta: EventMeta = POLICY_SOURCE
    version: int = Field(ge=1)
    effective_month: ServiceMonth
    policy: Policy
    reason: Reason


PracticeEventAny = Annotated[PolicyChanged, Field(discriminator="type")]
