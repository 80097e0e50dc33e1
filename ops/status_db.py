"""What ``ccm status`` reads from PostgreSQL: the server, the schema, projections, months, claims.

Read-only, and each answer is what an operator acts on: a pending migration, a projection that
is behind or has no runner, a month past its close that is still open, a claim prepared but not
handed over. Ids shown are opaque (patient and claim ids), never demographics.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from care.months import close_time, month_of, next_month, previous_month
from db.migrate import available
from ops.status_model import Component
from projections import catalog, locks, status

STUCK_CLAIM = timedelta(minutes=15)  # a hand-over takes seconds; this long means it is stuck


async def database(pool: asyncpg.Pool) -> Component:
    version = await pool.fetchval("SHOW server_version")
    rows = await pool.fetch("SELECT version FROM schema_migrations")
    pending = sorted({m.version for m in available()} - {r["version"] for r in rows})
    problems = [f"migration {v:04d} not applied: run `ccm db migrate`" for v in pending]
    latest = max((r["version"] for r in rows), default=0)
    return Component(
        name="database", up=True, version=f"PostgreSQL {version}",
        detail=f"schema {latest:04d}" + (f", {len(pending)} pending" if pending else ""),
        problems=problems,
    )  # fmt: skip


async def projections(pool: asyncpg.Pool) -> list[Component]:
    """One component per projection; "no projector" when no process holds its lock."""
    held = await _held_locks(pool)
    result = []
    for s in await status(pool):
        problems = []
        if s.error_position is not None:
            problems.append(f"stopped at position {s.error_position} ({s.error_type})")
        if s.quarantined:
            problems.append(f"{s.quarantined} patient(s) set aside: `ccm projections status`")
        if s.name not in held and s.lag_events:
            problems.append("no projector is running it: start `ccm projector`")
        result.append(
            Component(
                name=f"projection {s.name}",
                up=s.name in held,
                detail=s.state,
                lag_events=s.lag_events,
                lag_seconds=s.lag_seconds,
                problems=problems,
            )
        )
    return result


async def _held_locks(pool: asyncpg.Pool) -> set[str]:
    rows = await pool.fetch(
        "SELECT objid::bigint AS k FROM pg_locks WHERE locktype = 'advisory'"
        " AND classid::bigint = $1 AND objsubid = 2 AND granted",
        locks.APPLY,
    )
    keys = {r["k"] for r in rows}
    return {name for name in catalog.NAMES if locks.key(name) & 0xFFFFFFFF in keys}


async def months(pool: asyncpg.Pool, now: datetime, tz: str, grace_days: int) -> Component:
    """The oldest month an active patient should have closed by now but has not."""
    due = previous_month(month_of(now, tz))
    if close_time(due, tz, grace_days) > now:
        due = previous_month(due)
    rows = await pool.fetch(
        """
        SELECT w.patient_id, coalesce(max(l.service_month), '') AS last_closed,
               to_char(w.phase_since AT TIME ZONE $1, 'YYYY-MM') AS active_from
        FROM worklist_patients w LEFT JOIN ledger_months l USING (patient_id)
        WHERE w.phase = 'active' GROUP BY w.patient_id, w.phase_since
        """,
        tz,
    )
    open_months = [_first_open(r["last_closed"], r["active_from"]) for r in rows]
    overdue = sorted(m for m in open_months if m <= due)
    if not overdue:
        return Component(name="month close", up=True, detail=f"every month through {due} closed")
    oldest = overdue[0]
    return Component(
        name="month close", up=False, detail=f"oldest open {oldest}",
        problems=[f"{len(overdue)} patient(s) still open in a month past its close (oldest"
                  f" {oldest}): is a worker running? see `ccm status` workers"],
    )  # fmt: skip


def _first_open(last_closed: str, active_from: str | None) -> str:
    return next_month(last_closed) if last_closed else active_from or "9999-12"


async def claims(pool: asyncpg.Pool, now: datetime) -> Component:
    stuck = await pool.fetchval(
        "SELECT count(*) FROM ledger_months WHERE claim_id IS NOT NULL AND submitted_at IS NULL"
        " AND prepared_at < $1",
        now - STUCK_CLAIM,
    )
    problems = [f"{stuck} claim(s) prepared but not handed over for over 15 min"] if stuck else []
    return Component(name="claims", up=not stuck, detail="hand-over", problems=problems)
