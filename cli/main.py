"""``ccm``: one entry point; each sub-command lives in its own module with a ``register``."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from runtime.errors import EXIT_NOT_FOUND, CannotRun

# Each module exposes register(subparsers) and sets a handler returning an exit code.
COMMAND_MODULES = [
    # commands: one line each, keep sorted
    "cli.demo",
    "cli.api",
    "cli.audit",
    "cli.ingest",
    "cli.billing",
    "cli.claims",
    "cli.codec_server",
    "cli.db",
    "cli.dev",
    "cli.fees",
    "cli.hl7",
    "cli.keys",
    "cli.patients",
    "cli.policy",
    "cli.projections_cmd",
    "cli.projector",
    "cli.remittance",
    "cli.report",
    "cli.send",
    "cli.status",
    "cli.synth",
    "cli.worker_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ccm", description="Chronic Care Management engine")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns its exit code (0 ok, 2 bad input, 1 failure)."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except CannotRun as exc:  # a bad setting met before the command's own handling
        print(f"ccm {args.command}: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    return code


def entry() -> None:
    """The console script: runs the command, flushes its output, and exits without interpreter
    teardown. The Temporal client's Rust threads can outlive the event loop and abort a
    finalizing interpreter ("PyGILState_Release ... must be current", temporalio/sdk-python#300),
    turning a finished command's exit code into a crash; everything a command owns (servers,
    pools, files) is closed by the command itself before it returns."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry()
