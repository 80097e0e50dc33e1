"""One long-running workflow per patient: identify → enroll → monthly engage/document → bill.

A thin host of the patient decider (``patient``): handlers validate and enqueue; the run loop
decides with ``patient.decide``, appends through activities and only then takes the evolved state
(``workflows.recorder``), acts on the calendar, and continues as new with a pruned snapshot when
``workflows.rollover`` says (by history size). Time-based actions run on a business clock: the
latest ``occurred_at`` seen, never ahead of ``workflow.now()``, so a backfilled feed bills past
months as if it arrived live.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from care.months import month_of
    from events.practice import PolicyChanged
    from patient.commands import Refused
    from patient.due import next_wake
    from patient.policies import PolicyHistory
    from patient.prune import horizon, prune
    from patient.state import Patient
    from patient.validate import check_delivery
    from telemetry import metrics
    from workflows import io, rollover
    from workflows.messages import PatientStart, PatientView, Receipt, RecordBatch
    from workflows.publish import Publisher
    from workflows.recorder import Delivery, Recorder
    from workflows.reopen import Reopened, ReopenMonth, reopen_step
    from workflows.view import view_of
    from workflows.wake import WakeUp


def workflow_id_for(patient_id: str) -> str:
    """Opaque workflow id: the upstream's opaque patient id, never a name or MBI."""
    return f"ccm-patient-{patient_id}"


def rejected(refused: Refused) -> ApplicationError:
    """What a sender sees for a refused batch: the event, the field and the rule."""
    shown = f" ({refused.shown!r})" if refused.shown is not None else ""
    return ApplicationError(
        f"event {refused.event_id}: field {refused.field}{shown} rejected: {refused.reason}",
        {"event_id": refused.event_id, "field": refused.field, "reason": refused.reason},
        type="InvalidUpstreamEvent",
        non_retryable=True,
    )


