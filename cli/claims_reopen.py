"""``ccm claims reopen CLAIM --by USER --reason WHY``: a rejected claim's one correction.

The patient's workflow closes the month again on its corrected facts (its first close's facts
with the documentation that arrived late), and the claim's outbox row takes the corrected claim
and waits for review again. Needs the database and Temporal. Exit 0 done, 2 a claim that cannot
be reopened (not rejected, reopened before, closed before facts were recorded), 1/75 outages.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from claims.reopen import ReopenRefused, reopen_claim
from cli.claims_args import ClaimArgError, opaque
from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from runtime.settings import Settings
from runtime.stack import open_client
from workflows.patient import PatientCareWorkflow, workflow_id_for
from workflows.reopen import Reopened, ReopenMonth


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = actions.add_parser("reopen", help="correct a rejected claim once (a corrective close)")
    sub.add_argument("claim", metavar="CLAIM", help="the rejected claim's id")
    sub.add_argument("--by", required=True, help="who reopens (a user id)")
    sub.add_argument("--reason", required=True, help="what was corrected")
    sub.set_defaults(handler=run_reopen)


def run_reopen(args: argparse.Namespace) -> int:
    try:
        opaque("CLAIM", args.claim)
        opaque("--by", args.by)
        if not args.reason.strip():
            raise ClaimArgError("--reason: say what was corrected")
    except ClaimArgError as exc:
        return _fail(str(exc))
    try:
        line = asyncio.run(_reopen(Settings.from_env(), args))
    except ReopenRefused as exc:
        return _fail(str(exc))
    except OUTAGES as exc:
        return outage_exit("claims reopen", exc)
    print(line)
    return 0


async def _reopen(settings: Settings, args: argparse.Namespace) -> str:
    async with open_client(settings) as client, database_pool(settings, "app") as pool:

        async def update(patient_id: str, req: ReopenMonth) -> Reopened:
            handle = client.get_workflow_handle(workflow_id_for(patient_id))
            return await handle.execute_update(PatientCareWorkflow.reopen, req)

        now = datetime.now(UTC)
        claim = await reopen_claim(pool, update, args.claim, args.by, args.reason, now)
    if claim is None:
        return (
            f"{args.claim}: reopened; the corrected month bills nothing (the claim stays rejected)"
        )
    codes = " ".join(f"{c.code}x{c.units}" for c in claim.codes)
    return f"{args.claim}: reopened and awaiting review again ({codes})"


def _fail(message: str) -> int:
    print(f"ccm claims reopen: {message}", file=sys.stderr)
    return 2
