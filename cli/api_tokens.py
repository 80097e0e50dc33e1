"""``ccm api tokens create|list|revoke``: the API's bearer tokens, as the schema owner (only
the owner may mint or revoke: db/sql/0008_api_tokens.sql)."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from api import tokens
from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from runtime.errors import EXIT_NOT_FOUND
from runtime.settings import Settings

T = TypeVar("T")
SOURCE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    t = sub.add_parser("tokens", help="create, list or revoke the API's bearer tokens")
    what = t.add_subparsers(dest="tokens_command", required=True, metavar="ACTION")
    create = what.add_parser("create", help="mint a token for a source system (printed once)")
    create.add_argument("--source", required=True, help="the source system, e.g. ehr")
    create.add_argument("--label", help="a note for the operator (never a secret)")
    create.set_defaults(handler=run_create)
    what.add_parser("list", help="every token: id, source, state").set_defaults(handler=run_list)
    revoke = what.add_parser("revoke", help="revoke a token by its id (from its next request)")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=run_revoke)


def _owner(job: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
    async def run() -> T:
        async with database_pool(Settings.from_env(), "owner") as pool:
            return await job(pool)

    return asyncio.run(run())


def run_create(args: argparse.Namespace) -> int:
    if not SOURCE.fullmatch(args.source) or args.source == "engine":
        print("ccm api tokens: --source: lower-case letters, digits, - and _ (not engine)",
              file=sys.stderr)  # fmt: skip
        return EXIT_NOT_FOUND
    try:
        token_id, token = _owner(lambda pool: tokens.create(pool, args.source, args.label))
    except OUTAGES as exc:
        return outage_exit("api tokens", exc)
    print(f"token {token_id} for source {args.source} (shown once, keep it secret):")
    print(token)
    return 0


def run_list(args: argparse.Namespace) -> int:
    try:
        rows = _owner(tokens.listed)
    except OUTAGES as exc:
        return outage_exit("api tokens", exc)
    print(f"{'id':>4}  {'source':<16} {'state':<8} {'created':<20} {'last used':<20} label")
    for r in rows:
        state = "revoked" if r.revoked_at else "active"
        used = f"{r.last_used_at:%Y-%m-%d %H:%M:%S}" if r.last_used_at else "never"
        print(f"{r.id:>4}  {r.source:<16} {state:<8} {r.created_at:%Y-%m-%d %H:%M:%S}"
              f"  {used:<20} {r.label or ''}")  # fmt: skip
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    try:
        found = _owner(lambda pool: tokens.revoke(pool, args.id))
    except OUTAGES as exc:
        return outage_exit("api tokens", exc)
    if not found:
        print(f"ccm api tokens: no token {args.id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    print(f"token {args.id} revoked")
    return 0
