"""A month can never produce a second claim: not under activity retries, not when the feed is
re-sent, and not even by a direct insert (the ``one_claim_per_patient_month`` constraint)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHistory
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.clearinghouse import ClaimAlreadyExists, OutboxClearinghouse
from care.decision import ClaimLine
from events.decisions import ClaimPrepared, ClaimSubmitted
from events.store import EventStore
from patient.due import claim_id_for
from upstream.client import CcmClient
from worker import build_worker
from workflows.patient import workflow_id_for

from .builders import closable_months, in_month, life, settle
from .conftest import Engine, running_engine


class FlakyClearinghouse:
    """A FAKE of an outside system (the clearinghouse): its first ``failures`` submissions fail
    with a plain exception, which Temporal retries. Odd attempts fail before handing the claim
    over (an outage); even ones hand it to the real outbox and then fail (a lost acknowledgement),
    so a retry meets a claim that is already there."""

    def __init__(self, pool: asyncpg.Pool, failures: int) -> None:
        self.real = OutboxClearinghouse(pool)
        self.failures = failures
        self.attempts: list[str] = []

    async def submit(self, claim: ClaimPrepared) -> str:
        self.attempts.append(claim.claim_id)
        attempt = len(self.attempts)
        if attempt > self.failures:
            return await self.real.submit(claim)
        if attempt % 2 == 0:
            await self.real.submit(claim)
            raise ConnectionResetError(f"lost acknowledgement for {claim.claim_id}")
        raise ConnectionRefusedError("clearinghouse unavailable")


@dataclass
class FlakyEngine:
    engine: Engine
    clearinghouse: FlakyClearinghouse


@pytest_asyncio.fixture(loop_scope="session")
async def flaky(
    skipping_env: WorkflowEnvironment, pool: asyncpg.Pool, task_queue: str
) -> AsyncIterator[FlakyEngine]:
    """The ``engine`` fixture's setup, with the flaky clearinghouse plugged into the worker."""
    clearinghouse = FlakyClearinghouse(pool, failures=2)
    async with running_engine(skipping_env, pool, task_queue, clearinghouse) as engine:
        yield FlakyEngine(engine, clearinghouse)


async def outbox(pool: asyncpg.Pool, patient_id: str) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT service_month, claim_id FROM claims_outbox WHERE patient_id = $1 ORDER BY 1",
        patient_id,
    )
    return [(r["service_month"], r["claim_id"]) for r in rows]


async def test_retried_submissions_leave_one_claim_per_month(flaky: FlakyEngine) -> None:
    engine, clearinghouse = flaky.engine, flaky.clearinghouse
    p = life(engine.patient())
    m1, m2, m3 = closable_months(await engine.now(), 3)
    feed = [
        *p.enrolled(in_month(m1, 1, hour=9)),
        p.time(in_month(m1, 10), 25),
        p.time(in_month(m2, 10), 5),  # m2 bills nothing
        p.time(in_month(m3, 10), 45),
    ]
    await engine.client.send(feed)
    billed = [(m1, claim_id_for(p.id, m1)), (m3, claim_id_for(p.id, m3))]
    # Two failed attempts for m1's claim (one after it reached the outbox), then success.
    assert clearinghouse.attempts == [billed[0][1]] * 3 + [billed[1][1]]
    assert await outbox(engine.pool, p.id) == billed

    prepared = await engine.events(p, "claim_prepared")
    submitted = await engine.events(p, "claim_submitted")
    assert [s.event.claim_id for s in prepared] == [c for _, c in billed]  # type: ignore[attr-defined]
    for stored, (_, claim_id) in zip(submitted, billed, strict=True):
        assert isinstance(stored.event, ClaimSubmitted)
        assert stored.event.claim_id == claim_id
        assert stored.event.submission_ref == f"outbox:{claim_id}"

    # The whole feed again: nothing new is decided, prepared or submitted.
    again = await engine.client.send(feed)
    assert len(again.duplicates) == len(feed)
    assert await outbox(engine.pool, p.id) == billed
    assert len(await engine.events(p, "claim_prepared")) == 2
    assert len(await engine.events(p, "claim_submitted")) == 2
    assert len(await engine.events(p, "month_closed")) == 3
    assert len(clearinghouse.attempts) == 4


# The refused claim fails the workflow task on purpose, again and again. On this CPython (3.11)
# the worker formatting those failures corrupts the ``ast`` module's shared state for the rest of
# the process (gh-106905: later assertion rewriting and traceback carets raise SystemError), so
# the scenario runs in a pytest of its own, started by the test after it.
ISOLATED = os.environ.get("CCM_TEST_ISOLATED") == "refused-claim"

