"""The processes ``bench/api_load.py`` drives, as a deployment runs them: ``ccm dev`` (embedded
PostgreSQL, the Temporal dev server, the worker, the projector) and ``ccm api``, on free loopback
ports in a temporary data dir, stopped with SIGTERM (then SIGKILL) when the bench ends."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from runtime.ports import free_port

CCM = str(Path(sys.executable).parent / "ccm")


@dataclass(frozen=True)
class Stack:
    env: dict[str, str]
    data_dir: Path
    api_url: str
    token: str


@contextlib.contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen([CCM, *args], env=env, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


def _ready(ready: str, log: Path) -> bool:
    """``ready`` is a log line, or an http:// URL that must answer 200."""
    if not ready.startswith("http://"):
        return ready in log.read_text(errors="replace")
    try:
        with urllib.request.urlopen(ready, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


async def _until(ready: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    """Waits until ``ready`` holds, or fails with the process's log."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{log.stem} exited: {await asyncio.to_thread(_tail, log)}")
        if await asyncio.to_thread(_ready, ready, log):
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"not ready in {timeout_s} s: {await asyncio.to_thread(_tail, log)}")


@contextlib.asynccontextmanager
async def api_stack(max_in_flight: int) -> AsyncIterator[Stack]:
    """``ccm dev`` and ``ccm api`` up, and a token for source ``bench``."""
    data_dir = Path(tempfile.mkdtemp(prefix="ccm-api-load-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CCM_", "TEMPORAL_"))}
    env = base | {
        "CCM_DATA_DIR": str(data_dir), "CCM_TEMPORAL_PORT": str(free_port()),
        "CCM_UI_PORT": str(free_port()), "CCM_CODEC_PORT": str(free_port()),
        "CCM_API_MAX_IN_FLIGHT": str(max_in_flight), "CCM_LOG_LEVEL": "warning",
    }  # fmt: skip
    api_port = free_port()
    try:
        with _process(["dev"], env, data_dir / "dev.log") as dev:
            await _until("ccm dev is up", dev, data_dir / "dev.log", 180)
            made = await asyncio.to_thread(
                subprocess.run, [CCM, "api", "tokens", "create", "--source", "bench"], env=env,
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            token = made.stdout.strip().splitlines()[-1]
            url = f"http://127.0.0.1:{api_port}"
            with _process(["api", "--port", str(api_port)], env, data_dir / "api.log") as api:
                await _until(f"{url}/healthz", api, data_dir / "api.log", 60)
                yield Stack(env, data_dir, url, token)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
