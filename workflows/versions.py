"""Workflow code versions (``workflow.patched``): runs recorded before a change replay its old path.

``FEWER_ACTIONS``: each commit is one local activity that appends and hands claims over in one
call (``workflows.io.record``), and a run continues as new by history size rather than after
every month close (``workflows.rollover``). Without it: ``append_events`` and ``submit_claim``
activities, and continue-as-new after each close. One id for both: a run takes both or neither.

``ONE_WAKE_TIMER``: the calendar's wake-up timer is kept across updates while its time stands
(``workflows.wake``). Without it: a timer started with every update and cancelled by the next.
"""

from __future__ import annotations

from temporalio import workflow

FEWER_ACTIONS = "fewer-actions-per-month"
ONE_WAKE_TIMER = "one-wake-timer"


def fewer_actions() -> bool:
    """True for a run that took the change (memoised per run by the SDK)."""
    return workflow.patched(FEWER_ACTIONS)


def one_wake_timer() -> bool:
    """True for a run that keeps its wake-up timer across updates (memoised per run)."""
    return workflow.patched(ONE_WAKE_TIMER)
