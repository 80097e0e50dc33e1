"""Sending mapped events and what became of each: the ``send`` the FHIR route is built with.

``client_send`` is the engine's own (one update per patient through ``CcmClient``, patients in
parallel, each patient's events in order); the HTTP API may pass its own with the same shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from events.upstream import UpstreamEvent
from upstream.client import CcmClient, EventRejected
from workflows.messages import MAX_BATCH, RefusedEvent

Status = Literal["recorded", "duplicate", "late", "refused"]


class EventReceipt(BaseModel):
    """One event's fate; a refusal names the field and the rule (no PHI)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_id: str
    status: Status
    field: str | None = None
    reason: str | None = None


Send = Callable[[Sequence[UpstreamEvent]], Awaitable[list[EventReceipt]]]


def client_send(client: CcmClient) -> Send:
    """A ``Send`` through ``client``: receipts in the order of the events given."""

    async def send(events: Sequence[UpstreamEvent]) -> list[EventReceipt]:
        groups: dict[str, list[UpstreamEvent]] = {}
        for event in events:
            groups.setdefault(event.patient_id, []).append(event)
        done = await asyncio.gather(*(_patient(client, group) for group in groups.values()))
        by_id = {r.event_id: r for receipts in done for r in receipts}
        return [by_id[e.event_id] for e in events]

    return send


async def _patient(client: CcmClient, events: list[UpstreamEvent]) -> list[EventReceipt]:
    out: list[EventReceipt] = []
    for start in range(0, len(events), MAX_BATCH):
        out += await _chunk(client, events[start : start + MAX_BATCH])
    return out


async def _chunk(client: CcmClient, chunk: list[UpstreamEvent]) -> list[EventReceipt]:
    """Sends ``chunk``; an event the update validator refuses is set aside, the rest sent again."""
    refused: list[EventReceipt] = []
    while chunk:
        try:
            receipt = await client.send(chunk)
        except EventRejected as exc:
            culprit = [e for e in chunk if e.event_id == exc.event_id] or chunk
            field = exc.field or "(event)"
            refused += [_refused(e.event_id, field, str(exc)) for e in culprit]
            chunk = [e for e in chunk if e not in culprit]
            continue
        late, dup = set(receipt.late), set(receipt.duplicates)
        engine = {r.event_id: r for r in receipt.refused}
        return refused + [_fate(e, late, dup, engine) for e in chunk]
    return refused


def _refused(event_id: str, field: str, reason: str) -> EventReceipt:
    return EventReceipt(event_id=event_id, status="refused", field=field, reason=reason)


def _fate(
    event: UpstreamEvent, late: set[str], dup: set[str], engine: dict[str, RefusedEvent]
) -> EventReceipt:
    refusal = engine.get(event.event_id)
    if refusal is not None:
        return _refused(event.event_id, refusal.field, refusal.reason)
    key = event.store_key
    status: Status = "late" if key in late else "duplicate" if key in dup else "recorded"
    return EventReceipt(event_id=event.event_id, status=status)
