"""``ccm dev``: the whole stack on embedded defaults, running until Ctrl-C or SIGTERM.

Brings up PostgreSQL and the Temporal dev server (Web UI included) under the data dir, applies the
schema, runs the worker and the projection runner, and on stop shuts them down in reverse order.
It supervises all four: a dead PostgreSQL or Temporal is restarted (logged, with backoff), a
failed worker or runner started again; one that keeps dying stops everything, exit 75.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from cli.outage import OUTAGES, outage_exit
from runtime.connect import redact_password
from runtime.crypto.tokens import TOKEN_FILE
from runtime.lifecycle import run_until_stopped, stop_on_signals
from runtime.logging import configure_logging
from runtime.settings import Settings
from runtime.stack import Stack, open_stack
from runtime.supervisor import supervise


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("dev", help="run the whole stack locally until Ctrl-C")
    parser.add_argument(
        "--exit-after-start",
        action="store_true",
        help="bring everything up, print where it is, then shut down (a smoke test)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Exit code 0 after a clean stop, 1 when a service could not start or failed."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        asyncio.run(_dev(settings, exit_after_start=args.exit_after_start))
    except OUTAGES as exc:
        return outage_exit("dev", exc)
    return 0


async def _dev(settings: Settings, *, exit_after_start: bool) -> None:
    # Imported here, before anything starts: a missing or broken module fails this command only,
    # loudly, without leaving half a stack behind.
    from projections.runner import run_projections
    from worker import run_worker

    # Handlers first: a Ctrl-C during start-up then still stops what was started, in order.
    stop = asyncio.Event()
    stop_on_signals(stop)
    async with open_stack(settings, start_missing=True, publish=True) as stack:
        print(describe(settings, stack), flush=True)
        if exit_after_start:
            stop.set()
        else:
            print("Press Ctrl-C to stop.", flush=True)
        services: dict[str, Callable[[], Awaitable[None]]] = {
            "worker": lambda: run_worker(settings, stack.client, stack.pool, stop),
            "projections": lambda: run_projections(stack.pool, stop),
            "supervisor": lambda: supervise(stack.children, stop, stack.republish),
        }
        await run_until_stopped(stop, services, restart={"worker", "projections"})
    print("ccm dev: stopped", flush=True)


def describe(settings: Settings, stack: Stack) -> str:
    """Where each part of the stack is, for a person to copy from the terminal."""
    migrations = ", ".join(stack.applied_migrations) or "up to date"
    data_dir = settings.data_dir.resolve()
    logs = {"temporal": data_dir / "temporal.log", "postgres": data_dir / "pg" / "log"}
    lines = [
        f"ccm dev is up (data dir {data_dir})",
        f"  Temporal UI    {stack.ui_url or 'n/a (external Temporal)'}",
        f"  Temporal gRPC  {stack.temporal_address}  namespace={settings.temporal_namespace}"
        f"  task queue={settings.task_queue}",
        f"  PostgreSQL     {redact_password(stack.database_url)}",
        f"  schema         {migrations}",
        *codec_lines(settings, stack),
        f"  server logs    {', '.join(str(logs[name]) for name in stack.started) or 'n/a'}",
    ]
    return "\n".join(lines)


def codec_lines(settings: Settings, stack: Stack) -> list[str]:
    """Where the UI's codec server is and how a browser signs in to it (payloads are encrypted:
    without it the UI shows ciphertext)."""
    if stack.codec_url is None:
        return []
    token = settings.data_dir.resolve() / TOKEN_FILE if settings.codec_token is None else None
    return [
        f"  codec server   {stack.codec_url}  (token: {token or 'CCM_CODEC_TOKEN'})",
        f"                 to see decoded payloads in the UI: sign in at {stack.codec_url}/login,",
        "                 then in the UI's Codec Server settings use this browser's setting,",
        f"                 endpoint {stack.codec_url}, 'Include cross-origin credentials' on",
    ]
