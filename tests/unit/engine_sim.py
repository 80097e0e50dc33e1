"""The patient workflow's run loop without Temporal: the same pure steps in the same order.

For each event in delivery order: duplicates by store key are skipped (the store's verdict in
the workflow), the update checks (``check_delivery``), the business clock (the latest
``occurred_at`` seen, never ahead of ``now``), what the calendar makes due at that clock, then
``decide`` and ``fold``; finally what is due at ``now``. Months close at the national fees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from care.months import month_of
from events.base import PatientEvent
from events.decisions import MonthClosed
from events.upstream import UpstreamEvent
from patient.commands import Record, Refused, Tick
from patient.decide import decide
from patient.due import check_made
from patient.evolve import fold
from patient.policies import PolicyHistory
from patient.state import Patient
from patient.validate import check_delivery


@dataclass
class Simulated:
    state: Patient
    policies: PolicyHistory
    recorded: list[PatientEvent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    def closed(self) -> dict[str, MonthClosed]:
        return {e.service_month: e for e in self.recorded if isinstance(e, MonthClosed)}

    def codes(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """(code, units) per closed month, in the decision's line order."""
        return {
            month: tuple((c.code, c.units) for c in e.decision.codes)
            for month, e in self.closed().items()
        }

    def apply(self, events: list[PatientEvent]) -> None:
        self.state = fold(events, self.state)
        self.recorded += events

    def tick(self, clock: datetime) -> None:
        self.apply(decide(self.state, Tick(clock), self.policies, frozenset(self.checked)))
        month = check_made(self.state, clock, self.policies)
        if month is not None:
            self.checked.add(month)


def simulate(
    events: list[UpstreamEvent],
    timezone: str,
    now: datetime,
    policies: PolicyHistory | None = None,
) -> Simulated:
    """One patient's events through the workflow's steps, as if delivered live up to ``now``."""
    sim = Simulated(
        Patient(patient_id=events[0].patient_id, timezone=timezone), policies or PolicyHistory()
    )
    seen: set[str] = set()
    clock: datetime | None = None
    for event in events:
        if event.store_key in seen:
            continue
        policy = sim.policies.for_month(month_of(now, timezone))
        try:
            check_delivery(sim.state, [event], policy, now)
            clock = max(clock or event.occurred_at, event.occurred_at)
            sim.tick(min(clock, now))
            sim.apply(decide(sim.state, Record(event), sim.policies))
        except Refused:
            sim.refused.append(event.event_id)
            continue
        seen.add(event.store_key)
    sim.tick(now)
    return sim
