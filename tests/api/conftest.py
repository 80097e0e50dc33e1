"""The API on the real dev server and embedded PostgreSQL, with the worker running: requests go
through ``httpx.ASGITransport`` (the app in this process) or a real uvicorn on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest_asyncio
import uvicorn
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from api import tokens
from api.app import create_app
from api.context import ApiContext
from api.fhir import fhir_router
from api.settings import ApiSettings
from care.months import month_of, month_start
from events.base import stream_for
from events.store import EventStore, StoredEvent
from events.upstream import UpstreamEvent
from runtime.ports import free_port
from tests.workflow.builders import TZ, Life
from worker import build_worker
from workflows.patient import workflow_id_for

SOURCE = "ehr"


def body(events: list[UpstreamEvent], *, drop_meta: bool = False) -> list[dict[str, Any]]:
    """Events as a sender's JSON; ``drop_meta``: without ``meta`` (the token decides it)."""
    out = [e.model_dump(mode="json", exclude_none=True) for e in events]
    for item in out if drop_meta else []:
        del item["meta"]
    return out


def recently() -> datetime:
    """A few minutes ago, never before the current month began (the dev server runs live)."""
    now = datetime.now(UTC)
    return max(now - timedelta(minutes=20), month_start(month_of(now, TZ), TZ))


@dataclass
class Api:
    http: httpx.AsyncClient  # the app through ASGITransport, authenticated as SOURCE
    app: FastAPI
    ctx: ApiContext
    token: str
    owner: asyncpg.Pool  # mints and revokes tokens, as `ccm api tokens` does
    store: EventStore
    patients: list[str] = field(default_factory=list)

    def patient(self) -> Life:
        patient = Life(f"p{uuid.uuid4().hex[:10]}", source=SOURCE)
        self.patients.append(patient.id)
        return patient

    async def stored(self, patient: Life) -> list[StoredEvent]:
        return await self.store.read_stream(stream_for(patient.id))


def asgi_client(app: FastAPI, token: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api", headers=headers
    )


@contextlib.asynccontextmanager
async def serving(app: FastAPI, **ssl: str) -> AsyncIterator[str]:
    """A real uvicorn on a free loopback port, in this process; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           **ssl))  # type: ignore[arg-type]  # fmt: skip
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"{'https' if ssl else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def end_workflows(client: Client, patients: list[str]) -> None:
    for patient_id in patients:
        with contextlib.suppress(RPCError):
            await client.get_workflow_handle(workflow_id_for(patient_id)).terminate("test done")


@pytest_asyncio.fixture(loop_scope="session")
async def api(
    dev_env: WorkflowEnvironment, app_pool: asyncpg.Pool, pool: asyncpg.Pool, task_queue: str
) -> AsyncIterator[Api]:
    """The app as the app role, a worker on the same task queue, and one token for ``ehr``."""
    ctx = ApiContext(pool=app_pool, temporal=dev_env.client, task_queue=task_queue,
                     limits=ApiSettings())  # fmt: skip
    app = create_app(ctx, [fhir_router(ctx)])
    _, token = await tokens.create(pool, SOURCE)
    async with build_worker(dev_env.client, app_pool, task_queue), asgi_client(app, token) as http:
        api = Api(http, app, ctx, token, pool, EventStore(app_pool))
        yield api
        await end_workflows(dev_env.client, api.patients)
