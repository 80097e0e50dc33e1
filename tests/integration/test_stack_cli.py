"""``ccm dev`` as a user runs it: brought up, found by other commands, stopped by a signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.pg_secrets import secrets_path
from runtime.processes import pid_alive
from runtime.services import SERVICES_FILE, Services

pytestmark = pytest.mark.integration

CCM = str(Path(sys.executable).parent / "ccm")


def dev_env(data_dir: Path, ports: tuple[int, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CCM_DATABASE_URL", "TEMPORAL_ADDRESS"}}
    env |= {
        "CCM_DATA_DIR": str(data_dir),
        "CCM_TEMPORAL_PORT": str(ports[0]),
        "CCM_UI_PORT": str(ports[1]),
        "CCM_CODEC_PORT": "0",  # any free port: never a running `ccm dev`'s
    }
    return env


def test_dev_exit_after_start_prints_where_everything_is(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> None:
    done = subprocess.run(
        [CCM, "dev", "--exit-after-start"],
        env=dev_env(stack_data_dir, free_ports),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"Temporal UI    http://127.0.0.1:{free_ports[1]}" in done.stdout
    assert f"Temporal gRPC  127.0.0.1:{free_ports[0]}" in done.stdout
    assert f"host={stack_data_dir.resolve()}/pg" in done.stdout
    assert "postgresql://ccm_app:***@" in done.stdout
    passwords = json.loads(secrets_path(stack_data_dir).read_text()).values()
    assert not [p for p in passwords if p in done.stdout + done.stderr]
    assert done.stdout.rstrip().endswith("ccm dev: stopped")
    assert not (stack_data_dir / SERVICES_FILE).exists()


def test_sigterm_stops_every_process_dev_started(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> None:
    env = dev_env(stack_data_dir, free_ports)
    with subprocess.Popen([CCM, "dev"], env=env, stdout=subprocess.PIPE, text=True) as dev:
        assert dev.stdout is not None
        for line in dev.stdout:
            if line.startswith("Press Ctrl-C"):
                break
        services = Services.model_validate_json((stack_data_dir / SERVICES_FILE).read_text())
        # Another command on the same data dir finds the running stack instead of starting one.
        other = subprocess.run(
            [CCM, "db", "migrate"], env=env, capture_output=True, text=True, check=False
        )
        assert (other.returncode, other.stdout) == (0, "up to date\n"), other.stderr
        dev.send_signal(signal.SIGTERM)
        assert dev.wait() == 0
        assert dev.stdout.read().rstrip().endswith("ccm dev: stopped")
    assert services.temporal_pid is not None and services.postgres_pid is not None
    assert not pid_alive(services.temporal_pid)
    assert not pid_alive(services.postgres_pid)
    assert not (stack_data_dir / SERVICES_FILE).exists()


def test_worker_alone_never_starts_services_and_says_what_to_do(stack_data_dir: Path) -> None:
    env = dev_env(stack_data_dir, (0, 0))
    done = subprocess.run([CCM, "worker"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("ccm worker: no database: CCM_DATABASE_URL is not set and no")
    assert str(stack_data_dir.resolve()) in done.stderr and "\n" not in done.stderr[:-1]
    assert not (stack_data_dir / "pg").exists()