@workflow.defn(name="PatientCare")
class PatientCareWorkflow:
    @workflow.init
    def __init__(self, start: PatientStart) -> None:
        state = start.snapshot or Patient(patient_id=start.patient_id, timezone=start.timezone)
        policies = start.policies or PolicyHistory()
        self.loaded = start.snapshot is not None
        self.record_checks_keys = start.record_checks_keys
        self.recorder = Recorder(state, policies, frozenset(start.checked), self.record_checks_keys)
        self.inbox: list[Delivery] = []
        self.answers: dict[int, Receipt] = {}
        self.deliveries = 0
        self.publisher = Publisher()
        self.woken = False
        self.wake_up = WakeUp()
        self.one_wake_timer = start.one_wake_timer
        self.reopens: list[tuple[ReopenMonth, list[Reopened]]] = []

    @property
    def state(self) -> Patient:
        return self.recorder.state

    @workflow.update
    async def record(self, batch: RecordBatch) -> Receipt:
        """Accepts upstream events; returns once they (and what they caused) are stored."""
        self.deliveries += 1
        delivery = Delivery(self.deliveries, list(batch.events))
        self.inbox.append(delivery)
        await workflow.wait_condition(lambda: delivery.id in self.answers)
        return self.answers.pop(delivery.id)

    @record.validator
    def _validate(self, batch: RecordBatch) -> None:
        policy = self.recorder.policies.for_month(month_of(workflow.now(), self.state.timezone))
        try:
            check_delivery(self.state, list(batch.events), policy, workflow.now())
        except Refused as refused:
            metrics.refused(refused.field, "validator")
            raise rejected(refused) from None

    @workflow.update
    async def policy_changed(self, change: PolicyChanged) -> int:
        """A new policy version of the patient's practice; returns the latest version known."""
        self.recorder.policies = self.recorder.policies.with_change(change)
        self.woken = True  # the calendar may have moved (a check day, the grace days)
        return self.recorder.policies.latest.version

    @policy_changed.validator
    def _validate_policy(self, change: PolicyChanged) -> None:
        if self.state.practice_id is not None and change.practice_id != self.state.practice_id:
            why = "field practice_id: not this patient's practice"
            raise ApplicationError(why, non_retryable=True)

    @workflow.update
    async def reopen(self, req: ReopenMonth) -> Reopened:
        """A rejected month's corrective close, decided by the loop between deliveries."""
        answer: list[Reopened] = []
        self.reopens.append((req, answer))
        self.woken = True
        await workflow.wait_condition(lambda: bool(answer))
        return answer[0]

    @workflow.query
    def view(self) -> PatientView:
        return view_of(self.state, self.recorder.policies, workflow.now())

    @workflow.run
    async def run(self, start: PatientStart) -> None:
        if not self.loaded:
            await self._load(start)
        while True:
            await self._step()
            self.publisher.publish(self.state, self.recorder.policies, workflow.now())
            if rollover.due(self.recorder.closed_months):
                await self._quiesce()
                workflow.continue_as_new(self._carry(start))
            rec = self.recorder
            wake = next_wake(self.state, workflow.now(), rec.policies, rec.checked)
            await self._sleep(wake)
            self.woken = False

    async def _sleep(self, wake: timedelta) -> None:
        """Until a delivery, a nudge, or the calendar's wake-up ``wake`` from now."""
        if self.one_wake_timer:
            await self.wake_up.wait(wake, lambda: bool(self.inbox) or self.woken)
            return
        with contextlib.suppress(TimeoutError):  # the timeout is the calendar's wake-up
            await workflow.wait_condition(lambda: bool(self.inbox) or self.woken, timeout=wake)

    async def _load(self, start: PatientStart) -> None:
        """A start without a snapshot folds the patient's stream: a new patient's is empty, a
        patient whose Temporal history was lost is rebuilt from the store."""
        loaded = await io.load(start.patient_id, start.timezone)
        policies = self.recorder.policies
        if loaded.state.practice_id is not None:
            policies = (await io.practice_rules(loaded.state.practice_id, None)).policies
        self.recorder = Recorder(
            loaded.state, policies, self.recorder.checked, self.record_checks_keys
        )
        await self.recorder.hand_over(loaded.unsubmitted)

    async def _step(self) -> None:
        """Records every queued delivery in arrival order, does what the calendar says is due
        now, then answers the deliveries: a receipt comes once what they caused is stored."""
        delivered = []
        while self.inbox:
            delivery = self.inbox.pop(0)
            await self.recorder.deliver(delivery, workflow.now())
            delivered.append(delivery)
        await self.recorder.tick(workflow.now())
        await self.recorder.commit()
        while self.reopens:  # empty in every history recorded before the update existed
            req, answer = self.reopens.pop(0)
            answer.append(await reopen_step(self.recorder, req))
        for delivery in delivered:
            self.answers[delivery.id] = self._receipt(delivery)

    def _receipt(self, d: Delivery) -> Receipt:
        said = [d.done[i] for i in range(len(d.events))]
        keys = [e.store_key for e in d.events]
        pick = [[k for k, (kind, _) in zip(keys, said, strict=True) if kind == want] for want in
                ("recorded", "duplicate", "late")]  # fmt: skip
        return Receipt(
            patient_id=self.state.patient_id, recorded=pick[0], duplicates=pick[1], late=pick[2],
            refused=[why for kind, why in said if kind == "refused" and why is not None],
            phase=self.state.phase or "unidentified", stream_version=self.state.version,
        )  # fmt: skip

    def _carry(self, start: PatientStart) -> PatientStart:
        """The continue-as-new input: a pruned snapshot, the policies, the checked months."""
        lag = self.recorder.policies.for_month(month_of(workflow.now(), self.state.timezone))
        first_kept = horizon(self.state, workflow.now(), lag.max_documentation_lag_days)
        current = month_of(workflow.now(), self.state.timezone)
        return PatientStart(
            patient_id=start.patient_id, timezone=start.timezone,
            snapshot=prune(self.state, first_kept), policies=self.recorder.policies,
            checked=sorted(m for m in self.recorder.checked if m >= current),
            # A new run has no history to stay deterministic with.
            one_wake_timer=True, record_checks_keys=True,
        )  # fmt: skip

    async def _quiesce(self) -> None:
        """Before continue-as-new: no queued input, every update answered."""
        while self.inbox or self.reopens or not workflow.all_handlers_finished():
            await self._step()
            await workflow.wait_condition(
                lambda: bool(self.inbox or self.reopens) or workflow.all_handlers_finished()
            )
