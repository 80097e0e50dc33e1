"""The workflow's unit of work: decide, stage, append, and only then take the new state as the
patient's. validate → decide → append → evolve, with the evolve done on a trial copy so a
staged batch can be dropped whole when the store refuses it (two patients raced for one id).

Every piece of I/O goes through a typed activity reference (``workflows.io``); this module only
sequences them. Deterministic: it runs inside the workflow sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from care.fees import NATIONAL, FeeSchedule
    from events.base import PatientEvent
    from events.decisions import ClaimPrepared, MonthClosed
    from events.upstream import PatientIdentified, UpstreamEvent
    from patient.commands import HandedOver, Record, Refused, Tick
    from patient.decide import decide
    from patient.due import check_made, months_due
    from patient.evolve import fold
    from patient.policies import PolicyHistory
    from patient.state import Patient
    from telemetry import metrics
    from workflows import io
    from workflows.messages import RefusedEvent
    from workflows.versions import fewer_actions

FLUSH_AT = 200


class RaceLost(Exception):
    """The store holds one of the staged keys in another stream, or an event decided as new
    without asking is not new: stage the batch again, asking the store first."""


@dataclass
class Delivery:
    """One update's events and, per event index, what became of it (``kind``, refusal)."""

    id: int
    events: list[UpstreamEvent]
    ask: bool = False  # ask the store for every event's verdict before deciding
    done: dict[int, tuple[str, RefusedEvent | None]] = field(default_factory=dict)
    staged: dict[int, tuple[str, RefusedEvent | None]] = field(default_factory=dict)

    def left(self) -> list[int]:
        return [i for i in range(len(self.events)) if i not in self.done]


