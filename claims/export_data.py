"""What an export needs beyond the outbox row, read from the patient's stream and the fees.

The subscriber (name, birth date, MBI, address, sex) is the patient's latest
``patient_identified`` demographics, the diagnoses the month's facts' qualifying conditions (the
patient's diagnoses for a month closed before facts were recorded), and each line's charge its
allowed amount in the practice's fee schedule in effect on the line's date of service, times its
units.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

import asyncpg

from billing.fee_store import schedule_in_effect
from claims.queue import QueueRow
from claims.x12_837 import ExportClaim, ExportRefused, Subscriber, SubscriberAddress
from events.decisions import ClaimPrepared

FIRST = """
SELECT payload FROM events WHERE stream = $1 AND type = $2 ORDER BY version LIMIT 1
"""
# The latest identification that carries demographics: a re-sent one may add the address.
DEMOGRAPHICS = """
SELECT payload->'demographics' FROM events WHERE stream = $1 AND type = 'patient_identified'
  AND json_typeof(payload->'demographics') = 'object'
ORDER BY version DESC LIMIT 1
"""
CLOSE = """
SELECT payload FROM events WHERE stream = $1 AND type = 'month_closed'
  AND payload->>'service_month' = $2 ORDER BY version DESC LIMIT 1
"""
PAYER_REF = """
SELECT payer_claim_control_number FROM remittance_claims
WHERE claim_id = $1 AND payer_claim_control_number IS NOT NULL
ORDER BY remittance_id DESC, seq DESC LIMIT 1
"""


async def export_claim(
    pool: asyncpg.Pool, row: QueueRow, frequency: Literal["original", "replacement"]
) -> ExportClaim:
    """The claim as an 837P/CSV needs it; raises ``ExportRefused`` naming what is missing."""
    claim = ClaimPrepared.model_validate_json(await _payload(pool, row.claim_id))
    stream = f"patient-{row.patient_id}"
    identified = _json(await pool.fetchval(FIRST, stream, "patient_identified"))
    demographics = _json(await pool.fetchval(DEMOGRAPHICS, stream))
    closed = _json(await pool.fetchval(CLOSE, stream, row.service_month))
    facts = closed.get("facts") or {}
    diagnoses = tuple(facts.get("conditions") or identified.get("diagnoses") or ())
    schedule = await schedule_in_effect(pool, row.practice_id or "", claim.date_of_service)
    charges = []
    for line in claim.codes:
        each = schedule.amount(line.date_of_service.year, line.code)
        if each is None:
            raise ExportRefused(f"claim {claim.claim_id}: field codes: {line.code} is unpriced")
        charges.append(each * line.units)
    ref = await pool.fetchval(PAYER_REF, claim.claim_id) if frequency == "replacement" else None
    if frequency == "replacement" and ref is None:
        raise ExportRefused(
            f"claim {claim.claim_id}: field payer_claim_control_number: a replacement needs the "
            "original's, and no remittance has named it yet"
        )
    return ExportClaim(
        claim=claim, subscriber=_subscriber(demographics),
        diagnoses=diagnoses, line_charges=tuple(charges), frequency=frequency, original_ref=ref,
    )  # fmt: skip


async def _payload(pool: asyncpg.Pool, claim_id: str) -> str:
    text: str = await pool.fetchval(
        "SELECT payload::text FROM claims_outbox WHERE claim_id = $1", claim_id
    )
    return text


def _json(text: str | None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text) if text else {}
    return data


def _subscriber(demographics: dict[str, Any]) -> Subscriber:
    """The name as the EHR sent it, "First [Middle] Last": the last word is the last name."""
    words = str(demographics.get("name") or "").split()
    born = demographics.get("birth_date")
    return Subscriber(
        last_name=words[-1] if words else "",
        first_name=" ".join(words[:-1]),
        mbi=str(demographics.get("mbi") or ""),
        birth_date=_date(born),
        address=_address(demographics.get("address")),
        sex=demographics.get("sex") or "U",
    )


def _address(data: dict[str, str] | None) -> SubscriberAddress | None:
    if not data:
        return None
    return SubscriberAddress(
        line1=data["line1"], line2=data.get("line2"), city=data["city"], state=data["state"],
        zip=data["zip"],
    )  # fmt: skip


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
