"""``ccm hl7 listen``: the MLLP listener for HL7v2 ADT messages (hl7_in/).

Every message is answered with an ACK (AA / AE / AR, the reason, never a value of the message);
patients are matched through ``ccm patients link`` only. Runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from functools import partial

from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from cli.sources import source_name
from hl7_in.handler import AdtHandler, AdtMapper
from hl7_in.listener import serve
from runtime.settings import Settings
from runtime.stack import open_client
from upstream.client import CcmClient
from upstream.identifiers import resolve

DEFAULT_PORT = 2575  # the port IANA registered for HL7 over MLLP


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError("must be a port number 0-65535 (0: any free port)")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("hl7", help="HL7v2 ADT in")
    actions = parser.add_subparsers(dest="hl7_command", required=True, metavar="ACTION")
    listen = actions.add_parser("listen", help="an MLLP listener for ADT messages")
    listen.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    listen.add_argument("--port", type=_port, default=DEFAULT_PORT, help="default 2575")
    listen.add_argument("--source", type=source_name, default="hl7",
                        help="meta.source of the recorded events (default hl7)")  # fmt: skip
    listen.set_defaults(handler=run_listen)


def run_listen(args: argparse.Namespace) -> int:
    """Runs until interrupted (exit 0); 75 / 2 when Temporal or the database cannot be found."""
    try:
        asyncio.run(_listen(Settings.from_env(), args))
    except KeyboardInterrupt:
        return 0
    except OUTAGES as exc:
        return outage_exit("hl7 listen", exc)
    return 0


async def _listen(settings: Settings, args: argparse.Namespace) -> None:
    async with open_client(settings) as client, database_pool(settings, "app") as pool:
        ccm = CcmClient(client, settings.task_queue, settings.practice_timezone)
        mapper = AdtMapper(partial(resolve, pool), args.source, settings.practice_timezone)
        server = await serve(AdtHandler(mapper, ccm.send), args.host, args.port)
        host, port = server.sockets[0].getsockname()[:2]
        print(json.dumps({"listening": f"{host}:{port}", "source": args.source}), flush=True)
        print("ccm hl7 listen: Ctrl-C to stop", file=sys.stderr, flush=True)
        async with server:
            await server.serve_forever()
