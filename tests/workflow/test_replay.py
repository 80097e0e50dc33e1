"""Committed histories replay against today's workflow code: a non-deterministic change fails CI.

The histories (tests/workflow/histories/, written by record_histories.py) are one patient's
runs: enrolment, documentation, a billed month, continue-as-new, a late and a voided entry, a
month that bills nothing, continue-as-new again. Replay uses the worker's own sandbox runner
and the project's data converter, as production workers do.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

import worker
from tests.codec_keys import TEST_CONVERTER
from workflows.messages import PatientStart
from workflows.patient import PatientCareWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    workflow_id = path.stem.split("--")[0]
    return WorkflowHistory.from_json(workflow_id, path.read_text())


def replayer(*workflows: type) -> Replayer:
    return Replayer(
        workflows=list(workflows),
        data_converter=TEST_CONVERTER,
        workflow_runner=worker.sandbox_runner(),
    )


def test_the_committed_histories_cover_the_representative_patient() -> None:
    assert len(HISTORIES) >= 3, "run: .venv/bin/python -m tests.workflow.record_histories"
    kinds = {EventType.Name(e.event_type) for path in HISTORIES for e in load(path).events}
    for needed in (
        "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW",
        "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED",
        "EVENT_TYPE_ACTIVITY_TASK_COMPLETED",
        "EVENT_TYPE_TIMER_FIRED",
        "EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES",
    ):
        assert needed in kinds
    activities = {
        e.activity_task_scheduled_event_attributes.activity_type.name
        for path in HISTORIES
        for e in load(path).events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    }
    assert activities == {"append_events", "submit_claim"}  # runs from before FEWER_ACTIONS
    markers = {
        e.marker_recorded_event_attributes.marker_name
        for path in HISTORIES
        for e in load(path).events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    }
    assert {"core_local_activity", "core_patch"} <= markers  # and runs since (record_events)


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem.split("--")[1] for p in HISTORIES])
async def test_a_recorded_history_replays_without_nondeterminism(path: Path) -> None:
    result = await replayer(PatientCareWorkflow).replay_workflow(load(path))
    assert result.replay_failure is None


# Not sandboxed: the sandbox would re-import this test module, and with it asyncpg's native
# extensions (via ``worker``), which corrupts them for the rest of the session. Nondeterminism is
# detected by the SDK core, sandbox or not.
@workflow.defn(name="PatientCare", sandboxed=False)
class DriftedPatientCare(PatientCareWorkflow):
    """Today's workflow with one new timer before it starts: the kind of change replay catches."""

    @workflow.run
    async def run(self, start: PatientStart) -> None:
        await workflow.sleep(timedelta(seconds=1))
        await super().run(start)


async def test_a_non_deterministic_change_fails_replay() -> None:
    """Guards the guard: the replay above would catch a change to the workflow's commands."""
    history = load(HISTORIES[0])
    with pytest.raises(Exception, match=r"[Nn]ondetermin"):
        await replayer(DriftedPatientCare).replay_workflow(history)


def test_histories_are_plain_temporal_json() -> None:
    for path in HISTORIES:
        assert set(json.loads(path.read_text())) == {"events"}
