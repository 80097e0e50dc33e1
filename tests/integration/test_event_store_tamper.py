"""Guarantee 5: a superuser's edit of history is found and the first altered event named.

Each test disables the append-only triggers the way an attacker with superuser rights would
(``session_replication_role = replica``), alters stored rows, then runs the verifier and the
``ccm audit verify`` command.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from events.base import stream_for
from events.hashing import content_digest
from events.store import AppendResult, EventStore
from events.upstream import OutreachAttempted
from events.verify import verify_chains

pytestmark = pytest.mark.integration
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
VICTIM = stream_for("p1")


def outreach(patient: str, n: int) -> OutreachAttempted:
    return OutreachAttempted(
        event_id=f"{patient}-call-{n}", patient_id=patient, occurred_at=AT,
        channel="phone", outcome="no_answer", staff_id="staff-1",
    )  # fmt: skip


@pytest.fixture
async def history(store: EventStore) -> AppendResult:
    """Two streams, interleaved; returns the victim stream's append (versions 1-4)."""
    await store.append(stream_for("p2"), [outreach("p2", 1)], expected_version=0)
    victim = await store.append(VICTIM, [outreach("p1", n) for n in range(1, 5)], 0)
    await store.append(stream_for("p2"), [outreach("p2", 2)], expected_version=1)
    return victim


async def tamper(pool: asyncpg.Pool, *statements: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        for statement in statements:
            await conn.execute(statement)


async def audit(db_url: str, data_dir: Path, *args: str) -> tuple[int, str]:
    """Runs ``ccm audit verify`` as a separate process against the test database (its own data
    dir: checkpoints of another database in ./.ccm/anchors would rightly fail it)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "audit", "verify", *args,
        env={**os.environ, "CCM_DATABASE_URL": db_url, "CCM_DATA_DIR": str(data_dir)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode()


async def test_intact_history_verifies(history: AppendResult, pool: asyncpg.Pool) -> None:
    report = await verify_chains(pool)
    assert report.ok and (report.streams, report.events) == (2, 6)


async def test_altered_content_is_named(history: AppendResult, pool: asyncpg.Pool) -> None:
    third = history.positions[2]
    await tamper(
        pool,
        "UPDATE events SET payload = replace(payload::text, 'no_answer', 'reached')::json"
        f" WHERE position = {third}",
    )
    broken = (await verify_chains(pool)).first_broken
    assert broken is not None
    assert (broken.stream, broken.version, broken.position) == (VICTIM, 3, third)
    assert broken.event_id == "upstream:p1-call-3" and broken.reason.startswith("content altered")


async def test_content_rewritten_with_a_fresh_digest_still_breaks_the_link(
    history: AppendResult, pool: asyncpg.Pool
) -> None:
    third = history.positions[2]
    row = await pool.fetchrow(
        "SELECT event_id, type, payload FROM events WHERE position = $1", third
    )
    assert row is not None
    payload = row["payload"].replace("no_answer", "reached")
    digest = content_digest(row["event_id"], row["type"], 1, payload)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(
            "UPDATE events SET payload = $1::json, digest = $2 WHERE position = $3",
            payload, digest, third,
        )  # fmt: skip
    broken = (await verify_chains(pool)).first_broken
    assert broken is not None and (broken.position, broken.version) == (third, 3)
    assert broken.reason.startswith("link broken")


@pytest.mark.parametrize(
    "statements, version",
    [
        # Two events swapped in the stream's order.
        (["UPDATE events SET version = 99 WHERE version = 2 AND stream = 'patient-p1'",
          "UPDATE events SET version = 2 WHERE version = 3 AND stream = 'patient-p1'",
          "UPDATE events SET version = 3 WHERE version = 99 AND stream = 'patient-p1'"], 2),
        # Two events swapped in the global order.
        (["UPDATE events SET position = -position"
          " WHERE version IN (2, 3) AND stream = 'patient-p1'",
          "UPDATE events SET position = -position + (CASE version WHEN 2 THEN 1 ELSE -1 END)"
          " WHERE position < 0"], 2),
        # A link overwritten.
        (["UPDATE events SET hash = sha256('x') WHERE version = 2 AND stream = 'patient-p1'"], 2),
        # An event removed from the middle.
        (["DELETE FROM events WHERE version = 2 AND stream = 'patient-p1'"], 3),
        # An event received after the stream's first was moved before it.
        (["UPDATE events SET recorded_at = recorded_at - interval '1 day'"
          " WHERE version = 1 AND stream = 'patient-p1'"], 1),
    ],
)  # fmt: skip
async def test_altered_order_or_links_are_named(
    history: AppendResult, pool: asyncpg.Pool, statements: list[str], version: int
) -> None:
    await tamper(pool, *statements)
    report = await verify_chains(pool)
    assert [b.stream for b in report.broken] == [VICTIM]
    assert report.broken[0].version == version


async def test_removing_the_last_events_is_found_at_the_stream_head(
    history: AppendResult, pool: asyncpg.Pool
) -> None:
    await tamper(pool, "DELETE FROM events WHERE version >= 3 AND stream = 'patient-p1'")
    broken = (await verify_chains(pool)).first_broken
    assert broken is not None and (broken.stream, broken.version) == (VICTIM, 3)
    assert broken.position is None and broken.reason.startswith("events missing")


async def test_verifying_one_stream_checks_only_that_stream(
    history: AppendResult, pool: asyncpg.Pool
) -> None:
    await tamper(pool, "UPDATE events SET hash = sha256('x') WHERE stream = 'patient-p1'")
    assert (await verify_chains(pool, stream_for("p2"))).ok
    assert not (await verify_chains(pool, VICTIM)).ok


async def test_ccm_audit_verify_exits_0_when_intact_and_1_naming_the_event(
    history: AppendResult, pool: asyncpg.Pool, db_url: str, tmp_path: Path
) -> None:
    code, out = await audit(db_url, tmp_path)
    assert code == 0, out
    assert "2 streams" in out and "6 events" in out
    await tamper(
        pool, f"UPDATE events SET hash = sha256('x') WHERE position = {history.positions[1]}"
    )
    code, out = await audit(db_url, tmp_path)
    assert code == 1
    assert f"stream {VICTIM} version 2 (position {history.positions[1]}, upstream:p1-call-2)" in out
    code, out = await audit(db_url, tmp_path, "--stream", stream_for("p2"))
    assert code == 0, out
