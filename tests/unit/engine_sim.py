"""The patient workflow's run loop without Temporal: the same pure steps in the same order.

For each event in delivery order: the update checks (``check_batch``), the business clock (the
latest ``occurred_at`` seen, never ahead of ``now``), what the calendar makes due at that clock,
then the fold; finally what is due at ``now``. Month closes are priced with the national fee
schedule, as the workflow does for a practice that imported none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from temporalio.exceptions import ApplicationError

from care.fees import NATIONAL
from events.base import PatientEvent
from events.decisions import MonthClosed
from events.upstream import UpstreamEvent
from workflows.checks import check_batch
from workflows.closing import close_month, months_due
from workflows.config import CareConfig
from workflows.fold import apply
from workflows.monthly import at_risk_check
from workflows.phases import window_expired
from workflows.state import PatientState


@dataclass
class Simulated:
    state: PatientState
    recorded: list[PatientEvent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def closed(self) -> dict[str, MonthClosed]:
        return {e.service_month: e for e in self.recorded if isinstance(e, MonthClosed)}

    def codes(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """(code, units) per closed month, in the decision's line order."""
        return {
            month: tuple((c.code, c.units) for c in e.decision.codes)
            for month, e in self.closed().items()
        }


def tick(sim: Simulated, cfg: CareConfig, clock: datetime) -> None:
    sim.recorded += window_expired(sim.state, cfg, clock)
    sim.recorded += at_risk_check(sim.state, cfg, clock)
    for month in months_due(sim.state, clock, cfg):
        sim.recorded += close_month(sim.state, month, cfg, NATIONAL)[0]


def simulate(events: list[UpstreamEvent], cfg: CareConfig, now: datetime) -> Simulated:
    """One patient's events through the workflow's steps, as if delivered live up to ``now``."""
    sim = Simulated(PatientState(patient_id=events[0].patient_id))
    clock: datetime | None = None
    for event in events:
        try:
            check_batch(sim.state, [], [event], cfg, now)
        except ApplicationError:
            sim.refused.append(event.event_id)
            continue
        if sim.state.is_duplicate(event):
            continue
        clock = max(clock or event.occurred_at, event.occurred_at)
        tick(sim, cfg, min(clock, now))
        sim.recorded += [event, *apply(sim.state, event, cfg)]
    tick(sim, cfg, now)
    return sim
