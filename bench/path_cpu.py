"""Benchmark (not a test): the workflow path alone, its wall time and each component's CPU.

    .venv/bin/python bench/path_cpu.py [--patients 300] [--rounds 2] [--side path|floor]

Starts a fresh dev stack, ingests the synthetic practice of bench/workflow_path.py ``--rounds``
times (fresh ids each round) into the patient workflow (or ``--side floor``: ``bench.floor``),
and prints each round's wall time and the CPU seconds of this process (worker and sender),
Temporal's dev server and PostgreSQL (``bench.components``). The path's ratio to its floor swings
with the machine (README, "The workflow path against its floor"); comparing two versions of the
path is steadier run by run, alternating checkouts, each run on a fresh stack (this file puts
its own checkout first on the path, so one venv's python runs either):

    for c in ../old . ../old . ../old .; do (cd $c && $PY bench/path_cpu.py); done
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import asyncpg
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from bench.components import Component
from bench.dev_stack import TIMEZONE, BenchStack, dev_stack, synthetic_feed
from bench.floor import TABLE, FloorClient, floor_worker
from bench.workflow_path import FLOOR_QUEUE, PATH_QUEUE, retagged, timed
from runtime import services
from runtime.db_urls import without_password
from runtime.embedded_pg import published_urls
from upstream.client import CcmClient
from worker import build_worker


def components(bench: BenchStack) -> list[Component]:
    running = services.read_running(bench.settings.data_dir)
    assert running is not None and running.postgres_pid and running.temporal_pid
    return [Component("self", psutil.Process(), tree=False),
            Component("temporal", psutil.Process(running.temporal_pid)),
            Component("postgres", psutil.Process(running.postgres_pid))]  # fmt: skip


async def run(patients: int, rounds: int, side: str) -> None:
    async with dev_stack(publish=True) as bench:  # publish: services.json names the pids
        owner = published_urls(without_password(bench.stack.database_url), bench.settings.data_dir)
        conn = await asyncpg.connect(owner.owner)
        await conn.execute(TABLE)
        await conn.close()
        client, pool = bench.stack.client, bench.stack.pool
        sender = (CcmClient(client, PATH_QUEUE, TIMEZONE) if side == "path"
                  else FloorClient(client, FLOOR_QUEUE, TIMEZONE))  # fmt: skip
        base, parts = synthetic_feed(patients), components(bench)
        async with build_worker(client, pool, PATH_QUEUE), floor_worker(client, pool, FLOOR_QUEUE):
            for k in range(rounds):
                before = [c.cpu() for c in parts]
                wall = await timed(sender, retagged(base, f"c{k}{side[0]}"))
                used = [c.cpu() - b for c, b in zip(parts, before, strict=True)]
                cells = " ".join(f"{c.name} {u:5.1f} s" for c, u in zip(parts, used, strict=True))
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                print(
                    f"{side} N={patients} round {k}: wall {wall:5.1f} s  CPU {cells}  load {load}"
                )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--patients", type=int, default=300)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--side", choices=("path", "floor"), default="path")
    args = p.parse_args()
    asyncio.run(run(args.patients, args.rounds, args.side))


if __name__ == "__main__":
    main()
