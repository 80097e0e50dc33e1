"""``ccm policy show|set``: a practice's care-rule policies, as versions with who, when and why.

``set`` records version N+1 in the practice's stream, in force from ``--effective`` (this month
or later: a month under way or closed keeps the version it is decided with), then tells the
practice's running patient workflows. Each month close names the version it used (MonthClosed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime

from pydantic import TypeAdapter, ValidationError

from activities.patients import policy_history
from care.policy import Policy, UnknownPolicyField
from cli.billing import describe_error
from cli.outage import OUTAGES, outage_exit
from cli.pools import database_pool
from cli.report import month_arg
from events.base import OpaqueId, practice_stream
from events.practice import PolicyChanged
from events.store import EventStore, WrongExpectedVersion
from ops.policy import PolicyRefused, PolicyRequest, record_policy, tell_running
from runtime.errors import ServiceUnavailable
from runtime.settings import Settings
from runtime.stack import open_client

PRACTICE_ID: TypeAdapter[str] = TypeAdapter(OpaqueId)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("policy", help="the practice's care-rule policies")
    actions = parser.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="every version, and the policy in force for a month")
    show.add_argument("--practice", type=opaque_id, required=True, help="the practice's id")
    show.add_argument("--month", type=month_arg, help="YYYY-MM (default: every version)")
    show.set_defaults(handler=run_show)
    put = actions.add_parser("set", help="record a new version, in force from --effective")
    put.add_argument("--practice", type=opaque_id, required=True, help="the practice's id")
    put.add_argument(
        "--effective", type=month_arg, required=True, help="YYYY-MM, this month or later"
    )
    put.add_argument("--by", type=opaque_id, required=True, help="who decided (an opaque id)")
    put.add_argument("--reason", required=True, help="why (kept with the version)")
    put.add_argument("--from-env", action="store_true", help="take CCM_POLICY_<FIELD> values")
    put.add_argument("changes", nargs="*", metavar="FIELD=VALUE", help="e.g. grace_days=5")
    put.set_defaults(handler=run_set)


def opaque_id(text: str) -> str:
    try:
        return PRACTICE_ID.validate_python(text)
    except ValidationError:
        raise argparse.ArgumentTypeError(
            "must be an opaque id (letters, digits, . _ : @ / -)"
        ) from None


def _changes(args: argparse.Namespace) -> dict[str, str]:
    """FIELD=VALUE arguments (and CCM_POLICY_* with --from-env); raises ValueError naming one."""
    changes = {}
    if args.from_env:
        given = Policy.from_env().model_dump(mode="json", exclude_defaults=True)
        changes = {k: json.dumps(v) if isinstance(v, bool) else str(v) for k, v in given.items()}
    for item in args.changes:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"{item[:40]!r} is not FIELD=VALUE")
        changes[name.strip()] = value
    if not changes:
        raise ValueError("no change given: name at least one FIELD=VALUE (or --from-env)")
    return changes


def run_set(args: argparse.Namespace) -> int:
    """Exit 0 once recorded, 2 for a bad change, 1 when the database is unavailable."""
    settings = Settings.from_env()
    try:
        req = PolicyRequest(args.practice, args.effective, _changes(args), args.by, args.reason)
        summary = asyncio.run(_set(settings, req))
    except ValidationError as exc:
        return _fail(describe_error(exc), 2)
    except (ValueError, UnknownPolicyField, PolicyRefused) as exc:
        return _fail(str(exc), 2)
    except WrongExpectedVersion:
        return _fail("another change was recorded meanwhile: show, then set again", 1)
    except OUTAGES as exc:
        return outage_exit("policy set", exc)
    print(json.dumps(summary))
    return 0


async def _set(settings: Settings, req: PolicyRequest) -> dict[str, object]:
    async with database_pool(settings, "app") as pool:  # appends the practice's next version
        change = await record_policy(
            EventStore(pool), req, datetime.now(UTC), settings.practice_timezone
        )
    summary: dict[str, object] = {
        "practice_id": change.practice_id, "version": change.version,
        "effective_month": change.effective_month, "changed": sorted(req.changes),
    }  # fmt: skip
    try:
        async with open_client(settings) as client:
            summary["told"], summary["not_told"] = await tell_running(client, change)
    except ServiceUnavailable as exc:  # recorded all the same: workflows read it at their close
        summary["not_told"] = f"Temporal unavailable ({exc})"
    return summary


def run_show(args: argparse.Namespace) -> int:
    try:
        text = asyncio.run(_show(Settings.from_env(), args.practice, args.month))
    except OUTAGES as exc:
        return outage_exit("policy show", exc)
    print(text)
    return 0


async def _show(settings: Settings, practice: str, month: str | None) -> str:
    async with database_pool(settings, "report") as pool:
        store = EventStore(pool)
        history = await policy_history(store, practice)
        stored = await store.read_stream(practice_stream(practice))
    if month is not None:
        v = history.version_for(month)
        head = f"practice {practice}, {month}: version {v.version} (from {v.effective_month})"
        return head + "\n" + v.policy.model_dump_json(indent=2)
    lines = ["version 0: the documented defaults (care/policy.py)"]
    for s in stored:
        if isinstance(c := s.event, PolicyChanged):
            diff = c.policy.model_dump(mode="json", exclude_defaults=True)
            lines.append(
                f"version {c.version} from {c.effective_month}, by {c.meta.actor} on "
                f"{c.occurred_at:%Y-%m-%d}: {c.reason}\n  differs from defaults: "
                f"{json.dumps(diff) if diff else 'nothing'}"
            )
    return "\n".join(lines)


def _fail(message: str, code: int) -> int:
    print(f"ccm policy: {message}", file=sys.stderr)
    return code
