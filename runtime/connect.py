"""Connections to the two services every process needs: the Temporal client and the asyncpg pool."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg
from temporalio.client import Client

from db.migrate import MigrationRefused, migrate
from runtime.crypto.converter import encrypting_converter
from runtime.crypto.keyring import KeyRing, NoKeyRing
from runtime.errors import ServiceUnavailable
from runtime.temporal_config import ConnectKwargs
from telemetry import tracing


async def connect_client(
    address: str,
    namespace: str,
    keys: KeyRing | None = None,
    *,
    secure: ConnectKwargs | None = None,
) -> Client:
    """A client whose payloads are encrypted with ``keys`` (the converter workers, tests and the
    Replayer also use). Without ``keys`` it can only make calls that carry no payload (describe,
    list, search attributes): any payload it would send is refused, never sent in clear.
    ``secure``: TLS, API key and gRPC metadata of a secured cluster (``temporal_config``).
    With tracing on (``telemetry.tracing``) it and its workers carry the tracing interceptor."""
    converter = encrypting_converter(keys or NoKeyRing())
    return await Client.connect(
        address, namespace=namespace, data_converter=converter,
        interceptors=tracing.interceptors(), **(secure or {}),
    )  # fmt: skip


async def migrate_database(database_url: str) -> list[str]:
    """Applies pending migrations; returns their names (empty when up to date).

    Safe on every start of every process: the migrator serialises concurrent callers with a lock.
    ``database_url`` should be the schema owner's; any other role may only find nothing pending.
    """
    conn = await asyncpg.connect(database_url)
    try:
        return await migrate(conn)
    except MigrationRefused as exc:
        raise ServiceUnavailable(str(exc)) from None
    finally:
        await conn.close()


async def open_pool(
    database_url: str, *, owner_url: str | None = None
) -> tuple[asyncpg.Pool, list[str]]:
    """A pool on ``database_url`` over a schema migrated through ``owner_url`` (default: the same
    URL), and the migrations this call applied."""
    applied = await migrate_database(owner_url or database_url)
    pool: asyncpg.Pool = await asyncpg.create_pool(database_url, min_size=1, max_size=10)
    return pool, applied


def redact_password(url: str) -> str:
    """``url`` with any password replaced by ``***``, for printing and logging."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
