"""Sending a request's events: grouped per patient, each patient's in request order through
``CcmClient`` (update-with-start), patients in parallel. Idempotent by event id: a request sent
again comes back as duplicates.

A patient whose batch the workflow refuses stops there: the refused event is named and that
patient's later events are not sent (they may depend on it); other patients are unaffected.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from api.context import ApiContext
from api.models import EventResult, Outcome, PatientState, Refusal
from api.problems import busy, is_outage, outage
from events.upstream import UpstreamEvent
from upstream.client import EventRejected
from upstream.ingest import Numbered, batches
from workflows.messages import Receipt


@dataclass
class Delivered:
    """Per event (by its index in the request): what became of it; refusals; patients' state."""

    outcomes: dict[int, tuple[UpstreamEvent, Outcome]] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    patients: dict[str, PatientState] = field(default_factory=dict)

    def results(self) -> list[EventResult]:
        return [
            EventResult(index=i, event_id=e.event_id, patient_id=e.patient_id, outcome=o)
            for i, (e, o) in sorted(self.outcomes.items())
        ]

    def took(self, chunk: Numbered, receipt: Receipt) -> None:
        said: dict[str, Outcome] = dict.fromkeys(receipt.recorded, "recorded")
        said |= dict.fromkeys(receipt.duplicates, "duplicate")
        said |= dict.fromkeys(receipt.late, "late")
        why = {r.event_id: r for r in receipt.refused}
        for index, event in chunk:
            if event.event_id in why:
                r = why[event.event_id]
                self._refuse(index, event, r.field, r.reason)
            else:
                self.outcomes[index] = (event, said.get(event.store_key, "duplicate"))
        self.patients[receipt.patient_id] = PatientState(
            phase=receipt.phase, stream_version=receipt.stream_version
        )

    def stopped(self, unsent: Numbered, exc: EventRejected) -> None:
        field_, reason = _why(exc)
        for index, event in unsent:
            if exc.event_id is None or event.event_id == exc.event_id:
                self._refuse(index, event, field_, reason)
            else:
                why = f"not sent: event {exc.event_id} of this patient was refused; send again"
                self.outcomes[index] = (event, "not_sent")
                self.refusals.append(Refusal(index=index, event_id=event.event_id,
                                             field="(event)", reason=why))  # fmt: skip

    def _refuse(self, index: int, event: UpstreamEvent, field_: str, reason: str) -> None:
        self.outcomes[index] = (event, "refused")
        self.refusals.append(
            Refusal(index=index, event_id=event.event_id, field=field_, reason=reason)
        )


async def deliver(ctx: ApiContext, events: list[UpstreamEvent]) -> Delivered:
    """Sends every event; 429 over the in-flight limit or when Temporal is saturated, 503 when
    it (or the database behind the workers) is down: sending the request again doubles nothing."""
    if not ctx.in_flight.enter():
        raise busy(ctx.limits.retry_after_s, f"{ctx.in_flight.limit} requests are in flight")
    try:
        return await _deliver(ctx, events)
    finally:
        ctx.in_flight.leave()


async def _deliver(ctx: ApiContext, events: list[UpstreamEvent]) -> Delivered:
    groups: dict[str, Numbered] = {}
    for index, event in enumerate(events):
        groups.setdefault(event.patient_id, []).append((index, event))
    done = Delivered()
    gate = asyncio.Semaphore(ctx.limits.patients_at_once)

    async def one(numbered: Numbered) -> None:
        async with gate:
            await _patient(ctx, numbered, done)

    answers = await asyncio.gather(*(one(n) for n in groups.values()), return_exceptions=True)
    for answer in answers:
        if isinstance(answer, BaseException):
            if is_outage(answer):
                raise outage(answer, ctx.limits.retry_after_s) from answer
            raise answer
    return done


async def _patient(ctx: ApiContext, numbered: Numbered, done: Delivered) -> None:
    chunks = list(batches(numbered))
    for k, chunk in enumerate(chunks):
        try:
            receipt = await ctx.ccm.send([event for _, event in chunk])
        except EventRejected as exc:
            done.stopped([item for later in chunks[k:] for item in later], exc)
            return
        done.took(chunk, receipt)


def _why(exc: EventRejected) -> tuple[str, str]:
    """The field and rule the workflow named (its message also carries the event id)."""
    cause = exc.__cause__
    if isinstance(cause, WorkflowUpdateFailedError) and isinstance(cause.cause, ApplicationError):
        details = cause.cause.details
        if details and isinstance(details[0], dict) and isinstance(details[0].get("reason"), str):
            return exc.field or "(event)", details[0]["reason"]
    return exc.field or "(batch)", str(exc)
