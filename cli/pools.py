"""Connection pools for one command, as the database role the command needs.

Reports and status read as the report role, commands that write (fee imports, retries, a
report's catch-up) as the app role, and rebuilds, which create and swap tables, as the owner
(db/sql/0007_roles.sql). Every pool is opened on a schema migrated through the owner's URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from runtime.connect import open_pool
from runtime.db_urls import DatabaseUrls, Role
from runtime.settings import Settings
from runtime.stack import open_database


@asynccontextmanager
async def role_pool(urls: DatabaseUrls, role: Role) -> AsyncIterator[asyncpg.Pool]:
    """A pool as ``role``, closed on exit."""
    pool, _ = await open_pool(urls.for_role(role), owner_url=urls.owner)
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def database_pool(settings: Settings, role: Role) -> AsyncIterator[asyncpg.Pool]:
    """A pool as ``role`` on the configured or running-``ccm dev`` database (never started)."""
    async with open_database(settings, start_missing=False) as urls, role_pool(urls, role) as pool:
        yield pool
