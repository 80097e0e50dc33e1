"""One long-running workflow per patient: identify → enroll → monthly engage/document → bill.

Handlers only validate and enqueue; the run loop applies events in arrival order, records every
fact and decision through activities, closes months on the calendar, and continues as new after
each month close so a run's history stays small. Time-based actions (at-risk checks, month closes)
run on a business clock: the latest ``occurred_at`` seen, never ahead of ``workflow.now()``, so a
backfilled feed bills past months exactly as if its events had arrived live.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import cast

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.claims import SubmitClaimInput
    from activities.fees import FeeActivities, FeeScheduleInput
    from activities.store import AppendInput, AppendOutcome
    from care.fees import FeeSchedule
    from events.base import PatientEvent, stream_for
    from events.decisions import ClaimPrepared, ClaimSubmitted, decision_id
    from events.registry import AnyEvent
    from events.upstream import UpstreamEvent
    from workflows.checks import check_batch
    from workflows.closing import close_month, months_due
    from workflows.fold import apply
    from workflows.messages import PatientStart, PatientView, Receipt, RecordBatch
    from workflows.monthly import at_risk_check, next_wake
    from workflows.outcomes import Outcomes
    from workflows.phases import window_expired
    from workflows.publish import Publisher
    from workflows.state import PatientState
    from workflows.view import view_of

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Unlimited attempts: an outage of PostgreSQL delays a fact, it must never drop one.
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
FLUSH_AT = 200


class StoreRefused(RuntimeError):
    """The event store refused an append the workflow decided: stop and wait for a fix."""


class ClaimRefused(RuntimeError):
    """The claims outbox refused a claim the workflow prepared: stop and wait for a fix."""


def workflow_id_for(patient_id: str) -> str:
    """Opaque workflow id: the upstream's opaque patient id, never a name or MBI."""
    return f"ccm-patient-{patient_id}"


