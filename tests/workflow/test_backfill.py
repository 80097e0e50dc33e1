"""A feed of past months, delivered at once, bills each month as if it had arrived live."""

from __future__ import annotations

from datetime import datetime, timedelta

from care.months import month_of, month_start, next_month

from .conftest import Engine

TZ = "America/New_York"


def months_back(now: datetime, n: int) -> list[str]:
    first = month_of(now - timedelta(days=31 * n), TZ)
    months = [first]
    while len(months) < n:
        months.append(next_month(months[-1]))
    return months


def at(month: str, day: int, hour: int = 10) -> datetime:
    return month_start(month, TZ).replace(day=day, hour=hour)


async def test_three_past_months_close_with_their_own_codes_and_one_claim_each(
    engine: Engine,
) -> None:
    p = engine.patient()
    now = await engine.now()
    m1, m2, m3 = months_back(now, 4)[:3]
    feed = [
        *p.enrolled(at(m1, 2)),
        p.time(at(m1, 10), 12),
        p.time(at(m1, 20), 7),  # 19 minutes: nothing (MLN909188: never rounded)
        p.time(at(m2, 5), 25),
        p.time(at(m2, 15), 15),  # 40 minutes: 99490 + 99439
        p.time(at(m3, 4), 31, role="practitioner"),  # practitioner alone: 99491
    ]
    receipt = await engine.client.send(feed)
    assert len(receipt.recorded) == len(feed)
    decisions = {
        e.event.service_month: e.event.decision  # type: ignore[attr-defined]
        for e in await engine.events(p, "month_closed")
    }
    codes = {m: [(c.code, c.units) for c in d.codes] for m, d in decisions.items()}
    assert codes[m1] == []
    assert codes[m2] == [("99490", 1), ("99439", 1)]
    assert codes[m3] == [("99491", 1)]
    claims = await engine.pool.fetch(
        "SELECT service_month FROM claims_outbox WHERE patient_id = $1 ORDER BY 1", p.id
    )
    assert [r["service_month"] for r in claims] == [m2, m3]


async def test_resending_the_whole_feed_changes_nothing(engine: Engine) -> None:
    p = engine.patient()
    now = await engine.now()
    m1 = months_back(now, 3)[0]
    feed = [*p.enrolled(at(m1, 2)), p.time(at(m1, 10), 45)]
    await engine.client.send(feed)
    before = await engine.events(p)
    again = await engine.client.send(feed)
    assert again.recorded == [] and len(again.duplicates) == len(feed)
    assert [e.event_id for e in await engine.events(p)] == [e.event_id for e in before]
    claims = await engine.pool.fetchval(
        "SELECT count(*) FROM claims_outbox WHERE patient_id = $1", p.id
    )
    assert claims == 1


async def test_documentation_for_a_billed_month_is_kept_as_late_and_never_rebills(
    engine: Engine,
) -> None:
    p = engine.patient()
    now = await engine.now()
    m1 = months_back(now, 3)[0]
    await engine.client.send([*p.enrolled(at(m1, 2)), p.time(at(m1, 10), 20)])
    late = p.time(at(m1, 28), 30)
    receipt = await engine.client.send([late])
    assert receipt.late == [late.store_key]
    flagged = await engine.events(p, "late_entry_recorded")
    assert [f.event.late_event_id for f in flagged] == [late.store_key]  # type: ignore[attr-defined]
    decision = next(
        e.event.decision  # type: ignore[attr-defined]
        for e in await engine.events(p, "month_closed")
        if e.event.service_month == m1  # type: ignore[attr-defined]
    )
    assert decision.counted_minutes == 20
