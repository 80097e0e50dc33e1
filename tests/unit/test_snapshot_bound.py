"""The continue-as-new payload stays bounded however long a patient is in care.

A patient carried live through 36 months (enrolled in the first, 4 time entries, a practitioner
call and a voided entry every month, a hospital stay every sixth month) is run through the
workflow's pure steps (``engine_sim``). After each month's close the payload the workflow would
continue as new with (``PatientStart`` with the pruned snapshot) is measured: it grows while the
documentation window (policy ``max_documentation_lag_days``, default 365 days) fills, then stops.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from care.months import close_time, month_of, next_month
from events.upstream import TimeLogged, UpstreamEvent
from patient.commands import Record
from patient.decide import decide
from patient.policies import PolicyHistory
from patient.prune import horizon, prune
from patient.state import Patient
from patient.validate import check_delivery
from tests.unit.engine_sim import Simulated
from tests.workflow.builders import TZ, Life, in_month
from workflows.messages import PatientStart

MONTHS = 36
FIRST = "2026-01"


def events_for(p: Life, months: list[str]) -> list[UpstreamEvent]:
    events = p.enrolled(in_month(months[0], 2))
    for n, month in enumerate(months):
        entries = [p.time(in_month(month, d, 11), 6) for d in (5, 12, 19, 26)]
        events += [*entries, p.time(in_month(month, 20, 15), 12, role="practitioner")]
        voided = entries[-1]
        assert isinstance(voided, TimeLogged)
        events.append(p.void(in_month(month, 27, 9), voided.entry_id))
        if n % 6 == 3:
            events += [p.admitted(in_month(month, 8, 7)), p.discharged(in_month(month, 10, 16))]
    return events


def deliver(sim: Simulated, event: UpstreamEvent) -> None:
    """One event delivered live, a minute after it happened (the workflow's steps)."""
    now = event.occurred_at + timedelta(minutes=1)
    check_delivery(sim.state, [event], sim.policies.for_month(month_of(now, TZ)), now)
    sim.tick(event.occurred_at)
    sim.apply(decide(sim.state, Record(event), sim.policies))


def payload_bytes(sim: Simulated, now: datetime) -> int:
    """The continue-as-new payload at ``now``: the pruned snapshot the workflow carries."""
    lag = sim.policies.for_month(month_of(now, TZ)).max_documentation_lag_days
    snapshot = prune(sim.state, horizon(sim.state, now, lag))
    start = PatientStart(patient_id=sim.state.patient_id, timezone=TZ, snapshot=snapshot)
    return len(start.model_dump_json().encode())


def test_a_36_month_patient_continues_as_new_with_a_bounded_payload() -> None:
    months = [FIRST]
    while len(months) < MONTHS:
        months.append(next_month(months[-1]))
    p = Life("p-long-1")
    pending = events_for(p, months)
    sim = Simulated(Patient(patient_id=p.id, timezone=TZ), PolicyHistory())
    sizes = []
    for month in months:
        closed_at = close_time(month, TZ, 3) + timedelta(hours=1)
        while pending and pending[0].occurred_at < closed_at:
            deliver(sim, pending.pop(0))
        sim.tick(closed_at)
        assert month in sim.closed(), month
        sizes.append(payload_bytes(sim, closed_at))
    first_year, later = max(sizes[:14]), max(sizes[14:])
    # Once a full documentation window is held, a month in brings one month out.
    assert later <= first_year * 1.05, (first_year, later)
    print(f"largest continue-as-new payload over {MONTHS} months: {max(sizes)} bytes", sizes)
