"""Benchmark (not a test): the workflow path against its trivial floor, on one dev server.

    .venv/bin/python bench/workflow_path.py [--patients 100 300] [--rounds 3]

For each N, alternating rounds (the first of each pair alternates too) ingest the same synthetic
practice (two closed months, ending today) through ``upstream.ingest``: once into the patient
workflow (the real path: decide, record with its dedup check, close, claim, continue-as-new), once
into ``bench.floor`` (update-with-start, one batch-insert activity per update). Each round uses
fresh ids (``r<k>`` before every patient id), so nothing is a duplicate. Prints the median
wall time of each, the ratio (goal: path within 1.5x of the floor) and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

import asyncpg
from pydantic import TypeAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dev_stack import TIMEZONE, BenchStack, dev_stack, synthetic_feed
from bench.floor import TABLE, FloorClient, floor_worker
from events.upstream import UpstreamEvent
from runtime.db_urls import without_password
from runtime.embedded_pg import published_urls
from upstream.client import CcmClient
from upstream.feed import ParsedFeed
from upstream.ingest import ingest
from worker import build_worker

PATH_QUEUE, FLOOR_QUEUE = "bench-path", "bench-floor"
PATIENT = re.compile(r"(?<![A-Za-z0-9])p-(\d{4})(?!\d)")
EVENT: TypeAdapter[UpstreamEvent] = TypeAdapter(UpstreamEvent)


def retagged(feed: ParsedFeed, tag: str) -> ParsedFeed:
    """The same feed with ``tag`` before every synthetic patient id (event and claim ids too)."""
    out = []
    for number, event in feed.events:
        text = PATIENT.sub(rf"{tag}p-\1", event.model_dump_json())
        out.append((number, EVENT.validate_json(text)))
    return ParsedFeed(events=out)


async def timed(client: CcmClient, feed: ParsedFeed) -> float:
    started = time.monotonic()
    summary = await ingest(client, feed)
    assert summary.undelivered == summary.duplicates == 0, summary.as_dict()
    return time.monotonic() - started


async def compare(bench: BenchStack, patients: int, rounds: int) -> None:
    base = synthetic_feed(patients)
    clients = {
        "path": CcmClient(bench.stack.client, PATH_QUEUE, TIMEZONE),
        "floor": FloorClient(bench.stack.client, FLOOR_QUEUE, TIMEZONE),
    }
    took: dict[str, list[float]] = {"path": [], "floor": []}
    for k in range(rounds):
        order = ["path", "floor"] if k % 2 == 0 else ["floor", "path"]
        for kind in order:
            feed = retagged(base, f"n{patients}r{k}{kind[0]}")
            took[kind].append(await timed(clients[kind], feed))
    path, floor = statistics.median(took["path"]), statistics.median(took["floor"])
    months = patients * 2
    print(f"N={patients:<5} events={len(base.events):<6} path {path:7.1f} s  floor {floor:7.1f} s  "
          f"ratio {path / floor:4.2f}x  path {months / path:5.1f} pt-months/s  "
          f"rounds path={_fmt(took['path'])} floor={_fmt(took['floor'])}  "
          f"load {_load()}", flush=True)  # fmt: skip


def _fmt(values: list[float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def run(sizes: list[int], rounds: int) -> None:
    async with dev_stack() as bench:
        owner = published_urls(without_password(bench.stack.database_url), bench.settings.data_dir)
        conn = await asyncpg.connect(owner.owner)
        await conn.execute(TABLE)
        await conn.close()
        client, pool = bench.stack.client, bench.stack.pool
        async with build_worker(client, pool, PATH_QUEUE), floor_worker(client, pool, FLOOR_QUEUE):
            print(f"load before {_load()}", flush=True)
            for n in sizes:
                await compare(bench, n, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.patients, args.rounds))


if __name__ == "__main__":
    main()
