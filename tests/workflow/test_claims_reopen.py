"""A rejected claim reopens once: the workflow closes the month again on its corrected facts
(the late documentation counted), the claim's one outbox row takes the corrected claim, and a
second reopen is refused; never a second claim for the month."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from billing.fee_store import ImportRequest, save_schedule
from care.fees import FeeEntry
from claims.reopen import ReopenRefused, reopen_claim
from claims.review import Decision, decide
from events.decisions import MonthClosed
from workflows.patient import PatientCareWorkflow, workflow_id_for
from workflows.reopen import Reopened, ReopenMonth

from .builders import closable_months, in_month, settle
from .conftest import Engine


async def test_a_rejected_month_reopens_once_on_the_same_claim(engine: Engine) -> None:
    [month] = closable_months(await engine.now(), 1)
    year = int(month[:4])
    prices = [FeeEntry(year=year, code=c, allowed=Decimal(a), source="test")
              for c, a in (("99490", "66.13"), ("99439", "50.00"))]  # fmt: skip
    await save_schedule(engine.pool, ImportRequest(
        "practice-1", year, date(year, 1, 1), None, "fees.csv",
        hashlib.sha256(b"reopen").hexdigest(), "test", prices))  # fmt: skip
    p = engine.patient()
    start = in_month(month, 2, hour=9)
    await engine.client.send([*p.enrolled(start), p.time(in_month(month, 10), 25)])
    await settle(engine.env.client, engine.patients)
    claim_id = f"claim-{p.id}-{month}"
    now = await engine.now()
    await decide(engine.pool, claim_id, Decision("rejected", "biller-1", now, "call missing"))
    late = await engine.client.send([p.time(in_month(month, 20), 20)])
    assert late.late  # kept, flagged, not billed

    async def update(patient_id: str, req: ReopenMonth) -> Reopened:
        handle = engine.env.client.get_workflow_handle(workflow_id_for(patient_id))
        return await handle.execute_update(PatientCareWorkflow.reopen, req)

    claim = await reopen_claim(engine.pool, update, claim_id, "biller-1", "call documented", now)
    assert claim is not None and [(c.code, c.units) for c in claim.codes] == [
        ("99490", 1), ("99439", 1)]  # fmt: skip
    rows = await engine.pool.fetch("SELECT * FROM claims_outbox WHERE patient_id = $1", p.id)
    assert len(rows) == 1 and rows[0]["claim_id"] == claim_id
    assert rows[0]["review_status"] == "awaiting" and rows[0]["reopen_count"] == 1
    assert [c["code"] for c in json.loads(rows[0]["payload"])["codes"]] == ["99490", "99439"]
    closes = [s.event for s in await engine.events(p, "month_closed")]
    assert isinstance(closes[-1], MonthClosed) and isinstance(closes[0], MonthClosed)
    assert closes[-1].supersedes == closes[0].event_id
    assert closes[-1].decision.counted_minutes == 45
    # Once only: by the outbox row, and by the workflow itself.
    await decide(engine.pool, claim_id, Decision("rejected", "biller-1", now, "still wrong"))
    with pytest.raises(ReopenRefused, match="never reopened"):
        await reopen_claim(engine.pool, update, claim_id, "biller-1", "again", now)
    facts = closes[-1].facts
    assert facts is not None
    again = await update(p.id, ReopenMonth(month=month, facts=facts, by="b", reason="x",
                                           at=now + timedelta(minutes=1)))  # fmt: skip
    assert again.refused == "field month: was reopened once already"
    prepared = [s.event for s in await engine.events(p, "claim_prepared")]
    assert len(prepared) == 2 and {getattr(e, "claim_id", None) for e in prepared} == {claim_id}
