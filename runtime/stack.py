"""Resolves the database and Temporal a process should use, starting embedded ones if asked.

For each of the two services, in order: the address set in the environment; else the one a live
``ccm dev`` published for this data dir (``services.json``); else, with ``start_missing``, an
embedded one this stack starts and stops on exit; else a ``ServiceUnavailable`` saying what to do.
The database resolves to one URL per role (runtime/db_urls.py): the stack migrates as the owner
and its pool is the app role's.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from functools import partial

import asyncpg
from temporalio.client import Client

from runtime import devlock, services
from runtime.children import PostgresChild, TemporalChild
from runtime.codec_server.serve import start_codec_server
from runtime.connect import connect_client, open_pool
from runtime.crypto.converter import load_key_ring
from runtime.crypto.tokens import load_token
from runtime.db_urls import DatabaseUrls, without_password
from runtime.embedded_pg import published_urls, start_postgres
from runtime.errors import NoServiceFound, ServiceUnavailable
from runtime.settings import Settings
from runtime.supervisor import Child
from runtime.temporal_config import connect_kwargs
from runtime.temporal_dev import ensure_ports_free, start_temporal_dev


@dataclass(frozen=True)
class Stack:
    """Connected services; ``started`` names those this stack owns and will stop on exit.

    ``database_url`` and ``pool`` are the app role's (the URL may hold a password: redact it).
    """

    database_url: str
    temporal_address: str
    pool: asyncpg.Pool
    client: Client
    applied_migrations: list[str]
    ui_url: str | None
    started: list[str]
    codec_url: str | None = None  # the codec server this stack started for the UI
    # What this stack started, for the supervisor, and how to tell others their new pids.
    children: list[Child] = field(default_factory=list)
    republish: Callable[[], None] = lambda: None


@dataclass
class _Resolved:
    url: str
    started: TemporalChild | None = None
    ui_url: str | None = None
    codec_url: str | None = None

    @property
    def pid(self) -> int | None:
        return self.started.current.pid if self.started else None


@dataclass
class _Database:
    urls: DatabaseUrls
    started: PostgresChild | None = None

    @property
    def pid(self) -> int | None:
        return self.started.current.pid if self.started else None


@asynccontextmanager
async def open_database(settings: Settings, *, start_missing: bool) -> AsyncIterator[DatabaseUrls]:
    """Yields the database's role URLs only (no migration); stops on exit a server it started."""
    async with AsyncExitStack() as exits:
        resolved = await _database(settings, _running(settings), start_missing, exits)
        yield resolved.urls


@asynccontextmanager
async def open_stack(
    settings: Settings, *, start_missing: bool, publish: bool = False
) -> AsyncIterator[Stack]:
    """Yields a migrated pool and a connected client; stops on exit whatever it started.

    ``publish`` (for ``ccm dev``) refuses when a live ``ccm dev`` already serves the data dir and
    writes ``services.json`` for the services this stack started, withdrawn before they stop.
    """
    lock = devlock.hold(settings.data_dir) if publish else None
    running = None if publish else _running(settings)
    if start_missing and not settings.temporal_address and running is None:
        # A taken port is the likeliest failure: refuse it before PostgreSQL is even started.
        ensure_ports_free(settings.temporal_port, settings.ui_port)
    async with AsyncExitStack() as exits:
        if lock is not None:
            exits.callback(lock.close)  # released last, once everything is stopped
        db = await _database(settings, running, start_missing, exits)
        temporal = await _temporal(settings, running, start_missing, exits)
        pool, applied = await open_pool(db.urls.app, owner_url=db.urls.owner)
        exits.push_async_callback(pool.close)
        republish = partial(_publish, settings, db, temporal)
        if publish:  # only once migrated, so whoever finds the file finds a usable schema
            republish()
            exits.callback(services.withdraw, settings.data_dir, os.getpid())
        keys = load_key_ring(settings, create=start_missing)
        client = await connect_client(
            temporal.url, settings.temporal_namespace, keys, secure=connect_kwargs(settings)
        )
        started = [name for name, pid in (("postgres", db.pid), ("temporal", temporal.pid)) if pid]
        children = [c.child() for c in (db.started, temporal.started) if c is not None]
        yield Stack(
            db.urls.app, temporal.url, pool, client, applied, temporal.ui_url, started,
            temporal.codec_url, children, republish if publish else (lambda: None),
        )  # fmt: skip


