"""``ccm ingest FILE.jsonl`` and ``ccm send EVENT``: upstream events into patients' workflows."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from care.policy import Policy
from cli.progress import ProgressBar
from runtime.errors import ServiceUnavailable
from runtime.settings import Settings
from runtime.stack import open_stack
from upstream.client import CcmClient, EventRejected
from upstream.feed import ParsedFeed, parse_lines
from upstream.ingest import IngestSummary, ingest
from workflows.config import CareConfig


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("ingest", help="validate a JSONL feed and send it to the workflows")
    p.add_argument("file", help="JSONL file of upstream events (- for stdin)")
    p.add_argument("--reject-file", help="where refused lines go (default: FILE.rejects.jsonl)")
    p.add_argument("--concurrency", type=int, default=8, help="patients sent at once (default 8)")
    p.set_defaults(handler=run_ingest)
    s = subparsers.add_parser("send", help="send one upstream event (JSON) and print the receipt")
    s.add_argument("event", help="the event as JSON, or @FILE, or - for stdin")
    s.set_defaults(handler=run_send)


def care_config(settings: Settings) -> CareConfig:
    return CareConfig(timezone=settings.practice_timezone, policy=Policy.from_env())


def run_ingest(args: argparse.Namespace) -> int:
    """Exit 0 when every line was accepted, 2 when some were refused, 1 when a service is down."""
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
    feed = parse_lines(text.splitlines())
    reject_path = Path(
        args.reject_file or f"{'stdin' if args.file == '-' else args.file}.rejects.jsonl"
    )
    try:
        summary = asyncio.run(_ingest(Settings.from_env(), feed, args.concurrency))
    except ServiceUnavailable as exc:
        print(f"ccm ingest: {exc}", file=sys.stderr)
        return 1
    _write_rejects(reject_path, summary)
    print(
        json.dumps(
            summary.as_dict() | {"reject_file": str(reject_path) if summary.rejected else None}
        )
    )
    return 2 if summary.rejected else 0


async def _ingest(settings: Settings, feed: ParsedFeed, concurrency: int) -> IngestSummary:
    async with open_stack(settings, start_missing=False) as stack:
        client = CcmClient(stack.client, settings.task_queue, care_config(settings))
        bar = ProgressBar(len(feed.events), "events")
        try:
            return await ingest(client, feed, concurrency=concurrency, progress=bar.advance)
        finally:
            bar.close()


def _write_rejects(path: Path, summary: IngestSummary) -> None:
    if not summary.rejected:
        return
    with path.open("w") as out:
        for r in sorted(summary.rejected, key=lambda r: r.line):
            out.write(json.dumps(r.as_record()) + "\n")
    for r in summary.rejected[:20]:
        print(f"line {r.line}: field {r.field}: {r.reason}", file=sys.stderr)


def run_send(args: argparse.Namespace) -> int:
    """Exit 0 with the receipt, 2 when the event is invalid or refused, 1 when a service is down."""
    raw = args.event
    if raw == "-":
        raw = sys.stdin.read()
    elif raw.startswith("@"):
        raw = Path(raw[1:]).read_text()
    feed = parse_lines([raw.replace("\n", " ")])
    if feed.rejected:
        r = feed.rejected[0]
        print(f"ccm send: field {r.field}: {r.reason}", file=sys.stderr)
        return 2
    try:
        receipt = asyncio.run(_send(Settings.from_env(), feed))
    except EventRejected as exc:
        print(f"ccm send: {exc}", file=sys.stderr)
        return 2
    except ServiceUnavailable as exc:
        print(f"ccm send: {exc}", file=sys.stderr)
        return 1
    print(receipt)
    return 0


async def _send(settings: Settings, feed: ParsedFeed) -> str:
    async with open_stack(settings, start_missing=False) as stack:
        client = CcmClient(stack.client, settings.task_queue, care_config(settings))
        receipt = await client.send([feed.events[0][1]])
        return receipt.model_dump_json(indent=2)
