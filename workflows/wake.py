"""The calendar's wake-up timer, kept across updates while the time it is set for stands.

Each update makes the run loop compute the next wake-up again. Starting a fresh timer each time
and cancelling the old one cost a timer start (a billed Temporal action) and two history events
per update, for a wake-up time that almost never moves: the next check day, close or month end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow


class WakeUp:
    """One pending timer, replaced only when the wake-up time changes."""

    def __init__(self) -> None:
        self._timer: asyncio.Task[None] | None = None
        self._due: datetime | None = None

    async def wait(self, wake: timedelta, interrupted: Callable[[], bool]) -> None:
        """Returns once ``interrupted()`` holds or ``wake`` (from now) has passed; a timer
        already set for that same moment is kept rather than started again."""
        due = workflow.now() + wake
        if self._timer is None or self._due != due:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = asyncio.create_task(workflow.sleep(wake, summary="calendar wake-up"))
            self._due = due
        timer = self._timer
        await workflow.wait_condition(lambda: interrupted() or timer.done())
        if timer.done():
            self._timer = None
