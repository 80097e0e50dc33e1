"""``ccm claims`` arguments: the filter every sub-command shares, validated at the edge."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

from pydantic import TypeAdapter, ValidationError

from claims.queue import ClaimFilter
from cli.report import month_arg
from events.base import OpaqueId

_ID = TypeAdapter(OpaqueId)
STATUSES = ("awaiting", "approved", "rejected", "any")


class ClaimArgError(ValueError):
    """A flag's value is unusable; the message names the flag, never echoes a free value."""


def opaque(flag: str, value: str) -> str:
    try:
        return _ID.validate_python(value)
    except ValidationError:
        raise ClaimArgError(f"{flag}: must be an opaque id (letters, digits, ._:@/-)") from None


def amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"amount must be a decimal number, got {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"amount must be 0 or more, got {text!r}")
    return value


def add_filter(parser: argparse.ArgumentParser, default_status: str = "awaiting") -> None:
    parser.add_argument("--practice", help="the practice's opaque id")
    parser.add_argument("--practitioner", help="the billing practitioner's opaque id")
    parser.add_argument("--month", type=month_arg, help="service month, YYYY-MM")
    parser.add_argument("--track", help="ccm_staff, ccm_practitioner, ccm_complex, pcm_*, apcm")
    parser.add_argument("--min-amount", type=amount, help="allowed amount at least")
    parser.add_argument("--max-amount", type=amount, help="allowed amount at most")
    parser.add_argument("--status", choices=STATUSES, default=default_status)


def claim_filter(args: argparse.Namespace, claim_ids: list[str] | None = None) -> ClaimFilter:
    """The filter the flags (and any CLAIM arguments) describe."""
    for flag in ("practice", "practitioner"):
        if getattr(args, flag) is not None:
            opaque(f"--{flag}", getattr(args, flag))
    ids = tuple(opaque("CLAIM", c) for c in claim_ids or [])
    return ClaimFilter(
        status=None if args.status == "any" else args.status, practice=args.practice,
        practitioner=args.practitioner, month=args.month, track=args.track,
        min_amount=args.min_amount, max_amount=args.max_amount, claim_ids=ids,
    )  # fmt: skip


def narrowed(args: argparse.Namespace, which: ClaimFilter) -> bool:
    """Whether a bulk decision names claims or at least one filter (never "everything")."""
    named = (which.practice, which.practitioner, which.month, which.track, which.min_amount,
             which.max_amount)  # fmt: skip
    return bool(which.claim_ids) or any(v is not None for v in named) or bool(args.all)
