"""Benchmark (not a test): a practice through the real stack, as deployed, at growing sizes.

    .venv/bin/python bench/scale.py --patients 1000 3000 [10000] [--months 12]

Per size, on a fresh embedded stack (PostgreSQL and the Temporal dev server, started here and
published like ``ccm dev``): two ``ccm worker`` processes and one ``ccm projector``, then the
synthetic practice (``months - 1`` closed months, ending today) ingested through
``upstream.ingest``, until every projection has caught up. Prints wall time, patient-months per
second (closed months, ``month_closed`` in the store), CPU seconds and peak memory per component
(``bench.components``), disk per patient (database and temporal.db), and with two sizes or more
the growth exponent of wall time (least squares on log-log). ``--months`` is at most 12, a year
of care (``upstream.synth``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.components import Component, Sampler
from bench.dev_stack import TIMEZONE, BenchStack, dev_stack, synthetic_feed
from projections.status import status
from runtime import services
from upstream.client import CcmClient
from upstream.ingest import ingest

QUEUE = "bench-scale"
CCM = str(Path(sys.executable).parent / "ccm")
MB = 1024 * 1024


def start_processes(bench: BenchStack, workers: int, cached: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "CCM_DATA_DIR": str(bench.settings.data_dir), "CCM_TASK_QUEUE": QUEUE,
           "CCM_LOG_LEVEL": "warning", "CCM_MAX_CACHED_WORKFLOWS": str(cached)}  # fmt: skip
    log = (bench.settings.data_dir / "bench-children.log").open("ab")
    commands = [[CCM, "worker"]] * workers + [[CCM, "projector"]]
    return [subprocess.Popen(c, env=env, stdout=log, stderr=log) for c in commands]


def components(bench: BenchStack, procs: list[subprocess.Popen[bytes]]) -> list[Component]:
    running = services.read_running(bench.settings.data_dir)
    assert running is not None and running.postgres_pid and running.temporal_pid
    found = [Component("postgres", psutil.Process(running.postgres_pid)),
             Component("temporal", psutil.Process(running.temporal_pid)),
             Component("ingest", psutil.Process(), tree=False)]  # fmt: skip
    names = [f"worker{i + 1}" for i in range(len(procs) - 1)] + ["projector"]
    return found + [Component(n, psutil.Process(p.pid)) for n, p in zip(names, procs, strict=True)]


async def caught_up(bench: BenchStack, bound_s: float = 1800.0) -> None:
    give_up = time.monotonic() + bound_s
    while time.monotonic() < give_up:
        if all(s.lag_events == 0 for s in await status(bench.stack.pool)):
            return
        await asyncio.sleep(1.0)
    raise TimeoutError("the projector did not catch up")


async def one_size(patients: int, months: int, workers: int, cached: int) -> float:
    feed = synthetic_feed(patients, months)
    async with dev_stack(publish=True) as bench:
        procs = start_processes(bench, workers, cached)
        try:
            await asyncio.sleep(5.0)  # the workers connect and poll
            comps = components(bench, procs)
            empty = await disk(bench)
            client = CcmClient(bench.stack.client, QUEUE, TIMEZONE)
            async with Sampler(comps):
                started = time.monotonic()
                summary = await ingest(client, feed, concurrency=16)
                ingested = time.monotonic() - started
                await caught_up(bench)
                wall = time.monotonic() - started
            used = [after - before for after, before in zip(await disk(bench), empty, strict=True)]
            await report(bench, comps, patients, len(feed.events), ingested, wall, used)
            assert summary.undelivered == 0, summary.as_dict()
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)
    return wall


async def disk(bench: BenchStack) -> tuple[int, int]:
    """Bytes of the database and of temporal.db (with its WAL)."""
    db = int(await bench.stack.pool.fetchval("SELECT pg_database_size(current_database())"))
    tdb = sum(f.stat().st_size for f in bench.settings.data_dir.glob("temporal.db*"))
    return db, tdb


async def report(
    bench: BenchStack, comps: list[Component], patients: int, events: int, ingested: float,
    wall: float, used: list[int],
) -> None:  # fmt: skip
    pool = bench.stack.pool
    closed = int(await pool.fetchval("SELECT count(*) FROM events WHERE type = 'month_closed'"))
    db, tdb = used
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nN={patients}: {events} upstream events, {closed} closed patient-months; ingest "
          f"{ingested:.1f} s, caught up {wall:.1f} s; {closed / wall:.1f} patient-months/s; "
          f"load {load}")  # fmt: skip
    per = [
        f"{name} {n / patients / 1024:.1f} KiB"
        for name, n in (("database", db), ("temporal.db", tdb))
    ]
    print(f"  disk per patient (growth over the empty stack): {', '.join(per)}")
    total = sum(c.cpu_end - c.cpu_start for c in comps)
    for c in comps:
        cpu = c.cpu_end - c.cpu_start
        print(f"  {c.name:10} CPU {cpu:8.1f} s ({cpu / max(total, 1e-9):4.0%})  "
              f"peak {c.peak_bytes / MB:8.1f} MB")  # fmt: skip
    print(f"  all        CPU {total:8.1f} s  ({total / max(closed, 1) * 1000:.0f} ms per pt-month)")


def exponent(sizes: list[int], walls: list[float]) -> float:
    xs, ys = [math.log(n) for n in sizes], [math.log(w) for w in walls]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


async def run(sizes: list[int], months: int, workers: int, cached: int) -> None:
    walls = [await one_size(n, months, workers, cached) for n in sizes]
    if len(sizes) >= 2:
        print(f"\ngrowth exponent of wall time over N={sizes}: {exponent(sizes, walls):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--months", type=int, default=6, help="feed months (2-12)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-cached-workflows", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(run(args.patients, args.months, args.workers, args.max_cached_workflows))


if __name__ == "__main__":
    main()
