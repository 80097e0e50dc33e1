"""When a patient's run continues as new: by history size, not after every month close.

A run's state stays bounded: continue-as-new prunes what is past the documentation horizon
(``patient.prune``), and a run closes at most ``MONTHS_PER_RUN`` months before it continues.
Its history stays cheap to replay after a cache eviction: at most about ``HISTORY_EVENTS``
events (the server's own suggestion, at 4 Ki events or 4 MB on a default server, also counts).
"""

from __future__ import annotations

from temporalio import workflow

from workflows.versions import fewer_actions

HISTORY_EVENTS = 2_000
MONTHS_PER_RUN = 12


def due(closed_months: int) -> bool:
    """Whether the run should continue as new now, having closed ``closed_months`` months."""
    info = workflow.info()
    if info.is_continue_as_new_suggested():
        return True
    if not fewer_actions():
        return closed_months > 0  # runs recorded before FEWER_ACTIONS: after every close
    return closed_months >= MONTHS_PER_RUN or info.get_current_history_length() >= HISTORY_EVENTS
