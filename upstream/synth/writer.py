"""One patient's event list: deterministic ids and provenance for every event written."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from events.base import EventMeta
from events.upstream import UpstreamEvent

Source = Literal["ehr", "scheduling", "timetracker", "clearinghouse"]

# Events whose correlation id is LATE are delivered after every other event of the feed: they
# model documentation that reached the engine after its month had closed (see feed.py).
LATE = "late"


class PatientWriter:
    """Collects one patient's events in the order they are written.

    Event ids are ``synth-<seed>-<patient_id>-<n>`` with n counting from 1 per patient, so they are
    unique, stable for a seed, and independent of ``end``: a later run of the same seed resends
    the same ids and the store's deduplication drops them.
    """

    def __init__(self, seed: int, patient_id: str) -> None:
        self.seed = seed
        self.patient_id = patient_id
        self.events: list[UpstreamEvent] = []
        self._entries = 0

    def head(
        self, source: Source, at: datetime, correlation_id: str | None = None
    ) -> dict[str, Any]:
        """The fields every event shares; pass with ``**`` to a model and ``add`` it right away.

        The id is the position the event will take, so ``head`` and ``add`` must alternate.
        """
        n = len(self.events) + 1
        return {
            "event_id": f"synth-{self.seed}-{self.patient_id}-{n}",
            "patient_id": self.patient_id,
            "occurred_at": at,
            "meta": EventMeta(source=source, correlation_id=correlation_id),
        }

    def add(self, event: UpstreamEvent) -> None:
        self.events.append(event)

    def next_entry_id(self) -> str:
        """A time entry's own id (what ``time_entry_voided`` refers to)."""
        self._entries += 1
        return f"te-{self.patient_id}-{self._entries}"
