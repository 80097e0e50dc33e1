"""The workflow path's floor: the same update-with-start calls into a trivial workflow.

``FloorWorkflow`` does one batch-insert activity per update (the events as JSON rows, no
decisions, no dedup lookup, no search attributes, no continue-as-new): what any Temporal
design that stores a patient's batch durably must at least pay on this server.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import asyncpg
from pydantic import BaseModel, ConfigDict
from temporalio import activity, workflow
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

with workflow.unsafe.imports_passed_through():
    from events.upstream import UpstreamEvent
    from upstream.client import CcmClient
    from workflows.messages import Receipt, RecordBatch

TABLE = """
CREATE TABLE IF NOT EXISTS bench_floor (
    event_id text PRIMARY KEY, patient_id text NOT NULL, payload json NOT NULL
);
GRANT SELECT, INSERT ON bench_floor TO ccm_app;
"""
INSERT = """
INSERT INTO bench_floor (event_id, patient_id, payload)
SELECT * FROM unnest($1::text[], $2::text[], $3::json[]) ON CONFLICT DO NOTHING
"""


class FloorBatch(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    events: list[UpstreamEvent]


class FloorActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @activity.defn(name="floor_insert")
    async def insert(self, batch: FloorBatch) -> int:
        """One INSERT of the whole batch, one transaction; a retry inserts nothing twice."""
        ids = [e.event_id for e in batch.events]
        pids = [e.patient_id for e in batch.events]
        await self.pool.execute(INSERT, ids, pids, [e.model_dump_json() for e in batch.events])
        return len(ids)


@workflow.defn(name="BenchFloor")
class FloorWorkflow:
    @workflow.run
    async def run(self, patient_id: str) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.update
    async def record(self, batch: RecordBatch) -> int:
        return await workflow.execute_activity_method(
            FloorActivities.insert, FloorBatch(events=list(batch.events)),
            start_to_close_timeout=timedelta(seconds=30),
        )  # fmt: skip


class FloorClient(CcmClient):
    """``CcmClient.send``'s call, into ``FloorWorkflow``, so ``upstream.ingest`` can drive it."""

    async def send(self, events: Sequence[UpstreamEvent]) -> Receipt:
        patient_id = events[0].patient_id
        start = WithStartWorkflowOperation(
            FloorWorkflow.run, patient_id, id=f"floor-{patient_id}",
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, task_queue=self.task_queue,
        )  # fmt: skip
        await self.client.execute_update_with_start_workflow(
            FloorWorkflow.record, RecordBatch(events=list(events)), start_workflow_operation=start
        )
        ids = [e.store_key for e in events]
        return Receipt(patient_id=patient_id, recorded=ids, duplicates=[], late=[], phase="-",
                       stream_version=0)  # fmt: skip


def floor_worker(client: Client, pool: asyncpg.Pool, task_queue: str) -> Worker:
    """Everything this module imports passes through the sandbox: re-importing asyncpg's C
    extensions inside it crashes the process."""
    from worker import PASSTHROUGH

    restrictions = SandboxRestrictions.default.with_passthrough_modules(
        *PASSTHROUGH, "bench", "upstream", "asyncpg"
    )
    return Worker(
        client, task_queue=task_queue, workflows=[FloorWorkflow],
        activities=[FloorActivities(pool).insert],
        workflow_runner=SandboxedWorkflowRunner(restrictions=restrictions),
    )  # fmt: skip
