"""The API over real sockets: in-process uvicorn on loopback (HTTP and HTTPS with a test CA),
and ``ccm api`` as its own process with tokens from ``ccm api tokens``; the OpenAPI document
and ``/metrics``."""

from __future__ import annotations

import asyncio
import re
import ssl
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.context import ApiContext
from events.registry import union_members
from events.upstream import UpstreamEvent
from runtime.db_urls import DatabaseUrls
from runtime.ports import free_port
from tests.integration.processes import Process, clean_env
from tests.integration.test_report_cli import role_env
from tests.tls_fixtures import Pki

from .conftest import Api, body, recently, serving

pytestmark = pytest.mark.integration


async def test_events_over_http_and_https_on_loopback(api: Api, tmp_path: Path) -> None:
    p = api.patient()
    events = body([p.identified(recently(), ["E11.9", "I10"]), p.time(recently(), 4)])
    auth = {"Authorization": f"Bearer {api.token}"}
    async with serving(api.app) as url, httpx.AsyncClient(base_url=url, headers=auth) as http:
        answer = await http.post("/v1/events", json=events[:1])
        assert answer.status_code == 202 and answer.json()["results"][0]["outcome"] == "recorded"
    pki = Pki(tmp_path)
    tls = {"ssl_certfile": pki.path("server.pem"), "ssl_keyfile": pki.path("server.key")}
    trust = ssl.create_default_context(cafile=pki.path("ca.pem"))
    async with (
        serving(api.app, **tls) as url,
        httpx.AsyncClient(base_url=url, headers=auth, verify=trust) as https,
    ):
        assert url.startswith("https://")
        answer = await https.post("/v1/events", json=events)
        assert answer.status_code == 202
        assert [r["outcome"] for r in answer.json()["results"]] == ["duplicate", "recorded"]


async def test_the_openapi_document_holds_the_contract_s_event_schemas(api: Api) -> None:
    document = (await api.http.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for name in ("UpstreamEvent", "TimeLogged", "PatientIdentified", "EventMeta", "Accepted",
                 "Problem", "PatientView", "EventReceipt"):  # fmt: skip
        assert name in schemas, name
    union = schemas["UpstreamEvent"]
    assert union["discriminator"]["propertyName"] == "type"
    assert len(union["oneOf"]) == len(union_members(UpstreamEvent))  # one per contract type
    assert schemas["TimeLogged"]["additionalProperties"] is False
    post = document["paths"]["/v1/events"]["post"]
    body_schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/UpstreamEvent"} in body_schema["oneOf"]
    assert {"202", "401", "403", "413", "422", "429", "503"} <= set(post["responses"])
    assert "HTTPBearer" in document["components"]["securitySchemes"]


async def test_metrics_count_requests_by_route_and_status(
    dev_env: WorkflowEnvironment, app_pool: asyncpg.Pool, api: Api
) -> None:
    port = free_port()
    runtime = Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}"))
    )
    ctx = ApiContext(app_pool, dev_env.client, api.ctx.task_queue, meter=runtime.metric_meter,
                     sdk_metrics_url=f"http://127.0.0.1:{port}/metrics")  # fmt: skip
    app = create_app(ctx)
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.post("/v1/events", json=[])).status_code == 401
        page = await http.get("/metrics")
    assert page.status_code == 200
    assert re.search(
        r'ccm_api_requests\{[^}]*route="/v1/events"[^}]*status="401"[^}]*\} 1', page.text
    )


async def test_ccm_api_serves_with_tokens_from_ccm_api_tokens(
    dev_env: WorkflowEnvironment, db_urls: DatabaseUrls, api: Api, tmp_path: Path
) -> None:
    env = clean_env(**role_env(db_urls), CCM_DATA_DIR=str(tmp_path),
                    TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
                    CCM_TASK_QUEUE=api.ctx.task_queue)  # fmt: skip
    created = await ccm(env, "api", "tokens", "create", "--source", "scheduler", "--label", "t")
    assert created[0] == 0, created[2]
    token_id, token = re.findall(r"token (\d+) for source scheduler", created[1])[0], \
        created[1].splitlines()[-1]  # fmt: skip
    port = free_port()
    server = Process("api", ["api", "--port", str(port)], env, tmp_path, metrics_port=port)
    server.start()
    try:
        await server.healthy()
        p = api.patient()
        event = body([p.identified(recently(), ["E11.9", "I10"])], drop_meta=True)
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=auth) as http:
            answer = await http.post("/v1/events", json=event)
            assert answer.status_code == 202, answer.text
            stored = await api.stored(p)
            assert [s.event_id for s in stored][:1] == [f"scheduler:{event[0]['event_id']}"]
            assert (await http.get("/metrics")).status_code == 200
            listed = await ccm(env, "api", "tokens", "list")
            assert re.search(rf"^\s*{token_id}\s+scheduler\s+active", listed[1], re.M)
            assert token not in listed[1]
            assert (await ccm(env, "api", "tokens", "revoke", token_id))[0] == 0
            assert (await http.post("/v1/events", json=event)).status_code == 401
        assert (await ccm(env, "api", "tokens", "revoke", "999999"))[0] == 2
    finally:
        assert await server.terminate() == 0, server.log_tail()


async def ccm(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
