"""The patient workflow on the real Temporal dev server: what operations staff filter on in the
Web UI (custom search attributes, visibility queries) and update validators on a real server.

The dev server runs in real time, so events are dated minutes ago in the current month.
Visibility is eventually consistent: reads poll for a bounded while until the index catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecution
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from care.months import month_of, month_start
from events.upstream import UpstreamEvent
from tests.workflow.builders import TZ, Life
from upstream.client import CcmClient, EventRejected
from worker import build_worker
from workflows import search_attributes as sa
from workflows.patient import workflow_id_for

pytestmark = pytest.mark.integration


@dataclass
class DevEngine:
    client: Client
    ccm: CcmClient
    patients: list[str] = field(default_factory=list)

    def patient(self) -> Life:
        patient = Life(f"p{uuid.uuid4().hex[:10]}")
        self.patients.append(patient.id)
        return patient

    async def find(self, query: str, workflow_id: str) -> WorkflowExecution | None:
        """The running execution matching ``query``, polled for up to about 10 seconds."""
        for _ in range(50):
            async for execution in self.client.list_workflows(
                f'{query} AND WorkflowId="{workflow_id}"'
            ):
                return execution
            await asyncio.sleep(0.2)
        return None


@pytest_asyncio.fixture(loop_scope="session")
async def dev(
    dev_env: WorkflowEnvironment, pool: asyncpg.Pool, task_queue: str
) -> AsyncIterator[DevEngine]:
    engine = DevEngine(dev_env.client, CcmClient(dev_env.client, task_queue))
    async with build_worker(dev_env.client, pool, task_queue):
        yield engine
        for patient_id in engine.patients:
            with contextlib.suppress(RPCError):
                await dev_env.client.get_workflow_handle(workflow_id_for(patient_id)).terminate(
                    "test finished"
                )


def recently() -> datetime:
    """A moment a few minutes ago, but never before the current month began (local time)."""
    now = datetime.now(UTC)
    return max(now - timedelta(minutes=20), month_start(month_of(now, TZ), TZ))


def active_with_minutes(p: Life, at: datetime, dx: list[str], minutes: int) -> list[UpstreamEvent]:
    return [
        p.identified(
            at,
            dx,
            demographics={"name": "Ada Lovelace", "mbi": "1EG4TE5MK73", "birth_date": "1941-02-03"},
        ),
        p.consent(at + timedelta(seconds=1)),
        p.care_plan(at + timedelta(seconds=2)),
        p.time(at + timedelta(seconds=3), minutes),
    ]


def attributes(execution: WorkflowExecution) -> dict[str, Any]:
    return {pair.key.name: pair.value for pair in execution.typed_search_attributes}


async def test_an_active_patient_is_found_by_phase_and_shows_program_and_minutes(
    dev: DevEngine,
) -> None:
    p = dev.patient()
    at = recently()
    receipt = await dev.ccm.send(active_with_minutes(p, at, ["E11.9", "I10"], 25))
    assert receipt.phase == "active"
    wid = workflow_id_for(p.id)

    found = await dev.find('CcmPhase="active" AND ExecutionStatus="Running"', wid)
    assert found is not None
    seen = attributes(found)
    assert seen[sa.PROGRAM.name] == "ccm"
    assert seen[sa.MONTH_MINUTES.name] == 25
    assert seen[sa.PRACTICE.name] == "practice-1"
    assert seen[sa.PRACTITIONER.name] == "dr-1"
    assert seen[sa.SERVICE_MONTH.name] == month_of(datetime.now(UTC), TZ)
    # Search attributes are not encrypted: nothing that identifies the person is in them.
    for value in seen.values():
        assert not any(phi in str(value) for phi in ("Ada", "Lovelace", "1EG4TE5MK73", "1941"))

    # More minutes: the counter follows, and a numeric filter finds the patient.
    await dev.ccm.send([p.time(at + timedelta(seconds=4), 10)])
    more = await dev.find(
        'CcmMonthMinutes >= 35 AND CcmProgram="ccm" AND ExecutionStatus="Running"', wid
    )
    assert more is not None
    assert attributes(more)[sa.MONTH_MINUTES.name] == 35


async def test_programs_and_phases_separate_patients_in_visibility(dev: DevEngine) -> None:
    pcm, ineligible = dev.patient(), dev.patient()
    at = recently()
    await dev.ccm.send(active_with_minutes(pcm, at, ["I50.9"], 12))
    await dev.ccm.send([ineligible.identified(at, ["I21.4", "J06.9"])])

    found = await dev.find('CcmProgram="pcm" AND CcmPhase="active"', workflow_id_for(pcm.id))
    assert found is not None and attributes(found)[sa.MONTH_MINUTES.name] == 12
    screened_out = await dev.find('CcmPhase="ineligible"', workflow_id_for(ineligible.id))
    assert screened_out is not None
    assert sa.PROGRAM.name not in attributes(screened_out)  # unset, not an empty value
    # The running ineligible patient is not an active one.
    assert [
        e.id
        async for e in dev.client.list_workflows(
            f'CcmPhase="active" AND WorkflowId="{workflow_id_for(ineligible.id)}"'
        )
    ] == []


async def test_the_update_validator_refuses_bad_input_on_the_real_server(dev: DevEngine) -> None:
    p = dev.patient()
    at = recently()
    await dev.ccm.send([p.identified(at, ["E11.9", "I10"])])
    handle = dev.client.get_workflow_handle(workflow_id_for(p.id))
    before = await handle.fetch_history()

    with pytest.raises(EventRejected) as refused:
        await dev.ccm.send([p.consent(at + timedelta(seconds=1), stop_anytime=False)])
    assert refused.value.field == "disclosures.stop_anytime"
    with pytest.raises(EventRejected) as future:
        await dev.ccm.send([p.time(datetime.now(UTC) + timedelta(hours=2), 20)])
    assert future.value.field == "occurred_at"

    after = await handle.fetch_history()
    accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    assert [e for e in after.events if e.event_type == accepted] == [
        e for e in before.events if e.event_type == accepted
    ]
    # A real server runs a rejected update's workflow task speculatively: no trace at all.
    assert len(after.events) == len(before.events)
    fixed = await dev.ccm.send([p.consent(at + timedelta(seconds=1))])
    assert fixed.phase == "enrolled"
    # Whether a void names a known entry depends on the stream, so the decider answers it:
    # the update is accepted, the receipt names the refusal, and nothing is stored.
    void = p.void(at + timedelta(seconds=2), "t-never-logged")
    unknown = await dev.ccm.send([void])
    assert [(r.event_id, r.field) for r in unknown.refused] == [(void.event_id, "entry_id")]
    assert unknown.recorded == [] and unknown.stream_version == fixed.stream_version
