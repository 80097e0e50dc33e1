"""Running ``ccm`` commands as the separate OS processes a deployment runs, for the layout and
fault tests: start one, wait for its health, scrape its metrics, stop it as systemd would."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.codec_keys import TEST_KEYS_ENV

CCM = str(Path(sys.executable).parent / "ccm")


def clean_env(**settings: str) -> dict[str, str]:
    """The environment of a process configured only by ``settings`` (and the test key ring)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCM_", "TEMPORAL_", "OTEL_"))}
    return {**env, **TEST_KEYS_ENV, **settings}


@dataclass
class Process:
    """One ``ccm`` process; its stderr goes to a file so a chatty process never blocks."""

    name: str
    args: list[str]
    env: dict[str, str]
    logs: Path
    metrics_port: int | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Process:
        env = dict(self.env)
        if self.metrics_port is not None:
            env["CCM_METRICS_PORT"] = str(self.metrics_port)
        log = (self.logs / f"{self.name}.log").open("ab")
        self.proc = subprocess.Popen([CCM, *self.args], env=env, stdout=log, stderr=log)
        return self

    def get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.metrics_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()

    async def healthy(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log_tail()
            try:
                if (await asyncio.to_thread(self.get, "/healthz"))[0] == 200:
                    return
            except OSError:
                pass
            await asyncio.sleep(0.3)
        raise AssertionError(f"{self.name} not healthy in {timeout_s} s: {self.log_tail()}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    async def terminate(self, timeout_s: float = 90) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(self.proc.wait, timeout_s)
        except subprocess.TimeoutExpired:
            return -1  # still running: the caller's assertion shows the log tail

    def log_tail(self) -> str:
        path = self.logs / f"{self.name}.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""
