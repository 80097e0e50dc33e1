"""``ccm ingest``: send a validated feed to the patients' workflows, safely re-runnable.

Each patient's events go in file order, in batches kept well under Temporal's payload limit, so
their workflow applies them in order and closes past months as if the events had arrived live.
Every failure is a patient's or an event's: a refused event is set aside and the rest sent again;
a patient that cannot be reached is reported with all its unsent lines; the run always finishes.
Re-running after a crash or an outage doubles nothing: workflows and the store deduplicate by id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from events.upstream import UpstreamEvent
from upstream.client import CcmClient, EventRejected
from upstream.feed import ParsedFeed, Rejection
from workflows.messages import MAX_BATCH

Progress = Callable[[int], None]
# Temporal refuses payloads over 2 MB (blob size limit); an update batch stays under a quarter.
MAX_BATCH_BYTES = 512 * 1024
Numbered = list[tuple[int, UpstreamEvent]]


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


def batches(events: Numbered) -> Iterator[Numbered]:
    """The patient's events in order, cut at ``MAX_BATCH`` events or ``MAX_BATCH_BYTES``."""
    chunk: Numbered = []
    size = 0
    for item in events:
        weight = len(item[1].model_dump_json())
        if chunk and (len(chunk) >= MAX_BATCH or size + weight > MAX_BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += weight
    if chunk:
        yield chunk


async def ingest(
    client: CcmClient, feed: ParsedFeed, *, concurrency: int = 8, progress: Progress | None = None
) -> IngestSummary:
    """Sends every patient's events; returns counts and every refused line."""
    summary = IngestSummary(lines_valid=len(feed.events), rejected=list(feed.rejected))
    groups = feed.by_patient()
    summary.patients = len(groups)
    gate = asyncio.Semaphore(concurrency)

    async def one(events: Numbered) -> None:
        async with gate:
            await _send_patient(client, events, summary)
            if progress is not None:
                progress(len(events))

    await asyncio.gather(*(one(events) for events in groups.values()))
    return summary


async def _send_patient(client: CcmClient, events: Numbered, summary: IngestSummary) -> None:
    """One patient's batches in order; a failure that is not an event's ends only this patient."""
    sent = 0
    try:
        for chunk in batches(events):
            await _send_chunk(client, chunk, summary)
            sent += len(chunk)
    except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
        status = getattr(exc, "status", None)
        reason = f"not delivered: Temporal answered {status.name if status else 'with a timeout'}"
        unsent = events[sent:]
        summary.rejected += [Rejection(n, "(patient)", reason, e.event_id) for n, e in unsent]


async def _send_chunk(client: CcmClient, chunk: Numbered, summary: IngestSummary) -> None:
    """Sends a chunk; an event the workflow refuses is set aside and the rest sent again."""
    while chunk:
        try:
            receipt = await client.send([event for _, event in chunk])
        except EventRejected as exc:
            refused = [(n, e) for n, e in chunk if e.event_id == exc.event_id]
            if not refused:
                why = str(exc)
                summary.rejected += [Rejection(n, "(batch)", why, e.event_id) for n, e in chunk]
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
        lines = {e.event_id: n for n, e in chunk}
        summary.rejected += [
            Rejection(lines[r.event_id], r.field, r.reason, r.event_id) for r in receipt.refused
        ]
        return
