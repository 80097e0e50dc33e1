"""``billing_month``: the reimbursement ledger for one service month, one row per patient."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

import asyncpg
from pydantic import BaseModel, ConfigDict

from care.decision import CodeUnits

QUERY = """
SELECT patient_id, service_month, bills, track, counted_minutes, clinical_staff_minutes,
       practitioner_minutes, codes, date_of_service, expected_allowed, patient_share, unpriced,
       practitioner_id, claim_id, claim_status, submitted_at, paid_amount, reason_codes, closed_at
FROM ledger_months WHERE service_month = $1 ORDER BY patient_id
"""


class BillingRow(BaseModel):
    """One patient-month of the ledger (field names are the stable JSON/CSV contract).

    ``expected_payment`` is ``expected_allowed - patient_share`` (what the payer should pay);
    ``difference`` is ``paid_amount - expected_payment`` once adjudicated (negative: underpaid).
    Amounts are None when unpriced (``unpriced`` lists the codes) or not yet known.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    TABLE_COLUMNS: ClassVar[tuple[str, ...]] = (
        "patient_id", "service_month", "track", "counted_minutes", "codes", "date_of_service",
        "expected_allowed", "patient_share", "claim_status", "paid_amount", "difference",
    )  # fmt: skip

    patient_id: str
    service_month: str
    bills: bool
    track: str | None
    counted_minutes: int
    clinical_staff_minutes: int
    practitioner_minutes: int
    codes: list[CodeUnits]
    date_of_service: date | None
    expected_allowed: Decimal | None
    patient_share: Decimal | None
    expected_payment: Decimal | None
    unpriced: list[str]
    practitioner_id: str | None
    claim_id: str | None
    claim_status: str | None
    submitted_at: datetime | None
    paid_amount: Decimal | None
    difference: Decimal | None
    reason_codes: list[str]
    closed_at: datetime | None


def _row(r: asyncpg.Record) -> BillingRow:
    allowed, share, paid = r["expected_allowed"], r["patient_share"], r["paid_amount"]
    expected = allowed - (share or Decimal("0")) if allowed is not None else None
    difference = paid - expected if paid is not None and expected is not None else None
    fields = dict(r)
    codes = json.loads(fields.pop("codes"))
    return BillingRow(
        **fields,
        codes=[CodeUnits(**c) for c in codes],
        expected_payment=expected,
        difference=difference,
    )


async def billing_month(pool: asyncpg.Pool, month: str) -> list[BillingRow]:
    """Every closed patient-month of ``month`` ("YYYY-MM"), billed or not, by patient id."""
    return [_row(r) for r in await pool.fetch(QUERY, month)]
