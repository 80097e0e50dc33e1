"""``ccm hl7 listen`` as an operator runs it (a subprocess), with a sender on a real MLLP socket,
a worker on the Temporal dev server and a real database."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from events.base import stream_for
from events.store import EventStore
from hl7_in.mllp import END, frame
from runtime.db_urls import DatabaseUrls
from tests.codec_keys import TEST_KEYS_ENV
from tests.integration.test_report_cli import role_env
from tests.unit.hl7_messages import MRN, adt
from upstream.identifiers import link
from worker import build_worker

pytestmark = pytest.mark.integration


async def ack_of(port: int, message: bytes) -> list[str]:
    """The MSA segment's fields of the ACK to ``message``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(frame(message))
    await writer.drain()
    raw = await asyncio.wait_for(reader.readuntil(END), timeout=60)
    writer.close()
    return raw[1:-2].decode().split("\r")[1].split("|")


async def test_the_listener_acks_and_records(
    dev_env: WorkflowEnvironment, db_urls: DatabaseUrls, app_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    queue, patient = f"hl7-{uuid.uuid4().hex[:8]}", f"ph{uuid.uuid4().hex[:8]}"
    await link(app_pool, "HOSP", MRN, patient)
    env = {**os.environ, **TEST_KEYS_ENV, **role_env(db_urls), "CCM_DATA_DIR": str(tmp_path),
           "CCM_TASK_QUEUE": queue,
           "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host}  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "hl7", "listen", "--port", "0", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
        port = int(json.loads(line)["listening"].rsplit(":", 1)[1])
        admitted = datetime.now(UTC) - timedelta(days=1)
        stamp = admitted.strftime("%Y%m%d%H%M%z")
        async with build_worker(dev_env.client, app_pool, queue):
            msa = await ack_of(port, adt("A01", control="L1", admitted=stamp, evn=stamp))
            assert msa[:3] == ["MSA", "AA", "L1"]
            msa = await ack_of(port, adt("A01", control="L2", pid3="1^^^HOSP^MR", evn=stamp))
            assert msa[:3] == ["MSA", "AE", "L2"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err
    assert MRN not in err.decode()
    stored = await EventStore(app_pool).read_stream(stream_for(patient))
    assert [s.type for s in stored] == ["patient_admitted"]
