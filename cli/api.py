"""``ccm api``: the HTTP ingestion API on uvicorn (``api/``); ``ccm api tokens ...`` manages
its bearer tokens (cli/api_tokens.py). Like every client command it finds the database and
Temporal (configured, or a running ``ccm dev``), never starts them. TLS: terminate it in front
(a reverse proxy) or give ``--certfile``/``--keyfile`` and uvicorn serves HTTPS itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterator

import uvicorn

from api.app import create_app
from api.context import ApiContext
from api.fhir import fhir_router
from api.settings import ApiSettings
from cli import api_tokens
from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from runtime.errors import EXIT_NOT_FOUND
from runtime.settings import Settings
from runtime.stack import open_client
from telemetry import tracing
from telemetry.runtime import install_metrics_runtime


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("api", help="serve the HTTP ingestion API (or: ccm api tokens ...)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--certfile", help="PEM certificate chain: serve HTTPS")
    p.add_argument("--keyfile", help="PEM private key of --certfile")
    p.set_defaults(handler=run_serve)
    api_tokens.register(p.add_subparsers(dest="api_command", metavar="tokens"))


def run_serve(args: argparse.Namespace) -> int:
    """Serves until SIGINT/SIGTERM; exit 2 for bad flags or nothing configured, 75 when a
    service is down at start."""
    if bool(args.certfile) != bool(args.keyfile):
        print("ccm api: --certfile and --keyfile go together", file=sys.stderr)
        return EXIT_NOT_FOUND
    settings = Settings.from_env()
    limits = ApiSettings.from_env()
    try:
        asyncio.run(_serve(settings, limits, args))
    except OUTAGES as exc:
        return outage_exit("api", exc)
    return 0


async def _serve(settings: Settings, limits: ApiSettings, args: argparse.Namespace) -> None:
    tracing.name_process("api")
    # Before any client exists: the process's runtime exports the metrics /metrics relays.
    sdk_port, meter = install_metrics_runtime("api")
    async with database_pool(settings, "app") as pool, open_client(settings) as client:
        ctx = ApiContext(
            pool=pool, temporal=client, task_queue=settings.task_queue,
            timezone=settings.practice_timezone, limits=limits, meter=meter,
            sdk_metrics_url=f"http://127.0.0.1:{sdk_port}/metrics",
        )  # fmt: skip
        app = create_app(ctx, [fhir_router(ctx)])
        config = uvicorn.Config(
            app, host=args.host, port=args.port, ssl_certfile=args.certfile,
            ssl_keyfile=args.keyfile, log_level=settings.log_level, server_header=False,
        )  # fmt: skip
        await _Server(config).serve()


class _Server(uvicorn.Server):
    """SIGINT/SIGTERM stop it gracefully and the command exits 0, like every ``ccm`` service
    (uvicorn itself re-raises the signal after its shutdown, so the exit status says killed)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop)
        yield

    def _stop(self) -> None:
        self.should_exit = True
