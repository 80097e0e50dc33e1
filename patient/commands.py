"""What the host asks the decider: record a fact, act on the calendar, note a handed-over claim,
reopen a rejected month."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from care.facts import MonthFacts
from care.fees import FeeSchedule
from events.decisions import ClaimPrepared
from events.upstream import UpstreamEvent


@dataclass(frozen=True)
class Record:
    """An upstream fact the store has not seen (duplicates never reach the decider)."""

    event: UpstreamEvent


@dataclass(frozen=True)
class Tick:
    """The business clock reached ``clock``; ``fees`` prices each month due to close then."""

    clock: datetime
    fees: Mapping[str, FeeSchedule] = field(default_factory=dict)


@dataclass(frozen=True)
class HandedOver:
    """The clearinghouse adapter took ``claim``; ``ref`` is its reference."""

    claim: ClaimPrepared
    ref: str


@dataclass(frozen=True)
class Reopen:
    """Decide a closed month again, once, on corrected ``facts`` (its first close's facts with
    the late documentation applied, claims/reopen.py): a rejected claim's correction."""

    month: str
    facts: MonthFacts
    reason: str
    by: str
    at: datetime
    fees: FeeSchedule


Command = Record | Tick | HandedOver | Reopen


class Refused(Exception):
    """The fact cannot be recorded: ``field`` and ``reason`` say why (``shown``: an opaque id)."""

    def __init__(self, field: str, reason: str, shown: str | None = None) -> None:
        super().__init__(f"field {field}: {reason}")
        self.field = field
        self.reason = reason
        self.shown = shown
        self.event_id: str | None = None  # set by a check of several events
