"""Appending a patient's events to the store, from the workflow."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from events.registry import AnyEvent
from events.store import DuplicateEventConflict, EventStore, WrongExpectedVersion


class AppendInput(BaseModel):
    """Events for one stream, appended after ``expected_version`` (the workflow's last known)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    stream: str
    expected_version: int
    events: list[AnyEvent]


class AppendOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    appended: int
    duplicates: int


class StoreActivities:
    """Activities bound to one event store (one asyncpg pool per worker process)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    @activity.defn(name="append_events")
    async def append_events(self, inp: AppendInput) -> AppendOutcome:
        """Appends; a retry of a batch that already committed is a no-op (keys are business ids).

        A version conflict or a key reused for different content is a bug, not a transient
        fault: it fails without retrying so the workflow stops rather than write a wrong history.
        """
        try:
            result = await self.store.append(inp.stream, inp.events, inp.expected_version)
        except (WrongExpectedVersion, DuplicateEventConflict) as exc:
            raise ApplicationError(str(exc), type=type(exc).__name__, non_retryable=True) from exc
        return AppendOutcome(
            version=result.version, appended=result.appended, duplicates=result.duplicates
        )
