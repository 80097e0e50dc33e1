"""Recording a workflow's decisions in one activity: the events, and the claims they prepared.

One call per commit of the patient workflow (a local activity: ``workflows.io.record``). With a
transactional adapter (the claims outbox) the events, each claim's outbox row and its
``ClaimSubmitted`` commit in one PostgreSQL transaction; with any other adapter the events are
stored first, then each claim handed over, then the hand-overs recorded: never a claim without
the close that prepared it. A retry is idempotent by business identity either way: stored events
are no-ops by key, the outbox by ``claim_id``, and a hand-over's event id is the patient-month's.

The upstream events the workflow decided as new without asking the store (``unasked``) are
checked first, and a re-sent, altered or foreign one refuses the call before anything is written.
The check needs no lock: the workflow is its stream's only writer, and a key another patient's
append takes meanwhile still fails this one's append on the store's unique key.
"""

from __future__ import annotations

import time
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.clearinghouse import ClaimAlreadyExists, Clearinghouse, TransactionalClearinghouse
from events.decisions import ClaimPrepared, ClaimSubmitted
from events.identity import Sent, Verdict, identify
from events.registry import AnyEvent
from events.store import AppendResult, DuplicateEventConflict, EventStore, WrongExpectedVersion
from patient.decide import claim_submitted
from telemetry import metrics


class RecordInput(BaseModel):
    """Events for one stream after ``expected_version``, and claims to hand over once stored.

    ``unasked``: the upstream events the workflow decided as new without asking the store
    (``events.identity``); the call checks them first, and stores nothing when one is not new.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    stream: str
    expected_version: int
    events: list[AnyEvent]
    claims: list[ClaimPrepared] = Field(default_factory=list)
    unasked: list[Sent] = Field(default_factory=list)


class Recorded(BaseModel):
    """The stream's version after the call, and the hand-overs it recorded (in claim order).

    ``refused``: one verdict per ``unasked`` event when one of them was not new; then nothing of
    the call was kept, and the workflow decides again knowing them."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    submitted: list[ClaimSubmitted]
    refused: list[Verdict] = Field(default_factory=list)


class RecordActivities:
    def __init__(self, store: EventStore, clearinghouse: Clearinghouse) -> None:
        self.store = store
        self.clearinghouse = clearinghouse

    @activity.defn(name="record_events")
    async def record(self, inp: RecordInput) -> Recorded:
        """Raises non-retryable ``WrongExpectedVersion`` (a bug), ``DuplicateEventConflict``
        (another stream holds a key: the workflow stages again) or ``ClaimAlreadyExists``
        (another claim holds the patient-month: nothing of this call is kept, with the outbox)."""
        started = time.monotonic()
        if inp.unasked:
            verdicts = await identify(
                self.store.pool, inp.stream, inp.unasked, inp.expected_version
            )
            if any(v.status != "new" for v in verdicts):
                return Recorded(version=inp.expected_version, submitted=[], refused=verdicts)
        try:
            if inp.claims and isinstance(self.clearinghouse, TransactionalClearinghouse):
                result, submitted = await self._in_one_transaction(self.clearinghouse, inp)
            else:
                result, submitted = await self._in_steps(inp)
        except (WrongExpectedVersion, DuplicateEventConflict) as exc:
            key = getattr(exc, "store_key", None)
            raise ApplicationError(
                str(exc), *([key] if key else []), type=type(exc).__name__, non_retryable=True
            ) from exc
        except ClaimAlreadyExists as exc:
            raise ApplicationError(str(exc), type="ClaimAlreadyExists", non_retryable=True) from exc
        stored = [*inp.events, *submitted]
        metrics.appended([e.type for e in stored], timedelta(seconds=time.monotonic() - started))
        for _ in submitted:
            metrics.claim_submitted()
        return Recorded(version=result.version, submitted=submitted)

    async def _in_one_transaction(
        self, outbox: TransactionalClearinghouse, inp: RecordInput
    ) -> tuple[AppendResult, list[ClaimSubmitted]]:
        async with self.store.pool.acquire() as conn, conn.transaction():
            submitted = [claim_submitted(c, await outbox.submit_in(conn, c)) for c in inp.claims]
            events: list[AnyEvent] = [*inp.events, *submitted]
            result = await self.store.append(inp.stream, events, inp.expected_version, on=conn)
        return result, submitted

    async def _in_steps(self, inp: RecordInput) -> tuple[AppendResult, list[ClaimSubmitted]]:
        result = await self.store.append(inp.stream, inp.events, inp.expected_version)
        submitted = [claim_submitted(c, await self.clearinghouse.submit(c)) for c in inp.claims]
        if submitted:
            result = await self.store.append(inp.stream, submitted, result.version)
        return result, submitted
