"""Faults during an ingest, on ``ccm dev`` plus an extra worker and projector process: SIGKILL
of the worker, of the Temporal dev server, of the postmaster and of the projector, and a
freeze of PostgreSQL. Nothing is lost, no claim is doubled, every closed month is billed as
designed, and the operator does nothing: each fault is recovered by the stack itself.

CI runs a small practice; a bigger run by hand (the issue's shape) prints how long each recovery
took: ``CCM_FAULT_PATIENTS=300 CCM_FAULT_FREEZE_S=60 .venv/bin/pytest -s -k fault tests``
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import psutil
import pytest
import pytest_asyncio

from runtime.embedded_pg import published_urls
from runtime.services import SERVICES_FILE, Services
from tests.integration.billing_oracle import assert_billed_as_designed
from tests.integration.processes import CCM, Process, clean_env
from tests.integration.test_deployment_layout import write_feed
from tests.integration.test_workflow_dev_server import recently
from tests.workflow.builders import TZ, Life

pytestmark = pytest.mark.integration
PATIENTS = int(os.environ.get("CCM_FAULT_PATIENTS", "24"))
FREEZE_S = float(os.environ.get("CCM_FAULT_FREEZE_S", "10"))


@pytest_asyncio.fixture(loop_scope="session")
async def dev_stack(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> AsyncIterator[tuple[dict[str, str], dict[str, Process]]]:
    env = clean_env(
        CCM_DATA_DIR=str(stack_data_dir), CCM_TEMPORAL_PORT=str(free_ports[0]),
        CCM_UI_PORT=str(free_ports[1]), CCM_CODEC_PORT="0", CCM_PRACTICE_TIMEZONE=TZ,
    )  # fmt: skip
    procs = {name: Process(name, [cmd], env, stack_data_dir) for name, cmd in
             (("dev", "dev"), ("worker", "worker"), ("projector", "projector"))}  # fmt: skip
    procs["dev"].start()
    await _until(lambda: (stack_data_dir / SERVICES_FILE).exists(), 180, "ccm dev to come up")
    procs["worker"].start()
    procs["projector"].start()
    try:
        yield env, procs
    finally:
        for p in procs.values():
            if p.proc is not None and p.proc.poll() is None:
                p.kill()


async def test_the_stack_recovers_from_every_fault_by_itself(
    dev_stack: tuple[dict[str, str], dict[str, Process]], stack_data_dir: Path
) -> None:
    env, procs = dev_stack
    feed, path = write_feed(stack_data_dir, PATIENTS)
    ingest = await asyncio.create_subprocess_exec(
        CCM, "ingest", str(path), env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    services = Services.model_validate_json((stack_data_dir / SERVICES_FILE).read_text())
    assert services.postgres_pid and services.temporal_pid
    faults: list[tuple[str, Callable[[], None]]] = [
        ("SIGKILL worker", procs["worker"].kill),
        (
            "SIGKILL Temporal dev server",
            lambda: os.kill(services.temporal_pid or 0, signal.SIGKILL),
        ),
        ("SIGKILL postmaster", lambda: _kill_postmaster(stack_data_dir)),
        ("SIGKILL projector", procs["projector"].kill),
        (f"freeze PostgreSQL {FREEZE_S:.0f} s", lambda: _freeze(stack_data_dir)),
    ]
    recovered = {}
    for n, (name, fault) in enumerate(faults, start=1):
        await _until_ingested(stack_data_dir, len(feed.events) * n // (len(faults) + 1))
        fault()
        recovered[name] = await _probe(env, f"probe{n}")
    out, _ = await ingest.communicate()
    summary = json.loads(out.decode().strip().splitlines()[-1])
    assert summary["undelivered"] == 0 and ingest.returncode in (0, 2), summary
    async with _pool(stack_data_dir) as pool:
        await assert_billed_as_designed(pool, feed)
    status = await _run(env, "status")
    assert status[0] == 0, status[1]
    for name, seconds in recovered.items():
        print(f"{name:<32} operator: nothing   recovered in {seconds:5.1f} s")
    assert await procs["dev"].terminate() == 0, procs["dev"].log_tail()


async def _probe(env: dict[str, str], patient: str) -> float:
    """Seconds until a new patient's first event is recorded end to end (Temporal, a worker,
    PostgreSQL), sent again by ``ccm send`` until it is."""
    started = time.monotonic()
    event = Life(patient).identified(recently(), ["E11.9", "I10"]).model_dump_json()
    while time.monotonic() - started < 300:
        code, _ = await _run(env, "send", event)
        if code == 0:
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    raise AssertionError(f"{patient}: not recorded within 300 s")


async def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        CCM, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def _postmaster(data_dir: Path) -> int:
    return int((data_dir / "pg" / "postmaster.pid").read_text().split()[0])


def _kill_postmaster(data_dir: Path) -> None:
    os.kill(_postmaster(data_dir), signal.SIGKILL)


def _freeze(data_dir: Path) -> None:
    """Stops the postmaster and every backend (a stalled disk or a VM pause), then thaws them."""
    postmaster = psutil.Process(_postmaster(data_dir))
    frozen = [postmaster, *postmaster.children(recursive=True)]
    for proc in frozen:
        proc.send_signal(signal.SIGSTOP)

    def thaw() -> None:
        for proc in frozen:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.send_signal(signal.SIGCONT)

    asyncio.get_running_loop().call_later(FREEZE_S, thaw)


async def _until_ingested(data_dir: Path, count: int) -> None:
    """Until ``count`` events are stored (the database may be restarting meanwhile)."""
    for _ in range(3000):
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            async with _pool(data_dir) as pool:
                if await pool.fetchval("SELECT count(*) FROM events") >= count:
                    return
        await asyncio.sleep(0.2)
    raise AssertionError(f"fewer than {count} events stored in 10 minutes")


def _pool(data_dir: Path) -> asyncpg.Pool:
    """A pool as the app role on the running ``ccm dev``'s database."""
    running = Services.model_validate_json((data_dir / SERVICES_FILE).read_text())
    assert running.database_url is not None
    url = published_urls(running.database_url, data_dir).app
    return asyncpg.create_pool(url, min_size=1, max_size=2)


async def _until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.3)
