"""``ccm patients restore``: start, from the store, the patient workflows that are not running.

After Temporal lost its data (or a workflow was terminated), every patient is rebuilt from their
stream: the workflow folds it, hands over any claim prepared but never submitted, and carries on
with the calendar. Patients whose workflow is running are left alone, so it is safe to re-run.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from cli.outage import OUTAGES, outage_exit
from cli.patient_link import add_link_parser
from cli.policy import opaque_id
from ops.restore import Restored, restore
from runtime.settings import Settings
from runtime.stack import open_stack

SHOWN = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("patients", help="patient workflows as a whole")
    actions = parser.add_subparsers(dest="patients_command", required=True, metavar="ACTION")
    rest = actions.add_parser(
        "restore", help="start stored patients' workflows that are not running"
    )
    which = rest.add_mutually_exclusive_group(required=True)
    which.add_argument("--patient", type=opaque_id, action="append", help="a patient id (repeat)")
    which.add_argument("--all", action="store_true", help="every patient with a stored stream")
    rest.set_defaults(handler=run_restore)
    add_link_parser(actions)


def run_restore(args: argparse.Namespace) -> int:
    """Exit 0 when every wanted patient runs, 2 when one has no stream, 1 when a service is down."""
    settings = Settings.from_env()
    try:
        done = asyncio.run(_restore(settings, None if args.all else args.patient))
    except OUTAGES as exc:
        return outage_exit("patients restore", exc)
    summary = {
        "started": len(done.started), "already_running": len(done.running),
        "no_stream": done.unknown[:SHOWN], "started_ids": done.started[:SHOWN],
    }  # fmt: skip
    print(json.dumps(summary))
    return 2 if done.unknown else 0


async def _restore(settings: Settings, wanted: list[str] | None) -> Restored:
    async with open_stack(settings, start_missing=False) as stack:
        return await restore(
            stack.client, stack.pool, settings.task_queue, settings.practice_timezone, wanted
        )
