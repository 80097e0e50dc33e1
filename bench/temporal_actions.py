"""Benchmark (not a test): Temporal actions and history events per patient-month.

    .venv/bin/python bench/temporal_actions.py [--patients 100] [--months 3] [--daily]

Ingests a synthetic practice (``months - 1`` closed months, ending today) through the real path
(``upstream.ingest`` → update-with-start → the patient workflow on an embedded dev server, with a
worker in this process), waits for the workflows to settle, then counts every run's history
through the client (``bench.history_cost``). Prints actions by kind and history events, per
patient and per closed patient-month (``month_closed`` events in the store). ``--daily`` sends
each patient's events as one update per day they happened on (the shape of a live feed) instead
of a backfill's few large updates.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dev_stack import TIMEZONE, BenchStack, dev_stack, synthetic_feed
from bench.history_cost import Cost, cost_of
from events.upstream import UpstreamEvent
from upstream.client import CcmClient
from upstream.feed import ParsedFeed
from upstream.ingest import IngestSummary, ingest
from worker import build_worker

QUEUE = "bench-actions"
QUERY = f'WorkflowType="PatientCare" AND TaskQueue="{QUEUE}"'


async def settled_cost(bench: BenchStack) -> Cost:
    """The histories once two counts a second apart agree (visibility lags, CAN finishes)."""
    last = await cost_of(bench.stack.client, QUERY)
    while True:
        await asyncio.sleep(1.0)
        now = await cost_of(bench.stack.client, QUERY)
        if (now.runs, now.events) == (last.runs, last.events):
            return now
        last = now


async def daily(client: CcmClient, feed: ParsedFeed) -> IngestSummary:
    """Each patient's events as one ``ingest`` per day, days in order, patients in parallel."""
    summary = IngestSummary(patients=len(feed.by_patient()))
    gate = asyncio.Semaphore(8)

    async def one(events: list[tuple[int, UpstreamEvent]]) -> None:
        days: dict[date, list[tuple[int, UpstreamEvent]]] = {}
        for item in events:
            days.setdefault(item[1].occurred_at.date(), []).append(item)
        async with gate:
            for day in days.values():
                await ingest(client, ParsedFeed(events=day), summary=summary)

    await asyncio.gather(*(one(events) for events in feed.by_patient().values()))
    return summary


async def measure(patients: int, months: int, per_day: bool) -> None:
    feed = synthetic_feed(patients, months)
    async with dev_stack() as bench:
        worker = build_worker(bench.stack.client, bench.stack.pool, QUEUE)
        async with worker:
            started = time.monotonic()
            client = CcmClient(bench.stack.client, QUEUE, TIMEZONE)
            summary = await (daily(client, feed) if per_day else ingest(client, feed))
            took = time.monotonic() - started
            assert summary.undelivered == 0, summary.as_dict()
            cost = await settled_cost(bench)
        pool = bench.stack.pool
        closed = await pool.fetchval("SELECT count(*) FROM events WHERE type = 'month_closed'")
        claims = await pool.fetchval("SELECT count(*) FROM claims_outbox")
    report(cost, len(feed.by_patient()), int(closed), int(claims), took)


def report(cost: Cost, patients: int, closed: int, claims: int, took: float) -> None:
    print(f"patients {patients}, closed patient-months {closed}, claims {claims}, "
          f"ingest {took:.1f} s")  # fmt: skip
    print(f"runs {cost.runs} ({cost.runs / patients:.2f} per patient)")
    print(f"{'':24}{'total':>9}{'/patient':>10}{'/pt-month':>11}")
    rows = [("history events", cost.events), ("actions", cost.total_actions)]
    rows += [(f"  {kind}", n) for kind, n in sorted(cost.actions.items())]
    for name, n in rows:
        print(f"{name:24}{n:>9}{n / patients:>10.2f}{n / max(closed, 1):>11.2f}")
    print("history events by type:")
    for name, n in cost.event_types.most_common():
        print(f"  {name:44}{n:>8}{n / max(closed, 1):>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--months", type=int, default=3, help="feed months (2-12); one fewer close")
    parser.add_argument("--daily", action="store_true", help="one update per patient-day")
    args = parser.parse_args()
    asyncio.run(measure(args.patients, args.months, args.daily))


if __name__ == "__main__":
    main()
