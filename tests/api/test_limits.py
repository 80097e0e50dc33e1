"""401, 413, 429 and 503 as a sender meets them: no or a bad or a revoked token, a body over
the limit (declared or streamed), the in-flight limit or a saturated Temporal, Temporal down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from api import tokens
from api.app import create_app
from api.context import ApiContext
from api.problems import outage
from api.settings import ApiSettings
from runtime.binaries import temporal_cli
from runtime.ports import free_port
from tests.codec_keys import TEST_CONVERTER

from .conftest import Api, asgi_client, body, end_workflows, recently

pytestmark = pytest.mark.integration


async def until(condition: Callable[[], bool]) -> None:
    """Polls a condition of this process's own state (bounded: 10 s)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never held")


async def test_no_unknown_or_revoked_token_is_401_with_a_challenge(api: Api) -> None:
    p = api.patient()
    request = body([p.identified(recently(), ["E11.9", "I10"])])
    for token in (None, "ccm_not-a-token-anyone-was-given"):
        async with asgi_client(api.app, token) as anonymous:
            answer = await anonymous.post("/v1/events", json=request)
            assert answer.status_code == 401
            assert answer.headers["www-authenticate"].startswith("Bearer")
            assert answer.json()["error"] == "unauthenticated"
    token_id, token = await tokens.create(api.owner, "ehr")
    async with asgi_client(api.app, token) as holder:
        assert (await holder.post("/v1/events", json=request)).status_code == 202
        assert await tokens.revoke(api.owner, token_id)
        revoked = await holder.post("/v1/events", json=request)
        assert revoked.status_code == 401 and f"token {token_id} was revoked" in revoked.text
        assert (await holder.get(f"/v1/receipts/{request[0]['event_id']}")).status_code == 401
    used = {r.id: r for r in await tokens.listed(api.owner)}[token_id]
    assert used.last_used_at is not None and used.revoked_at is not None


async def test_a_body_over_the_limit_is_413_declared_or_streamed(
    dev_env: WorkflowEnvironment, app_pool: asyncpg.Pool, api: Api
) -> None:
    small = ApiContext(app_pool, dev_env.client, api.ctx.task_queue,
                       limits=ApiSettings(max_body_bytes=2000, max_events=3))  # fmt: skip
    p = api.patient()
    events = body([p.time(recently(), m) for m in range(1, 9)])
    async with asgi_client(create_app(small), api.token) as http:
        declared = await http.post("/v1/events", json=events)
        assert declared.status_code == 413 and declared.json()["error"] == "too_large"
        assert "2000-byte limit" in declared.json()["detail"]

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b" " * 500  # no Content-Length: refused once 2,000 bytes have come in

        streamed = await http.post("/v1/events", content=chunks())
        assert streamed.status_code == 413
        many = await http.post("/v1/events", json=events[:4])
        assert many.status_code == 413 and "3-event limit" in many.json()["detail"]
    assert await api.stored(p) == []


async def test_over_the_in_flight_limit_is_429_with_retry_after(
    dev_env: WorkflowEnvironment, app_pool: asyncpg.Pool, api: Api
) -> None:
    # No worker polls this queue: the first request stays in flight until it is cancelled.
    stuck = ApiContext(app_pool, dev_env.client, "no-worker-" + api.ctx.task_queue,
                       limits=ApiSettings(max_in_flight=1, retry_after_s=2))  # fmt: skip
    p, q = api.patient(), api.patient()
    async with asgi_client(create_app(stuck), api.token) as http:
        first = asyncio.create_task(
            http.post("/v1/events", json=body([p.identified(recently(), ["E11.9", "I10"])]))
        )
        await until(lambda: stuck.in_flight.current == 1)
        second = await http.post("/v1/events", json=body([q.identified(recently(), ["I10"])]))
        assert second.status_code == 429 and second.headers["retry-after"] == "2"
        assert second.json()["error"] == "busy"
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
    await end_workflows(dev_env.client, [p.id])


def test_temporal_saturated_is_429_and_other_outages_503() -> None:
    exhausted = RPCError("namespace rate limit exceeded", RPCStatusCode.RESOURCE_EXHAUSTED, b"")
    busy = outage(exhausted, 3)
    assert (busy.status, busy.headers) == (429, {"Retry-After": "3"})
    down = outage(RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b""))
    assert down.status == 503 and down.problem.error == "unavailable"
    assert "Temporal is unreachable (UNAVAILABLE)" in down.problem.detail


async def test_temporal_down_is_503_with_retry_after_and_healthz_says_so(
    app_pool: asyncpg.Pool, api: Api
) -> None:
    # A dev server of this test's own, stopped once the API's client is connected to it.
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(), data_converter=TEST_CONVERTER, ui=False
    )
    gone = ApiContext(app_pool, env.client, api.ctx.task_queue)
    await env.shutdown()
    p = api.patient()
    async with asgi_client(create_app(gone), api.token) as http:
        answer = await http.post("/v1/events", json=body([p.identified(recently(), ["I10"])]))
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        assert answer.json()["error"] == "unavailable" and "Temporal" in answer.json()["detail"]
        health = await http.get("/healthz")
        assert health.status_code == 503
        assert health.json() == {"component": "api", "status": "failing", "database": True,
                                 "temporal": False}  # fmt: skip
    assert await api.stored(p) == []


async def test_healthy_services_are_200(api: Api) -> None:
    health = await api.http.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"


async def test_the_api_never_echoes_input_in_its_own_validation_answer(api: Api) -> None:
    answer = await api.http.get("/v1/patients/%20Ada%20Lovelace")
    assert answer.status_code == 422 and "Lovelace" not in answer.text


async def test_the_database_down_is_503_before_anything_is_sent(
    dev_env: WorkflowEnvironment, api: Api
) -> None:
    # A pool on a loopback port nothing listens on: every token look-up meets a refused connection.
    nowhere = await asyncpg.create_pool(f"postgresql://ccm@127.0.0.1:{free_port()}/ccm", min_size=0)
    try:
        down = ApiContext(nowhere, dev_env.client, api.ctx.task_queue)
        p = api.patient()
        async with asgi_client(create_app(down), api.token) as http:
            answer = await http.post("/v1/events", json=body([p.identified(recently(), ["I10"])]))
            assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
            assert "the database is unreachable" in answer.json()["detail"]
            health = (await http.get("/healthz")).json()
            assert (health["database"], health["temporal"]) == (False, True)
    finally:
        await nowhere.close()
    assert await api.stored(p) == []