def _looked(settings: Settings) -> str:
    """Where a running ``ccm dev`` was looked for, and what was found there."""
    data_dir = settings.data_dir.resolve()
    return (
        f"no `ccm dev` is running for {data_dir} ({services.describe(data_dir)}): start"
        " `ccm dev`, or set CCM_DATA_DIR to the data dir it runs on"
    )


def _running(settings: Settings) -> services.Services | None:
    if settings.database_url and settings.temporal_address:
        return None
    return services.read_running(settings.data_dir)


async def _database(
    settings: Settings,
    running: services.Services | None,
    start_missing: bool,
    exits: AsyncExitStack,
) -> _Database:
    if settings.database_url:
        return _Database(_configured(settings, settings.database_url))
    if settings.database_owner_url or settings.database_report_url:
        raise ServiceUnavailable(
            "CCM_DATABASE_OWNER_URL / CCM_DATABASE_REPORT_URL need CCM_DATABASE_URL (the app"
            " role's) as well"
        )
    if running is not None and running.database_url:
        return _Database(published_urls(running.database_url, settings.data_dir))
    if not start_missing:
        raise NoServiceFound(f"no database: CCM_DATABASE_URL is not set and {_looked(settings)}")
    pg = PostgresChild(await start_postgres(settings.data_dir), settings.data_dir)
    exits.push_async_callback(pg.stop)
    return _Database(pg.current.urls, pg)


def _configured(settings: Settings, app_url: str) -> DatabaseUrls:
    return DatabaseUrls(
        app=app_url,
        owner=settings.database_owner_url or app_url,
        report=settings.database_report_url or app_url,
    )


async def _temporal(
    settings: Settings,
    running: services.Services | None,
    start_missing: bool,
    exits: AsyncExitStack,
) -> _Resolved:
    if settings.temporal_address:
        return _Resolved(settings.temporal_address)
    if running is not None and running.temporal_address:
        return _Resolved(running.temporal_address, ui_url=running.ui_url)
    if not start_missing:
        raise NoServiceFound(f"no Temporal: TEMPORAL_ADDRESS is not set and {_looked(settings)}")
    # The codec server first: the dev server's UI is told its address when it starts.
    ui_origins = [f"http://{host}:{settings.ui_port}" for host in ("127.0.0.1", "localhost")]
    codec = await start_codec_server(
        load_key_ring(settings, create=True),
        load_token(settings, create=True),
        ui_origins,
        port=settings.codec_port,
    )
    exits.push_async_callback(codec.stop)
    start = partial(
        start_temporal_dev, settings.data_dir, port=settings.temporal_port,
        ui_port=settings.ui_port, namespace=settings.temporal_namespace, codec_endpoint=codec.url,
    )  # fmt: skip
    server = TemporalChild(await start(), settings.data_dir, start)
    exits.push_async_callback(server.stop)
    return _Resolved(server.current.address, server, server.current.ui_url, codec.url)


def _publish(settings: Settings, db: _Database, temporal: _Resolved) -> None:
    """Writes services.json with the current pids (again after a restart)."""
    owner = os.getpid()
    services.publish(
        settings.data_dir,
        services.Services(
            owner_pid=owner,
            data_dir=str(settings.data_dir),
            # Never a password: other processes read theirs from the data dir's secrets file.
            database_url=without_password(db.urls.app) if db.pid else None,
            postgres_pid=db.pid,
            temporal_address=temporal.url if temporal.pid else None,
            temporal_pid=temporal.pid,
            ui_url=temporal.ui_url if temporal.pid else None,
        ),
    )


def temporal_address(settings: Settings) -> str | None:
    """The configured or running-``ccm dev`` Temporal address, without connecting."""
    running = _running(settings)
    return settings.temporal_address or (running.temporal_address if running else None)


@asynccontextmanager
async def open_client(settings: Settings) -> AsyncIterator[Client]:
    """A client on the configured or running-``ccm dev`` Temporal; never starts one."""
    temporal = await _temporal(settings, _running(settings), False, AsyncExitStack())
    keys = load_key_ring(settings, create=False)
    try:
        client = await connect_client(
            temporal.url, settings.temporal_namespace, keys, secure=connect_kwargs(settings)
        )
    except ServiceUnavailable:
        raise
    except RuntimeError as exc:  # temporalio's "Failed client connect"
        raise ServiceUnavailable(f"cannot reach Temporal at {temporal.url}") from exc
    yield client
