"""Importing an 835: every claim payment recorded, the matched ones sent as ``claim_adjudicated``.

The file is validated with pyx12 and recorded once (by its sha256) with every CLP, matched to a
claim in the outbox by its claim id (CLP01 is the CLM01 the 837P carried) or left unmatched for
``ccm report remittance --unmatched``: nothing in a remittance is dropped. Matched payments go
to the patients' workflows as upstream facts (source ``clearinghouse``), one update per patient,
with ids derived from the file's digest and the CLP's place, so importing a file again (after a
crash, or by mistake) records and sends nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg

from claims.x12_835 import ClaimPayment, Remittance, RemittanceError, parse_835
from claims.x12_validate import validate_x12
from events.base import EventMeta
from events.upstream import ClaimAdjudicated
from upstream.client import CcmClient

CLEARINGHOUSE = EventMeta(source="clearinghouse")
_CODE = re.compile(r"^([A-Z]{2}-[A-Z0-9]{1,3}|[A-Z]{1,2}[0-9]{1,3})$")
KNOWN = "SELECT claim_id, patient_id FROM claims_outbox WHERE claim_id = ANY($1)"
FILE = """
INSERT INTO remittance_files (sha256, file_name, payer, check_number, paid_on, imported_by,
    imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (sha256) DO NOTHING RETURNING remittance_id
"""
CLAIM = """
INSERT INTO remittance_claims (remittance_id, seq, submitted_claim_id, claim_id, status_code,
    outcome, charge_amount, paid_amount, patient_responsibility, payer_claim_control_number,
    adjustments, remarks, event_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)
"""


@dataclass(frozen=True)
class ImportResult:
    new_file: bool
    claims: int
    matched: int
    unmatched: tuple[str, ...]  # CLP01 of each payment for a claim the engine never sent
    refused: tuple[str, ...]  # what a workflow refused, by event id and field


async def import_835(
    pool: asyncpg.Pool, client: CcmClient, name: str, text: str, by: str, at: datetime
) -> ImportResult:
    """Records and sends the file; raises ``RemittanceError`` for a file pyx12 refuses."""
    verdict = validate_x12(text, with_999=False)
    if not verdict.valid:
        raise RemittanceError(f"{name}: not a valid 835 ({'; '.join(verdict.problems[:5])})")
    remit = parse_835(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    ids = [c.claim_id for c in remit.claims]
    known = {r["claim_id"]: r["patient_id"] for r in await pool.fetch(KNOWN, ids)}
    events = [_event(c, known[c.claim_id], digest, remit, client.timezone, at)
              for c in remit.claims if c.claim_id in known]  # fmt: skip
    new = await _record(pool, name, digest, remit, known, by, at)
    refused = await _send(client, events)
    unmatched = tuple(c.claim_id for c in remit.claims if c.claim_id not in known)
    return ImportResult(new, len(remit.claims), len(events), unmatched, refused)


async def _record(
    pool: asyncpg.Pool, name: str, digest: str, r: Remittance, known: dict[str, str], by: str,
    at: datetime,
) -> bool:  # fmt: skip
    async with pool.acquire() as conn, conn.transaction():
        rid = await conn.fetchval(FILE, digest, name, r.payer, r.check_number, r.paid_on, by, at)
        if rid is None:
            return False  # imported before: its rows are there already
        await conn.executemany(CLAIM, [_row(rid, c, known, digest) for c in r.claims])
    return True


def _row(rid: int, c: ClaimPayment, known: dict[str, str], digest: str) -> tuple[object, ...]:
    adjustments = json.dumps([{"code": a.code, "amount": str(a.amount)} for a in c.adjustments])
    matched = c.claim_id if c.claim_id in known else None
    return (rid, c.seq, c.claim_id, matched, c.status_code, c.outcome, c.charge, c.paid,
            c.patient_responsibility, c.payer_control_number, adjustments, c.remarks,
            _event_id(digest, c) if matched else None)  # fmt: skip


def _event_id(digest: str, c: ClaimPayment) -> str:
    return f"remit-{digest[:16]}-{c.seq}"


def _event(
    c: ClaimPayment, patient_id: str, digest: str, r: Remittance, tz: str, at: datetime
) -> ClaimAdjudicated:
    """The payment as the patient's fact; a reversal's amounts are shown as positive figures of
    what was taken back, and the claim is paid 0 after it."""
    when = at if r.paid_on is None else min(at, datetime.combine(r.paid_on, time(12), ZoneInfo(tz)))
    return ClaimAdjudicated(
        event_id=_event_id(digest, c), patient_id=patient_id, occurred_at=when,
        meta=CLEARINGHOUSE, claim_id=c.claim_id, status=c.outcome,
        paid_amount=Decimal(0) if c.outcome == "reversed" else c.paid,
        reason_codes=[x for x in c.reason_codes if _CODE.match(x)][:20],
        remark_codes=[x for x in dict.fromkeys(c.remarks) if _CODE.match(x)][:20],
        claim_status_code=c.status_code, charge_amount=abs(c.charge),
        patient_responsibility=abs(c.patient_responsibility)
        if c.patient_responsibility is not None else None,
        payer_claim_control_number=c.payer_control_number,
    )  # fmt: skip


async def _send(client: CcmClient, events: list[ClaimAdjudicated]) -> tuple[str, ...]:
    by_patient: dict[str, list[ClaimAdjudicated]] = defaultdict(list)
    for e in events:
        by_patient[e.patient_id].append(e)
    refused: list[str] = []
    for batch in by_patient.values():
        receipt = await client.send(batch)
        refused += [f"event {r.event_id}: field {r.field} {r.reason}" for r in receipt.refused]
    return tuple(refused)
