"""The Temporal worker: the patient workflow and its activities, on one task queue.

Run alone with ``python worker.py`` or ``ccm worker`` against a real cluster
(``TEMPORAL_ADDRESS``, ``CCM_DATABASE_URL``); ``ccm dev`` runs it beside embedded services.
Stateless: scale out by starting more of these on more machines.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.claims import ClaimActivities
from activities.clearinghouse import Clearinghouse, OutboxClearinghouse
from activities.patients import PatientActivities
from activities.record import RecordActivities
from activities.store import StoreActivities
from events.store import EventStore
from runtime.settings import Settings
from workflows.patient import PatientCareWorkflow

# Our own pure modules are passed through the sandbox: they are deterministic by design
# (care rules are pure; events are frozen models), and re-importing pydantic models per workflow
# run is slow. zoneinfo must be real: the sandbox's proxy breaks ZoneInfo (engineering notes).
PASSTHROUGH = (
    "care", "events", "patient", "workflows", "activities", "billing", "telemetry", "pydantic",
    "zoneinfo", "opentelemetry",
)  # fmt: skip


DRAIN = timedelta(seconds=30)


def sandbox_runner() -> SandboxedWorkflowRunner:
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions)


def build_worker(
    client: Client,
    pool: asyncpg.Pool,
    task_queue: str,
    clearinghouse: Clearinghouse | None = None,
    *,
    max_cached_workflows: int = 1000,
) -> Worker:
    """A worker for ``task_queue``; ``clearinghouse`` defaults to the claims outbox.

    On shutdown (SIGTERM) it stops polling and lets running activities finish for up to
    ``DRAIN``: an append or a claim hand-over is never cut off half-way by a deploy.
    """
    events = EventStore(pool)
    store = StoreActivities(events)
    adapter = clearinghouse or OutboxClearinghouse(pool)
    claims = ClaimActivities(adapter)
    record = RecordActivities(events, adapter)
    patients = PatientActivities(pool)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[PatientCareWorkflow],
        activities=[
            record.record,
            store.append_events,
            store.lookup_keys,
            claims.submit_claim,
            patients.load_patient,
            patients.practice_rules,
        ],
        workflow_runner=sandbox_runner(),
        max_cached_workflows=max_cached_workflows,
        graceful_shutdown_timeout=DRAIN,
    )


async def run_worker(
    settings: Settings, client: Client, pool: asyncpg.Pool, stop: asyncio.Event
) -> None:
    """Polls ``settings.task_queue`` until ``stop`` is set, then shuts down gracefully."""
    worker = build_worker(
        client, pool, settings.task_queue, max_cached_workflows=settings.max_cached_workflows
    )
    async with worker:
        await stop.wait()


if __name__ == "__main__":
    from cli.main import main

    raise SystemExit(main(["worker"]))
