"""An operator's corrective event, sent as the Web UI's *Update* action on ``record`` sends it:
through the ``temporal`` CLI against the dev server with the worker running. Encrypted through
the codec server (what the UI does once signed in to it), and as plain JSON (a client with no
codec: the worker's codec passes unencrypted payloads through, but the CLI cannot show the
sealed receipt and exits 1 although the event was stored)."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from runtime.binaries import temporal_cli
from runtime.codec_server.serve import start_codec_server
from tests.codec_keys import TEST_KEYS
from workflows.patient import workflow_id_for

from .conftest import Api, body, recently

pytestmark = pytest.mark.integration
CODEC_TOKEN = "operator-test-token"


def correction(patient_id: str, event_id: str, minutes: int) -> str:
    """The Update's input as an operator pastes it: one RecordBatch of one event."""
    at = recently().isoformat()
    event = {
        "type": "time_logged", "event_id": event_id, "patient_id": patient_id,
        "occurred_at": at, "meta": {"source": "operator", "actor": "rn-7"},
        "entry_id": event_id, "staff_id": "rn-7", "role": "clinical_staff",
        "minutes": minutes, "at": at,
    }  # fmt: skip
    return json.dumps({"events": [event]})


async def temporal(env: WorkflowEnvironment, *args: str) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    address = env.client.service_client.config.target_host
    proc = await asyncio.create_subprocess_exec(
        temporal_cli(), *args, "--address", address, "--output", "json", env=clean,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_an_operator_update_on_record_stores_one_corrective_event(
    dev_env: WorkflowEnvironment, api: Api
) -> None:
    p = api.patient()
    at = recently() - timedelta(minutes=5)
    enrolled = [p.identified(at, ["E11.9", "I10"]), p.consent(at), p.care_plan(at)]
    assert (await api.http.post("/v1/events", json=body(enrolled))).status_code == 202
    update = ("workflow", "update", "execute", "--workflow-id", workflow_id_for(p.id),
              "--name", "record")  # fmt: skip

    codec = await start_codec_server(TEST_KEYS, CODEC_TOKEN, [], port=0)
    try:
        sealed = await temporal(
            dev_env, *update, "--input", correction(p.id, "fix-1", 12),
            "--codec-endpoint", codec.url, "--codec-auth", f"Bearer {CODEC_TOKEN}",
        )  # fmt: skip
    finally:
        await codec.stop()
    assert sealed[0] == 0, sealed[2]
    assert "operator:fix-1" in sealed[1]  # the receipt, decoded by the codec server

    # Without the codec the update is applied, but the sealed receipt cannot be shown: exit 1.
    plain = await temporal(dev_env, *update, "--input", correction(p.id, "fix-2", 8))
    assert plain[0] == 1 and "binary/encrypted" in plain[2], plain

    stored = [s.event_id for s in await api.stored(p)]
    assert "operator:fix-1" in stored and "operator:fix-2" in stored
    view = (await api.http.get(f"/v1/patients/{p.id}")).json()
    assert view["minutes_this_month"] == 20
