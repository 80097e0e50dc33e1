"""What ``ccm demo`` prints once the practice is billed: billing, worklist, where to look next."""

from __future__ import annotations

from datetime import date

import asyncpg

from care.months import month_of_date
from projections.reports.billing import billing_month
from projections.reports.render import render
from projections.reports.worklist import worklist
from runtime.settings import Settings

SAVED_VIEWS = {
    "at risk this month": 'CcmPhase="active" AND CcmAtRisk=true AND ExecutionStatus="Running"',
    "enrollment stalled": ('CcmPhase IN ("enrolling","unreachable") AND ExecutionStatus="Running"'),
    "under 20 minutes": 'CcmPhase="active" AND CcmMonthMinutes < 20 AND ExecutionStatus="Running"',
}


async def print_outcome(pool: asyncpg.Pool, settings: Settings, today: date, month: str) -> None:
    """The billing report of ``month`` (the feed's last closed month) and today's worklist."""
    rows = await billing_month(pool, month)
    print(f"== Billing, {month} (last closed month): {len(rows)} patient-months")
    print(render(rows, "table"))
    work = await worklist(pool, today, settings.practice_timezone)
    print(f"\n== Worklist, {month_of_date(today)}: {len(work)} active patients")
    print(render(work, "table"))
    print(f"\n== Temporal UI: http://127.0.0.1:{settings.ui_port}  (saved views to paste)")
    for name, query in SAVED_VIEWS.items():
        print(f"  {name:<20} {query}")
