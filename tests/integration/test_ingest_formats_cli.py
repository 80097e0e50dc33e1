"""``ccm ingest --format hl7|fhir FILE`` as an operator runs it (a subprocess) against a worker
on the Temporal dev server and a real database: mapped events go the ingest path, refused
messages and resources land in the reject file by line or entry, never with a PHI value."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from events.base import stream_for
from events.store import EventStore
from runtime.db_urls import DatabaseUrls
from tests.codec_keys import TEST_KEYS_ENV
from tests.integration.test_report_cli import role_env
from tests.unit.fhir_resources import BIRTH, MBI, NAME, bundle, condition, patient, procedure
from tests.unit.hl7_messages import MRN, adt
from tests.unit.hl7_messages import NAME as HL7_NAME
from upstream.identifiers import link
from worker import build_worker

pytestmark = pytest.mark.integration


async def ingest(env: dict[str, str], *args: str) -> tuple[int, dict[str, object], str]:
    full = {**os.environ, **TEST_KEYS_ENV, **env}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "ingest", *args, env=full,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, json.loads(out), err.decode()


def dtm(at: datetime) -> str:
    return at.strftime("%Y%m%d%H%M%z")


async def test_hl7_and_fhir_files_go_the_ingest_path(
    dev_env: WorkflowEnvironment, db_urls: DatabaseUrls, app_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    queue, tag = f"ingest-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
    env = {**role_env(db_urls), "CCM_DATA_DIR": str(tmp_path), "CCM_TASK_QUEUE": queue,
           "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host}  # fmt: skip
    adt_patient, fhir_patient = f"pa{tag}", f"pf{tag}"
    await link(app_pool, "HOSP", MRN, adt_patient)
    await link(app_pool, "urn:mrn:hosp", f"MRN-{tag}", fhir_patient)
    now = datetime.now(UTC)
    admitted, discharged = now - timedelta(days=6), now - timedelta(days=3)
    messages = [
        adt("A01", control="1", admitted=dtm(admitted), evn=dtm(admitted)),
        adt("A03", control="2", discharged=dtm(discharged), evn=dtm(discharged)),
        adt("A01", control="3", pid3="0000^^^HOSP^MR", evn=dtm(discharged)),
    ]
    hl7 = tmp_path / "adt.hl7"
    hl7.write_bytes(b"\n".join(m.replace(b"\r", b"\n") for m in messages))
    at = now - timedelta(days=5)
    resources = [
        patient(meta={"lastUpdated": at.isoformat()},  # named by its MRN only: linked below
                identifier=[{"system": "urn:mrn:hosp", "value": f"MRN-{tag}"}]),
        condition("E11.9"),
        procedure(performedPeriod={"start": at.isoformat(),
                                   "end": (at + timedelta(minutes=20)).isoformat()}),
        {"resourceType": "Observation", "id": "o1"},
    ]  # fmt: skip
    fhir = tmp_path / "bundle.json"
    fhir.write_text(json.dumps(bundle("batch", *resources)))

    async with build_worker(dev_env.client, app_pool, queue):
        code, summary, err = await ingest(env, "--format", "hl7", str(hl7))
        assert code == 2, err
        assert (summary["recorded"], summary["rejected"]) == (2, 1)
        rejects = (tmp_path / "adt.hl7.rejects.jsonl").read_text()
        assert json.loads(rejects) | {"reason": ""} == {
            "line": 11, "field": "PID-3", "reason": "", "event_id": None,
        }  # fmt: skip
        code, summary, err = await ingest(env, "--format", "fhir", "--source", "ehr", str(fhir))
        assert code == 2, err
        assert (summary["recorded"], summary["rejected"]) == (2, 1)
        fhir_rejects = (tmp_path / "bundle.json.rejects.jsonl").read_text()
        assert json.loads(fhir_rejects)["line"] == 4
        code, summary, _ = await ingest(env, "--format", "hl7", str(hl7))
        assert (summary["recorded"], summary["duplicates"]) == (0, 2)  # nothing doubles

    store = EventStore(app_pool)
    adt_types = [s.type for s in await store.read_stream(stream_for(adt_patient))]
    assert adt_types == ["patient_admitted", "patient_discharged"]
    fhir_events = await store.read_stream(stream_for(fhir_patient))
    facts = {s.type: s.event.meta.source for s in fhir_events if s.event.meta.source != "engine"}
    assert facts == {"patient_identified": "ehr", "time_logged": "ehr"}
    for text in (rejects, fhir_rejects, err):
        for phi in (MRN, "0000", HL7_NAME, NAME, BIRTH, MBI):
            assert phi not in text, phi
