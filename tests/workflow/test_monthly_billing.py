"""A patient through enrollment and a billed month, on the time-skipping server."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from care.months import month_of, month_start, next_month

from .conftest import Engine

TZ = "America/New_York"


def in_month(month: str, day: int, hour: int = 10) -> datetime:
    return month_start(month, TZ).replace(day=day, hour=hour)


async def sleep_until(engine: Engine, when: datetime) -> None:
    now = await engine.now()
    if when > now:
        await engine.env.sleep(when - now)


async def test_a_month_with_twenty_staff_minutes_bills_99490_once(engine: Engine) -> None:
    p = engine.patient()
    now = await engine.now()
    receipt = await engine.client.send(p.enrolled(now - timedelta(hours=3)))
    assert receipt.phase == "active"
    month = next_month(month_of(now, TZ))
    await sleep_until(engine, in_month(month, 3))
    await engine.client.send([p.time(in_month(month, 2), 12)])
    await engine.client.send([p.time(in_month(month, 3, 9), 8)])
    await sleep_until(engine, in_month(next_month(month), 5))
    closed = [e.event for e in await engine.events(p, "month_closed")]
    decision = next(c.decision for c in closed if c.service_month == month)  # type: ignore[attr-defined]
    assert [(c.code, c.units) for c in decision.codes] == [("99490", 1)]
    assert decision.counted_minutes == 20
    rows = await engine.pool.fetch("SELECT claim_id FROM claims_outbox WHERE patient_id = $1", p.id)
    assert [r["claim_id"] for r in rows] == [f"claim-{p.id}-{month}"]
    submitted = await engine.events(p, "claim_submitted")
    assert len(submitted) == 1
    assert ZoneInfo(TZ)
