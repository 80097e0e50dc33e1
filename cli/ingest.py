"""``ccm ingest FILE.jsonl``: a feed of upstream events into the patients' workflows.

Bad input is an error naming what is wrong (exit 2), never a traceback: an unreadable input
file, a reject file that cannot be written (or is the input itself), a bad ``--concurrency``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import IO

from cli.ingest_formats import add_format_arguments, read_any
from cli.inputs import InputError, read_input
from cli.outage import OUTAGES, outage_exit
from cli.progress import ProgressBar
from runtime.errors import EXIT_RETRY
from runtime.settings import Settings
from runtime.stack import open_client
from upstream.client import CcmClient
from upstream.feed import ParsedFeed, Rejection
from upstream.ingest import IngestSummary, ingest

MAX_CONCURRENCY = 64


def _concurrency(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_CONCURRENCY}")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("ingest", help="validate a feed and send it to the workflows")
    p.add_argument("file", help="JSONL file of upstream events, or --format's (- for stdin)")
    p.add_argument("--reject-file", help="where refused lines go (default: FILE.rejects.jsonl)")
    p.add_argument(
        "--concurrency",
        type=_concurrency,
        default=8,
        help="patients sent at once (1-64, default 8)",
    )
    add_format_arguments(p)
    p.set_defaults(handler=run_ingest)


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
    """Exit 0 when every line was accepted, 2 when some were refused (or the input is bad or no
    Temporal is configured), 75 when an outage left lines undelivered (run it again), 130 when
    interrupted; the summary and the reject file are written in every case."""
    try:
        data = read_input(args.file)
        reject_path, rejects = _open_rejects(args)
    except InputError as exc:
        print(f"ccm ingest: {exc}", file=sys.stderr)
        return 2
    summary, code = IngestSummary(), 0
    try:
        settings = Settings.from_env()
        feed = asyncio.run(read_any(args, data, settings))
        asyncio.run(_ingest(settings, feed, args.concurrency, summary))
    except OUTAGES as exc:
        code = outage_exit("ingest", exc)
    except KeyboardInterrupt:
        print(
            "ccm ingest: interrupted; what was sent is stored, send the feed again", file=sys.stderr
        )
        code = 130
    return _finish(summary, rejects, reject_path, code)


def _finish(summary: IngestSummary, rejects: IO[str], reject_path: Path, code: int) -> int:
    written = _write_rejects(rejects, reject_path, summary.rejected)
    if not summary.rejected:
        reject_path.unlink(missing_ok=True)
    shown = str(reject_path) if summary.rejected and written else None
    print(json.dumps(summary.as_dict() | {"reject_file": shown}))
    if summary.undelivered and not code:
        print(
            f"ccm ingest: {summary.undelivered} line(s) of {summary.undelivered_patients} "
            f"patient(s) not delivered: Temporal answered {summary.outage}; run the same "
            "command again once it is back (nothing is doubled)",
            file=sys.stderr,
        )
        code = EXIT_RETRY
    return code or (2 if summary.rejected else 0)


async def _ingest(
    settings: Settings, feed: ParsedFeed, concurrency: int, summary: IngestSummary
) -> None:
    if not feed.events:  # nothing valid to send: no service is needed to say so
        summary.rejected = list(feed.rejected)
        return
    async with open_client(settings) as client:
        ccm = CcmClient(client, settings.task_queue, settings.practice_timezone)
        bar = ProgressBar(len(feed.events), "events")
        try:
            await ingest(ccm, feed, concurrency=concurrency, progress=bar.advance, summary=summary)
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
