"""``ccm ingest``: send a validated feed to the patients' workflows, safely re-runnable.

Each patient's events go as one ordered batch (chunked at the update size limit), so their
workflow applies them all in order and closes past months as if the events had arrived live.
Re-running after a crash or an outage doubles nothing: workflows and the store deduplicate by id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from events.upstream import UpstreamEvent
from upstream.client import CcmClient, EventRejected
from upstream.feed import ParsedFeed, Rejection
from workflows.messages import MAX_BATCH

Progress = Callable[[int], None]


@dataclass
class IngestSummary:
    lines_valid: int = 0
    patients: int = 0
    recorded: int = 0
    duplicates: int = 0
    late: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "lines_valid": self.lines_valid,
            "patients": self.patients,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "late": self.late,
            "rejected": len(self.rejected),
        }


async def ingest(
    client: CcmClient, feed: ParsedFeed, *, concurrency: int = 8, progress: Progress | None = None
) -> IngestSummary:
    """Sends every patient's events; returns counts and every refused line."""
    summary = IngestSummary(lines_valid=len(feed.events), rejected=list(feed.rejected))
    groups = feed.by_patient()
    summary.patients = len(groups)
    gate = asyncio.Semaphore(concurrency)

    async def one(events: list[tuple[int, UpstreamEvent]]) -> None:
        async with gate:
            for start in range(0, len(events), MAX_BATCH):
                await _send_chunk(client, events[start : start + MAX_BATCH], summary)
            if progress is not None:
                progress(len(events))

    await asyncio.gather(*(one(events) for events in groups.values()))
    return summary


async def _send_chunk(
    client: CcmClient, chunk: list[tuple[int, UpstreamEvent]], summary: IngestSummary
) -> None:
    """Sends a chunk; an event the workflow refuses is set aside and the rest sent again."""
    while chunk:
        try:
            receipt = await client.send([event for _, event in chunk])
        except EventRejected as exc:
            refused = [(n, e) for n, e in chunk if e.event_id == exc.event_id]
            if not refused:
                summary.rejected += [
                    Rejection(n, "(batch)", str(exc), e.event_id) for n, e in chunk
                ]
                return
            number, event = refused[0]
            summary.rejected.append(
                Rejection(number, exc.field or "(event)", str(exc), event.event_id)
            )
            chunk = [(n, e) for n, e in chunk if e.event_id != exc.event_id]
            continue
        summary.recorded += len(receipt.recorded)
        summary.duplicates += len(receipt.duplicates)
        summary.late += len(receipt.late)
        return
