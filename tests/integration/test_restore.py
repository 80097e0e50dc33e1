"""Temporal loses everything; ``ccm patients restore`` rebuilds every patient from the store.

Two real dev servers: the session's (the cluster that is lost) and a fresh, empty one (the
cluster after the outage), both on the test's own PostgreSQL. The clearinghouse that is down is
a stand-in for a system outside the engine; everything else is real.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from care.months import close_time, month_of, previous_month
from care.policy import Policy
from events.base import stream_for
from events.decisions import ClaimPrepared, ClaimSubmitted, MonthClosed
from events.store import EventStore
from events.upstream import UpstreamEvent
from runtime.binaries import temporal_cli
from tests.codec_keys import TEST_CONVERTER, TEST_KEYS_ENV
from tests.integration.test_workflow_dev_server import recently
from tests.workflow.builders import TZ, Life, calendar_moments, in_month
from upstream.client import CcmClient
from worker import build_worker
from workflows import search_attributes as sa
from workflows.messages import PatientView
from workflows.patient import PatientCareWorkflow, workflow_id_for
from workflows.search_attributes import cli_flags

pytestmark = pytest.mark.integration


class DownClearinghouse:
    """The clearinghouse during the outage (outside the engine): every hand-over fails."""

    async def submit(self, claim: ClaimPrepared) -> str:
        raise ConnectionError("clearinghouse unreachable")


@pytest_asyncio.fixture(loop_scope="session")
async def fresh_cluster() -> AsyncIterator[WorkflowEnvironment]:
    """An empty Temporal: what the practice has after losing the cluster's data."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        data_converter=TEST_CONVERTER,
        dev_server_extra_args=cli_flags(),
        ui=False,
    )
    try:
        yield env
    finally:
        await env.shutdown()


def history(p: Life, months_ago: int) -> list[UpstreamEvent]:
    """Enrolled ``months_ago`` months back with 25 minutes then, 5 minutes recently."""
    month = month_of(datetime.now(UTC), TZ)
    for _ in range(months_ago):
        month = previous_month(month)
    start = in_month(month, 2)
    return [
        p.identified(start, ["E11.9", "I10"]),
        p.consent(start + timedelta(hours=1)),
        p.care_plan(start + timedelta(hours=2)),
        p.time(start + timedelta(days=3), 25),
        p.time(recently(), 5),
    ]


def closable_since(months_ago: int) -> list[str]:
    """The months from ``months_ago`` back whose close (after the grace days) has come."""
    now = datetime.now(UTC)
    months = [month_of(now, TZ)]
    for _ in range(months_ago):
        months.insert(0, previous_month(months[0]))
    return [m for m in months if close_time(m, TZ, Policy().grace_days) <= now]


async def clear_of_the_calendar(window: timedelta) -> None:
    """Waits, when a month close, an at-risk check or a month's end comes within ``window``, for
    it to pass: the test runs on the real clock for about a minute, and one that came between
    the ingest and the restore would be decided by the restored workflow only."""
    now = datetime.now(UTC)
    coming = [m for m in calendar_moments(now) if now < m <= now + window]
    if coming:
        await asyncio.sleep((max(coming) - now).total_seconds() + 5)


