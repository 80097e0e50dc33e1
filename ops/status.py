"""``ccm status``: every component of the stack, up or down, and what is wrong with it.

Each check has its own time limit and failure: a dead database still lets Temporal be checked,
and the report always comes back (an outage is a finding, not a traceback).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime

import asyncpg
from temporalio.client import Client
from temporalio.service import RPCError

from care.policy import Policy
from ops import status_db, status_temporal
from ops.status_model import Component, StackStatus

CHECK_TIMEOUT_S = 10.0
DOWN = (OSError, asyncpg.PostgresError, RPCError, RuntimeError, TimeoutError)


async def collect(
    pool: asyncpg.Pool | None,
    client: Client | None,
    *,
    why_no_database: str,
    why_no_temporal: str,
    temporal_address: str,
    task_queue: str,
    timezone: str,
) -> StackStatus:
    """The stack's status; ``pool``/``client`` None means that service could not be reached."""
    now = datetime.now(UTC)
    parts: list[Component] = []
    if pool is None:
        parts.append(Component(name="database", up=False, problems=[why_no_database]))
    else:
        parts += await _checked("database", status_db.database(pool))
        parts += await _checked("projections", status_db.projections(pool))
        grace = Policy().grace_days
        parts += await _checked("month close", status_db.months(pool, now, timezone, grace))
        parts += await _checked("claims", status_db.claims(pool, now))
    if client is None:
        parts.append(Component(name="temporal", up=False, problems=[why_no_temporal]))
    else:
        parts += await _checked("temporal", status_temporal.server(client, temporal_address))
        parts += await _checked("workers", status_temporal.workers(client, task_queue))
        parts += await _checked("patient workflows", status_temporal.failing(client, task_queue))
    return StackStatus(checked_at=now, components=parts)


async def _checked(name: str, check: Awaitable[Component | list[Component]]) -> list[Component]:
    try:
        found = await asyncio.wait_for(check, CHECK_TIMEOUT_S)
    except DOWN as exc:
        why = "did not answer in time" if isinstance(exc, TimeoutError) else type(exc).__name__
        return [Component(name=name, up=False, problems=[f"check failed: {why}"])]
    return found if isinstance(found, list) else [found]
