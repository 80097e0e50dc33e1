"""What a closed month bills reaches the claim line by line, priced by the practice's schedule.

G0506 is a line of its own dated with the initiating visit, once per patient and practitioner
(MLN909188); a practice's imported (locality) fee schedule prices every later close.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from billing.fee_store import ImportRequest, save_schedule
from care.fees import FeeEntry
from care.months import last_day_of
from events.decisions import ClaimPrepared, MonthClosed

from .builders import closable_months, in_month, life, local_date
from .conftest import Engine


async def test_g0506_reaches_the_claim_and_the_outbox_with_the_visit_date(engine: Engine) -> None:
    p = life(engine.patient())
    first, second = closable_months(await engine.now(), 2)
    start = in_month(first, 2, hour=9)
    visit_at = start + timedelta(days=1)
    await engine.client.send(
        [
            p.identified(start, ["E11.9", "I10"], last_visit_on=None),
            p.visit(visit_at, g0506=True),
            p.consent(visit_at + timedelta(hours=1)),
            p.care_plan(visit_at + timedelta(hours=2)),
            p.time(in_month(first, 10), 25),
            p.time(in_month(second, 10), 25),
        ]
    )
    closes: dict[str, MonthClosed] = {}
    for stored in await engine.events(p, "month_closed"):
        assert isinstance(stored.event, MonthClosed)
        closes[stored.event.service_month] = stored.event
    lines = [(c.code, c.date_of_service) for c in closes[first].decision.codes]
    assert lines == [("99490", last_day_of(first)), ("G0506", local_date(visit_at))]
    assert [c.code for c in closes[second].decision.codes] == ["99490"]  # once per practitioner
    [prepared, _] = [s.event for s in await engine.events(p, "claim_prepared")]
    assert isinstance(prepared, ClaimPrepared)
    assert [c.code for c in prepared.codes] == ["99490", "G0506"]
    payload = await engine.pool.fetchval(
        "SELECT payload FROM claims_outbox WHERE claim_id = $1", prepared.claim_id
    )
    outbox_lines = json.loads(payload)["codes"]
    assert {
        "code": "G0506",
        "units": 1,
        "date_of_service": local_date(visit_at).isoformat(),
    } in outbox_lines


async def test_a_month_closes_at_the_practices_own_imported_amounts(engine: Engine) -> None:
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    year = int(month[:4])
    local = [
        FeeEntry(year=year, code="99490", allowed=Decimal("70.00"), source="test.csv"),
        FeeEntry(year=year, code="99439", allowed=Decimal("50.00"), source="test.csv"),
    ]
    imported = await save_schedule(
        engine.pool,
        ImportRequest(
            practice_id="practice-1", year=year, effective_from=date(year, 1, 1),
            locality="99", source_file="test.csv", sha256="ab" * 32, imported_by="biller-1",
            entries=local,
        ),
    )  # fmt: skip
    start = in_month(month, 1, hour=9)
    await engine.client.send([*p.enrolled(start), p.time(in_month(month, 9), 45)])
    [closed] = [s.event for s in await engine.events(p, "month_closed")]
    assert isinstance(closed, MonthClosed)
    d = closed.decision
    assert [(c.code, c.units) for c in d.codes] == [("99490", 1), ("99439", 1)]
    assert (d.allowed_amount, d.patient_share, d.expected_payment) == (
        Decimal("120.00"), Decimal("24.00"), Decimal("94.08"),
    )  # fmt: skip
    assert f"import #{imported.schedule_id}" in d.fee_schedule
