"""The embedded services ``ccm dev`` starts, as restartable children for the supervisor.

Each holds its current process and starts a new one on the same data and ports, so the database
URL and the Temporal address never change across a restart: clients reconnect by themselves.
"""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

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
        # The library recovers a data dir whose postmaster was killed (crash recovery, ~0.2 s).
        self.current = await start_postgres(self.data_dir)
        return self.current.pid

    async def stop(self) -> None:
        await self.current.stop()


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
