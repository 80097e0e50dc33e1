"""Reconciliation: for a service month, what each claim should bring and what it brought.

Per claim: expected payment (the claim's), paid and the outcome with its reasons (the ledger's
latest adjudication: a reversal leaves the claim paid 0, a correction replaces it), and a
``finding``: paid, "paid, unpriced" (no expected amount), short-paid, overpaid, denied,
reversed, unpaid (sent, no remittance yet), unpaid past N days (``claims_unpaid_after_days``,
the practice's policy), not exported, awaiting review, rejected. ``ack`` is the 999/277CA
status when one was imported.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

import asyncpg
from pydantic import BaseModel, ConfigDict

from activities.patients import policy_history
from care.months import month_of
from claims.queue import ClaimFilter, QueueRow, claims
from events.store import EventStore

# What the claim was paid: the ledger's latest adjudication (every ``claim_adjudicated``, from an
# imported 835 or any other sender; a reversal leaves it paid 0, a correction replaces it), with
# the remark codes (RARCs) of its latest 835 line when one was imported.
REMITTED = """
SELECT l.claim_id, l.paid_amount AS paid, l.claim_status AS outcome, l.reason_codes,
       coalesce((SELECT r.remarks FROM remittance_claims r WHERE r.claim_id = l.claim_id
                 ORDER BY r.remittance_id DESC, r.seq DESC LIMIT 1), '{}') AS remarks
FROM ledger_months l WHERE l.claim_id = ANY($1) AND l.adjudicated_at IS NOT NULL
"""
EXPORTED = """
SELECT i.claim_id, max(e.exported_at) AS exported_at, max(e.interchange_control_number) AS icn
FROM claim_export_items i JOIN claim_exports e USING (interchange_control_number)
WHERE i.claim_id = ANY($1) GROUP BY i.claim_id
"""
ACKS = """
SELECT DISTINCT ON (coalesce(claim_id, interchange_control_number::text), kind)
       kind, claim_id, interchange_control_number AS icn, status
FROM claim_acks ORDER BY coalesce(claim_id, interchange_control_number::text), kind, ack_id DESC
"""


class ReconciliationRow(BaseModel):
    """One claim of the month (field names are the JSON/CSV contract); ``variance`` is
    ``paid - expected`` once a remittance arrived."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    TABLE_COLUMNS: ClassVar[tuple[str, ...]] = (
        "claim_id", "review", "icn", "expected", "paid", "variance", "outcome", "finding",
        "reasons", "ack",
    )  # fmt: skip

    claim_id: str
    patient_id: str
    review: str
    icn: int | None
    exported_at: datetime | None
    expected: Decimal | None
    paid: Decimal | None
    variance: Decimal | None
    outcome: str | None
    finding: str
    reasons: list[str]
    ack: str | None


async def reconciliation(
    pool: asyncpg.Pool, month: str, now: datetime, timezone: str
) -> list[ReconciliationRow]:
    rows = await claims(pool, ClaimFilter(status=None, month=month))
    ids = [r.claim_id for r in rows]
    remitted = {r["claim_id"]: r for r in await pool.fetch(REMITTED, ids)}
    exported = {r["claim_id"]: r for r in await pool.fetch(EXPORTED, ids)}
    acks = await pool.fetch(ACKS)
    limits: dict[str, int] = {}
    out = []
    for row in rows:
        practice = row.practice_id or ""
        if practice not in limits:
            history = await policy_history(EventStore(pool), practice)
            limits[practice] = history.for_month(month_of(now, timezone)).claims_unpaid_after_days
        out.append(_line(row, remitted.get(row.claim_id), exported.get(row.claim_id),
                         _ack(acks, row.claim_id, exported.get(row.claim_id)), now,
                         limits[practice]))  # fmt: skip
    return out


def _ack(acks: list[asyncpg.Record], claim_id: str, exp: asyncpg.Record | None) -> str | None:
    found = [f"277CA {a['status']}" for a in acks if a["claim_id"] == claim_id]
    if exp is not None:
        found += [f"999 {a['status']}" for a in acks
                  if a["kind"] == "999" and a["icn"] == exp["icn"]]  # fmt: skip
    return ", ".join(found) or None


def _line(
    row: QueueRow, rem: asyncpg.Record | None, exp: asyncpg.Record | None, ack: str | None,
    now: datetime, unpaid_days: int,
) -> ReconciliationRow:  # fmt: skip
    paid = rem["paid"] if rem is not None else None
    variance = paid - row.expected_payment if paid is not None and row.expected_payment else None
    reasons: list[str] = []
    if rem is not None:
        reasons = list(rem["reason_codes"]) + list(rem["remarks"])
    return ReconciliationRow(
        claim_id=row.claim_id, patient_id=row.patient_id, review=row.status,
        icn=exp["icn"] if exp else None, exported_at=exp["exported_at"] if exp else None,
        expected=row.expected_payment, paid=paid, variance=variance,
        outcome=rem["outcome"] if rem else None,
        finding=_finding(row, rem, exp, variance, now, unpaid_days), reasons=reasons, ack=ack,
    )  # fmt: skip


def _finding(
    row: QueueRow, rem: asyncpg.Record | None, exp: asyncpg.Record | None,
    variance: Decimal | None, now: datetime, unpaid_days: int,
) -> str:  # fmt: skip
    if rem is None:
        if row.status != "approved":
            return "awaiting review" if row.status == "awaiting" else "rejected"
        if exp is None:
            return "not exported"
        days = (now - exp["exported_at"]).days
        return f"unpaid past {unpaid_days} days" if days > unpaid_days else "unpaid"
    if rem["outcome"] in ("denied", "reversed"):
        return str(rem["outcome"])
    if row.expected_payment is None:
        return "paid, unpriced"  # no expected amount to compare with: never guessed
    if variance is not None and variance < 0:
        return "short-paid"
    return "overpaid" if variance is not None and variance > 0 else "paid"


def totals(rows: list[ReconciliationRow]) -> str:
    """The month in one line: expected, paid, and how many claims each finding has."""
    priced = [r for r in rows if r.expected is not None]
    expected = sum((r.expected or Decimal(0) for r in priced), Decimal(0))
    paid = sum((r.paid or Decimal(0) for r in priced), Decimal(0))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.finding] = counts.get(r.finding, 0) + 1
    found = ", ".join(f"{n} {f}" for f, n in sorted(counts.items()))
    variance = paid - expected
    unpriced = f" ({len(rows) - len(priced)} unpriced, not in the totals)" if len(priced) < len(
        rows) else ""  # fmt: skip
    return (f"{len(rows)} claim(s){unpriced}: expected {expected}, paid {paid}, "
            f"variance {variance}; {found}\n")  # fmt: skip
