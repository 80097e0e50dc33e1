"""The ``reopen`` update's messages and its step: a rejected month's corrective close.

Run by the workflow's loop (never from the handler itself), so it stages and commits on the
recorder only between deliveries, as every other decision does.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from care.facts import MonthFacts
    from care.fees import NATIONAL
    from events.base import OpaqueId
    from events.decisions import ClaimPrepared, MonthClosed
    from events.fields import Reason, ServiceMonth
    from patient.commands import Refused, Reopen
    from patient.decide import decide
    from workflows import io
    from workflows.recorder import Recorder


class ReopenMonth(BaseModel):
    """``facts``: the month's corrected facts; ``by`` who reopens; ``reason`` why."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    month: ServiceMonth
    facts: MonthFacts
    by: OpaqueId
    reason: Reason
    at: datetime


class Reopened(BaseModel):
    """The corrective close's event id and the corrected claim (None: the month bills nothing
    now), or the field and rule that refused it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    close_event_id: str | None = None
    claim: ClaimPrepared | None = None
    refused: str | None = None


async def reopen_step(recorder: Recorder, req: ReopenMonth) -> Reopened:
    """Decides and stores the corrective close; an already-corrected month is refused."""
    state = recorder.trial
    assert state.practice_id is not None  # a month closes only once identified
    rules = await io.practice_rules(state.practice_id, req.month)
    cmd = Reopen(req.month, req.facts, req.reason, req.by, req.at, rules.fees or NATIONAL)
    try:
        events = decide(state, cmd, rules.policies)
    except Refused as refused:
        return Reopened(refused=f"field {refused.field}: {refused.reason}")
    recorder.stage(events)
    await recorder.commit()
    close = next(e for e in events if isinstance(e, MonthClosed))
    claim = next((e for e in events if isinstance(e, ClaimPrepared)), None)
    return Reopened(close_event_id=close.event_id, claim=claim)
