"""A worker with the real activities on a fresh database, against the time-skipping server."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.clearinghouse import Clearinghouse
from activities.patients import policy_history
from events.base import EventMeta, stream_for
from events.practice import PolicyChanged
from events.store import EventStore, StoredEvent
from upstream.client import CcmClient
from worker import build_worker
from workflows import search_attributes as sa
from workflows.messages import PatientView
from workflows.patient import workflow_id_for

from .builders import Patient, settle


@dataclass
class Engine:
    env: WorkflowEnvironment
    pool: asyncpg.Pool
    store: EventStore
    client: CcmClient
    patients: list[str] = field(default_factory=list)

    def patient(self) -> Patient:
        patient = Patient(f"p{uuid.uuid4().hex[:10]}")
        self.patients.append(patient.id)
        return patient

    async def terminate_all(self) -> None:
        """The time-skipping clock is shared: a workflow left behind (its worker gone) must not
        hold later tests' time skipping, so every test's workflows end with the test."""
        await settle(self.env.client, self.patients)
        for patient_id in self.patients:
            handle = self.env.client.get_workflow_handle(workflow_id_for(patient_id))
            with contextlib.suppress(RPCError):
                await handle.terminate("test finished")

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def sleep(self, **kw: float) -> None:
        await self.env.sleep(timedelta(**kw))

    async def events(self, patient: Patient, type_: str | None = None) -> list[StoredEvent]:
        stored = await self.store.read_stream(stream_for(patient.id))
        return [s for s in stored if type_ is None or s.type == type_]

    async def view(self, patient: Patient) -> PatientView:
        handle = self.env.client.get_workflow_handle(workflow_id_for(patient.id))
        view: PatientView = await handle.query("view", result_type=PatientView)
        return view


async def set_policy(
    engine: Engine, practice_id: str = "practice-1", effective: str = "2015-01", **changes: Any
) -> None:
    """Records the practice's next policy version (as ``ccm policy set`` does), in force from
    ``effective`` (default: before any month a test uses), before the practice's patients are
    sent."""
    history = await policy_history(engine.store, practice_id)
    policy = history.latest.policy.model_copy(update=changes)
    version = history.latest.version + 1
    change = PolicyChanged(
        event_id=f"{practice_id}.policy.v{version}", practice_id=practice_id,
        occurred_at=await engine.now(), version=version, effective_month=effective,
        policy=policy, reason="test", meta=EventMeta(source="policy", actor="test"),
    )  # fmt: skip
    await engine.store.append(change.stream, [change], expected_version=None)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def skipping_env(time_skipping_env: WorkflowEnvironment) -> WorkflowEnvironment:
    """The time-skipping server with the project's search attributes registered on it."""
    kinds = {
        "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        "INT": IndexedValueType.INDEXED_VALUE_TYPE_INT,
        "BOOL": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    }
    try:
        await time_skipping_env.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=time_skipping_env.client.namespace,
                search_attributes={k.name: kinds[k.indexed_value_type.name] for k in sa.ALL},
            )
        )
    except RPCError as exc:  # tests/fuzz shares this fixture: registered there first
        if exc.status != RPCStatusCode.ALREADY_EXISTS:
            raise
    return time_skipping_env


@contextlib.asynccontextmanager
async def running_engine(
    env: WorkflowEnvironment,
    pool: asyncpg.Pool,
    task_queue: str,
    clearinghouse: Clearinghouse | None = None,
) -> AsyncIterator[Engine]:
    """A worker with the real activities (or a named fake clearinghouse) for one test."""
    engine = Engine(
        env=env, pool=pool, store=EventStore(pool), client=CcmClient(env.client, task_queue)
    )
    async with build_worker(env.client, pool, task_queue, clearinghouse=clearinghouse):
        yield engine
        await engine.terminate_all()


@pytest_asyncio.fixture(loop_scope="session")
async def engine(
    skipping_env: WorkflowEnvironment, app_pool: asyncpg.Pool, task_queue: str
) -> AsyncIterator[Engine]:
    """The worker's activities run as the app role, as in a deployment."""
    async with running_engine(skipping_env, app_pool, task_queue) as engine:
        yield engine
