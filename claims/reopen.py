"""Reopening a rejected claim once: the corrective close, then the same outbox row, corrected.

The corrected facts are the first close's facts with the month's late documentation applied
(time logged after the close counts, an entry voided after it does not, a late complexity
assessment sets the month's MDM). The patient's workflow decides the month again (its
``reopen`` update, refused for a month already reopened); then the claim's one outbox row takes
the corrected claim and waits for review again, in the transaction that records
``claim_reopened``. Run again after a crash between the two, the workflow answers
with its refusal and the row is corrected from the stored corrective claim.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import cast

import asyncpg

from care.facts import MonthFacts, TimeEntry
from events.base import EventMeta, stream_for
from events.claims import ClaimReopened, claim_stream
from events.decisions import ClaimPrepared, LateEntryRecorded, MonthClosed
from events.store import EventStore
from events.upstream import ComplexityAssessed, TimeEntryVoided, TimeLogged
from workflows.reopen import Reopened, ReopenMonth

ROW = """
SELECT patient_id, service_month, review_status, reopen_count FROM claims_outbox
WHERE claim_id = $1
"""
CORRECT = """
UPDATE claims_outbox SET payload = $2::jsonb, review_status = 'awaiting', reopen_count = 1,
    reviewed_by = NULL, reviewed_at = NULL, review_reason = NULL, review_policy_version = NULL
WHERE claim_id = $1
"""
VERSION = "SELECT coalesce((SELECT version FROM streams WHERE stream = $1), 0)"

Update = Callable[[str, ReopenMonth], Awaitable[Reopened]]  # patient id, request -> answer


class ReopenRefused(ValueError):
    """The claim cannot be reopened; names the claim and the rule."""


async def reopen_claim(
    pool: asyncpg.Pool, update: Update, claim_id: str, by: str, reason: str, at: datetime
) -> ClaimPrepared | None:
    """Reopens ``claim_id``; returns the corrected claim (None: the month now bills nothing)."""
    row = await pool.fetchrow(ROW, claim_id)
    if row is None:
        raise ReopenRefused(f"claim {claim_id}: no such claim in the outbox")
    if row["review_status"] != "rejected" or row["reopen_count"] > 0:
        raise ReopenRefused(f"claim {claim_id}: only a rejected claim, never reopened, reopens")
    facts = await corrected_facts(pool, row["patient_id"], row["service_month"])
    req = ReopenMonth(month=row["service_month"], facts=facts, by=by, reason=reason, at=at)
    answer = await update(row["patient_id"], req)
    stored = await _corrective_claim(pool, row["patient_id"], row["service_month"])
    if answer.refused and stored is None:
        raise ReopenRefused(f"claim {claim_id}: {answer.refused}")
    await _correct_row(pool, claim_id, stored, by, reason, at)
    return stored


async def corrected_facts(pool: asyncpg.Pool, patient_id: str, month: str) -> MonthFacts:
    stored = [s.event for s in await EventStore(pool).read_stream(stream_for(patient_id))]
    closes = [e for e in stored if isinstance(e, MonthClosed) and e.service_month == month]
    if not closes or closes[0].facts is None:
        raise ReopenRefused(f"month {month}: field facts: closed before facts were recorded")
    late = {e.late_event_id for e in stored
            if isinstance(e, LateEntryRecorded) and e.service_month == month}  # fmt: skip
    entries = {t.id: t for t in closes[0].facts.time_entries}
    complex_mdm = closes[0].facts.complex_mdm
    for e in stored:
        if e.store_key not in late:
            continue
        if isinstance(e, TimeLogged):
            entries[e.entry_id] = TimeEntry(
                id=e.entry_id, staff_id=e.staff_id, role=e.role.value, minutes=e.minutes,
                at=e.at, start=e.start, end=e.end,
                counted_toward=e.counted_toward.value if e.counted_toward else None,
            )  # fmt: skip
        elif isinstance(e, TimeEntryVoided):
            entries.pop(e.entry_id, None)
        elif isinstance(e, ComplexityAssessed):
            complex_mdm = e.mdm in ("moderate", "high")  # as patient/month_facts.py reads it
    return closes[0].facts.model_copy(
        update={"time_entries": list(entries.values()), "complex_mdm": complex_mdm}
    )


async def _corrective_claim(
    pool: asyncpg.Pool, patient_id: str, month: str
) -> ClaimPrepared | None:
    stored = [s.event for s in await EventStore(pool).read_stream(stream_for(patient_id))]
    claims = [e for e in stored if isinstance(e, ClaimPrepared) and e.service_month == month]
    return claims[-1] if len(claims) > 1 else None


async def _correct_row(
    pool: asyncpg.Pool, claim_id: str, claim: ClaimPrepared | None, by: str, reason: str,
    at: datetime,
) -> None:  # fmt: skip
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(ROW + " FOR UPDATE", claim_id)
        assert row is not None
        if row["reopen_count"] > 0:
            return  # corrected already (a re-run after the row was written)
        stream = claim_stream(claim_id)
        version = int(await conn.fetchval(VERSION, stream))
        event = ClaimReopened(
            event_id=f"{claim_id}.review.{version + 1}", occurred_at=at,
            patient_id=row["patient_id"], claim_id=claim_id, service_month=row["service_month"],
            meta=EventMeta(source="review", actor=by), reason=reason,
            bills=claim is not None,
        )  # fmt: skip
        await EventStore(cast(asyncpg.Pool, conn)).append(stream, [event], version)
        if claim is not None:
            await conn.execute(CORRECT, claim_id, claim.model_dump_json())
        else:
            await conn.execute(
                "UPDATE claims_outbox SET reopen_count = 1 WHERE claim_id = $1", claim_id
            )
