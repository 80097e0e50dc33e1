"""Side-by-side benchmark (not a test): raw asyncpg, ccm-engine and the ``eventsourcing`` library,
alternating round by round on one embedded PostgreSQL.

    .venv/bin/pip install -e '.[test,bench]'
    .venv/bin/python -m bench.side_by_side [--events 1000000] [--rounds 3] [--quick]

Generates ``--events`` synthetic events (bench/synthetic.py) through the store, then for each
scenario runs every system once per round, rotating who goes first, and prints the median
events/s of each, ccm-engine's ratio to raw asyncpg and to the library, the median CPU each
spent per event (this process and the server together: steadier than wall time on a shared
machine), and the load average before and after the scenario.

Scenarios: appends of 1 and 10 events per transaction (raw: the project's own schema, rows
encoded ahead; see bench/event_store.py); reading in global order (ccm decoded, raw rows, the
library's notifications with their state left encoded); ledger catch-up from 0, and the ledger's
full rebuild (the raw floor for both: reading every event raw and COPYing the rows the ledger
ends up with). ``--quick`` shrinks every count for a run of a few minutes. Other processes share
this machine's cores: compare ratios and CPU within one run, and read the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bench import floors
from bench.cpu import Cpu
from bench.es_library import FILL, Library
from bench.event_store import RAW_TABLE, bench_append, bench_raw_insert, bench_read
from bench.projections import database_url, generate
from events.store import EventStore

Run = Callable[[str], Awaitable[float]]  # tag -> seconds
SYSTEMS = ("raw asyncpg", "ccm-engine", "eventsourcing")
TARGETS = {"append 1 event/txn": "ccm >= 0.7x raw", "read_all decoded": ">= 100k/s",
           "ledger catch-up": ">= 50k/s", "ledger rebuild": "< 20 s at 1M"}  # fmt: skip


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


CPU: Cpu | None = None  # set by main once the server is up


async def timed(run: Run, tag: str) -> tuple[float, float]:
    """(wall seconds, client + server CPU seconds) of one run."""
    assert CPU is not None
    client, server = CPU.seconds()
    wall = await run(tag)
    client2, server2 = CPU.seconds()
    return wall, (client2 - client) + (server2 - server)


async def scenario(name: str, events: int, rounds: int, runs: dict[str, Run | None]) -> list[str]:
    """Medians of ``rounds`` alternating runs; one printed row."""
    before = load()
    wall: dict[str, list[float]] = {s: [] for s in runs if runs[s] is not None}
    cpu: dict[str, list[float]] = {s: [] for s in wall}
    for r in range(rounds):
        order = [s for s in SYSTEMS if s in wall]
        for system in order[r % len(order) :] + order[: r % len(order)]:
            run = runs[system]
            assert run is not None
            seconds, used = await timed(run, f"{name[:6]}{r}")
            wall[system].append(seconds)
            cpu[system].append(used)
            print(f"  {name} r{r} {system}: {events / seconds:,.0f}/s", file=sys.stderr)
    rate = {s: events / statistics.median(v) for s, v in wall.items()}
    us = {s: statistics.median(v) / events * 1e6 for s, v in cpu.items()}
    cells = [f"{rate[s]:>12,.0f}" if s in rate else f"{'-':>12}" for s in SYSTEMS]
    ccm = rate["ccm-engine"]
    ratios = [f"{ccm / rate[s]:>7.2f}x" if s in rate else f"{'-':>8}" for s in SYSTEMS[::2]]
    cpus = " ".join(f"{us[s]:>6.1f}" if s in us else f"{'-':>6}" for s in SYSTEMS)
    med = statistics.median(wall["ccm-engine"])
    tail = f" {med:>8.2f} s  {cpus}   {before} -> {load()}  {TARGETS.get(name, '')}"
    return [f"{name:<22} {events:>9,} " + " ".join(cells) + " " + " ".join(ratios) + tail]


def header() -> str:
    names = " ".join(f"{s:>12}" for s in SYSTEMS)
    return (f"{'scenario (events/s)':<22} {'events':>9} {names} {'ccm/raw':>8} {'ccm/es':>8}"
            f" {'ccm time':>10}  CPU us/event raw/ccm/es  load avg (1/5/15 min) before -> after"
            "  target")  # fmt: skip


async def appends(pool: asyncpg.Pool, lib: Library, per: int, calls: int, rounds: int) -> list[str]:
    store = EventStore(pool)

    async def raw(tag: str) -> float:
        return (await bench_raw_insert(pool, tag, 1, per, calls)).seconds

    async def ccm(tag: str) -> float:
        return (await bench_append(store, tag, 1, per, calls)).seconds

    async def es(tag: str) -> float:
        return await asyncio.to_thread(lib.append, tag, per, calls)

    name = f"append {per} event{'s' * (per > 1)}/txn"
    return await scenario(name, per * calls, rounds, {SYSTEMS[0]: raw, SYSTEMS[1]: ccm,
                                                      SYSTEMS[2]: es})  # fmt: skip


async def reads(pool: asyncpg.Pool, lib: Library, total: int, rounds: int) -> list[str]:
    store = EventStore(pool)

    async def raw(_: str) -> float:
        return (await bench_read(store, total, raw=True)).seconds

    async def ccm(_: str) -> float:
        return (await bench_read(store, total, raw=False)).seconds

    async def es(_: str) -> float:
        return await asyncio.to_thread(lib.read, total)

    return await scenario("read_all decoded", total, rounds, {SYSTEMS[0]: raw, SYSTEMS[1]: ccm,
                                                              SYSTEMS[2]: es})  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    print(f"load average at start: {load()}  cores: {os.cpu_count()}", file=sys.stderr)
    async with database_url(None) as url, asyncpg.create_pool(url, min_size=2, max_size=6) as pool:
        global CPU
        CPU = Cpu(url)
        total = await generate(pool, args.events, writers=2)
        lib = await asyncio.to_thread(Library, url)
        try:
            read_total = min(total, args.read_events)
            await pool.execute(FILL, read_total)
            await pool.execute(RAW_TABLE)
            lines = [header()]
            lines += await appends(pool, lib, 1, args.calls, args.rounds)
            lines += await appends(pool, lib, 10, args.calls, args.rounds)
            lines += await reads(pool, lib, read_total, args.rounds)
            floor = await floors.Floor.prepare(pool, total)
            for name, ccm in (("ledger catch-up", floors.catch_up),
                              ("ledger rebuild", floors.rebuild)):  # fmt: skip
                runs: dict[str, Run | None] = {
                    SYSTEMS[0]: floor.run,
                    SYSTEMS[1]: partial(ccm, pool),
                }
                lines += await scenario(name, total, args.heavy_rounds, runs)
        finally:
            await asyncio.to_thread(lib.close)
    print("\n".join(lines))
    print(f"{total:,} events generated; load average at end {load()}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--events", type=int, default=1_000_000, help="events generated (ledger)")
    p.add_argument("--read-events", type=int, default=200_000, help="events read per round")
    p.add_argument("--calls", type=int, default=2000, help="appends per system per round")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the quick scenarios")
    p.add_argument("--heavy-rounds", type=int, default=3, help="rounds of catch-up and rebuild")
    p.add_argument("--quick", action="store_true", help="100k events, 500 appends, 100k reads")
    args = p.parse_args(argv)
    if args.quick:
        args.events, args.calls, args.read_events = 100_000, 500, 100_000
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
