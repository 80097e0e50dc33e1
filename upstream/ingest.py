"""``ccm ingest``: send a validated feed to the patients' workflows, safely re-runnable.

Each patient's events go in file order, in batches kept well under Temporal's payload limit, so
their workflow applies them in order and closes past months as if the events had arrived live.
Every failure is a patient's or an event's: a refused event is set aside and the rest sent again;
a patient that cannot be reached is reported with all its unsent lines; the run always finishes.
Temporal going away mid-run (a restart) is waited out; a longer outage leaves the run's unsent
lines counted as undelivered, and re-running the same feed doubles nothing: workflows and the
store deduplicate by id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from events.identity import digest_of
from events.upstream import UpstreamEvent
from upstream.client import CcmClient, EventRejected
from upstream.feed import ParsedFeed, Rejection
from workflows.messages import MAX_BATCH

Progress = Callable[[int], None]
# Temporal refuses payloads over 2 MB (blob size limit); an update batch stays under a quarter.
MAX_BATCH_BYTES = 512 * 1024
Numbered = list[tuple[int, UpstreamEvent]]


# Temporal answers these while it restarts or is overloaded: wait and send the batch again.
TRANSIENT = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED,
             RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.CANCELLED}  # fmt: skip
OUTAGE_BUDGET_S = 120.0  # per patient: longer than a supervised restart of Temporal


@dataclass
class IngestSummary:
    """What a run did; ``undelivered`` lines met an outage (send again: nothing doubles)."""

    lines_valid: int = 0
    patients: int = 0
    recorded: int = 0
    duplicates: int = 0
    late: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    undelivered: int = 0
    undelivered_patients: int = 0
    outage: str | None = None  # what Temporal last answered when a patient gave up

    def as_dict(self) -> dict[str, int]:
        return {
            "lines_valid": self.lines_valid,
            "patients": self.patients,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "late": self.late,
            "rejected": len(self.rejected),
            "undelivered": self.undelivered,
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
    client: CcmClient,
    feed: ParsedFeed,
    *,
    concurrency: int = 8,
    progress: Progress | None = None,
    summary: IngestSummary | None = None,
    outage_budget: float = OUTAGE_BUDGET_S,
) -> IngestSummary:
    """Sends every patient's events; returns counts, every refused line, and what an outage
    left undelivered. ``summary`` is filled as it goes (an interrupted run can still print it)."""
    summary = summary or IngestSummary()
    summary.lines_valid, summary.rejected = len(feed.events), list(feed.rejected)
    groups = _once_each(feed, summary).by_patient()
    summary.patients = len(groups)
    gate = asyncio.Semaphore(concurrency)

    async def one(events: Numbered) -> None:
        async with gate:
            await _send_patient(client, events, summary, outage_budget)
            if progress is not None:
                progress(len(events))

    await asyncio.gather(*(one(events) for events in groups.values()))
    return summary


def _once_each(feed: ParsedFeed, summary: IngestSummary) -> ParsedFeed:
    """The feed without a later line that reuses an earlier line's store key with other
    content: that one is refused as a conflict naming both digests. A line repeated as it was
    is sent again (the workflow says duplicate, or refuses it as it refused the first)."""
    first: dict[str, tuple[int, str]] = {}
    kept = ParsedFeed()
    for number, event in feed.events:
        digest = digest_of(event).hex()[:12]
        seen, sent = first.setdefault(event.store_key, (number, digest))
        if sent == digest:
            kept.events.append((number, event))
            continue
        why = f"is already used on line {seen} with other content (sha256 {sent}…, sent {digest}…)"
        summary.rejected.append(Rejection(number, "event_id", why, event.event_id))
    return kept


async def _send_patient(
    client: CcmClient, events: Numbered, summary: IngestSummary, budget: float
) -> None:
    """One patient's batches in order, each sent again through an outage of up to ``budget``
    seconds; past it, this patient's unsent lines are counted undelivered."""
    sent = 0
    for chunk in batches(events):
        why = await _through_outage(partial(_send_chunk, client, chunk, summary), budget)
        if why is not None:
            summary.undelivered += len(events) - sent
            summary.undelivered_patients += 1
            summary.outage = why
            return
        sent += len(chunk)


async def _through_outage(send: Callable[[], Awaitable[None]], budget: float) -> str | None:
    """Runs ``send`` until it works (None) or Temporal stays down past ``budget`` (its answer)."""
    loop = asyncio.get_running_loop()
    give_up, pause = loop.time() + budget, 0.5
    while True:
        try:
            await send()
            return None
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            answer = "a timeout"
        except RPCError as exc:
            if exc.status not in TRANSIENT:
                raise
            answer = exc.status.name
        if loop.time() + pause > give_up:
            return answer
        await asyncio.sleep(pause)
        pause = min(pause * 2, 10.0)


async def _send_chunk(client: CcmClient, chunk: Numbered, summary: IngestSummary) -> None:
    """Sends a chunk; an event the workflow refuses is set aside and the rest sent again.

    The workflow names a refused event by its ``event_id``, which lines of other sources (or a
    repeated line) may share: every line with that id is set aside and reported, each by its
    own number."""
    while chunk:
        try:
            receipt = await client.send([event for _, event in chunk])
        except EventRejected as exc:
            refused = [(n, e) for n, e in chunk if e.event_id == exc.event_id]
            field = exc.field or "(event)" if refused else "(batch)"
            why = str(exc)
            summary.rejected += [Rejection(n, field, why, e.event_id) for n, e in refused or chunk]
            chunk = [(n, e) for n, e in chunk if e.event_id != exc.event_id] if refused else []
            continue
        summary.recorded += len(receipt.recorded)
        summary.duplicates += len(receipt.duplicates)
        summary.late += len(receipt.late)
        lines: dict[str, list[int]] = {}
        for number, event in chunk:
            lines.setdefault(event.event_id, []).append(number)
        summary.rejected += [  # the receipt lists refusals in batch order
            Rejection(lines[r.event_id].pop(0), r.field, r.reason, r.event_id)
            for r in receipt.refused
        ]
        return