async def ccm(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", *args, env={**os.environ, **TEST_KEYS_ENV, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def stored(store: EventStore, patient_id: str) -> list[Any]:
    return [s.event for s in await store.read_stream(stream_for(patient_id))]


async def until(check: Any, what: str, tries: int = 150) -> Any:
    for _ in range(tries):
        if found := await check():
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def observe(client: Client, patient_id: str) -> tuple[PatientView, dict[str, Any]]:
    handle = client.get_workflow_handle(workflow_id_for(patient_id))
    view = await handle.query(PatientCareWorkflow.view)
    described = await handle.describe()
    attrs = {p.key.name: p.value for p in described.typed_search_attributes}
    return view, {k: v for k, v in attrs.items() if k in {a.name for a in sa.ALL}}


async def lose(client: Client, patient_ids: list[str]) -> None:
    for patient_id in patient_ids:
        with contextlib.suppress(RPCError):
            await client.get_workflow_handle(workflow_id_for(patient_id)).terminate("lost")


async def test_a_lost_cluster_is_rebuilt_from_the_store_and_bills_on(
    dev_env: WorkflowEnvironment,
    fresh_cluster: WorkflowEnvironment,
    pool: asyncpg.Pool,
    db_url: str,
    store: EventStore,
    tmp_path: Path,
) -> None:
    await clear_of_the_calendar(timedelta(minutes=5))
    tag = uuid.uuid4().hex[:8]
    billed, stuck = Life(f"pb{tag}"), Life(f"ps{tag}")
    queue, stuck_queue, after = f"a-{tag}", f"s-{tag}", f"b-{tag}"

    # Before the outage: one patient billed normally, one whose claim could not be handed over.
    async with build_worker(dev_env.client, pool, queue):
        await CcmClient(dev_env.client, queue, TZ).send(history(billed, 2))
        before = await observe(dev_env.client, billed.id)
    async with build_worker(dev_env.client, pool, stuck_queue, DownClearinghouse()):
        sending = asyncio.ensure_future(
            CcmClient(dev_env.client, stuck_queue, TZ).send(history(stuck, 2))
        )

        async def prepared() -> bool:
            return any(isinstance(e, ClaimPrepared) for e in await stored(store, stuck.id))

        await until(prepared, "the stuck patient's claim to be prepared")
        sending.cancel()
        with contextlib.suppress(BaseException):
            await sending
        await lose(dev_env.client, [billed.id, stuck.id])
    stream_before = await stored(store, billed.id)

    # After: an empty cluster; the operator restores both patients, then re-runs it.
    env = {
        "CCM_DATABASE_URL": db_url, "CCM_DATA_DIR": str(tmp_path),
        "TEMPORAL_ADDRESS": fresh_cluster.client.service_client.config.target_host,
        "CCM_TASK_QUEUE": after, "CCM_PRACTICE_TIMEZONE": TZ,
    }  # fmt: skip
    who = ("--patient", billed.id, "--patient", stuck.id, "--patient", f"nobody{tag}")
    async with build_worker(fresh_cluster.client, pool, after):
        code, out, err = await ccm(env, "patients", "restore", *who)
        assert code == 2, err  # one asked-for patient has no stream: named, the rest restored
        summary = json.loads(out)
        assert (summary["started"], summary["no_stream"]) == (2, [f"nobody{tag}"])

        async def submitted() -> bool:
            return any(isinstance(e, ClaimSubmitted) for e in await stored(store, stuck.id))

        await until(submitted, "the restored workflow to hand the stuck claim over")
        restored = await until(lambda: _settled(fresh_cluster.client, billed.id, before),
                               "the restored patient's view and search attributes")  # fmt: skip
        assert restored == before
        assert await stored(store, billed.id) == stream_before  # restoring decides nothing anew

        code, out, _ = await ccm(env, "patients", "restore", "--patient", billed.id)
        assert (code, json.loads(out)["already_running"]) == (0, 1)

        more = billed.time(recently() + timedelta(seconds=1), 20)
        receipt = await CcmClient(fresh_cluster.client, after, TZ).send([more])
        assert receipt.recorded == [more.store_key]
        assert receipt.stream_version == len(stream_before) + 1
        view, _ = await observe(fresh_cluster.client, billed.id)
        assert view.minutes_this_month == before[0].minutes_this_month + 20
        await lose(fresh_cluster.client, [billed.id, stuck.id])

    closes = [e.service_month for e in await stored(store, billed.id) if isinstance(e, MonthClosed)]
    assert closes == closable_since(2)  # each once: the restore re-closed nothing
    outbox = await pool.fetch(
        "SELECT claim_id FROM claims_outbox WHERE patient_id = ANY($1)", [billed.id, stuck.id]
    )
    assert len(outbox) == 2  # each patient's one claim, once


async def _settled(
    client: Client, patient_id: str, want: tuple[PatientView, dict[str, Any]]
) -> tuple[PatientView, dict[str, Any]] | None:
    """The restored workflow's view and attributes once they match (visibility lags)."""
    with contextlib.suppress(RPCError):
        got = await observe(client, patient_id)
        return got if got == want else None
    return None
