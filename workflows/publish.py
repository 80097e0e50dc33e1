"""What operations staff see in the Temporal Web UI: search attributes and current details.

Only ids, codes and counts: search attributes and details are not encrypted by a payload codec.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow

from patient.policies import PolicyHistory
from patient.state import Patient
from workflows import search_attributes as sa
from workflows.view import summary_of, view_of


class Publisher:
    """Upserts only what changed, so a quiet patient adds nothing to history."""

    def __init__(self) -> None:
        self.published: dict[str, Any] = {}
        self.details = ""

    def publish(self, state: Patient, policies: PolicyHistory, now: datetime) -> None:
        view = view_of(state, policies, now)
        wanted: list[tuple[Any, Any]] = [
            (sa.PHASE, view.phase),
            (sa.PROGRAM, view.program),
            (sa.PRACTICE, view.practice_id),
            (sa.PRACTITIONER, view.practitioner_id),
            (sa.SERVICE_MONTH, view.current_month),
            (sa.MONTH_MINUTES, view.minutes_this_month),
            (sa.AT_RISK, view.at_risk),
            (sa.LAST_BILLED_MONTH, state.last_billed_month()),
        ]
        updates = [
            key.value_set(value) if value is not None else key.value_unset()
            for key, value in wanted
            if self.published.get(key.name, "<unset>") != value
        ]
        if updates:
            workflow.upsert_search_attributes(updates)
            self.published.update({key.name: value for key, value in wanted})
        details = summary_of(view)
        if details != self.details:
            workflow.set_current_details(details)
            self.details = details
