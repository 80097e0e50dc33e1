"""``POST /fhir/r4/Bundle`` as mounted by ``ccm api``: the bearer token decides the source of
every mapped event, a missing or revoked token is refused before anything is mapped, and the
route shares the API's transports (the app in process and a real uvicorn on loopback)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from api import tokens
from tests.unit.fhir_resources import BIRTH, MBI, NAME, bundle, condition, consent, patient

from .conftest import SOURCE, Api, asgi_client, recently, serving


def iso(at: datetime) -> str:
    return at.isoformat()


def new_patient(pid: str, at: datetime) -> dict[str, Any]:
    resources = [
        patient(pid=pid, meta={"lastUpdated": iso(at)}),
        condition("E11.9"), condition("I10", rid="c2"),
        consent(dateTime=iso(at + timedelta(minutes=5))),
    ]  # fmt: skip
    return bundle("transaction", *resources)


async def test_a_bundle_is_recorded_under_the_tokens_source(api: Api) -> None:
    p = api.patient()
    answer = await api.http.post(
        "/fhir/r4/Bundle", json=new_patient(p.id, recently() - timedelta(minutes=10))
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["type"] == "transaction-response"
    stored = await api.stored(p)
    assert {s.type for s in stored} >= {"patient_identified", "consent_recorded"}
    sent = [s for s in stored if s.type in ("patient_identified", "consent_recorded")]
    assert {s.event_id.split(":")[0] for s in sent} == {SOURCE}
    for phi in (NAME, BIRTH, MBI):
        assert phi not in answer.text


async def test_no_token_or_a_revoked_one_is_refused_over_a_real_socket(api: Api) -> None:
    p = api.patient()
    body = new_patient(p.id, recently() - timedelta(minutes=10))
    token_id, token = await tokens.create(api.owner, "scheduler")
    await tokens.revoke(api.owner, token_id)
    async with serving(api.app) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.post("/fhir/r4/Bundle", json=body)).status_code == 401
        revoked = {"Authorization": f"Bearer {token}"}
        answer = await http.post("/fhir/r4/Bundle", json=body, headers=revoked)
        assert answer.status_code == 401
    async with asgi_client(api.app, None) as anonymous:
        assert (await anonymous.post("/fhir/r4/Bundle", json=body)).status_code == 401
    assert await api.stored(p) == []
