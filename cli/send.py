"""``ccm send EVENT``: one upstream event to its patient's workflow; prints the receipt."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from care.policy import EDGE_POLICY
from cli.inputs import InputError, read_input
from cli.outage import OUTAGES, outage_exit
from runtime.settings import Settings
from runtime.stack import open_client
from upstream.client import CcmClient, EventRejected
from upstream.feed import ParsedFeed, parse_lines


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = subparsers.add_parser("send", help="send one upstream event (JSON) and print the receipt")
    s.add_argument("event", help="the event as JSON, or @FILE, or - for stdin")
    s.set_defaults(handler=run_send)


def run_send(args: argparse.Namespace) -> int:
    """Exit 0 with the receipt, 2 when the event is invalid or refused (or no Temporal is
    configured), 75 when Temporal is down (send it again)."""
    try:
        raw = _read_event(args.event)
    except InputError as exc:
        print(f"ccm send: {exc}", file=sys.stderr)
        return 2
    # A JSON document never holds a raw line break inside a string: one line, one event.
    line = raw.replace(b"\n", b" ").replace(b"\r", b" ")
    feed = parse_lines([line], datetime.now(UTC), EDGE_POLICY)
    if feed.rejected:
        r = feed.rejected[0]
        print(f"ccm send: field {r.field}: {r.reason}", file=sys.stderr)
        return 2
    try:
        receipt = asyncio.run(_send(Settings.from_env(), feed))
    except EventRejected as exc:
        print(f"ccm send: {exc}", file=sys.stderr)
        return 2
    except OUTAGES as exc:
        return outage_exit("send", exc)
    print(receipt)
    return 0


def _read_event(argument: str) -> bytes:
    if argument == "-":
        raw = sys.stdin.buffer.read()
    elif argument.startswith("@"):
        if argument == "@":
            raise InputError("give a file name after @")
        raw = read_input(argument[1:])
    else:
        raw = argument.encode("utf-8", "surrogatepass")
    if not raw.strip():
        raise InputError("no event given (the input is empty)")
    return raw


async def _send(settings: Settings, feed: ParsedFeed) -> str:
    async with open_client(settings) as client:
        receipt = await CcmClient(client, settings.task_queue, settings.practice_timezone).send(
            [feed.events[0][1]]
        )
        if receipt.refused:
            r = receipt.refused[0]
            why = f"event {r.event_id}: field {r.field} rejected: {r.reason}"
            raise EventRejected(why, r.event_id, r.field)
        return receipt.model_dump_json(indent=2)
