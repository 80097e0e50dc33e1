"""What a snapshot may forget: whatever no decision can need again, so it stays small forever.

Documentation older than the documentation window (policy ``max_documentation_lag_days``) is
refused at the edge, so a month closed before the window's first month can receive nothing but a
late entry, which only needs to know the month is closed: it is kept as ``closed_through``.
Months the patient never billed before that (before consent) are dropped the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from care.months import month_of, month_of_date, month_start
from patient.state import Patient


def horizon(state: Patient, now: datetime, documentation_lag_days: int) -> str:
    """The first month a snapshot taken at ``now`` keeps in full."""
    return month_of(now - timedelta(days=documentation_lag_days), state.timezone)


def prune(state: Patient, first_kept: str) -> Patient:
    """``state`` without months before ``first_kept`` that are closed or were never billable."""
    old = [m for m in state.closed if m < first_kept]
    through = max([*old, *([state.closed_through] if state.closed_through else [])], default=None)
    since = month_start(first_kept, state.timezone)

    def keep(month: str) -> bool:
        billable = state.first_month is not None and month >= state.first_month
        return month >= first_kept or (billable and not state.is_closed(month))

    return state.model_copy(
        update={
            "closed": {m: c for m, c in state.closed.items() if m >= first_kept},
            "closed_through": through,
            "closed_entries": {e: m for e, m in state.closed_entries.items() if m >= first_kept},
            "entries": {m: v for m, v in state.entries.items() if keep(m)},
            "complexity": {m: v for m, v in state.complexity.items() if keep(m)},
            "services": tuple(s for s in state.services if keep(month_of_date(s.on))),
            "at_risk": frozenset(m for m in state.at_risk if m >= first_kept),
            "adt": _stays_since(state, since),
        }
    )


def _stays_since(state: Patient, since: datetime) -> tuple[tuple[datetime, str], ...]:
    """Admissions and discharges of the stays still open at, or ending after, ``since``."""
    kept: list[tuple[datetime, str]] = []
    for stay in state.stays():
        if stay.discharged_at is None or stay.discharged_at >= since:
            kept.append((stay.admitted_at, "admitted"))
            if stay.discharged_at is not None:
                kept.append((stay.discharged_at, "discharged"))
    return tuple(kept)
