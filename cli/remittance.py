"""``ccm remittance import FILE``: an 835 remittance, a 999 or a 277CA acknowledgement.

An 835's matched payments become ``claim_adjudicated`` facts in the patients' workflows (so it
needs Temporal as well as the database); its unmatched ones wait on
``ccm report remittance --unmatched``. Prints a JSON summary. Exit 0 done (a file imported
before is a no-op), 2 for a file that is not a valid 835/999/277CA, 1 when a workflow refused a
payment (named by event and field), 1/75 for outages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from claims.acks import parse_ack, record_acks
from claims.remittance import ImportResult, import_835
from claims.x12_835 import RemittanceError
from claims.x12_validate import validate_x12
from cli.claims_args import ClaimArgError, opaque
from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from runtime.settings import Settings
from runtime.stack import open_client
from upstream.client import CcmClient


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("remittance", help="import 835 remittances and 999/277CA acks")
    actions = parser.add_subparsers(dest="remittance_command", required=True, metavar="ACTION")
    sub = actions.add_parser("import", help="import one 835, 999 or 277CA file")
    sub.add_argument("file", metavar="FILE", help="the X12 file")
    sub.add_argument("--by", default="remittance-import", help="who imports (a user id)")
    sub.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    try:
        opaque("--by", args.by)
        text = Path(args.file).read_text(encoding="ascii")
        kind = _kind(text)
    except (ClaimArgError, RemittanceError) as exc:
        return _fail(str(exc))
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"FILE: cannot read {args.file} as X12 text ({type(exc).__name__})")
    settings = Settings.from_env()
    try:
        summary = asyncio.run(_import(settings, args, kind, text))
    except RemittanceError as exc:
        return _fail(str(exc))
    except OUTAGES as exc:
        return outage_exit("remittance import", exc)
    print(json.dumps(summary, indent=2))
    return 1 if summary.get("refused") else 0


def _kind(text: str) -> str:
    if not text.startswith("ISA") or len(text) < 106:
        raise RemittanceError("FILE: not an X12 interchange (no ISA segment)")
    for st in ("835", "999", "277"):
        if f"ST{text[3]}{st}{text[3]}" in text:
            return st
    raise RemittanceError("FILE: ST01 is none of 835, 999, 277")


async def _import(
    settings: Settings, args: argparse.Namespace, kind: str, text: str
) -> dict[str, object]:
    now = datetime.now(UTC)
    name = Path(args.file).name
    async with database_pool(settings, "app") as pool:
        if kind != "835":
            verdict = validate_x12(text, with_999=False)
            if not verdict.valid:
                raise RemittanceError(f"{name}: not a valid {kind} ({'; '.join(verdict.problems)})")
            acks = parse_ack(text)
            await record_acks(pool, acks)
            return {"file": name, "kind": kind, "acknowledgements": len(acks)}
        async with open_client(settings) as client:
            ccm = CcmClient(client, settings.task_queue, settings.practice_timezone)
            result = await import_835(pool, ccm, name, text, args.by, now)
    return _summary(name, result)


def _summary(name: str, r: ImportResult) -> dict[str, object]:
    return {
        "file": name, "kind": "835", "new": r.new_file, "claims": r.claims,
        "matched": r.matched, "unmatched": list(r.unmatched), "refused": list(r.refused),
    }  # fmt: skip


def _fail(message: str) -> int:
    print(f"ccm remittance import: {message}", file=sys.stderr)
    return 2