if ISOLATED:

    @pytest_asyncio.fixture(loop_scope="session")
    async def dev_engine(
        dev_env: WorkflowEnvironment, pool: asyncpg.Pool, task_queue: str
    ) -> AsyncIterator[Engine]:
        """The ``engine`` setup on the real dev server: terminating a workflow whose task keeps
        failing on the time-skipping server would stop its clock for the rest of the session."""
        engine = Engine(
            env=dev_env,
            pool=pool,
            store=EventStore(pool),
            client=CcmClient(dev_env.client, task_queue),
        )
        async with build_worker(dev_env.client, pool, task_queue):
            yield engine
            await engine.terminate_all()

    async def test_isolated_refused_claim_stalls_the_patient(dev_engine: Engine) -> None:
        """Run only by the test below, in its own interpreter."""
        engine = dev_engine
        p = life(engine.patient())
        (month,) = closable_months(await engine.now(), 1)
        await engine.pool.execute(
            "INSERT INTO claims_outbox"
            " (claim_id, patient_id, service_month, practitioner_id, payload)"
            " VALUES ('legacy-claim', $1, $2, 'dr-0', '{}'::jsonb)",
            p.id,
            month,
        )
        feed = [*p.enrolled(in_month(month, 1, hour=9)), p.time(in_month(month, 10), 25)]
        sending = asyncio.ensure_future(engine.client.send(feed))
        handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id))
        failure = ""
        for _ in range(100):  # bounded wait for the first failed workflow task to be recorded
            try:
                history = await handle.fetch_history()
            except RPCError:  # not started yet
                history = WorkflowHistory(handle.id, [])
            failed = [
                e.workflow_task_failed_event_attributes.failure
                for e in history.events
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
            ]
            if failed:
                # The message is stored encrypted (encoded attributes): read it as a client does.
                failure = str(await engine.env.client.data_converter.decode_failure(failed[0]))
                break
            await asyncio.sleep(0.1)
        sending.cancel()
        assert f"claim {claim_id_for(p.id, month)} refused" in failure
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        assert await outbox(engine.pool, p.id) == [(month, "legacy-claim")]
        assert await engine.events(p, "claim_submitted") == []


def test_a_claim_the_outbox_refuses_stalls_the_patient_and_never_adds_a_second() -> None:
    """Another claim already holds the month (say, from the system the practice migrated off):
    the outbox refuses ours, and the patient's workflow waits for an operator, still running
    (its task fails with ClaimRefused; it is not failed, and no second claim is written)."""
    basetemp = Path(tempfile.mkdtemp(prefix="ccm-isolated-"))
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                f"{__file__}::test_isolated_refused_claim_stalls_the_patient",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:hypothesispytest",
                f"--basetemp={basetemp / 'bt'}",
            ],
            env={**os.environ, "CCM_TEST_ISOLATED": "refused-claim"},
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=300,  # a guard against a hang, not a timing assertion
        )
    finally:
        shutil.rmtree(basetemp, ignore_errors=True)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "1 passed" in run.stdout


async def test_a_remittance_is_recorded_and_changes_nothing_billed(engine: Engine) -> None:
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    await engine.client.send(
        [*p.enrolled(in_month(month, 1, hour=9)), p.time(in_month(month, 10), 25)]
    )
    before = await outbox(engine.pool, p.id)
    assert before == [(month, claim_id_for(p.id, month))]
    paid = p.event(
        "claim_adjudicated",
        await engine.now() - timedelta(minutes=5),
        claim_id=claim_id_for(p.id, month),
        status="paid",
        paid_amount="48.39",
    )
    receipt = await engine.client.send([paid])
    assert (receipt.recorded, receipt.late) == ([paid.store_key], [])
    assert [s.event_id for s in await engine.events(p, "claim_adjudicated")] == [paid.store_key]
    assert await outbox(engine.pool, p.id) == before
    assert len(await engine.events(p, "claim_prepared")) == 1
    assert len(await engine.events(p, "month_closed")) == 1
    await settle(engine.env.client, engine.patients)  # idle before the fixture terminates it


def claim(patient_id: str, month: str, claim_id: str) -> ClaimPrepared:
    return ClaimPrepared(
        event_id=f"{patient_id}.claim-prepared.{month}",
        patient_id=patient_id,
        occurred_at=datetime(2026, 1, 4, 12, tzinfo=UTC),
        claim_id=claim_id,
        service_month=month,
        practitioner_id="dr-1",
        codes=[ClaimLine(code="99490", units=1, date_of_service=date(2025, 12, 31))],
        date_of_service=date(2025, 12, 31),
        allowed_amount=Decimal("60.49"),
        patient_share=Decimal("12.10"),
    )


async def test_the_database_refuses_a_second_claim_for_a_patient_month(
    pool: asyncpg.Pool,
) -> None:
    insert = (
        "INSERT INTO claims_outbox (claim_id, patient_id, service_month, practitioner_id, payload)"
        " VALUES ($1, $2, $3, 'dr-1', '{}'::jsonb)"
    )
    await pool.execute(insert, "claim-a", "p-db", "2025-12")
    with pytest.raises(asyncpg.UniqueViolationError) as refused:
        await pool.execute(insert, "claim-b", "p-db", "2025-12")
    assert refused.value.constraint_name == "one_claim_per_patient_month"
    await pool.execute(insert, "claim-c", "p-db", "2026-01")  # another month is fine
    await pool.execute(insert, "claim-d", "p-other", "2025-12")  # and another patient
    count = await pool.fetchval("SELECT count(*) FROM claims_outbox WHERE patient_id = 'p-db'")
    assert count == 2


async def test_the_outbox_adapter_is_idempotent_per_claim_and_refuses_a_second_one(
    pool: asyncpg.Pool,
) -> None:
    outbox_adapter = OutboxClearinghouse(pool)
    first = claim("p-ob", "2025-12", "claim-p-ob-2025-12")
    assert await outbox_adapter.submit(first) == "outbox:claim-p-ob-2025-12"
    assert await outbox_adapter.submit(first) == "outbox:claim-p-ob-2025-12"  # a retry: no-op
    with pytest.raises(ClaimAlreadyExists, match="2025-12"):
        await outbox_adapter.submit(claim("p-ob", "2025-12", "claim-other"))
    assert await outbox(pool, "p-ob") == [("2025-12", "claim-p-ob-2025-12")]


def test_a_claim_id_names_exactly_one_patient_month() -> None:
    assert claim_id_for("p1", "2025-12") == claim_id_for("p1", "2025-12")
    assert claim_id_for("p1", "2025-12") != claim_id_for("p1", "2026-01")
    assert claim_id_for("p1", "2025-12") != claim_id_for("p2", "2025-12")
