"""Changing a practice's policies: a new ``PolicyChanged`` version, and telling its patients.

The store is the authority: a version is recorded once (optimistic concurrency on the practice's
stream), and every patient workflow reads the history when it is identified, started or closes
a month. Telling the running ones is a courtesy that makes the change visible at once (the update
validator and the at-risk check use it the same day); one that misses it still closes its next
month under the right version.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities.patients import policy_history
from care.months import month_of
from events.base import EventMeta, practice_stream
from events.practice import PolicyChanged
from events.store import EventStore
from workflows.patient import PatientCareWorkflow

TELL_AT_ONCE = 16
TELL_TIMEOUT_S = 10.0  # a workflow whose worker is down must not hold the command


class PolicyRefused(ValueError):
    """The change cannot be recorded: the message names the option and the rule."""


@dataclass(frozen=True)
class PolicyRequest:
    practice_id: str
    effective_month: str
    changes: Mapping[str, str]  # policy field -> value as typed ("none" clears a cap)
    by: str
    reason: str


async def record_policy(
    store: EventStore, req: PolicyRequest, now: datetime, timezone: str
) -> PolicyChanged:
    """Appends the next version: the policy in force at the effective month, with the changes.

    A change never reaches back into a month already under way or closed; raises
    ``PolicyRefused`` for an earlier effective month, ``UnknownPolicyField`` or pydantic's
    ``ValidationError`` for a bad change, ``WrongExpectedVersion`` if another change won the race.
    """
    current = month_of(now, timezone)
    if req.effective_month < current:
        raise PolicyRefused(
            f"--effective {req.effective_month}: a change takes effect from the current month "
            f"({current}) on; closed and running months keep the version they were decided with"
        )
    history = await policy_history(store, req.practice_id)
    policy = history.for_month(req.effective_month).with_changes(req.changes)
    version = history.latest.version + 1
    change = PolicyChanged(
        event_id=f"{req.practice_id}.policy.v{version}", practice_id=req.practice_id,
        occurred_at=now, version=version, effective_month=req.effective_month, policy=policy,
        reason=req.reason, meta=EventMeta(source="policy", actor=req.by),
    )  # fmt: skip
    await store.append(practice_stream(req.practice_id), [change], history.latest.version)
    return change


async def tell_running(client: Client, change: PolicyChanged) -> tuple[int, int]:
    """Sends the version to every running workflow of the practice: (told, not told)."""
    query = f'CcmPractice="{change.practice_id}" AND ExecutionStatus="Running"'
    ids = [w.id async for w in client.list_workflows(query)]
    gate = asyncio.Semaphore(TELL_AT_ONCE)

    async def tell(workflow_id: str) -> bool:
        async with gate:
            handle = client.get_workflow_handle(workflow_id)
            try:
                await asyncio.wait_for(
                    handle.execute_update(PatientCareWorkflow.policy_changed, change),
                    TELL_TIMEOUT_S,
                )
            except (RPCError, WorkflowUpdateFailedError, TimeoutError):
                return False
            return True

    told = sum(await asyncio.gather(*(tell(i) for i in ids)))
    return told, len(ids) - told
