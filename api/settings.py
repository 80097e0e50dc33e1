"""The HTTP API's own limits, from ``CCM_API_*`` variables (services: ``runtime.settings``)."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runtime.settings import BadSetting

NAMES = {
    "max_body_bytes": "CCM_API_MAX_BODY_BYTES",
    "max_events": "CCM_API_MAX_EVENTS",
    "max_in_flight": "CCM_API_MAX_IN_FLIGHT",
    "patients_at_once": "CCM_API_PATIENTS_AT_ONCE",
    "retry_after_s": "CCM_API_RETRY_AFTER_S",
}


class ApiSettings(BaseModel):
    """``max_body_bytes``: a larger request is answered 413 unread (a week of one practice's
    documentation is well under it). ``max_in_flight``: requests sending to Temporal at once; one
    more is answered 429, so a burst queues at the senders, not in this process's memory.
    ``patients_at_once``: the updates one request runs in parallel."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    max_events: int = Field(default=1000, ge=1)
    max_in_flight: int = Field(default=32, ge=1)
    patients_at_once: int = Field(default=4, ge=1)
    retry_after_s: int = Field(default=1, ge=1)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ApiSettings:
        e = dict(os.environ if env is None else env)
        values = {name: e[var] for name, var in NAMES.items() if e.get(var)}
        try:
            return cls.model_validate(values, strict=False)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise BadSetting(f"{NAMES[str(error['loc'][0])]}: {error['msg']}") from None
