"""``ccm db migrate``: applies the versioned schema idempotently."""

from __future__ import annotations

import argparse
import asyncio

from cli.outage import OUTAGES, outage_exit
from runtime.connect import migrate_database
from runtime.logging import configure_logging
from runtime.settings import Settings
from runtime.stack import open_database


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="database schema")
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    migrate = actions.add_parser(
        "migrate",
        help="apply pending migrations (CCM_DATABASE_URL, a running `ccm dev` or the embedded one)",
    )
    migrate.set_defaults(handler=run_migrate)


def run_migrate(args: argparse.Namespace) -> int:
    """Prints each migration applied, or "up to date"; exit code 1 if no database is reachable."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        applied = asyncio.run(_migrate(settings))
    except OUTAGES as exc:
        return outage_exit("db migrate", exc)
    for name in applied:
        print(f"applied {name}")
    if not applied:
        print("up to date")
    return 0


async def _migrate(settings: Settings) -> list[str]:
    # Only the configured or a running `ccm dev`'s database: a mistyped data dir must not get a
    # new, empty database of its own (`ccm dev` migrates its embedded one on every start).
    async with open_database(settings, start_missing=False) as urls:
        return await migrate_database(urls.owner)
