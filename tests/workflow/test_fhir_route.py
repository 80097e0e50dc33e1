"""``POST /fhir/r4/Bundle`` on a minimal FastAPI app served by a real uvicorn on loopback, sent
through ``CcmClient`` to a worker on the time-skipping server and the real event store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
import uvicorn
from fastapi import FastAPI

from fhir_in.delivery import client_send
from fhir_in.routes import build_router
from tests.unit.fhir_resources import (
    BIRTH,
    MBI,
    NAME,
    bundle,
    condition,
    consent,
    patient,
    procedure,
)

from .builders import closable_months, in_month
from .conftest import Engine


def ehr() -> str:
    """Stands in for the API's bearer-token dependency: the authenticated source."""
    return "ehr"


@pytest_asyncio.fixture(loop_scope="session")
async def fhir(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    now = await engine.now()
    app = FastAPI()
    app.include_router(build_router(client_send(engine.client), ehr, clock=lambda: now))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="off"))  # fmt: skip
    task = asyncio.create_task(server.serve())
    for _ in range(600):  # a bound on waiting for the server to bind, not an expectation
        if server.started or task.done():
            break
        await asyncio.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        yield client
    server.should_exit = True
    await task


def iso(at: datetime) -> str:
    return at.isoformat()


def practice_bundle(kind: str, pid: str, at: datetime, **over: Any) -> dict[str, Any]:
    """A new patient, two conditions, consent and 25 minutes of care, all dated from ``at``."""
    start = at + timedelta(days=2)
    resources = [
        patient(pid=pid, meta={"lastUpdated": iso(at)}),
        condition("E11.9"), condition("I10", rid="c2"),
        consent(dateTime=iso(at + timedelta(days=1))),
        procedure(performedPeriod={"start": iso(start), "end": iso(start + timedelta(minutes=25))}),
    ]  # fmt: skip
    return bundle(kind, *resources)


async def test_a_batch_is_recorded_and_sent_again_is_already_recorded(
    engine: Engine, fhir: httpx.AsyncClient
) -> None:
    pid = engine.patient().id
    (month,) = closable_months(await engine.now(), 1)
    body = practice_bundle("batch", pid, in_month(month, 1, hour=9))
    answer = await fhir.post("/fhir/r4/Bundle", json=body)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/fhir+json"
    statuses = [e["response"]["status"] for e in answer.json()["entry"]]
    assert answer.json()["type"] == "batch-response" and statuses == ["201 Created"] * 5
    stored = [s.type for s in await engine.store.read_stream(f"patient-{pid}")]
    assert {"patient_identified", "consent_recorded", "time_logged"} <= set(stored)
    again = await fhir.post("/fhir/r4/Bundle", json=body)
    assert [e["response"]["status"] for e in again.json()["entry"]] == ["200 OK"] * 5


async def test_refusals_are_operation_outcomes_without_phi(
    engine: Engine, fhir: httpx.AsyncClient
) -> None:
    pid = engine.patient().id
    at = (await engine.now()) - timedelta(days=10)
    body = practice_bundle("transaction", pid, at)
    body["entry"][1]["resource"]["code"]["coding"][0]["code"] = "NOT-ICD"
    answer = await fhir.post("/fhir/r4/Bundle", json=body)
    assert answer.status_code == 422
    issues = answer.json()["issue"]
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert [i["expression"] for i in issues] == [["Patient"], ["Condition.code.coding.code"]]
    assert issues[1]["diagnostics"] == "entry 2 Condition/c1: not valid ICD-10-CM syntax"
    for phi in (NAME, BIRTH, MBI, "NOT-ICD"):
        assert phi not in answer.text
    assert await engine.store.read_stream(f"patient-{pid}") == []

    batch = practice_bundle("batch", pid, at)
    batch["entry"][3]["resource"]["extension"] = batch["entry"][3]["resource"]["extension"][:3]
    answer = await fhir.post("/fhir/r4/Bundle", json=batch)
    entries = answer.json()["entry"]
    assert [e["response"]["status"] for e in entries][3] == "422 Unprocessable Entity"
    diagnostics = entries[3]["response"]["outcome"]["issue"][0]["diagnostics"]
    assert diagnostics.startswith("entry 4 Consent/cons1: ")
    assert (
        "disclosures.one_practitioner" in diagnostics
        and "required disclosure missing" in diagnostics
    )

    bad = await fhir.post("/fhir/r4/Bundle", json={"resourceType": "Bundle", "type": "collection"})
    assert bad.status_code == 400 and bad.json()["issue"][0]["expression"] == ["Bundle.type"]
