"""Pytest plugin: one embedded PostgreSQL per test session, a fresh migrated database per test.

``embedded_pg`` starts the server once, secured as ``ccm dev`` secures it (SCRAM passwords, the
engine's roles), in a temporary directory removed afterwards. ``db_url`` creates ``test_<uuid>``
owned by ``ccm_owner``, migrates it as ``ccm_owner`` and yields the superuser's URL for it (tests
may tamper and inspect); ``db_urls`` gives each role's URL for the same database. ``pool`` is the
superuser's; ``store``, ``app_pool`` and ``report_pool`` connect as the roles the engine uses.
Tests run against real PostgreSQL, never a mock.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest_asyncio

from db.migrate import migrate
from events.store import EventStore
from runtime.db_urls import DatabaseUrls
from runtime.embedded_pg import EmbeddedPostgres, start_postgres


def database_uri(base_uri: str, database: str) -> str:
    """``base_uri`` pointing at another database (login and unix-socket query string kept)."""
    parts = urlsplit(base_uri)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def embedded_pg() -> AsyncIterator[EmbeddedPostgres]:
    """The session's embedded server, started and secured by the engine's own code."""
    # Not under pytest's basetemp: concurrent pytest runs prune each other's older basetemps,
    # which would delete a running server's socket and data.
    data = Path(tempfile.mkdtemp(prefix="ccm-test-pg-"))
    server = await start_postgres(data)
    try:
        yield server
    finally:
        await server.stop()
        shutil.rmtree(data, ignore_errors=True)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pg_server(embedded_pg: EmbeddedPostgres) -> str:
    """The superuser's URI on the session's server (to create and drop test databases)."""
    return embedded_pg.admin_url


@pytest_asyncio.fixture(loop_scope="session")
async def db_urls(embedded_pg: EmbeddedPostgres) -> AsyncIterator[DatabaseUrls]:
    """A fresh database of its own for one test, migrated by its owner; each role's URL."""
    name = f"test_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(embedded_pg.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" OWNER ccm_owner')
        roles = embedded_pg.urls
        urls = DatabaseUrls(
            app=database_uri(roles.app, name),
            owner=database_uri(roles.owner, name),
            report=database_uri(roles.report, name),
        )
        conn = await asyncpg.connect(urls.owner)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield urls
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest_asyncio.fixture(loop_scope="session")
async def db_url(db_urls: DatabaseUrls, pg_server: str) -> str:
    """The superuser's URL on the test's database."""
    return database_uri(pg_server, urlsplit(db_urls.app).path.lstrip("/"))


async def _pool(url: str) -> asyncpg.Pool:
    created: asyncpg.Pool = await asyncpg.create_pool(url, min_size=1, max_size=8)
    return created


@pytest_asyncio.fixture(loop_scope="session")
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    """The superuser's pool on the test's database, closed after the test."""
    created = await _pool(db_url)
    try:
        yield created
    finally:
        await created.close()


@pytest_asyncio.fixture(loop_scope="session")
async def app_pool(db_urls: DatabaseUrls) -> AsyncIterator[asyncpg.Pool]:
    """The app role's pool (workers, ingest, projections) on the test's database."""
    created = await _pool(db_urls.app)
    try:
        yield created
    finally:
        await created.close()


@pytest_asyncio.fixture(loop_scope="session")
async def report_pool(db_urls: DatabaseUrls) -> AsyncIterator[asyncpg.Pool]:
    """The read-only report role's pool on the test's database."""
    created = await _pool(db_urls.report)
    try:
        yield created
    finally:
        await created.close()


@pytest_asyncio.fixture(loop_scope="session")
async def store(app_pool: asyncpg.Pool) -> EventStore:
    """The event store on the test's database, appending as the app role does."""
    return EventStore(app_pool)
