"""The practice settings a patient's workflow runs under."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from care.policy import Policy


class CareConfig(BaseModel):
    """Time zone and care policies; fixed for a run and carried across continue-as-new."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    timezone: str = "America/New_York"
    policy: Policy = Policy()
