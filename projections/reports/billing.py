"""``billing_month``: the reimbursement ledger for one service month, one row per patient."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

import asyncpg
from pydantic import BaseModel, ConfigDict

from care.decision import ClaimLine

QUERY = """
SELECT patient_id, service_month, bills, track, counted_minutes, clinical_staff_minutes,
       practitioner_minutes, codes, date_of_service, expected_allowed, patient_share,
       expected_payment, unpriced, practitioner_id, claim_id, claim_status, submitted_at,
       paid_amount, reason_codes, reasons, closed_at
FROM ledger_months WHERE service_month = $1 ORDER BY patient_id
"""


class BillingRow(BaseModel):
    """One patient-month of the ledger (field names are the stable JSON/CSV contract).

    ``codes`` are the claim's lines, each with its own date of service. ``allowed`` is the fee
    schedule's amount for them, ``patient_share`` the 20% coinsurance (0 for QMB),
    ``expected_payment`` what Medicare should pay (80% of allowed less the sequestration),
    ``paid`` what the remittance paid and ``variance`` = ``paid - expected_payment`` once
    adjudicated (negative: short-paid or denied). Amounts are None when unpriced (``unpriced``
    lists the codes) or not yet known. ``why`` is the decision's first reason: for a month that
    bills nothing, the rule that stopped it; ``reasons`` has them all.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    TABLE_COLUMNS: ClassVar[tuple[str, ...]] = (
        "patient_id", "service_month", "track", "counted_minutes", "codes", "date_of_service",
        "allowed", "patient_share", "expected_payment", "claim_status", "paid", "variance", "why",
    )  # fmt: skip

    patient_id: str
    service_month: str
    bills: bool
    track: str | None
    counted_minutes: int
    clinical_staff_minutes: int
    practitioner_minutes: int
    codes: list[ClaimLine]
    date_of_service: date | None
    allowed: Decimal | None
    patient_share: Decimal | None
    expected_payment: Decimal | None
    unpriced: list[str]
    practitioner_id: str | None
    claim_id: str | None
    claim_status: str | None
    submitted_at: datetime | None
    paid: Decimal | None
    variance: Decimal | None
    reason_codes: list[str]
    why: str | None
    reasons: list[str]
    closed_at: datetime | None


def _row(r: asyncpg.Record) -> BillingRow:
    expected, paid = r["expected_payment"], r["paid_amount"]
    fields = dict(r)
    for renamed in ("expected_allowed", "paid_amount", "codes"):
        fields.pop(renamed)
    return BillingRow(
        **fields,
        codes=[ClaimLine.model_validate(c) for c in json.loads(r["codes"])],
        allowed=r["expected_allowed"],
        paid=paid,
        variance=paid - expected if paid is not None and expected is not None else None,
        why=r["reasons"][0] if r["reasons"] else None,
    )


async def billing_month(pool: asyncpg.Pool, month: str) -> list[BillingRow]:
    """Every closed patient-month of ``month`` ("YYYY-MM"), billed or not, by patient id."""
    return [_row(r) for r in await pool.fetch(QUERY, month)]
