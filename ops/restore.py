"""Restoring patient workflows from the store after Temporal's data was lost or a run ended.

The store is the record: a patient workflow started without a snapshot folds the patient's
stream (``load_patient``) and carries on from there, so restoring is only starting the workflows
that are not running. A running one is left alone; starting is idempotent by workflow id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from workflows.messages import PatientStart
from workflows.patient import PatientCareWorkflow, workflow_id_for

PREFIX = "patient-"
START_AT_ONCE = 16


@dataclass
class Restored:
    started: list[str] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # asked for, but no stream in the store


async def stored_patients(pool: asyncpg.Pool, wanted: Sequence[str] | None) -> list[str]:
    """Patient ids with a stream in the store, all of them or those of ``wanted``."""
    rows = await pool.fetch(
        "SELECT substr(stream, $1) AS patient_id FROM streams WHERE stream LIKE $2 ORDER BY 1",
        len(PREFIX) + 1,
        PREFIX + "%",
    )
    ids = [r["patient_id"] for r in rows]
    return ids if wanted is None else [p for p in ids if p in set(wanted)]


async def restore(
    client: Client,
    pool: asyncpg.Pool,
    task_queue: str,
    timezone: str,
    wanted: Sequence[str] | None = None,
) -> Restored:
    """Starts the workflow of every stored patient (of ``wanted``, if given) not running now."""
    result = Restored()
    patients = await stored_patients(pool, wanted)
    result.unknown = sorted(set(wanted or ()) - set(patients))
    gate = asyncio.Semaphore(START_AT_ONCE)

    async def one(patient_id: str) -> None:
        async with gate:
            started = await _start(client, task_queue, timezone, patient_id)
        (result.started if started else result.running).append(patient_id)

    await asyncio.gather(*(one(p) for p in patients))
    result.started.sort()
    result.running.sort()
    return result


async def _start(client: Client, task_queue: str, timezone: str, patient_id: str) -> bool:
    """True if this call started the workflow, False if it was already running."""
    try:
        await client.start_workflow(
            PatientCareWorkflow.run,
            PatientStart(
                patient_id=patient_id,
                timezone=timezone,
                one_wake_timer=True,
                record_checks_keys=True,
            ),
            id=workflow_id_for(patient_id),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        return False
    except RPCError as exc:
        if exc.status == RPCStatusCode.ALREADY_EXISTS:
            return False
        raise
    return True
