"""A cancelled admission gives back the minutes its stay excluded; a cancelled discharge takes
them again (domain §4: no minute counts while the patient is an inpatient)."""

from __future__ import annotations

from care.decision import MonthDecision
from care.months import month_of, next_month
from events.decisions import MonthClosed
from projections import reports
from projections.runner import catch_up

from .builders import TZ, Life, closable_months, in_month, life, local_date
from .conftest import Engine
from .test_a_year_live import sleep_until


async def _decision(engine: Engine, p: Life, month: str) -> MonthDecision:
    (stored,) = await engine.events(p, "month_closed")
    assert isinstance(stored.event, MonthClosed) and stored.event.service_month == month
    return stored.event.decision


async def test_an_admission_entered_in_error_counts_the_minutes_again(engine: Engine) -> None:
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    admitted_at = in_month(month, 5)
    await engine.client.send(
        [
            *p.enrolled(in_month(month, 1, hour=9)),
            p.admitted(admitted_at),
            p.time(in_month(month, 7), 30),
            p.admission_cancelled(in_month(month, 8), admitted_at),
            p.time(in_month(month, 12), 25),
        ]
    )
    decision = await _decision(engine, p, month)
    assert decision.counted_minutes == 55
    assert [(c.code, c.units) for c in decision.codes] == [("99490", 1), ("99439", 1)]


async def test_a_discharge_entered_in_error_keeps_the_stay_open(engine: Engine) -> None:
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    discharged_at = in_month(month, 6)
    await engine.client.send(
        [
            *p.enrolled(in_month(month, 1, hour=9)),
            p.time(in_month(month, 3), 22),
            p.admitted(in_month(month, 5)),
            p.discharged(discharged_at),
            p.discharge_cancelled(in_month(month, 7), discharged_at),
            p.time(in_month(month, 12), 25),  # still an inpatient: excluded
        ]
    )
    decision = await _decision(engine, p, month)
    assert decision.counted_minutes == 22


async def test_the_worklist_folds_a_cancellation_as_the_workflow_does(engine: Engine) -> None:
    month = next_month(month_of(await engine.now(), TZ))
    await sleep_until(engine, in_month(month, 6, hour=12))
    p = life(engine.patient())
    admitted_at = in_month(month, 3)
    await engine.client.send(
        [
            *p.enrolled(in_month(month, 1, hour=9)),
            p.admitted(admitted_at),
            p.time(in_month(month, 4), 15),
            p.admission_cancelled(in_month(month, 5), admitted_at),
        ]
    )
    view = await engine.view(p)
    assert view.minutes_this_month == 15
    await catch_up(engine.pool)
    rows = await reports.worklist(engine.pool, local_date(await engine.now()), TZ)
    assert {r.patient_id: r.minutes_so_far for r in rows}[p.id] == 15
