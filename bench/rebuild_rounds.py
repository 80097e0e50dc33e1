"""Benchmark (not a test): many ledger rebuilds in a row, one line each, to see their spread.

    .venv/bin/python -m bench.rebuild_rounds [--events 1000000] [--rounds 8] [--ab plans|payloads]

Generates the synthetic practice once (``bench.projections.generate``), then rebuilds the ledger
``--rounds`` times and prints each rebuild's wall time, client and server CPU, the host's steal
time (CPU this virtual machine was owed and did not get) and the load average, then the median.
With ``--ab`` each round runs twice, alternating: the engine as it is, and with one of its
choices undone for the bench only: ``plans`` lets PostgreSQL pick generic plans for set-based
statements again (``projections.base.CUSTOM_PLANS``); ``payloads`` reads every payload
(``Projection.payload_needs``). Rebuilds days apart are not comparable; alternate rounds are.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import projections.base as projection_base
from bench.cpu import Cpu
from bench.projections import database_url, generate
from events.payloads import PayloadNeeds
from projections.rebuild import rebuild

ENGINE = "as is"


def steal_seconds() -> float:
    """The host's steal time so far (Linux ``/proc/stat``), 0 where it cannot be read."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _every_payload(_self: projection_base.Projection) -> PayloadNeeds | None:
    return None


def undo(choice: str) -> Callable[[bool], None]:
    """A switch: ``True`` undoes ``choice`` (bench only), ``False`` restores the engine."""
    plans, needs = projection_base.CUSTOM_PLANS, projection_base.Projection.payload_needs

    def switch(undone: bool) -> None:
        if choice == "plans":
            projection_base.CUSTOM_PLANS = "SELECT 1" if undone else plans
        else:
            chosen = _every_payload if undone else needs
            projection_base.Projection.payload_needs = chosen  # type: ignore[assignment,method-assign]

    return switch


async def one(pool: asyncpg.Pool, cpu: Cpu, label: str) -> float:
    steal, (client, server), started = steal_seconds(), cpu.seconds(), time.perf_counter()
    await rebuild(pool, "ledger")
    wall = time.perf_counter() - started
    client_end, server_end = cpu.seconds()
    print(f"{label:<16} {wall:6.1f} s  client {client_end - client:5.1f} s  server"
          f" {server_end - server:6.1f} s  steal {steal_seconds() - steal:4.1f} s"
          f"  load {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    return wall


async def main(args: argparse.Namespace) -> None:
    labels = [ENGINE] + ([f"{args.ab} undone"] if args.ab else [])
    switch = undo(args.ab) if args.ab else (lambda _undone: None)
    async with database_url(None) as url, asyncpg.create_pool(url, min_size=2, max_size=6) as pool:
        total = await generate(pool, args.events, writers=2)
        print(f"{total:,} events generated; load {os.getloadavg()[0]:.2f}", flush=True)
        cpu = Cpu(url)
        walls: dict[str, list[float]] = {label: [] for label in labels}
        for r in range(args.rounds):
            for label in labels if r % 2 == 0 else labels[::-1]:
                switch(label != ENGINE)
                walls[label].append(await one(pool, cpu, label))
        switch(False)
    for label, seconds in walls.items():
        print(f"{label}: median {statistics.median(seconds):.1f} s of "
              + ", ".join(f"{s:.1f}" for s in seconds))  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--ab", choices=("plans", "payloads"), default=None)
    asyncio.run(main(parser.parse_args()))
