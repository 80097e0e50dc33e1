"""``ccm ingest FILE.jsonl`` and ``ccm send EVENT``: upstream events into patients' workflows.

Bad input is an error naming what is wrong (exit 2), never a traceback: an unreadable input
file, a reject file that cannot be written (or is the input itself), a bad ``--concurrency``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from care.policy import EDGE_POLICY
from cli.progress import ProgressBar
from runtime.errors import ServiceUnavailable
from runtime.settings import Settings
from runtime.stack import open_stack
from upstream.client import CcmClient, EventRejected
from upstream.feed import ParsedFeed, Rejection, parse_lines, read_feed
from upstream.ingest import IngestSummary, ingest

MAX_CONCURRENCY = 64


class InputError(Exception):
    """Bad arguments or files: printed as one line, exit 2."""


def _concurrency(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_CONCURRENCY}")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("ingest", help="validate a JSONL feed and send it to the workflows")
    p.add_argument("file", help="JSONL file of upstream events (- for stdin)")
    p.add_argument("--reject-file", help="where refused lines go (default: FILE.rejects.jsonl)")
    p.add_argument(
        "--concurrency",
        type=_concurrency,
        default=8,
        help="patients sent at once (1-64, default 8)",
    )
    p.set_defaults(handler=run_ingest)
    s = subparsers.add_parser("send", help="send one upstream event (JSON) and print the receipt")
    s.add_argument("event", help="the event as JSON, or @FILE, or - for stdin")
    s.set_defaults(handler=run_send)


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name} is a directory, not a JSONL file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from None


def _open_rejects(args: argparse.Namespace) -> tuple[Path, IO[str]]:
    """The reject file, opened (owner-only) before anything is sent, so a bad path fails first."""
    path = Path(args.reject_file or f"{'stdin' if args.file == '-' else args.file}.rejects.jsonl")
    if path.is_dir():
        raise InputError(f"--reject-file {path} is a directory")
    if args.file != "-" and path.exists() and path.resolve() == Path(args.file).resolve():
        raise InputError("--reject-file is the input file: choose another path")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise InputError(f"cannot write --reject-file {path}: {exc.strerror}") from None
    return path, os.fdopen(fd, "w", encoding="utf-8")


def run_ingest(args: argparse.Namespace) -> int:
    """Exit 0 when every line was accepted, 2 when some were refused (or the input is bad),
    1 when a service is down."""
    try:
        data = _read_input(args.file)
        reject_path, rejects = _open_rejects(args)
    except InputError as exc:
        print(f"ccm ingest: {exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    feed = read_feed(data, datetime.now(UTC), EDGE_POLICY)
    try:
        summary = asyncio.run(_ingest(settings, feed, args.concurrency))
    except ServiceUnavailable as exc:
        print(f"ccm ingest: {exc}", file=sys.stderr)
        with contextlib.suppress(OSError):
            rejects.close()
        return 1
    written = _write_rejects(rejects, reject_path, summary.rejected)
    if not summary.rejected:
        reject_path.unlink(missing_ok=True)
    shown = str(reject_path) if summary.rejected and written else None
    print(json.dumps(summary.as_dict() | {"reject_file": shown}))
    return 2 if summary.rejected else 0


async def _ingest(settings: Settings, feed: ParsedFeed, concurrency: int) -> IngestSummary:
    if not feed.events:  # nothing valid to send: no service is needed to say so
        return IngestSummary(rejected=list(feed.rejected))
    async with open_stack(settings, start_missing=False) as stack:
        client = CcmClient(stack.client, settings.task_queue, settings.practice_timezone)
        bar = ProgressBar(len(feed.events), "events")
        try:
            return await ingest(client, feed, concurrency=concurrency, progress=bar.advance)
        finally:
            bar.close()


def _write_rejects(out: IO[str], path: Path, rejected: list[Rejection]) -> bool:
    """Writes every refused line to the reject file; if that fails, all of them to stderr."""
    ordered = sorted(rejected, key=lambda r: r.line)
    try:
        with out:
            for r in ordered:
                out.write(json.dumps(r.as_record()) + "\n")
    except OSError as exc:
        print(f"ccm ingest: cannot write {path}: {exc.strerror}; refusals follow", file=sys.stderr)
        for r in ordered:
            print(json.dumps(r.as_record()), file=sys.stderr)
        return False
    for r in ordered[:20]:
        print(f"line {r.line}: field {r.field}: {r.reason}", file=sys.stderr)
    return True


def run_send(args: argparse.Namespace) -> int:
    """Exit 0 with the receipt, 2 when the event is invalid or refused, 1 when a service is down."""
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
    except ServiceUnavailable as exc:
        print(f"ccm send: {exc}", file=sys.stderr)
        return 1
    print(receipt)
    return 0


def _read_event(argument: str) -> bytes:
    if argument == "-":
        raw = sys.stdin.buffer.read()
    elif argument.startswith("@"):
        if argument == "@":
            raise InputError("give a file name after @")
        raw = _read_input(argument[1:])
    else:
        raw = argument.encode("utf-8", "surrogatepass")
    if not raw.strip():
        raise InputError("no event given (the input is empty)")
    return raw


async def _send(settings: Settings, feed: ParsedFeed) -> str:
    async with open_stack(settings, start_missing=False) as stack:
        client = CcmClient(stack.client, settings.task_queue, settings.practice_timezone)
        receipt = await client.send([feed.events[0][1]])
        if receipt.refused:
            r = receipt.refused[0]
            why = f"event {r.event_id}: field {r.field} rejected: {r.reason}"
            raise EventRejected(why, r.event_id, r.field)
        return receipt.model_dump_json(indent=2)
