"""The embedded services ``ccm dev`` starts, as restartable children for the supervisor.

Each holds its current process and starts a new one on the same data and ports, so the database
URL and the Temporal address never change across a restart: clients reconnect by themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import psutil

from runtime.embedded_pg import EmbeddedPostgres, start_postgres
from runtime.processes import pid_alive
from runtime.supervisor import Child
from runtime.temporal_dev import LOG_FILE, TemporalDevServer


class PostgresChild:
    def __init__(self, server: EmbeddedPostgres, data_dir: Path) -> None:
        self.current = server
        self.data_dir = data_dir

    def child(self) -> Child:
        return Child(
            name="postgres", alive=lambda: pid_alive(self.current.pid),
            why=lambda: f"postmaster pid {self.current.pid} is gone", restart=self._restart,
            log_file=str(self.current.pgdata / "log"),
        )  # fmt: skip

    async def _restart(self) -> int:
        # Backends outlive a killed postmaster until they next look, and while they hold its
        # shared memory a new postmaster refuses to start: end them first. PostgreSQL then
        # recovers the data dir from its WAL (crash recovery, well under a second here).
        await asyncio.to_thread(_end_orphans, self.current.pgdata)
        self.current = await start_postgres(self.data_dir)
        return self.current.pid

    async def stop(self) -> None:
        await self.current.stop()


def _end_orphans(pgdata: Path) -> None:
    """SIGKILLs the ``postgres`` processes left running in ``pgdata`` (their cwd)."""
    orphans = []
    for proc in psutil.process_iter(["name"]):
        with contextlib.suppress(psutil.Error):
            if proc.info["name"] == "postgres" and Path(proc.cwd()) == pgdata:
                proc.kill()
                orphans.append(proc)
    psutil.wait_procs(orphans, timeout=10)


class TemporalChild:
    def __init__(
        self,
        server: TemporalDevServer,
        data_dir: Path,
        start: Callable[[], Awaitable[TemporalDevServer]],
    ) -> None:
        self.current = server
        self.data_dir = data_dir
        self._start = start

    def child(self) -> Child:
        return Child(
            name="temporal", alive=lambda: self.current.proc.returncode is None, why=self._why,
            restart=self._restart, log_file=str(self.data_dir / LOG_FILE),
        )  # fmt: skip

    def _why(self) -> str:
        code = self.current.proc.returncode
        if code is not None and code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exited with code {code}"

    async def _restart(self) -> int:
        # Same SQLite file, same ports: workflows, search attributes and the address survive.
        self.current = await self._start()
        return self.current.pid

    async def stop(self) -> None:
        await self.current.stop()
