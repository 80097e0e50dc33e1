"""``ccm report remittance [--unmatched]`` and ``ccm report reconciliation --month M``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from claims.reconciliation import reconciliation as reconcile
from claims.reconciliation import totals
from claims.remittance_report import remittance_lines
from projections.reports.render import render
from runtime.settings import Settings


def register(
    kinds: argparse._SubParsersAction[argparse.ArgumentParser], month_arg: Callable[[str], str]
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    remit = kinds.add_parser("remittance", help="imported 835 payments (--unmatched: no claim)")
    remit.add_argument("--unmatched", action="store_true", help="only payments no claim matched")
    recon = kinds.add_parser("reconciliation", help="expected vs paid per claim of a month")
    recon.add_argument("--month", required=True, type=month_arg, help="service month, YYYY-MM")
    return remit, recon


async def remittance(pool: asyncpg.Pool, args: argparse.Namespace, settings: Settings) -> str:
    rows = await remittance_lines(pool, args.unmatched)
    text = render(rows, args.format)
    if args.format == "table":
        text += f"{len(rows)} payment(s){' matching no claim' if args.unmatched else ''}\n"
    return text


async def reconciliation(pool: asyncpg.Pool, args: argparse.Namespace, settings: Settings) -> str:
    rows = await reconcile(pool, args.month, datetime.now(UTC), settings.practice_timezone)
    text = render(rows, args.format)
    return text + totals(rows) if args.format == "table" else text
