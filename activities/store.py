"""The event store, from the workflow: appending a patient's events, and what a batch's keys are."""

from __future__ import annotations

import time
from datetime import timedelta

from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from events.identity import Sent, Verdict, identify
from events.registry import AnyEvent
from events.store import AppendResult, DuplicateEventConflict, EventStore, WrongExpectedVersion
from telemetry import metrics


class AppendInput(BaseModel):
    """Events for one stream, appended after ``expected_version`` (the workflow's last known)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    stream: str
    expected_version: int
    events: list[AnyEvent]


class LookupInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    stream: str
    sent: list[Sent]


class StoreActivities:
    """Activities bound to one event store (one asyncpg pool per worker process)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    @activity.defn(name="append_events")
    async def append_events(self, inp: AppendInput) -> AppendResult:
        """Appends; a retry of a batch that already committed is a no-op (keys are business ids).

        A version conflict is a bug, not a transient fault; a key another stream holds (two
        patients raced for one new id) is for the workflow to refuse: both fail without
        retrying, ``DuplicateEventConflict`` naming the key in its details.
        """
        started = time.monotonic()
        try:
            result = await self.store.append(inp.stream, inp.events, inp.expected_version)
        except WrongExpectedVersion as exc:
            raise ApplicationError(str(exc), type=type(exc).__name__, non_retryable=True) from exc
        except DuplicateEventConflict as exc:
            raise ApplicationError(
                str(exc), exc.store_key, type=type(exc).__name__, non_retryable=True
            ) from exc
        took = timedelta(seconds=time.monotonic() - started)
        whole = result.appended == len(inp.events)
        # A retried batch that half-committed: which ones are new is not known here, only how many.
        metrics.appended(
            [e.type for e in inp.events] if whole else ["retried"] * result.appended, took
        )
        return result

    @activity.defn(name="lookup_keys")
    async def lookup_keys(self, inp: LookupInput) -> list[Verdict]:
        """Read-only: what the store holds under each event's key (``events.identity``)."""
        return await identify(self.store.pool, inp.stream, inp.sent)
