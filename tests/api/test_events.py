"""``POST /v1/events`` through the ASGI client into the dev server and the store: 202 with what
became of each event, idempotent by event id, 422 per refused event (never a PHI value), 403 for
a source the token does not hold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.upstream import UpstreamEvent
from tests.workflow.builders import Life, in_month, past_months

from .conftest import SOURCE, Api, body, recently

pytestmark = pytest.mark.integration
PHI = {"name": "Ada Lovelace", "mbi": "1EG4TE5MK73", "birth_date": "1941-02-03"}


def enrolled(p: Life, minutes: int) -> list[UpstreamEvent]:
    at = recently()
    return [
        p.identified(at, ["E11.9", "I10"], demographics=PHI),
        p.consent(at + timedelta(seconds=1)),
        p.care_plan(at + timedelta(seconds=2)),
        p.time(at + timedelta(seconds=3), minutes),
    ]


async def test_a_batch_of_two_patients_is_stored_in_order_and_sent_again_doubles_nothing(
    api: Api,
) -> None:
    a, b = api.patient(), api.patient()
    events = [*enrolled(a, 25), *enrolled(b, 5)]
    request = body(events[:4]) + body(events[4:], drop_meta=True)  # b: the token names the source
    first = await api.http.post("/v1/events", json=request)
    assert first.status_code == 202, first.text
    answer = first.json()
    assert [r["outcome"] for r in answer["results"]] == ["recorded"] * 8
    assert [r["event_id"] for r in answer["results"]] == [e.event_id for e in events]
    assert answer["patients"][a.id]["phase"] == "active"
    stored = [s.event_id for s in await api.stored(b) if s.event.meta.source == SOURCE]
    assert [f"{SOURCE}:{e.event_id}" for e in events[4:]] == stored[: len(events[4:])]
    before = [[s.event_id for s in await api.stored(p)] for p in (a, b)]

    again = await api.http.post("/v1/events", json=request)
    assert again.status_code == 202
    assert {r["outcome"] for r in again.json()["results"]} == {"duplicate"}
    assert [[s.event_id for s in await api.stored(p)] for p in (a, b)] == before


async def test_one_event_alone_is_a_batch_of_one(api: Api) -> None:
    p = api.patient()
    one = p.identified(recently(), ["E11.9", "I10"])
    answer = await api.http.post("/v1/events", json=body([one])[0])
    assert answer.status_code == 202
    assert answer.json()["results"] == [
        {"index": 0, "event_id": one.event_id, "patient_id": p.id, "outcome": "recorded"}
    ]


async def test_contract_refusals_name_index_and_field_never_a_value_and_store_nothing(
    api: Api,
) -> None:
    p = api.patient()
    good, zero, extra, bad_name = body(
        [
            p.identified(recently(), ["E11.9", "I10"]),
            p.time(recently(), 5),
            p.time(recently(), 6),
            p.identified(recently(), ["E11.9", "I10"], demographics=PHI),
        ]
    )
    zero["minutes"] = 0
    extra["ssn"] = "078-05-1120"
    bad_name["demographics"]["birth_date"] = "Ada Lovelace 1941"
    answer = await api.http.post("/v1/events", json=[good, zero, extra, bad_name])
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["error"] == "refused" and "nothing was sent" in problem["detail"]
    refused = {r["index"]: r for r in problem["refused"]}
    assert sorted(refused) == [1, 2, 3]
    assert refused[1]["field"] == "minutes" and "(got 0)" in refused[1]["reason"]
    assert refused[2]["field"] == "ssn" and refused[2]["reason"] == "not a field of this event type"
    assert refused[3]["field"] == "demographics.birth_date"
    for value in ("078-05-1120", "Ada", "Lovelace", "1941"):
        assert value not in answer.text
    assert await api.stored(p) == []


async def test_a_body_that_is_not_json_or_empty_is_refused_whole(api: Api) -> None:
    broken = await api.http.post("/v1/events", content=b'{"type": "time_logged", "minutes": 0')
    assert broken.status_code == 422
    assert broken.json()["refused"][0]["field"] == "(body)"
    assert "time_logged" not in broken.text
    empty = await api.http.post("/v1/events", json=[])
    assert (
        empty.status_code == 422 and empty.json()["refused"][0]["reason"] == "no event in the array"
    )


async def test_a_workflow_refusal_stops_that_patient_only(api: Api) -> None:
    a, b = api.patient(), api.patient()
    at = recently()
    refused = a.consent(at + timedelta(seconds=1), availability=False)
    request = body([a.identified(at, ["E11.9", "I10"]), refused, *enrolled(b, 3)])
    answer = await api.http.post("/v1/events", json=request)
    assert answer.status_code == 422
    problem = answer.json()
    outcomes = [r["outcome"] for r in problem["results"]]
    assert outcomes == ["not_sent", "refused"] + ["recorded"] * 4
    why = {r["index"]: r for r in problem["refused"]}
    assert why[1]["field"] == "disclosures.availability"
    assert why[1]["reason"] == "required disclosure missing"
    assert why[0]["event_id"] == request[0]["event_id"] and "not sent" in why[0]["reason"]
    assert await api.stored(a) == [] and len(await api.stored(b)) >= 4


async def test_an_event_claiming_another_source_is_refused_403_and_nothing_is_sent(
    api: Api,
) -> None:
    p = api.patient()
    mine, theirs = body([p.identified(recently(), ["E11.9", "I10"]), p.time(recently(), 5)])
    theirs["meta"] = {"source": "scheduler"}
    answer = await api.http.post("/v1/events", json=[mine, theirs])
    assert answer.status_code == 403
    problem = answer.json()
    assert problem["error"] == "forbidden"
    assert problem["refused"] == [
        {"index": 1, "event_id": theirs["event_id"], "field": "meta.source",
         "reason": f"this token writes as source {SOURCE!r} only"}
    ]  # fmt: skip
    assert await api.stored(p) == []


async def test_receipts_say_recorded_or_late_and_404_for_what_was_never_stored(api: Api) -> None:
    p = api.patient()
    first = past_months(recently(), 3)[0]  # closed: its month end and grace have passed
    history = [*p.enrolled(in_month(first, 2)), p.time(in_month(first, 10), 20)]
    assert (await api.http.post("/v1/events", json=body(history))).status_code == 202
    late = p.time(in_month(first, 27), 30)
    answer = await api.http.post("/v1/events", json=body([late]))
    assert answer.status_code == 202 and answer.json()["results"][0]["outcome"] == "late"

    receipt = (await api.http.get(f"/v1/receipts/{late.event_id}")).json()
    assert receipt["outcome"] == "late" and receipt["late_for_month"] == first
    assert receipt["patient_id"] == p.id and receipt["source"] == SOURCE
    recorded = (await api.http.get(f"/v1/receipts/{history[-1].event_id}")).json()
    assert recorded["outcome"] == "recorded" and recorded["late_for_month"] is None
    missing = await api.http.get("/v1/receipts/never-sent-1")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


async def test_a_patient_view_has_counts_and_ids_never_a_demographic(api: Api) -> None:
    p = api.patient()
    assert (await api.http.post("/v1/events", json=body(enrolled(p, 25)))).status_code == 202
    view = await api.http.get(f"/v1/patients/{p.id}")
    assert view.status_code == 200
    assert view.json()["phase"] == "active" and view.json()["minutes_this_month"] == 25
    for value in PHI.values():
        assert value not in view.text
    unknown = await api.http.get("/v1/patients/p-nobody-here")
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
