"""Cancelled admissions and discharges (HL7 A11 / A13): the stay they named is undone.

Domain §4: no minute counts while the patient is an inpatient, so an admission entered in error
must give those minutes back, and a discharge entered in error must take them away again, in
whatever order the messages arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from care.facts import InpatientStay
from events.upstream import UpstreamEvent
from patient.commands import Record
from patient.decide import decide
from patient.evolve import fold
from patient.policies import PolicyHistory
from patient.state import Patient
from tests.workflow.builders import Life, in_month

TZ = "America/New_York"
DAY = in_month("2026-03", 3)
ADMIT, DISCHARGE, READMIT = (DAY + timedelta(days=n) for n in (2, 5, 9))


def _stays(p: Life, facts: list[UpstreamEvent]) -> list[InpatientStay]:
    state = Patient(patient_id=p.id, timezone=TZ)
    for fact in [*p.enrolled(DAY), *facts]:
        state = fold(decide(state, Record(fact), PolicyHistory()), state)
    return state.stays()


@pytest.mark.parametrize(
    "facts, stays",
    [
        pytest.param(
            lambda p: [p.admitted(ADMIT), p.discharged(DISCHARGE)],
            [(ADMIT, DISCHARGE)],
            id="a stay",
        ),
        pytest.param(
            lambda p: [p.admitted(ADMIT), p.admission_cancelled(DISCHARGE, ADMIT)],
            [],
            id="A11 undoes the admission",
        ),
        pytest.param(
            lambda p: [p.admission_cancelled(DISCHARGE, ADMIT), p.admitted(ADMIT)],
            [],
            id="A11 before the A01 it cancels",
        ),
        pytest.param(
            lambda p: [
                p.admitted(ADMIT),
                p.discharged(DISCHARGE),
                p.discharge_cancelled(READMIT, DISCHARGE),
            ],
            [(ADMIT, None)],
            id="A13 reopens the stay",
        ),
        pytest.param(
            lambda p: [
                p.admitted(ADMIT),
                p.discharged(DISCHARGE),
                p.admission_cancelled(READMIT, DISCHARGE),
            ],
            [(ADMIT, DISCHARGE)],
            id="a cancellation naming no admission changes nothing",
        ),
        pytest.param(
            lambda p: [
                p.admitted(ADMIT),
                p.discharged(DISCHARGE),
                p.admitted(READMIT),
                p.admission_cancelled(READMIT + timedelta(hours=1), READMIT),
            ],
            [(ADMIT, DISCHARGE)],
            id="only the named admission of two",
        ),
    ],
)
def test_cancellations_undo_the_stay_they_name(
    facts: Callable[[Life], list[UpstreamEvent]], stays: list[tuple[datetime, datetime | None]]
) -> None:
    p = Life("p-adt")
    got = [(s.admitted_at, s.discharged_at) for s in _stays(p, facts(p))]
    assert got == stays


def test_a_cancellation_records_itself_and_nothing_else() -> None:
    p = Life("p-adt-record")
    state = Patient(patient_id=p.id, timezone=TZ)
    for fact in [*p.enrolled(DAY), p.admitted(ADMIT)]:
        state = fold(decide(state, Record(fact), PolicyHistory()), state)
    events = decide(state, Record(p.admission_cancelled(DISCHARGE, ADMIT)), PolicyHistory())
    assert [e.type for e in events] == ["patient_admission_cancelled"]
