"""``ccm status`` as an operator runs it: a healthy stack exits 0; a degraded one names each
problem and what to run, in a table and as JSON, and exits 1 (real PostgreSQL, real dev server,
a real worker and projection runner)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from projections.runner import run_projections
from runtime.db_urls import DatabaseUrls
from tests.codec_keys import TEST_KEYS_ENV
from worker import build_worker

pytestmark = pytest.mark.integration


async def ccm_status(env: dict[str, str], *args: str) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CCM_", "TEMPORAL_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "status", *args, env={**clean, **TEST_KEYS_ENV, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None and not err, err
    return proc.returncode, out.decode()


def stack_env(
    urls: DatabaseUrls, dev_env: WorkflowEnvironment, queue: str, tmp: Path
) -> dict[str, str]:
    return {
        "CCM_DATABASE_URL": urls.app, "CCM_DATABASE_REPORT_URL": urls.report,
        "CCM_DATABASE_OWNER_URL": urls.owner, "CCM_DATA_DIR": str(tmp),
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "CCM_TASK_QUEUE": queue,
    }  # fmt: skip


async def test_a_healthy_stack_says_so(
    dev_env: WorkflowEnvironment, db_urls: DatabaseUrls, app_pool: asyncpg.Pool,
    task_queue: str, tmp_path: Path,
) -> None:  # fmt: skip
    stop = asyncio.Event()
    runner = asyncio.create_task(run_projections(app_pool, stop))
    async with build_worker(dev_env.client, app_pool, task_queue):
        await asyncio.sleep(2)  # the runner takes its locks, the worker polls
        code, out = await ccm_status(stack_env(db_urls, dev_env, task_queue, tmp_path))
    stop.set()
    await runner
    assert code == 0, out
    assert out.splitlines()[0].endswith("healthy")
    for name in ("database", "projection ledger", "temporal", "workers", "patient workflows"):
        assert any(line.split()[1:2] == [name.split()[0]] for line in out.splitlines()), name
    assert "PROBLEMS" not in out and "DOWN" not in out


async def test_a_degraded_stack_names_each_problem(
    dev_env: WorkflowEnvironment, db_urls: DatabaseUrls, tmp_path: Path
) -> None:
    env = stack_env(db_urls, dev_env, "no-worker-polls-this", tmp_path)
    code, out = await ccm_status(env)
    assert code == 1
    assert "no worker polls no-worker-polls-this: start `ccm worker`" in out
    env["CCM_DATABASE_URL"] = env["CCM_DATABASE_REPORT_URL"] = "postgresql://x@/db?host=/nowhere"
    code, out = await ccm_status(env, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["healthy"] is False
    database = next(c for c in report["components"] if c["name"] == "database")
    assert database["up"] is False and "unreachable" in database["problems"][0]
    assert {c["name"] for c in report["components"]} >= {"temporal", "workers"}
