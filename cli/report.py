"""``ccm report billing|audit|funnel|worklist|late-entries``: read models as tables, JSON, CSV.

Each report first brings the projections it reads up to date (``--no-catch-up`` skips that), so
it shows every event committed before it ran: the catch-up writes read models, so it runs as the
app role; the report itself reads as the report role. Field names are in projections/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg

from cli import report_claims
from cli.outage import OUTAGES, outage_exit
from cli.pools import role_pool
from projections import reports
from projections.apply import ProjectionFailed
from projections.reports.render import FORMATS, render
from projections.reports.render_packet import render_packet
from projections.runner import catch_up
from runtime.logging import configure_logging
from runtime.settings import Settings
from runtime.stack import open_database

Runner = Callable[[asyncpg.Pool, argparse.Namespace, Settings], Awaitable[str]]


def month_arg(text: str) -> str:
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"month must be YYYY-MM, got {text!r}")
    return text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("report", help="billing, audit, funnel, worklist, late entries")
    kinds = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
    billing = kinds.add_parser("billing", help="the reimbursement ledger of one service month")
    billing.add_argument("--month", required=True, type=month_arg, help="service month, YYYY-MM")
    audit = kinds.add_parser("audit", help="a patient's audit trail, or one month's audit packet")
    audit.add_argument("--patient", required=True, help="the patient's opaque id")
    audit.add_argument("--month", type=month_arg, help="the closed month's packet (§8 answers)")
    kinds.add_parser("funnel", help="patients by phase, conversion, time in phase")
    worklist = kinds.add_parser("worklist", help="active patients' minutes this month")
    worklist.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    late = kinds.add_parser(
        "late-entries", help="documentation that arrived after its month closed"
    )
    late.add_argument("--month", type=month_arg, help="only this service month")
    remittance, reconciliation = report_claims.register(kinds, month_arg)
    for sub in (billing, audit, kinds.choices["funnel"], worklist, late, remittance,
                reconciliation):  # fmt: skip
        sub.add_argument("--format", choices=FORMATS, default="table", help="default: table")
        sub.add_argument("--no-catch-up", action="store_true", help="skip updating projections")
        sub.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Prints the report; exit 2 for a month that is not closed, 1 without a database."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        text = asyncio.run(_report(settings, args))
    except reports.MonthNotClosed as exc:
        print(f"ccm report: {exc}", file=sys.stderr)
        return 2
    except OUTAGES as exc:
        return outage_exit("report", exc)
    sys.stdout.write(text)
    return 0


async def _report(settings: Settings, args: argparse.Namespace) -> str:
    runner, needs = REPORTS[args.report]
    async with open_database(settings, start_missing=False) as urls:
        if not args.no_catch_up:
            async with role_pool(urls, "app") as app:
                try:
                    await catch_up(app, [needs])
                except ProjectionFailed as exc:
                    print(f"ccm report: warning, showing stale data: {exc}", file=sys.stderr)
        async with role_pool(urls, "report") as pool:
            return await runner(pool, args, settings)


async def _billing(pool: asyncpg.Pool, args: argparse.Namespace, settings: Settings) -> str:
    rows = await reports.billing_month(pool, args.month)
    text = render(rows, args.format)
    if args.format != "table":
        return text
    billed = [r for r in rows if r.bills]
    allowed = sum((r.allowed or Decimal(0) for r in billed), Decimal(0))
    expected = sum((r.expected_payment or Decimal(0) for r in billed), Decimal(0))
    paid = sum((r.paid or Decimal(0) for r in billed), Decimal(0))
    unpriced = sum(1 for r in billed if r.allowed is None)
    return text + (
        f"\n{len(rows)} patient-months closed, {len(billed)} billed"
        + (f" ({unpriced} unpriced, not in the totals)" if unpriced else "")
        + f"; allowed {allowed}, expected payment {expected}, paid {paid}\n"
    )


async def _audit(pool: asyncpg.Pool, args: argparse.Namespace, settings: Settings) -> str:
    if args.month is None:
        return render(await reports.audit_trail(pool, args.patient), args.format)
    packet = await reports.audit_packet(pool, args.patient, args.month, settings.practice_timezone)
    return render_packet(packet, args.format)


async def _funnel(pool: asyncpg.Pool, args: argparse.Namespace, settings: Settings) -> str:
    return render(await reports.funnel(pool), args.format)


async def _worklist(pool: asyncpg.Pool, args: argparse.Namespace, settings: Settings) -> str:
    today = args.today or datetime.now(ZoneInfo(settings.practice_timezone)).date()
    rows = await reports.worklist(pool, today, settings.practice_timezone)
    return render(rows, args.format)


async def _late(pool: asyncpg.Pool, args: argparse.Namespace, settings: Settings) -> str:
    return render(await reports.late_entries(pool, args.month), args.format)


REPORTS: dict[str, tuple[Runner, str]] = {
    "billing": (_billing, "ledger"),
    "audit": (_audit, "audit"),
    "funnel": (_funnel, "funnel"),
    "worklist": (_worklist, "worklist"),
    "late-entries": (_late, "ledger"),
    "remittance": (report_claims.remittance, "ledger"),
    "reconciliation": (report_claims.reconciliation, "ledger"),
}
