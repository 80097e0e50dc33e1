"""The fee schedule a month is priced with: the practice's own imports over the national one."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel, ConfigDict
from temporalio import activity

from billing.fee_store import schedule_in_effect
from care.fees import FeeSchedule
from care.months import last_day
from events.base import OpaqueId
from events.fields import ServiceMonth


class FeeScheduleInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    practice_id: OpaqueId
    service_month: ServiceMonth


class FeeActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @activity.defn(name="fee_schedule")
    async def fee_schedule(self, inp: FeeScheduleInput) -> FeeSchedule:
        """The schedule in effect on the month's last day; read-only, so retries are free."""
        year, month = int(inp.service_month[:4]), int(inp.service_month[5:])
        return await schedule_in_effect(self.pool, inp.practice_id, last_day(year, month))
