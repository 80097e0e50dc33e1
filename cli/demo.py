"""``ccm demo``: the whole engine on a synthetic practice, end to end, from a fresh machine.

Starts the stack as ``ccm dev`` does, generates the seeded synthetic feed ending today, ingests it
(each patient's workflow bills its past months as if the events had arrived live), waits for the
projections, prints the last closed month's billing and this month's worklist, and keeps running
for the Temporal UI until Ctrl-C (``--exit`` stops after printing). Re-running reuses the data:
the same seed and day give the same event ids, which workflows and the store deduplicate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable

from activities.patients import policy_history
from care.months import month_of_date
from cli.demo_claims import review_and_reconcile
from cli.demo_output import print_outcome
from cli.dev import describe
from cli.outage import OUTAGES, outage_exit
from cli.progress import ProgressBar
from events.store import EventStore
from runtime.clock import practice_today
from runtime.lifecycle import run_until_stopped, stop_on_signals
from runtime.logging import configure_logging
from runtime.settings import Settings
from runtime.stack import Stack, open_stack
from runtime.supervisor import supervise
from upstream.client import CcmClient
from upstream.feed import ParsedFeed
from upstream.ingest import ingest
from upstream.synth import plan_feed

# The synthetic practice's opaque id; its policies are whatever `ccm policy set` recorded for it.
PRACTICE = "practice-1"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("demo", help="run the engine on a synthetic practice, end to end")
    p.add_argument("--patients", type=int, default=200, help="synthetic patients (default 200)")
    p.add_argument("--seed", type=int, default=7, help="random seed of the feed (default 7)")
    p.add_argument("--months", type=int, default=4, help="months of history, the last in progress")
    p.add_argument("--exit", action="store_true", help="stop after printing the reports")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 after a clean stop; 1 when a service could not start or the demo failed."""
    settings = Settings.from_env()
    configure_logging("warning" if settings.log_level == "info" else settings.log_level)
    try:
        asyncio.run(_demo(settings, args))
    except OUTAGES as exc:
        return outage_exit("demo", exc)
    return 0


async def _demo(settings: Settings, args: argparse.Namespace) -> None:
    from projections.runner import run_projections
    from worker import run_worker

    stop = asyncio.Event()
    stop_on_signals(stop)
    async with open_stack(settings, start_missing=True, publish=True) as stack:
        print(describe(settings, stack), flush=True)
        services: dict[str, Callable[[], Awaitable[None]]] = {
            "worker": lambda: run_worker(settings, stack.client, stack.pool, stop),
            "projections": lambda: run_projections(stack.pool, stop),
            "demo": lambda: _story(settings, stack, args, stop),
            "supervisor": lambda: supervise(stack.children, stop, stack.republish),
        }
        await run_until_stopped(stop, services, restart={"worker", "projections"})
    print("ccm demo: stopped", flush=True)


async def _story(
    settings: Settings, stack: Stack, args: argparse.Namespace, stop: asyncio.Event
) -> None:
    """Feeds the practice in, waits for billing and projections, prints; then waits for stop."""
    from projections.runner import catch_up

    tz = settings.practice_timezone
    today = practice_today(tz)
    policies = await policy_history(EventStore(stack.pool), PRACTICE)
    plan = plan_feed(
        patients=args.patients, seed=args.seed, end=today, months=args.months, timezone=tz,
        practice_id=PRACTICE, grace_days=policies.for_month(month_of_date(today)).grace_days,
    )  # fmt: skip
    events = plan.events
    feed = ParsedFeed(events=list(enumerate(events, start=1)))
    print(f"\nIngesting {len(events)} events for {args.patients} synthetic patients…", flush=True)
    client = CcmClient(stack.client, settings.task_queue, tz)
    bar = ProgressBar(len(events), "events")
    summary = await ingest(client, feed, progress=bar.advance)
    bar.close()
    print(f"ingested: {json.dumps(summary.as_dict())}", flush=True)
    for r in summary.rejected:
        print(f"  refused line {r.line}: field {r.field}: {r.reason}", flush=True)
    applied = await catch_up(stack.pool)
    print(f"projections caught up ({applied} event applications)\n", flush=True)
    await print_outcome(stack.pool, settings, today, plan.timeline.last_closed.label)
    await review_and_reconcile(stack.pool, settings, plan.timeline.last_closed.label)
    if args.exit:
        stop.set()
        return
    print("\nRunning. Press Ctrl-C to stop.", flush=True)
    await stop.wait()
