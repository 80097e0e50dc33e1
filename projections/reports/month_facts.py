"""A patient's month facts rebuilt from their events, for the worklist.

The events are folded by the workflow's own fold (``workflows.fold``) and gathered by its own
``workflows.month_facts``, so the worklist and the workflow's at-risk check can never disagree
on what a month's countable minutes are.
"""

from __future__ import annotations

from collections.abc import Iterable

from care.facts import MonthFacts
from events.base import PatientEvent
from events.registry import union_members
from events.upstream import UpstreamEvent
from workflows.config import CareConfig
from workflows.fold import apply
from workflows.month_facts import month_facts as gather
from workflows.state import PatientState

# Only upstream facts are folded; the engine's own decisions (at-risk flags) are not facts.
UPSTREAM = tuple(union_members(UpstreamEvent))


def month_facts(
    events: Iterable[PatientEvent], patient_id: str, month: str, timezone: str
) -> MonthFacts:
    """The facts of ``month`` (practice time zone) from the patient's events, in order."""
    cfg = CareConfig(timezone=timezone)
    state = PatientState(patient_id=patient_id)
    for event in events:
        if isinstance(event, UPSTREAM):
            apply(state, event, cfg)  # type: ignore[arg-type]
    return gather(state, month, cfg)