class Recorder:
    """The patient's committed state, and what is staged on top of it."""

    def __init__(
        self, state: Patient, policies: PolicyHistory, checked: frozenset[str], unasked: bool
    ) -> None:
        """``unasked``: decide a delivery's events as new and let the record check them
        (``PatientStart.record_checks_keys``); otherwise ask the store before deciding. Only
        with ``FEWER_ACTIONS``: the append of the runs before it checks nothing."""
        self.state, self.trial = state, state
        self.policies = policies
        self.checked, self.trial_checked = checked, checked
        self.decide_unasked = unasked
        self.pending: list[PatientEvent] = []
        self.unasked: list[UpstreamEvent] = []  # staged as new without asking the store
        self.touched: list[Delivery] = []
        self.closed_months = 0

    def stage(self, events: list[PatientEvent]) -> None:
        self.trial = fold(events, self.trial)
        self.pending += events

    async def commit(self, claims: list[ClaimPrepared] | None = None) -> None:
        """Appends what is staged and hands ``claims`` over (one activity since
        ``FEWER_ACTIONS``); raises ``RaceLost`` (nothing kept) if the store refuses a key."""
        if self.pending or claims or self.unasked:
            version = await self._store(claims or [])
            if version is None:
                self.rollback()
                raise RaceLost
            closes = [e for e in self.pending if isinstance(e, MonthClosed)]
            for close in closes:
                metrics.month_closed(close.decision.track)
            self.closed_months += len(closes)
            self.trial = self.trial.model_copy(update={"version": version})
        self.state, self.checked, self.pending = self.trial, self.trial_checked, []
        self.unasked = []
        for delivery in self.touched:
            for kind, why in delivery.staged.values():
                if kind == "refused" and why is not None:
                    metrics.refused(why.field, "decider")
            delivery.done.update(delivery.staged)
            delivery.staged.clear()
        self.touched = []

    async def _store(self, claims: list[ClaimPrepared]) -> int | None:
        """The stream's version once stored; the hand-overs are folded into the trial state."""
        if not fewer_actions():
            result = await io.append(self.state, self.pending)
            return None if result is None else result.version
        recorded = await io.record(self.state, self.pending, claims, self.unasked)
        if recorded is None or recorded.refused:
            return None
        self.trial = fold(recorded.submitted, self.trial)
        return recorded.version

    def rollback(self) -> None:
        self.trial, self.trial_checked, self.pending = self.state, self.checked, []
        self.unasked = []
        for delivery in self.touched:
            delivery.staged.clear()
        self.touched = []

    def _outcome(self, d: Delivery, index: int, kind: str, why: Refused | None = None) -> None:
        event = d.events[index]
        refusal = (
            RefusedEvent(event_id=event.event_id, field=why.field, reason=why.reason)
            if why
            else None
        )
        d.staged[index] = (kind, refusal)
        if d not in self.touched:
            self.touched.append(d)

    async def deliver(self, d: Delivery, now: datetime) -> None:
        """Records a delivery's events in order, the calendar acting in between; again from the
        first uncommitted event when a race was lost."""
        while d.left():
            try:
                await self._stage_delivery(d, now)
                await self.commit()
            except RaceLost:
                d.ask = True

    async def _stage_delivery(self, d: Delivery, now: datetime) -> None:
        indices = d.left()
        asked = d.ask or not (self.decide_unasked and fewer_actions())
        verdicts = await self._verdicts(asked, [d.events[i] for i in indices])
        seen: set[str] = set()
        clock: datetime | None = None
        for i, verdict in zip(indices, verdicts, strict=True):
            event = d.events[i]
            if verdict.status == "stored" or event.store_key in seen:
                self._outcome(d, i, "duplicate")
                continue
            if verdict.status != "new":
                self._outcome(d, i, "refused", _identity_refusal(verdict.status, verdict))
                continue
            clock = max(clock or event.occurred_at, event.occurred_at)
            await self.tick(min(clock, now))
            if not asked:  # after the tick, whose commit stores nothing of this event yet
                self.unasked.append(event)
            await self._decide_one(d, i, event)
            if (
                d.staged[i][0] != "refused"
            ):  # a refused event's twin is refused too, not a duplicate
                seen.add(event.store_key)
            if len(self.pending) >= FLUSH_AT:
                await self.commit()

    async def _verdicts(self, asked: bool, events: list[UpstreamEvent]) -> list[io.Verdict]:
        """The store's verdicts; or, unasked, "new" for each: the commit that stores them checks
        them (a re-send is rare, and asking first costs every update a local activity)."""
        if asked:
            return await io.lookup(self.state, events)
        return [io.Verdict(key=e.store_key, status="new", sent_digest="") for e in events]

    async def _decide_one(self, d: Delivery, i: int, event: UpstreamEvent) -> None:
        if isinstance(event, PatientIdentified):
            self.policies = (await io.practice_rules(event.practice_id, None)).policies
        try:
            events = decide(self.trial, Record(event), self.policies)
        except Refused as refused:
            self._outcome(d, i, "refused", refused)
            return
        self.stage(events)
        late = any(e.type == "late_entry_recorded" for e in events)
        self._outcome(d, i, "late" if late else "recorded")

    async def tick(self, clock: datetime) -> None:
        """What the calendar makes due at ``clock``; claims go to the clearinghouse once the
        close that prepared them is stored."""
        fees: dict[str, FeeSchedule] = {}
        for month in months_due(self.trial, clock, self.policies):
            assert self.trial.practice_id is not None  # a month closes only once identified
            rules = await io.practice_rules(self.trial.practice_id, month)
            self.policies, fees[month] = rules.policies, rules.fees or NATIONAL
        events = decide(self.trial, Tick(clock, fees), self.policies, self.trial_checked)
        self.stage(events)
        made = check_made(self.trial, clock, self.policies)
        if made is not None:
            self.trial_checked = self.trial_checked | {made}
        await self.hand_over([e for e in events if isinstance(e, ClaimPrepared)])

    async def hand_over(self, claims: list[ClaimPrepared]) -> None:
        """Hands prepared claims over and records it: since ``FEWER_ACTIONS`` in the activity that
        stores what prepared them (one transaction with the outbox); before, once it was stored."""
        if not claims:
            return
        if fewer_actions():  # the close, the claims and their hand-over: one activity
            await self.commit(claims)
            return
        await self.commit()
        for claim in claims:
            ref = await io.submit(claim)
            self.stage(decide(self.trial, HandedOver(claim, ref), self.policies))
        await self.commit()


def _identity_refusal(status: str, verdict: io.Verdict) -> Refused:
    if status == "foreign":
        return Refused("event_id", "is already used by another patient (ids are unique per source)")
    return Refused(
        "event_id",
        f"is already stored with other content (stored sha256 {verdict.stored_digest}…, "
        f"sent {verdict.sent_digest}…): send a new event_id for a correction",
    )
