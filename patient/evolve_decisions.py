"""How each decision the engine stored changes the patient (``evolve``'s decision half)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from events.base import PatientEvent
from events.decisions import (
    ClaimPrepared,
    ClaimSubmitted,
    EligibilityScreened,
    LateEntryRecorded,
    MonthAtRiskFlagged,
    MonthClosed,
    PhaseChanged,
)
from patient.state import ClosedMonth, Patient


def _set(s: Patient, **changes: Any) -> Patient:
    return s.model_copy(update=changes)


def _unchanged(s: Patient, e: PatientEvent) -> Patient:
    return s


def _screened(s: Patient, e: EligibilityScreened) -> Patient:
    return _set(s, program=e.program, conditions=tuple(e.conditions))


def _phase(s: Patient, e: PhaseChanged) -> Patient:
    return _set(s, phase=e.phase, phase_since=e.occurred_at)


def _flagged(s: Patient, e: MonthAtRiskFlagged) -> Patient:
    return _set(s, at_risk=s.at_risk | {e.service_month})


def _closed(s: Patient, e: MonthClosed) -> Patient:
    """The month is final: its entries leave state (their ids stay, for late voids)."""
    month, d = e.service_month, e.decision
    g0506 = any(c.code == "G0506" for c in d.codes) and s.practitioner_id
    ids = dict.fromkeys(s.entries.get(month, {}), month)
    return _set(
        s,
        closed={
            **s.closed,
            month: ClosedMonth(
                track=d.track,
                claim_id=None,
                counted_minutes=d.counted_minutes,
                corrected=e.supersedes is not None,
            ),
        },
        closed_entries={**s.closed_entries, **ids},
        entries={m: v for m, v in s.entries.items() if m != month},
        entry_keys={k: v for k, v in s.entry_keys.items() if k not in ids},
        complexity={m: v for m, v in s.complexity.items() if m != month},
        g0506_billed_by=(*s.g0506_billed_by, s.practitioner_id) if g0506 else s.g0506_billed_by,
    )


def _claim(s: Patient, e: ClaimPrepared) -> Patient:
    month = s.closed.get(e.service_month)
    if month is None:
        return s
    return _set(
        s, closed={**s.closed, e.service_month: month.model_copy(update={"claim_id": e.claim_id})}
    )


DECISION_EVOLVERS: dict[type[PatientEvent], Callable[[Patient, Any], Patient]] = {
    EligibilityScreened: _screened,
    PhaseChanged: _phase,
    MonthAtRiskFlagged: _flagged,
    MonthClosed: _closed,
    ClaimPrepared: _claim,
    ClaimSubmitted: _unchanged,
    LateEntryRecorded: _unchanged,
}
