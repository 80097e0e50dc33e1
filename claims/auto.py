"""Auto-approval: the practice's policy approves the months that meet every rule it chose.

The rules are policy settings (care/policy.py, ``claims_auto_approve*``), read from the version
in force in the month the review runs, so turning the setting on from this month applies to the
queue as it stands; each approval is recorded as by ``policy-v<N>`` with that version.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

import asyncpg

from activities.patients import policy_history
from care.policy import Policy
from claims.queue import ClaimFilter, QueueRow, claims
from claims.review import Decision, decide
from events.store import EventStore

COUNTS = """
SELECT
  (SELECT coalesce(json_array_length(e.payload->'decision'->'excluded'), 0) FROM events e
    WHERE e.stream = 'patient-' || $1 AND e.type = 'month_closed'
      AND e.payload->>'service_month' = $2 ORDER BY e.version DESC LIMIT 1) AS excluded,
  (SELECT count(*) FROM events e
    WHERE e.stream = 'patient-' || $1 AND e.type = 'late_entry_recorded'
      AND e.payload->>'service_month' = $2) AS late
"""


@dataclass(frozen=True)
class AutoOutcome:
    claim_id: str
    approved: bool
    policy_version: int
    why_not: tuple[str, ...]  # the rules the claim did not meet (empty when approved)


def unmet_rules(policy: Policy, allowed: Decimal | None, excluded: int, late: int) -> list[str]:
    """The auto-approval rules a claim does not meet under ``policy`` (empty: approve it)."""
    unmet = []
    if not policy.claims_auto_approve:
        return ["claims_auto_approve is off"]
    limit = policy.claims_auto_approve_max_amount
    if limit is not None and (allowed is None or allowed >= limit):
        unmet.append(f"allowed amount {allowed} is not under {limit}")
    if policy.claims_auto_approve_require_no_excluded and excluded:
        unmet.append(f"{excluded} excluded time entr{'y' if excluded == 1 else 'ies'}")
    if policy.claims_auto_approve_require_no_late and late:
        unmet.append(f"{late} late entr{'y' if late == 1 else 'ies'}")
    return unmet


async def auto_approve(
    pool: asyncpg.Pool, which: ClaimFilter, at: datetime, review_month: str
) -> list[AutoOutcome]:
    """Approves every awaiting claim ``which`` selects that its practice's policy approves."""
    store = EventStore(pool)
    outcomes = []
    for row in await claims(pool, replace(which, status="awaiting")):
        outcomes.append(await _one(pool, store, row, at, review_month))
    return outcomes


async def _one(
    pool: asyncpg.Pool, store: EventStore, row: QueueRow, at: datetime, review_month: str
) -> AutoOutcome:
    history = await policy_history(store, row.practice_id or "")
    version = history.version_for(review_month)
    counts = await pool.fetchrow(COUNTS, row.patient_id, row.service_month)
    assert counts is not None  # a SELECT of two scalars always returns a row
    unmet = unmet_rules(version.policy, row.allowed, counts["excluded"] or 0, counts["late"])
    if not unmet:
        by = f"policy-v{version.version}"
        await decide(pool, row.claim_id, Decision("approved", by, at, None, version.version))
    return AutoOutcome(row.claim_id, not unmet, version.version, tuple(unmet))
