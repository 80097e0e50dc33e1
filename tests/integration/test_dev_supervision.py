"""``ccm dev`` looks after itself: a killed PostgreSQL or Temporal comes back by itself, on the
same addresses, services.json tells the truth throughout, and a second ``ccm dev`` is refused
with the first one's pid. The operator does nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from runtime.services import SERVICES_FILE, Services
from tests.integration.test_stack_cli import CCM, dev_env
from tests.integration.test_workflow_dev_server import recently
from tests.workflow.builders import Life

pytestmark = pytest.mark.integration


def published(data_dir: Path) -> Services:
    return Services.model_validate_json((data_dir / SERVICES_FILE).read_text())


def restarted(data_dir: Path, field: str, old: int, timeout_s: float = 60) -> tuple[int, float]:
    """The new pid ``services.json`` names for ``field``, and how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        pid = getattr(published(data_dir), field)
        if pid not in (None, old):
            return pid, time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"{field} was not restarted within {timeout_s} s")


def send(env: dict[str, str], p: Life, seconds: int) -> subprocess.CompletedProcess[str]:
    event = p.identified(recently(), ["E11.9", "I10"]) if seconds == 0 else p.consent(recently())
    return subprocess.run(
        [CCM, "send", event.model_dump_json()], env=env, capture_output=True, text=True,
        check=False, timeout=180,
    )  # fmt: skip


def test_killed_services_come_back_by_themselves(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> None:
    env = dev_env(stack_data_dir, free_ports)
    with subprocess.Popen(
        [CCM, "dev"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as dev:
        assert dev.stdout is not None and dev.stderr is not None
        for line in dev.stdout:
            if line.startswith("Press Ctrl-C"):
                break
        first = published(stack_data_dir)
        second = subprocess.run([CCM, "dev"], env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"already running for {stack_data_dir.resolve()} (pid {dev.pid})" in second.stderr

        assert first.postgres_pid is not None and first.temporal_pid is not None
        os.kill(first.postgres_pid, signal.SIGKILL)
        _, pg_took = restarted(stack_data_dir, "postgres_pid", first.postgres_pid)
        p = Life(f"sv{os.getpid()}")
        done = send(env, p, 0)
        assert done.returncode == 0, done.stderr

        os.kill(first.temporal_pid, signal.SIGKILL)
        _, temporal_took = restarted(stack_data_dir, "temporal_pid", first.temporal_pid)
        done = send(env, p, 1)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["phase"] == "enrolled"
        print(f"recovery: postgres {pg_took:.1f} s, temporal {temporal_took:.1f} s")

        dev.send_signal(signal.SIGTERM)
        assert dev.wait(timeout=120) == 0
        logged = [json.loads(line) for line in dev.stderr if line.startswith("{")]
    died = {(e["service"], e["why"].split(" ")[0]) for e in logged if e["event"] == "service_died"}
    assert died == {("postgres", "postmaster"), ("temporal", "killed")}
    assert {e["service"] for e in logged if e["event"] == "service_restarted"} == {
        "postgres",
        "temporal",
    }
    assert not (stack_data_dir / SERVICES_FILE).exists()
