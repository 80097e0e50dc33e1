"""``ccm audit verify [--stream S]``: walks the events' hash chains; exit 1 names what broke."""

from __future__ import annotations

import argparse
import asyncio
import sys

import asyncpg

from events.verify import VerifyReport, verify_chains
from runtime.errors import ServiceUnavailable
from runtime.logging import configure_logging
from runtime.settings import Settings
from runtime.stack import open_database


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="tamper evidence of the event store")
    actions = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="verify every stream's hash chain (or one with --stream); exit 1 if broken"
    )
    verify.add_argument("--stream", help="verify only this stream, e.g. patient-<id>")
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """Prints a summary; exit 0 intact, 1 with the first altered event of each broken stream."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        report = asyncio.run(_verify(settings, args.stream))
    except asyncpg.UndefinedTableError:
        print(
            "ccm audit verify: no event store in this database (run `ccm db migrate`)",
            file=sys.stderr,
        )
        return 1
    except (ServiceUnavailable, OSError, asyncpg.PostgresError) as exc:
        print(f"ccm audit verify: {exc}", file=sys.stderr)
        return 1
    print(f"checked {report.streams} streams, {report.events} events")
    if report.ok:
        print("intact")
        return 0
    for broken in report.broken:
        print(f"BROKEN {broken.describe()}")
    return 1


async def _verify(settings: Settings, stream: str | None) -> VerifyReport:
    # CCM_DATABASE_URL, else a running `ccm dev`, else the embedded server in the data dir started
    # just for this. Read-only, as the report role: no migration is applied on the way.
    async with open_database(settings, start_missing=True) as urls:
        pool = await asyncpg.create_pool(urls.report, min_size=1, max_size=2)
        try:
            return await verify_chains(pool, stream)
        finally:
            await pool.close()