@workflow.defn(name="PatientCare")
class PatientCareWorkflow:
    @workflow.init
    def __init__(self, start: PatientStart) -> None:
        self.cfg = start.config
        self.state = start.state or PatientState(patient_id=start.patient_id)
        self.inbox: list[UpstreamEvent] = list(start.pending)
        self.pending: list[PatientEvent] = []
        self.outcomes = Outcomes()
        self.clock: datetime | None = None
        self.closed_this_run = 0
        self.publisher = Publisher()

    @workflow.update
    async def record(self, batch: RecordBatch) -> Receipt:
        """Accepts upstream events; returns once they (and what they caused) are stored."""
        keys = [e.store_key for e in batch.events]
        self.inbox.extend(batch.events)
        # Two handlers waiting on one key both wake when its first outcome lands; only one may
        # take it, so check again (no await between the check and the take).
        while not self.outcomes.ready(keys):
            await workflow.wait_condition(lambda: self.outcomes.ready(keys))
        said = self.outcomes.take(keys)
        return Receipt(
            patient_id=self.state.patient_id,
            recorded=said["recorded"],
            duplicates=said["duplicate"],
            late=said["late"],
            phase=self.state.phase or "unidentified",
            stream_version=self.state.stream_version,
        )

    @record.validator
    def _validate(self, batch: RecordBatch) -> None:
        check_batch(self.state, self.inbox, list(batch.events), self.cfg, workflow.now())

    @workflow.query
    def view(self) -> PatientView:
        return view_of(self.state, self.cfg, workflow.now())

    @workflow.run
    async def run(self, start: PatientStart) -> None:
        while True:
            await self._step()
            self.publisher.publish(self.state, self.cfg, workflow.now())
            if self.closed_this_run or workflow.info().is_continue_as_new_suggested():
                await self._quiesce()
                workflow.continue_as_new(
                    PatientStart(
                        patient_id=self.state.patient_id, config=self.cfg, state=self.state
                    )
                )
            wake = next_wake(self.state, self.cfg, workflow.now())
            with contextlib.suppress(TimeoutError):  # the timeout is the calendar's wake-up
                await workflow.wait_condition(lambda: bool(self.inbox), timeout=wake)

    async def _step(self) -> None:
        """Applies the inbox and what the calendar says is due now; then answers the updates."""
        await self._drain()
        await self._tick(workflow.now())
        await self._flush()
        self.outcomes.publish()

    async def _drain(self) -> None:
        """Applies every queued event in arrival order, acting on the calendar in between."""
        while self.inbox:
            event = self.inbox.pop(0)
            if self.state.is_duplicate(event):
                self.outcomes.stage(event.store_key, "duplicate")
                continue
            self.clock = max(self.clock or event.occurred_at, event.occurred_at)
            await self._tick(min(self.clock, workflow.now()))
            derived = apply(self.state, event, self.cfg)
            late = any(d.type == "late_entry_recorded" for d in derived)
            self.outcomes.stage(event.store_key, "late" if late else "recorded")
            self.pending += [event, *derived]
            if len(self.pending) >= FLUSH_AT:
                await self._flush()
        await self._flush()

    async def _tick(self, clock: datetime) -> None:
        """Does what the calendar says is due at ``clock``: at-risk flags, then month closes."""
        self.pending += window_expired(self.state, self.cfg, clock)
        self.pending += at_risk_check(self.state, self.cfg, clock)
        for month in months_due(self.state, clock, self.cfg):
            fees = await self._fees(month)
            events, claim = close_month(self.state, month, self.cfg, fees)
            self.pending += events
            await self._flush()
            if claim is not None:
                await self._submit(claim)
            self.closed_this_run += 1

    async def _fees(self, month: str) -> FeeSchedule:
        """The practice's fee schedule in effect for ``month`` (a read, recorded in history)."""
        assert self.state.practice_id is not None  # a month closes only after identification
        return await workflow.execute_local_activity_method(
            FeeActivities.fee_schedule,
            FeeScheduleInput(practice_id=self.state.practice_id, service_month=month),
            summary=f"fees {month}",
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    async def _submit(self, claim: ClaimPrepared) -> None:
        try:
            ref: str = await workflow.execute_activity(
                "submit_claim",
                SubmitClaimInput(claim=claim),
                result_type=str,
                summary=f"submit {claim.claim_id}: {', '.join(c.code for c in claim.codes)}",
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
        except ActivityError as err:
            # Fix: the outbox refusing the claim (another claim already holds this patient-month)
            # raised ActivityError here, which *failed the patient's workflow*; a later event then
            # started a fresh, empty workflow under the same id. Like a refused append, it now
            # fails the workflow task instead: the patient waits, visibly, for an operator.
            raise ClaimRefused(f"claim {claim.claim_id} refused: {err.cause}") from err
        self.pending.append(
            ClaimSubmitted(
                event_id=decision_id(claim.patient_id, "claim-submitted", claim.service_month),
                patient_id=self.state.patient_id,
                occurred_at=claim.occurred_at,
                claim_id=claim.claim_id,
                service_month=claim.service_month,
                submission_ref=ref,
            )
        )
        await self._flush()

    async def _flush(self) -> None:
        """Appends what the loop decided, in one round trip, under optimistic concurrency."""
        if self.pending:
            batch, self.pending = self.pending, []
            before = self.state.stream_version
            # Every event built here is a member of the stored-event union (AnyEvent).
            events = cast(list[AnyEvent], batch)
            stream = stream_for(self.state.patient_id)
            try:
                outcome: AppendOutcome = await workflow.execute_activity(
                    "append_events",
                    AppendInput(stream=stream, expected_version=before, events=events),
                    result_type=AppendOutcome,
                    summary=f"append {len(batch)}: {', '.join(sorted({e.type for e in batch}))}",
                    start_to_close_timeout=ACTIVITY_TIMEOUT,
                    retry_policy=ACTIVITY_RETRY,
                )
            except ActivityError as err:
                # The store refused (version conflict, id reused): a bug, never a patient's end.
                # A plain exception fails the workflow *task*, which Temporal retries, so the
                # patient waits visibly in the UI for a fix instead of their workflow failing.
                raise StoreRefused(f"append to {stream} refused: {err.cause}") from err
            self.state.stream_version = outcome.version

    async def _quiesce(self) -> None:
        """Before continue-as-new: no queued input, every update answered."""
        while self.inbox or not workflow.all_handlers_finished():
            await self._step()
            await workflow.wait_condition(
                lambda: bool(self.inbox) or workflow.all_handlers_finished()
            )
