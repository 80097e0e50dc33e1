"""Bad input is refused before it reaches history, with the field named (the `record` validator).

A refused update writes nothing to the workflow history and nothing to the patient's stream; the
sender gets ``EventRejected`` (or the update failure) naming the event, the field and the value.
Structural checks (ICD-10-CM syntax) are pydantic's, at the edge, before anything is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from events.upstream import UpstreamEvent
from upstream.client import EventRejected
from workflows.messages import RecordBatch
from workflows.patient import PatientCareWorkflow, workflow_id_for

from .builders import Life, life
from .conftest import Engine


async def accepted_updates(engine: Engine, p: Life) -> int:
    """Update-accepted events in the current run's history (a rejected update adds none)."""
    handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id))
    history = await handle.fetch_history()
    accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    return sum(1 for e in history.events if e.event_type == accepted)


async def stream_ids(engine: Engine, p: Life) -> list[str]:
    return [s.event_id for s in await engine.events(p)]


async def identified(engine: Engine) -> Life:
    p = life(engine.patient())
    now = await engine.now()
    await engine.client.send([p.identified(now - timedelta(hours=2), ["E11.9", "I10"])])
    return p


@pytest.mark.parametrize(
    "missing", ["availability", "cost_sharing", "stop_anytime", "one_practitioner"]
)
async def test_a_consent_without_a_required_disclosure_is_refused_and_nothing_is_written(
    engine: Engine, missing: str
) -> None:
    p = await identified(engine)
    now = await engine.now()
    before, updates = await stream_ids(engine, p), await accepted_updates(engine, p)
    bad = p.consent(now - timedelta(hours=1), **{missing: False})
    with pytest.raises(EventRejected) as refused:
        await engine.client.send([bad])
    assert f"disclosures.{missing}" in str(refused.value)
    assert (refused.value.event_id, refused.value.field) == (bad.event_id, f"disclosures.{missing}")
    assert await stream_ids(engine, p) == before
    assert await accepted_updates(engine, p) == updates  # nothing reached history
    assert (await engine.view(p)).phase == "enrolling"
    # The refusal was of that event only: a complete consent is then accepted.
    fixed = await engine.client.send([p.consent(now - timedelta(minutes=50))])
    assert fixed.phase == "enrolled"
    assert await accepted_updates(engine, p) == updates + 1


async def test_one_bad_event_refuses_the_whole_batch(engine: Engine) -> None:
    p = await identified(engine)
    now = await engine.now()
    before = await stream_ids(engine, p)
    good = p.time(now - timedelta(minutes=90), 15)
    with pytest.raises(EventRejected) as refused:
        await engine.client.send([good, p.consent(now - timedelta(hours=1), cost_sharing=False)])
    assert refused.value.field == "disclosures.cost_sharing"
    assert await stream_ids(engine, p) == before
    receipt = await engine.client.send([good])  # the good event alone is new, not a duplicate
    assert receipt.recorded == [good.store_key]


async def test_voiding_an_unknown_time_entry_is_refused_and_nothing_is_stored(
    engine: Engine,
) -> None:
    # Whether the entry exists is known only once the queue before it is applied (and a re-sent
    # void of a voided entry is a harmless duplicate), so the decider refuses it, in the receipt.
    p = await identified(engine)
    now = await engine.now()
    before = await stream_ids(engine, p)
    receipt = await engine.client.send([p.void(now - timedelta(minutes=5), "t-no-such-entry")])
    [refused] = receipt.refused
    assert (refused.field, refused.reason) == ("entry_id", "no such time entry")
    assert receipt.recorded == [] and await stream_ids(engine, p) == before


async def test_voiding_an_entry_sent_earlier_in_the_same_batch_is_accepted(engine: Engine) -> None:
    p = await identified(engine)
    now = await engine.now()
    entry = p.time(now - timedelta(minutes=30), 12)
    assert entry.type == "time_logged"
    void = p.void(now - timedelta(minutes=20), entry.entry_id)
    receipt = await engine.client.send([entry, void])
    assert receipt.recorded == [entry.store_key, void.store_key]


async def test_an_event_for_another_patient_is_refused_by_the_workflow(engine: Engine) -> None:
    p = await identified(engine)
    other = life(engine.patient())
    now = await engine.now()
    stray = other.time(now - timedelta(minutes=5), 20)
    # The client never mixes patients in one batch ...
    with pytest.raises(EventRejected, match="one patient's events"):
        await engine.client.send([p.time(now - timedelta(minutes=6), 5), stray])
    # ... and the workflow refuses another patient's event even when sent to it directly.
    before, updates = await stream_ids(engine, p), await accepted_updates(engine, p)
    handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id))
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(PatientCareWorkflow.record, RecordBatch(events=[stray]))
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    assert "field patient_id" in cause.message and other.id in cause.message
    assert await stream_ids(engine, p) == before
    assert await accepted_updates(engine, p) == updates


async def test_an_event_dated_in_the_future_is_refused(engine: Engine) -> None:
    p = await identified(engine)
    now = await engine.now()
    before, updates = await stream_ids(engine, p), await accepted_updates(engine, p)
    with pytest.raises(EventRejected) as refused:
        await engine.client.send([p.time(now + timedelta(days=1), 20)])
    assert refused.value.field == "occurred_at"
    assert "in the future" in str(refused.value)
    assert await stream_ids(engine, p) == before
    assert await accepted_updates(engine, p) == updates


@pytest.mark.parametrize("code", ["E11-9", "U07.1", "11.9", "E1", "E11.12345"])
def test_an_invalid_icd10_code_is_refused_at_the_edge_naming_diagnoses(code: str) -> None:
    p = Life("p-edge")
    raw = p.identified(datetime(2026, 1, 5, 9, tzinfo=UTC), ["E11.9"]).model_dump(mode="json")
    raw["diagnoses"] = ["I10", code]
    with pytest.raises(ValidationError) as invalid:
        TypeAdapter(UpstreamEvent).validate_python(raw)
    locations = [err["loc"] for err in invalid.value.errors()]
    assert ("patient_identified", "diagnoses", 1) in locations
    with pytest.raises(ValidationError, match="diagnoses"):
        RecordBatch.model_validate({"events": [raw]})
