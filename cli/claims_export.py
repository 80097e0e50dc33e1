"""``ccm claims export``: approved claims to one 837P (or CSV) file through the file-drop adapter.

Prints a JSON summary (interchange control number, file, claims, and each claim left out with
the reason). Exit 0 once a file is written, 2 when nothing could be exported (bad flags, a bad
``CCM_BILLING_*`` setting, no approved claim left, every claim refused), 1/75 for outages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from claims.export import ExportRequest, ExportResult, export
from claims.provider import BillingProvider, ProviderSettingError
from claims.transport import FileDrop
from claims.x12_837 import ExportRefused
from cli.claims_args import ClaimArgError, add_filter, claim_filter, opaque
from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from runtime.settings import Settings


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = actions.add_parser("export", help="write approved claims as an 837P or CSV file")
    sub.add_argument("claims", nargs="*", metavar="CLAIM", help="claim ids (default: every one)")
    add_filter(sub, default_status="approved")
    sub.add_argument("--format", choices=("x12-837p", "csv"), default="x12-837p")
    sub.add_argument("--by", required=True, help="who exports (a user id)")
    sub.add_argument("--replacement", action="store_true", help="replace claims sent before")
    sub.add_argument(
        "--out", type=Path, help="file-drop folder (default: <data dir>/clearinghouse)"
    )
    sub.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        which = claim_filter(args, args.claims)
        opaque("--by", args.by)
        provider = BillingProvider.from_env()
    except (ClaimArgError, ProviderSettingError) as exc:
        return _fail(str(exc))
    req = ExportRequest(which, args.format, args.by, datetime.now(UTC), args.replacement)
    root = args.out or settings.data_dir / "clearinghouse"
    try:
        result = asyncio.run(_export(settings, req, provider, FileDrop(root)))
    except ExportRefused as exc:
        return _fail(str(exc))
    except OUTAGES as exc:
        return outage_exit("claims export", exc)
    print(json.dumps(_summary(result), indent=2))
    if result.icn is None:
        return _fail("nothing exported: no approved claim left to export")
    return 0


async def _export(
    settings: Settings, req: ExportRequest, provider: BillingProvider, adapter: FileDrop
) -> ExportResult:
    async with database_pool(settings, "app") as pool:
        return await export(pool, req, provider, adapter)


def _summary(r: ExportResult) -> dict[str, object]:
    return {
        "interchange_control_number": r.icn, "file": r.sent_to, "claims": list(r.claim_ids),
        "refused": list(r.refused), "warnings": list(r.warnings),
    }  # fmt: skip


def _fail(message: str) -> int:
    print(f"ccm claims export: {message}", file=sys.stderr)
    return 2
