"""``remittance_lines``: every claim payment imported, or only the ones no claim matched."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

import asyncpg
from pydantic import BaseModel, ConfigDict

QUERY = """
SELECT f.file_name, f.payer, f.check_number, f.paid_on, f.imported_at, c.seq,
       c.submitted_claim_id, c.claim_id, c.status_code, c.outcome, c.charge_amount,
       c.paid_amount, c.payer_claim_control_number
FROM remittance_claims c JOIN remittance_files f USING (remittance_id)
WHERE NOT $1 OR c.claim_id IS NULL
ORDER BY f.remittance_id, c.seq
"""


class RemittanceRow(BaseModel):
    """One CLP of an imported 835; ``matched`` is False when no claim of the engine has its id
    (``submitted_claim_id``, CLP01): it waits here for a person, it is never dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    TABLE_COLUMNS: ClassVar[tuple[str, ...]] = (
        "file_name", "check_number", "submitted_claim_id", "matched", "status_code", "outcome",
        "charge", "paid", "payer_claim_control_number",
    )  # fmt: skip

    file_name: str
    payer: str | None
    check_number: str | None
    paid_on: date | None
    imported_at: datetime
    seq: int
    submitted_claim_id: str
    matched: bool
    status_code: str
    outcome: str
    charge: Decimal
    paid: Decimal
    payer_claim_control_number: str | None


FIELDS = ("file_name", "payer", "check_number", "paid_on", "imported_at", "seq",
          "submitted_claim_id", "status_code", "outcome", "payer_claim_control_number")  # fmt: skip


async def remittance_lines(pool: asyncpg.Pool, unmatched_only: bool) -> list[RemittanceRow]:
    return [_row(r) for r in await pool.fetch(QUERY, unmatched_only)]


def _row(r: asyncpg.Record) -> RemittanceRow:
    return RemittanceRow(
        **{k: r[k] for k in FIELDS}, matched=r["claim_id"] is not None,
        charge=r["charge_amount"], paid=r["paid_amount"],
    )  # fmt: skip
