"""What every route needs, opened once by whoever builds the app (``ccm api``, a test)."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
from fastapi import Request
from temporalio.client import Client
from temporalio.common import MetricMeter

from api.settings import ApiSettings
from upstream.client import CcmClient


class InFlight:
    """Counts requests sending to Temporal; ``enter`` refuses one over the limit (no queue)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.current = 0

    def enter(self) -> bool:
        if self.current >= self.limit:
            return False
        self.current += 1
        return True

    def leave(self) -> None:
        self.current -= 1


@dataclass(frozen=True)
class ApiContext:
    """``pool`` is the app role's (db/sql/0007_roles.sql); ``temporal`` encrypts payloads
    (runtime.connect); ``sdk_metrics_url`` is the Temporal runtime's Prometheus page, relayed on
    ``/metrics`` (None: metrics off)."""

    pool: asyncpg.Pool
    temporal: Client
    task_queue: str
    timezone: str = "America/New_York"
    limits: ApiSettings = field(default_factory=ApiSettings)
    meter: MetricMeter = MetricMeter.noop
    sdk_metrics_url: str | None = None
    in_flight: InFlight = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_flight", InFlight(self.limits.max_in_flight))

    @property
    def ccm(self) -> CcmClient:
        return CcmClient(self.temporal, self.task_queue, self.timezone)


def context_of(request: Request) -> ApiContext:
    """The app's context, as a dependency of any router mounted on it."""
    ctx: ApiContext = request.app.state.ccm
    return ctx
