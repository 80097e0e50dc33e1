"""``ccm fees import FILE`` and ``ccm fees show``: the practice's own fee schedule.

A practice is paid its locality's (GPCI-adjusted) amounts, which its MAC publishes; importing
that file makes every later month close price with it (``billing.fee_store``). The accepted CSV
columns are documented in ``billing/fee_import.py`` and the README.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from datetime import date
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from billing.fee_import import FeeFileError, parse_fee_file
from billing.fee_store import Imported, ImportRequest, save_schedule, schedule_in_effect
from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from events.base import OpaqueId
from runtime.settings import Settings

PRACTICE_ID: TypeAdapter[str] = TypeAdapter(OpaqueId)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("fees", help="the practice's own fee schedule")
    actions = parser.add_subparsers(dest="fees_command", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="load a MAC / PFS look-up fee schedule CSV")
    imp.add_argument("file", help="the CSV file (see the README for the accepted columns)")
    imp.add_argument("--practice", required=True, help="the practice's opaque id")
    imp.add_argument("--year", type=int, help="calendar year (required without a Year column)")
    imp.add_argument(
        "--effective", type=date.fromisoformat, help="YYYY-MM-DD in force from (default 1 Jan)"
    )
    imp.add_argument("--locality", help="MAC locality label, e.g. 'NY 01 Manhattan'")
    imp.add_argument("--by", help="who imported it (kept with the version)")
    imp.set_defaults(handler=run_import)
    show = actions.add_parser("show", help="the amounts that price a month, and their source")
    show.add_argument("--practice", required=True, help="the practice's opaque id")
    show.add_argument("--on", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    show.set_defaults(handler=run_show)


def _request(args: argparse.Namespace, raw: bytes) -> ImportRequest:
    """Parses and checks the file; raises ``FeeFileError`` or ``ValueError`` naming the problem."""
    try:
        PRACTICE_ID.validate_python(args.practice)
    except ValidationError:
        raise ValueError("--practice must be an opaque id (letters, digits, . _ : @ / -)") from None
    parsed = parse_fee_file(raw.decode("utf-8-sig"), args.year, source=Path(args.file).name)
    effective = args.effective or date(parsed.year, 1, 1)
    if effective.year != parsed.year:
        raise ValueError(f"--effective {effective} is not in the schedule's year {parsed.year}")
    return ImportRequest(
        practice_id=args.practice, year=parsed.year, effective_from=effective,
        locality=args.locality, source_file=Path(args.file).name,
        sha256=hashlib.sha256(raw).hexdigest(), imported_by=args.by, entries=parsed.entries,
    )  # fmt: skip


def run_import(args: argparse.Namespace) -> int:
    """Exit 0 once stored (or already stored), 2 for a bad file, 1 without a database."""
    try:
        raw = Path(args.file).read_bytes()
        req = _request(args, raw)
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}", 2)
    except UnicodeDecodeError:
        return _fail(f"{args.file} is not UTF-8 text", 2)
    except (FeeFileError, ValueError) as exc:
        return _fail(str(exc), 2)
    try:
        done = asyncio.run(_store(Settings.from_env(), req))
    except OUTAGES as exc:
        return outage_exit(f"fees {args.fees_command}", exc)
    summary = {
        "schedule_id": done.schedule_id, "new": done.new, "practice_id": req.practice_id,
        "year": req.year, "effective_from": req.effective_from.isoformat(),
        "codes": sorted(e.code for e in req.entries),
    }  # fmt: skip
    print(json.dumps(summary))
    return 0


async def _store(settings: Settings, req: ImportRequest) -> Imported:
    async with database_pool(settings, "app") as pool:
        return await save_schedule(pool, req)


def run_show(args: argparse.Namespace) -> int:
    """Prints every amount in effect on a day, with its source; exit 1 without a database."""
    try:
        text = asyncio.run(_show(Settings.from_env(), args.practice, args.on))
    except OUTAGES as exc:
        return outage_exit(f"fees {args.fees_command}", exc)
    print(text)
    return 0


async def _show(settings: Settings, practice: str, on: date) -> str:
    async with database_pool(settings, "report") as pool:
        schedule = await schedule_in_effect(pool, practice, on)
    rows = [e for e in schedule.entries if e.year <= on.year]
    effective = {(e.year, e.code): e for e in rows}  # later entries win, as in pricing
    lines = [f"{schedule.label}"]
    lines += [f"  CY{y} {c}  {e.allowed:>8}  {e.source}" for (y, c), e in sorted(effective.items())]
    return "\n".join(lines)


def _fail(message: str, code: int) -> int:
    print(f"ccm fees: {message}", file=sys.stderr)
    return code
