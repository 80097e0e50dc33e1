"""A pure host for the decider, as ``workflows.recorder`` sequences it (validator, identity,
calendar, decide, evolve) over an in-memory store: the fuzz target (b) runs without Temporal.

Only ``Refused`` may come out of the validator or ``decide``; anything else escaping is what
would fail a workflow task and wedge the patient, so it propagates and fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from care.policy import Policy
from events.base import PatientEvent, stream_for
from events.decisions import ClaimPrepared, MonthClosed
from events.identity import digest_of
from events.upstream import UpstreamEvent
from patient.commands import Record, Refused, Tick
from patient.decide import decide
from patient.evolve import fold
from patient.policies import PolicyHistory
from patient.state import Patient
from patient.validate import check_delivery

TZ = "America/New_York"


@dataclass
class Outcome:
    """What became of one sent event: recorded, late, duplicate, refused (field, reason), or
    held back (another event refused the whole update)."""

    kind: str
    field: str = ""
    reason: str = ""
    whole: bool = False  # the validator refused the update for an event with this event_id


@dataclass
class Host:
    patient_id: str
    store: dict[str, tuple[str, bytes]]  # store key -> (stream, digest): shared by patients
    state: Patient = field(init=False)
    claims: set[str] = field(default_factory=set)  # claim ids prepared (from the events)
    closed: set[str] = field(default_factory=set)  # months closed (from the events)
    policies: PolicyHistory = field(default_factory=PolicyHistory)

    def __post_init__(self) -> None:
        self.state = Patient(patient_id=self.patient_id, timezone=TZ)

    def deliver(self, batch: list[UpstreamEvent], now: datetime) -> list[Outcome]:
        """One update: refused whole by the validator, or each event's outcome in order."""
        try:
            check_delivery(self.state, batch, Policy(), now)
        except Refused as refused:  # the update is refused whole; the sender sets that id aside
            why = Outcome("refused", refused.field, str(refused), whole=True)
            return [why if e.event_id == refused.event_id else Outcome("held back") for e in batch]
        outcomes, seen, clock = [], set[str](), None
        for event in batch:
            key, digest = event.store_key, digest_of(event)
            held = self.store.get(key)
            if key in seen or (held is not None and held == (self.state_stream, digest)):
                outcomes.append(Outcome("duplicate"))
                continue
            if held is not None:
                outcomes.append(Outcome("refused", "event_id", "identity"))
                continue
            clock = max(clock or event.occurred_at, event.occurred_at)
            self.tick(min(clock, now))
            outcomes.append(self._record(event))
            if outcomes[-1].kind != "refused":
                seen.add(key)
        return outcomes

    @property
    def state_stream(self) -> str:
        return stream_for(self.patient_id)

    def _record(self, event: UpstreamEvent) -> Outcome:
        try:
            events = decide(self.state, Record(event), self.policies)
        except Refused as refused:
            return Outcome("refused", refused.field, str(refused))
        self._apply(events)
        late = any(e.type == "late_entry_recorded" for e in events)
        return Outcome("late" if late else "recorded")

    def tick(self, clock: datetime) -> None:
        self._apply(decide(self.state, Tick(clock), self.policies))

    def _apply(self, events: list[PatientEvent]) -> None:
        for e in events:
            assert e.store_key not in self.store, f"{e.type} stored twice"
            self.store[e.store_key] = (self.state_stream, digest_of(e))
            if isinstance(e, ClaimPrepared):
                self.claims.add(e.claim_id)
            if isinstance(e, MonthClosed):
                self.closed.add(e.service_month)
        self.state = fold(events, self.state)
