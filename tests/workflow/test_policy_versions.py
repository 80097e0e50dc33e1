"""Policies are versions with effective months: each month is decided, and its close names, the
version in force for it, so a change never re-decides a month already billed."""

from __future__ import annotations

from datetime import timedelta

from events.decisions import MonthClosed

from .builders import closable_months, in_month, life
from .conftest import Engine, set_policy
from .test_monthly_tracks import codes

CCM_DX = ["E11.9", "I10"]


async def test_each_month_closes_under_the_version_in_force_for_it(engine: Engine) -> None:
    first, second = closable_months(await engine.now(), 2)
    await set_policy(engine, addon_cap_99439=0)  # version 1: no add-ons, from long ago
    await set_policy(engine, effective=second, addon_cap_99439=2)  # version 2, from `second`
    p = life(engine.patient())
    start = in_month(first, 1, hour=9)
    await engine.client.send(
        [
            p.identified(start, CCM_DX),
            p.consent(start + timedelta(hours=1)),
            p.care_plan(start + timedelta(hours=2)),
            p.time(in_month(first, 10), 45),
            p.time(in_month(second, 10), 45),
        ]
    )
    closes = {
        s.event.service_month: s.event
        for s in await engine.events(p, "month_closed")
        if isinstance(s.event, MonthClosed)
    }
    assert {m: (c.policy_version, codes(c.decision)) for m, c in closes.items()} == {
        first: (1, [("99490", 1)]),
        second: (2, [("99490", 1), ("99439", 1)]),
    }
