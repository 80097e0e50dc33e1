"""``ccm synth``: writes the synthetic practice's upstream feed as JSONL, a summary to stderr."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any, TextIO

from care.policy import Policy
from events.upstream import UpstreamEvent
from runtime.clock import practice_today
from runtime.settings import Settings
from upstream.synth import generate_feed, summarize, to_jsonl


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="generate a seeded synthetic upstream feed (JSONL) for a practice",
        description="Same seed and end date, byte-identical feed. Names and MBIs are fake.",
    )
    parser.add_argument("--patients", type=int, default=200, help="patients (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--months", type=int, default=4, help="closed months + the one in progress (2-12)"
    )
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD, exclusive: events happen before this day (default today)",
    )
    parser.add_argument("--out", default="-", help="output file, or - for stdout (default)")
    parser.set_defaults(handler=run_synth)


def run_synth(args: argparse.Namespace) -> int:
    """Writes the feed; exit code 2 on arguments the generator refuses."""
    # The wall clock is read here, never in the generator, so a given --end is reproducible.
    settings = Settings.from_env()
    end: date = args.end or practice_today(settings.practice_timezone)
    try:
        policy = Policy.from_env()
        events = generate_feed(
            patients=args.patients, seed=args.seed, end=end, months=args.months,
            timezone=settings.practice_timezone, grace_days=policy.grace_days,
        )  # fmt: skip
    except ValueError as exc:
        print(f"ccm synth: {exc}", file=sys.stderr)
        return 2
    if args.out == "-":
        _write(events, sys.stdout)
    else:
        with open(args.out, "w", encoding="utf-8", newline="\n") as out:
            _write(events, out)
    _report(summarize(events), sys.stderr)
    return 0


def _write(events: list[UpstreamEvent], out: TextIO) -> None:
    out.writelines(to_jsonl(events))


def _report(summary: dict[str, Any], err: TextIO) -> None:
    print(
        f"ccm synth: {summary['events']} events for {summary['patients']} patients, "
        f"{summary['first']} to {summary['last']}",
        file=err,
    )
    for title in ("by_type", "edge_cases"):
        counts = ", ".join(f"{k}={v}" for k, v in summary[title].items())
        print(f"  {title}: {counts}", file=err)
