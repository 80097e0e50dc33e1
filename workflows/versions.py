"""Workflow code versions (``workflow.patched``): runs recorded before a change replay its old path.

``FEWER_ACTIONS``: each commit is one local activity that appends and hands claims over in one
call (``workflows.io.record``), and a run continues as new by history size rather than after
every month close (``workflows.rollover``). Without it: ``append_events`` and ``submit_claim``
activities, and continue-as-new after each close. One id for both: a run takes both or neither.

Not every change is a patch: whether a run keeps one wake-up timer across updates
(``workflows.wake``) is chosen when the run starts (``PatientStart.one_wake_timer``). A patch
marker for it made the dev server keep the workflow task of every update its validator
rejected (an empty task in the history, where a rejected update otherwise leaves nothing).
"""

from __future__ import annotations

from temporalio import workflow

FEWER_ACTIONS = "fewer-actions-per-month"


def fewer_actions() -> bool:
    """True for a run that took the change (memoised per run by the SDK)."""
    return workflow.patched(FEWER_ACTIONS)
