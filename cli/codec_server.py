"""``ccm codec-server``: the codec endpoint alone, for a Temporal Web UI other than ``ccm dev``'s.

Serves ``POST /encode`` and ``POST /decode`` with the key ring workers use (``CCM_CODEC_KEYS`` or
the data dir's key file), callable from ``--origin`` (the UI's address, repeatable) by holders of
the access token (``CCM_CODEC_TOKEN`` or the data dir's ``codec-token``). Runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from urllib.parse import urlsplit

from cli.outage import OUTAGES, outage_exit
from runtime.codec_server.serve import start_codec_server
from runtime.crypto.converter import load_key_ring
from runtime.crypto.tokens import TOKEN_FILE, load_token
from runtime.lifecycle import stop_on_signals
from runtime.logging import configure_logging
from runtime.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("codec-server", help="serve /encode and /decode for the Temporal UI")
    p.add_argument("--port", type=int, help="port to listen on (default CCM_CODEC_PORT, 8234)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--origin",
        action="append",
        help="the Temporal UI's origin allowed by CORS, e.g. https://temporal.example.org "
        "(repeatable; default the dev UI, http://127.0.0.1:CCM_UI_PORT)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """0 after Ctrl-C; 2 for a bad --origin; 1 when keys, token or the port are unavailable."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    origins = args.origin or [f"http://{h}:{settings.ui_port}" for h in ("127.0.0.1", "localhost")]
    for origin in origins:
        problem = origin_problem(origin)
        if problem:
            print(f"ccm codec-server: --origin {origin!r}: {problem}", file=sys.stderr)
            return 2
    port = settings.codec_port if args.port is None else args.port
    try:
        asyncio.run(_serve(settings, origins, args.host, port))
    except OUTAGES as exc:
        return outage_exit("codec-server", exc)
    return 0


def origin_problem(origin: str) -> str | None:
    """Why ``origin`` is not a browser origin (``scheme://host[:port]``), or None."""
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "expected scheme://host[:port] with http or https"
    if parts.path.strip("/") or parts.query or parts.fragment:
        return "an origin has no path, query or fragment"
    return None


async def _serve(settings: Settings, origins: list[str], host: str, port: int) -> None:
    stop = asyncio.Event()
    stop_on_signals(stop)
    ring = load_key_ring(settings)
    token = load_token(settings, create=settings.codec_token is None)
    server = await start_codec_server(ring, token, origins, host=host, port=port)
    where = "CCM_CODEC_TOKEN" if settings.codec_token else settings.data_dir / TOKEN_FILE
    print(f"codec server on {server.url} for {', '.join(origins)} (token: {where})", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
