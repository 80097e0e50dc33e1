"""The patient as operations staff see them: phase, month minutes, risk and billed months."""

from __future__ import annotations

from datetime import datetime

from care.months import month_of
from care.progress import still_at_risk
from patient.due import progress_at
from patient.policies import PolicyHistory
from patient.state import Patient
from workflows.messages import PatientView


def view_of(state: Patient, policies: PolicyHistory, now: datetime) -> PatientView:
    progress = progress_at(state, now, policies)
    month = month_of(now, state.timezone)
    return PatientView(
        patient_id=state.patient_id,
        phase=state.phase or "unidentified",
        program=state.program,
        practice_id=state.practice_id,
        practitioner_id=state.practitioner_id,
        current_month=month,
        minutes_this_month=progress.minutes_so_far if progress else 0,
        minutes_needed=progress.minutes_needed if progress else 0,
        at_risk=still_at_risk(month in state.at_risk, progress),
        closed_months={m: c.track for m, c in sorted(state.closed.items())},
        stream_version=state.version,
    )


def summary_of(view: PatientView) -> str:
    """One line for the UI's current details, e.g. ``active ccm · 2025-03: 14 min, 6 to go``."""
    parts = [f"{view.phase} {view.program or ''}".strip()]
    if view.phase == "active":
        month = f"{view.current_month}: {view.minutes_this_month} min"
        if view.minutes_needed:
            month += f", {view.minutes_needed} to go" + (" (AT RISK)" if view.at_risk else "")
        parts.append(month)
    billed = [m for m, track in view.closed_months.items() if track]
    if billed:
        parts.append(f"last billed {billed[-1]} ({view.closed_months[billed[-1]]})")
    return " · ".join(parts)
