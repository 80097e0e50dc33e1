"""The edge, as the workflow holds it: remittances must name the patient's own claim, a patient
batch is split under Temporal's payload limit, and held events are visible, never silent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from upstream.client import EventRejected
from upstream.feed import ParsedFeed
from upstream.ingest import MAX_BATCH_BYTES, batches, ingest
from workflows import search_attributes as sa
from workflows.patient import workflow_id_for

from .builders import closable_months, in_month, life
from .conftest import Engine


async def test_a_remittance_for_another_patients_claim_is_refused(engine: Engine) -> None:
    p, other = life(engine.patient()), life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    await engine.client.send([*p.enrolled(in_month(month, 2)), p.time(in_month(month, 9), 25)])
    at = await engine.now() - timedelta(minutes=1)
    stray = p.event(
        "claim_adjudicated", at, claim_id=f"claim-{other.id}-{month}", status="paid",
        paid_amount="51.85",
    )  # fmt: skip
    with pytest.raises(EventRejected) as refused:
        await engine.client.send([stray])
    assert refused.value.field == "claim_id" and "not one of this patient's claims" in str(
        refused.value
    )


async def test_a_remittance_for_a_month_that_billed_nothing_is_refused(engine: Engine) -> None:
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    await engine.client.send([*p.enrolled(in_month(month, 2)), p.time(in_month(month, 9), 12)])
    at = await engine.now() - timedelta(minutes=1)
    remit = p.event("claim_adjudicated", at, claim_id=f"claim-{p.id}-{month}", status="denied")
    [refused] = (await engine.client.send([remit])).refused
    assert (refused.field, refused.reason) == ("claim_id", "names a month that billed nothing")
    assert await engine.events(p, "claim_adjudicated") == []


async def test_a_patient_batch_over_the_payload_limit_is_split_and_every_event_stored(
    engine: Engine,
) -> None:
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    start = in_month(month, 2)
    long_goals = ["Walk thirty minutes a day and record it. " * 12] * 100  # ~48 KB a plan
    revisions = [
        p.event(
            "care_plan_revised",
            start + timedelta(hours=3 + i),
            care_plan_id=f"cp-{p.id}",
            problems=["Diabetes"],
            goals=long_goals,
        )
        for i in range(45)
    ]
    events = [*p.enrolled(start), *revisions]
    numbered = list(enumerate(events, start=1))
    assert sum(len(e.model_dump_json()) for e in events) > 2 * 1024 * 1024  # over Temporal's 2 MB
    assert len(list(batches(numbered))) >= 5
    assert all(
        sum(len(e.model_dump_json()) for _, e in b) <= MAX_BATCH_BYTES for b in batches(numbered)
    )
    summary = await ingest(engine.client, ParsedFeed(events=numbered))
    assert (summary.recorded, summary.rejected) == (len(events), [])
    assert len(await engine.events(p, "care_plan_revised")) == 45


async def test_events_for_a_patient_not_yet_identified_are_held_visibly(engine: Engine) -> None:
    p = life(engine.patient())
    now = await engine.now()
    receipt = await engine.client.send([p.time(now - timedelta(hours=1), 15)])
    assert receipt.phase == "unidentified" and len(receipt.recorded) == 1
    handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id))
    attrs = (await handle.describe()).typed_search_attributes
    assert attrs.get(sa.PHASE) == "unidentified"
