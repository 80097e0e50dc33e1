"""``ccm claims queue|approve|reject``: the review queue and a reviewer's decisions.

A decision names claims (``CLAIM ...``) or a filter (``--month 2026-10 --practice p1`` ...), or
``--all``: bulk decisions never default to everything. ``approve --by-policy`` approves what the
practice's auto-approval policy approves and lists the others with the rules they missed.
Exit 0 done, 2 bad input (the flag named) or a claim that cannot be decided, 1/75 outages.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from care.months import month_of
from claims.auto import auto_approve
from claims.queue import ClaimFilter, QueueRow, claims
from claims.review import Decision, ReviewRefused, Verdict, decide
from cli import claims_export, claims_reopen
from cli.claims_args import ClaimArgError, add_filter, claim_filter, narrowed, opaque
from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from projections.reports.render import FORMATS, render
from runtime.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("claims", help="review, approve, reject and export claims")
    actions = parser.add_subparsers(dest="claims_command", required=True, metavar="ACTION")
    queue = actions.add_parser("queue", help="claims awaiting review (or in any status)")
    add_filter(queue)
    queue.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    queue.set_defaults(handler=run_queue)
    for verdict in ("approve", "reject"):
        sub = actions.add_parser(verdict, help=f"{verdict} claims, by id or by filter")
        sub.add_argument("claims", nargs="*", metavar="CLAIM", help="claim ids")
        add_filter(sub)
        sub.add_argument("--all", action="store_true", help="every claim awaiting review")
        sub.add_argument("--by", help="who decides (a user id)")
        sub.add_argument("--reason", help="why (required to reject)")
        sub.set_defaults(handler=run_decide, verdict=verdict)
    actions.choices["approve"].add_argument(
        "--by-policy", action="store_true", help="approve what the practice's policy approves"
    )
    claims_export.register(actions)
    claims_reopen.register(actions)


def run_queue(args: argparse.Namespace) -> int:
    try:
        which = claim_filter(args)
    except ClaimArgError as exc:
        return _fail(str(exc), 2)
    try:
        rows = asyncio.run(_queue(Settings.from_env(), which))
    except OUTAGES as exc:
        return outage_exit("claims queue", exc)
    sys.stdout.write(render(rows, args.format))
    if args.format == "table":
        print(f"{len(rows)} claim(s)")
    return 0


async def _queue(settings: Settings, which: ClaimFilter) -> list[QueueRow]:
    async with database_pool(settings, "report") as pool:
        return await claims(pool, which)


def run_decide(args: argparse.Namespace) -> int:
    """Decides every selected claim; prints one line per claim."""
    try:
        which = claim_filter(args, args.claims)
        if not narrowed(args, which):
            raise ClaimArgError("CLAIM: name claims, a filter (--month, --practice, ...) or --all")
        by_policy = getattr(args, "by_policy", False)
        if not by_policy:
            if args.by is None:
                raise ClaimArgError("--by: who decides is required")
            opaque("--by", args.by)
        if args.verdict == "reject" and not (args.reason or "").strip():
            raise ClaimArgError("--reason: a rejection must say why")
    except ClaimArgError as exc:
        return _fail(str(exc), 2)
    settings = Settings.from_env()
    try:
        lines, refused = asyncio.run(_decide(settings, args, which, by_policy))
    except OUTAGES as exc:
        return outage_exit(f"claims {args.verdict}", exc)
    for line in lines:
        print(line)
    for line in refused:
        print(f"ccm claims {args.verdict}: {line}", file=sys.stderr)
    return 2 if refused else 0


async def _decide(
    settings: Settings, args: argparse.Namespace, which: ClaimFilter, by_policy: bool
) -> tuple[list[str], list[str]]:
    now = datetime.now(UTC)
    async with database_pool(settings, "app") as pool:
        if by_policy:
            month = month_of(now, settings.practice_timezone)
            outcomes = await auto_approve(pool, which, now, month)
            return [
                f"{o.claim_id}: approved by policy-v{o.policy_version}" if o.approved
                else f"{o.claim_id}: left for review ({'; '.join(o.why_not)})"
                for o in outcomes
            ], []  # fmt: skip
        verdict: Verdict = "approved" if args.verdict == "approve" else "rejected"
        ids = list(which.claim_ids) or [r.claim_id for r in await claims(pool, which)]
        done, refused = [], []
        for claim_id in ids:
            try:
                await decide(pool, claim_id, Decision(verdict, args.by, now, args.reason))
            except ReviewRefused as exc:
                refused.append(str(exc))
                continue
            done.append(f"{claim_id}: {verdict} by {args.by}")
        return done, refused


def _fail(message: str, code: int) -> int:
    print(f"ccm claims: {message}", file=sys.stderr)
    return code
