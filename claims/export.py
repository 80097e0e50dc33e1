"""Exporting approved claims: one file, one interchange control number, recorded with its claims.

The number comes from the ``claim_interchange_numbers`` sequence and is recorded with every
claim in the file in the transaction that hands the file to the clearinghouse adapter, so a file
that left is always on record. A claim exported once is never exported as an original again
(``claim_export_one_original``): a re-export is refused unless asked for as a replacement
(frequency 7, with the payer's claim control number of the original). Every 837P is checked
with pyx12 before it leaves; an invalid one is never written.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import asyncpg

from claims.csv_export import build_csv
from claims.export_data import export_claim
from claims.provider import BillingProvider
from claims.queue import ClaimFilter, QueueRow, claims
from claims.transport import Clearinghouse
from claims.x12_837 import ExportClaim, ExportRefused, build_837p
from claims.x12_validate import validate_x12

Format = Literal["x12-837p", "csv"]
EXPORTED = (
    "SELECT claim_id, interchange_control_number FROM claim_export_items WHERE claim_id = ANY($1)"
)
RECORD = """
INSERT INTO claim_exports (interchange_control_number, format, file_name, sha256, exported_by,
    exported_at) VALUES ($1, $2, $3, $4, $5, $6)
"""
ITEM = "INSERT INTO claim_export_items VALUES ($1, $2, $3)"


@dataclass(frozen=True)
class ExportRequest:
    which: ClaimFilter
    fmt: Format
    by: str
    at: datetime
    replacement: bool = False


@dataclass(frozen=True)
class ExportResult:
    icn: int | None  # None: nothing was exported
    sent_to: str | None
    claim_ids: tuple[str, ...]
    refused: tuple[str, ...]  # one line per claim left out, naming the field
    warnings: tuple[str, ...] = ()  # exported, but a payer may reject it (never shows PHI)


async def export(
    pool: asyncpg.Pool, req: ExportRequest, provider: BillingProvider, adapter: Clearinghouse
) -> ExportResult:
    rows = await claims(pool, replace(req.which, status="approved"))
    done = {r["claim_id"]: r["interchange_control_number"]
            for r in await pool.fetch(EXPORTED, [r.claim_id for r in rows])}  # fmt: skip
    ready, refused = await _ready(pool, rows, done, req)
    if not ready:
        return ExportResult(None, None, (), tuple(refused))
    async with pool.acquire() as conn, conn.transaction():
        icn = int(await conn.fetchval("SELECT nextval('claim_interchange_numbers')"))
        content, name = _content(req.fmt, provider, ready, icn, req.at)
        digest = hashlib.sha256(content.encode()).hexdigest()
        await conn.execute(RECORD, icn, req.fmt, name, digest, req.by, req.at)
        await conn.executemany(ITEM, [(icn, c.claim.claim_id, c.frequency) for c in ready])
        sent_to = await asyncio.to_thread(adapter.send, name, content)
    return ExportResult(
        icn, sent_to, tuple(c.claim.claim_id for c in ready), tuple(refused), _warnings(ready)
    )


def _warnings(ready: list[ExportClaim]) -> tuple[str, ...]:
    """Medicare requires the subscriber's N3/N4; a claim without them still goes, flagged."""
    return tuple(
        f"claim {c.claim.claim_id}: no subscriber address: the payer may reject it"
        for c in ready
        if c.subscriber.address is None
    )


async def _ready(
    pool: asyncpg.Pool, rows: list[QueueRow], done: dict[str, int], req: ExportRequest
) -> tuple[list[ExportClaim], list[str]]:
    ready, refused = [], []
    named = set(req.which.claim_ids)
    for row in rows:
        before = done.get(row.claim_id)
        if before is not None and not req.replacement:
            if row.claim_id in named:
                refused.append(f"claim {row.claim_id}: already exported in interchange {before}; "
                               "export it again only with --replacement")  # fmt: skip
            continue
        if before is None and req.replacement:
            refused.append(f"claim {row.claim_id}: never exported, so nothing to replace")
            continue
        try:
            frequency: Literal["original", "replacement"] = (
                "replacement" if req.replacement else "original"
            )
            ready.append(await export_claim(pool, row, frequency))
        except ExportRefused as exc:
            refused.append(str(exc))
    return ready, refused


def _content(
    fmt: Format, provider: BillingProvider, ready: list[ExportClaim], icn: int, at: datetime
) -> tuple[str, str]:
    if fmt == "csv":
        return build_csv(provider, ready), f"ccm-charges-{icn:09d}.csv"
    content = build_837p(provider, ready, icn, at)
    verdict = validate_x12(content)
    if not verdict.valid:
        raise ExportRefused(f"the 837P failed pyx12 validation: {'; '.join(verdict.problems)}")
    return content, f"ccm-837p-{icn:09d}.x12"
