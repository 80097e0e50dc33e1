"""One line and an exit code for every outage a command can meet, never a traceback."""

from __future__ import annotations

import sys

import asyncpg
from temporalio.service import RPCError

from db.migrate import MigrationChanged
from runtime.errors import EXIT_NOT_FOUND, EXIT_RETRY, CannotRun, ServiceUnavailable

# What a command may meet when a service is missing or goes away mid-run.
OUTAGES: tuple[type[BaseException], ...] = (
    ServiceUnavailable, MigrationChanged, OSError, asyncpg.PostgresError,
    asyncpg.InterfaceError, RPCError,
)  # fmt: skip


def outage_exit(command: str, exc: BaseException, done: str = "") -> int:
    """Prints ``ccm <command>: <what is down>`` (and what was done so far); returns 2 when
    waiting will not help (nothing found to use, a setting to fix, another ``ccm dev`` running),
    1 for a schema that was tampered with or a refusal, else 75: retry later."""
    print(f"ccm {command}: {describe(exc)}", file=sys.stderr)
    if done:
        print(f"ccm {command}: {done}", file=sys.stderr)
    if isinstance(exc, CannotRun):
        return EXIT_NOT_FOUND
    if isinstance(exc, MigrationChanged) or (
        isinstance(exc, asyncpg.PostgresError) and not _transient(exc)
    ):
        return 1
    return EXIT_RETRY


def _transient(exc: asyncpg.PostgresError) -> bool:
    """Connection trouble (08), the server shutting down or starting (57P), out of resources
    (53): the same command will work once the server is back."""
    return str(exc.sqlstate or "").startswith(("08", "57P", "53"))


def describe(exc: BaseException) -> str:
    if isinstance(exc, ServiceUnavailable | MigrationChanged):
        return str(exc)
    if isinstance(exc, RPCError):
        return f"Temporal is unreachable ({exc.status.name}): is it running? then run this again"
    if isinstance(exc, asyncpg.PostgresError):
        again = ": then run this again" if _transient(exc) else ""
        return f"the database refused: {type(exc).__name__}{again}"
    return f"the database is unreachable ({type(exc).__name__}): is it running? then run this again"
