"""``ccm projections status`` and ``ccm projections rebuild [NAME]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from cli.progress import ProgressBar
from projections import ProjectionStatus, catalog, locks, quarantine, status
from projections.apply import ProjectionFailed
from projections.rebuild import RebuildInProgress, rebuild
from projections.reports.render import FORMATS, to_csv, to_table
from projections.status import quarantined
from runtime.logging import configure_logging
from runtime.settings import Settings

STATUS_COLUMNS = [
    "name", "state", "checkpoint", "head", "lag_events", "lag_seconds", "quarantined",
    "error_position", "error_type", "error", "rebuild_position",
]  # fmt: skip
ASIDE_COLUMNS = ["projection", "stream", "position", "event_type", "reason", "attempts"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("projections", help="read-model status and rebuilds")
    actions = parser.add_subparsers(dest="projections_command", required=True, metavar="ACTION")
    show = actions.add_parser("status", help="checkpoint, lag and error of each projection")
    show.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    show.set_defaults(handler=run_status)
    again = actions.add_parser(
        "rebuild", help="rebuild from position 0 into shadow tables, then swap them in"
    )
    again.add_argument("name", nargs="?", choices=catalog.NAMES, help="default: every projection")
    again.set_defaults(handler=run_rebuild)
    retry = actions.add_parser(
        "retry", help="apply the events of patients a projection set aside again (after a fix)"
    )
    retry.add_argument("name", nargs="?", choices=catalog.NAMES, help="default: every projection")
    retry.set_defaults(handler=run_retry)


def run_status(args: argparse.Namespace) -> int:
    """Prints the status; exit 1 when a projection is stopped on an event (or no database)."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        rows, aside = asyncio.run(_status(settings))
    except OUTAGES as exc:
        return outage_exit("projections status", exc)
    dumped = [{**r.model_dump(mode="json"), "state": r.state} for r in rows]
    held = [{k: getattr(q, k) for k in ASIDE_COLUMNS} for q in aside]
    if args.format == "table":
        sys.stdout.write(to_table(dumped, STATUS_COLUMNS))
        if held:
            sys.stdout.write(
                "\nPatients set aside (retried every 5 minutes, or `ccm projections retry`):\n"
            )
            sys.stdout.write(to_table(held, ASIDE_COLUMNS))
    elif args.format == "csv":
        sys.stdout.write(to_csv(dumped, list(dumped[0]) if dumped else STATUS_COLUMNS))
    else:
        for row in dumped:
            row["set_aside"] = [h for h in held if h["projection"] == row["name"]]
        sys.stdout.write(json.dumps(dumped, indent=2, default=str) + "\n")
    return 1 if any(r.error_position is not None or r.quarantined for r in rows) else 0


async def _status(
    settings: Settings,
) -> tuple[list[ProjectionStatus], list[quarantine.Quarantined]]:
    async with database_pool(settings, "report") as pool:
        return await status(pool), await quarantined(pool)


def run_retry(args: argparse.Namespace) -> int:
    """Retries the patients set aside; exit 1 while any stays aside (or no database)."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    names = [args.name] if args.name else list(catalog.NAMES)
    try:
        released, left, busy = asyncio.run(_retry(settings, names))
    except OUTAGES as exc:
        return outage_exit("projections retry", exc)
    for name in busy:
        print(f"{name}: a running projection runner holds it and retries every 5 minutes")
    print(f"released {released} patient(s); {left} still set aside")
    return 1 if left else 0


async def _retry(settings: Settings, names: list[str]) -> tuple[int, int, list[str]]:
    released, busy = 0, []
    async with database_pool(settings, "app") as pool, pool.acquire() as conn:
        held = await locks.try_lock(conn, locks.APPLY, names)
        try:
            for projection in catalog.select([n for n in names if n in held]):
                released += len(await quarantine.retry(conn, projection, projection.name))
            busy = [n for n in names if n not in held]
        finally:
            await locks.unlock(conn, locks.APPLY, list(held))
        left = len(await quarantine.listed(conn, names))
    return released, left, busy


def run_rebuild(args: argparse.Namespace) -> int:
    """Rebuilds one projection (or all), drawing progress on stderr; exit 1 on failure."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        asyncio.run(_rebuild(settings, [args.name] if args.name else list(catalog.NAMES)))
    except (RebuildInProgress, ProjectionFailed) as exc:
        print(f"ccm projections rebuild: {exc}", file=sys.stderr)
        return 1
    except OUTAGES as exc:
        return outage_exit("projections rebuild", exc)
    return 0


async def _rebuild(settings: Settings, names: list[str]) -> None:
    # As the owner: a rebuild creates a schema, and drops and replaces the live tables.
    async with database_pool(settings, "owner") as pool:
        for name in names:
            bar = ProgressBar(1, f"events  rebuilding {name}")

            def progress(position: int, head: int, bar: ProgressBar = bar) -> None:
                bar.total = max(head, 1)
                bar.advance(position - bar.done)

            try:
                position = await rebuild(pool, name, progress=progress)
            finally:
                bar.close()
            print(f"rebuilt {name} up to position {position}")
