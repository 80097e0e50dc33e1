"""``ccm demo``'s claims step: a demo biller approves the last closed month's claims, exports
them as an 837P through the file-drop adapter, and the month's reconciliation is printed.

On a re-run nothing is approved or exported twice (only claims awaiting review are approved, and
an exported claim is never exported again as an original).
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from claims.export import ExportRequest, export
from claims.provider import BillingProvider, ProviderSettingError
from claims.queue import ClaimFilter, claims
from claims.reconciliation import reconciliation, totals
from claims.review import Decision, decide
from claims.transport import FileDrop
from projections.reports.render import render
from projections.runner import catch_up
from runtime.settings import Settings

DEMO_BILLER = "demo-biller"


async def review_and_reconcile(pool: asyncpg.Pool, settings: Settings, month: str) -> None:
    now = datetime.now(UTC)
    waiting = await claims(pool, ClaimFilter(month=month))
    for row in waiting:
        await decide(pool, row.claim_id, Decision("approved", DEMO_BILLER, now, "demo"))
    print(f"\n== Claims, {month}: {len(waiting)} approved by {DEMO_BILLER} (ccm claims queue)")
    try:
        provider = BillingProvider.from_env()
    except ProviderSettingError as exc:
        print(f"  no 837P exported: {exc}")
    else:
        req = ExportRequest(ClaimFilter(month=month), "x12-837p", DEMO_BILLER, now)
        done = await export(pool, req, provider, FileDrop(settings.data_dir / "clearinghouse"))
        if done.icn is not None:
            print(f"  837P interchange {done.icn}: {len(done.claim_ids)} claims in {done.sent_to}")
        for why in done.refused[:5]:
            print(f"  not exported: {why}")
    await catch_up(pool, ["ledger"])
    rows = await reconciliation(pool, month, now, settings.practice_timezone)
    print(f"\n== Reconciliation, {month} (ccm report reconciliation --month {month})")
    print(render(rows, "table") + totals(rows), end="")
