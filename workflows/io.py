"""The patient workflow's I/O: every activity it calls, through typed references.

Local activities for reads whose result history should keep (cheap, retried in place), and for
``record``: the append and the claims' hand-over in one call, idempotent by business identity, so
a retry re-runs in the worker instead of waiting for a task queue, and every local activity of a
workflow task is one Temporal action. ``append`` and ``submit`` (normal activities) are the path
of runs recorded before ``workflows.versions.FEWER_ACTIONS``. Unlimited retries: an outage of
PostgreSQL delays a fact, it must never drop one; a refusal of the store is non-retryable.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.claims import ClaimActivities, SubmitClaimInput
    from activities.patients import (
        LoadedPatient,
        LoadInput,
        PatientActivities,
        PracticeRules,
        RulesInput,
    )
    from activities.record import RecordActivities, Recorded, RecordInput
    from activities.store import AppendInput, LookupInput, StoreActivities
    from events.base import PatientEvent
    from events.decisions import ClaimPrepared
    from events.identity import Verdict, sent
    from events.registry import AnyEvent
    from events.store import AppendResult
    from events.upstream import UpstreamEvent
    from patient.state import Patient

__all__ = ["Verdict", "append", "load", "lookup", "practice_rules", "record", "submit"]

TIMEOUT = timedelta(seconds=30)
# Unlimited attempts (a fact must never be dropped), at most 5 s apart: a database that restarts
# in seconds has the patient moving again seconds later, not after a minute's backoff.
RETRY = RetryPolicy(maximum_interval=timedelta(seconds=5))


class StoreRefused(RuntimeError):
    """The store refused an append the workflow decided: the workflow task fails and retries,
    so the patient waits, visibly in the UI, for a fix instead of their workflow failing."""


class ClaimRefused(RuntimeError):
    """The claims outbox refused a claim the workflow prepared: wait, visibly, for a fix."""


async def lookup(state: Patient, events: list[UpstreamEvent]) -> list[Verdict]:
    return await workflow.execute_local_activity_method(
        StoreActivities.lookup_keys,
        LookupInput(stream=_stream(state), sent=sent(events)),
        start_to_close_timeout=TIMEOUT, retry_policy=RETRY,
    )  # fmt: skip


async def append(state: Patient, events: list[PatientEvent]) -> AppendResult | None:
    """The stream's version after the append; None when another stream holds a staged key."""
    try:
        return await workflow.execute_activity_method(
            StoreActivities.append_events,
            AppendInput(
                stream=_stream(state), expected_version=state.version,
                events=cast(list[AnyEvent], events),  # every decided event is a stored type
            ),
            summary=f"append {len(events)}: {', '.join(sorted({e.type for e in events}))}",
            start_to_close_timeout=TIMEOUT, retry_policy=RETRY,
        )  # fmt: skip
    except ActivityError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type == "DuplicateEventConflict":
            return None
        raise StoreRefused(f"append to {_stream(state)} refused: {cause}") from err


async def record(
    state: Patient,
    events: list[PatientEvent],
    claims: list[ClaimPrepared],
    unasked: list[UpstreamEvent],
) -> Recorded | None:
    """Stores ``events`` and hands ``claims`` over (activities/record.py), once ``unasked``
    (decided as new without asking the store) are found new; None when another stream holds a
    staged key (nothing was kept), ``refused`` set when one of ``unasked`` is not new."""
    summary = f"record {len(events)}" + (f", hand over {len(claims)}" if claims else "")
    try:
        return await workflow.execute_local_activity_method(
            RecordActivities.record,
            RecordInput(
                stream=_stream(state), expected_version=state.version,
                events=cast(list[AnyEvent], events), claims=claims, unasked=sent(unasked),
            ),
            summary=summary, start_to_close_timeout=TIMEOUT, retry_policy=RETRY,
        )  # fmt: skip
    except (ActivityError, ApplicationError) as err:
        # A local activity's non-retryable failure reaches the workflow as the activity's own
        # ApplicationError, not wrapped in an ActivityError: either would fail the workflow.
        cause = err.cause if isinstance(err, ActivityError) else err
        kind = cause.type if isinstance(cause, ApplicationError) else None
        if kind == "DuplicateEventConflict":
            return None
        if kind == "ClaimAlreadyExists":
            refused = ", ".join(c.claim_id for c in claims)
            raise ClaimRefused(f"claim {refused} refused: {cause}") from err
        raise StoreRefused(f"record to {_stream(state)} refused: {cause}") from err


async def load(patient_id: str, timezone: str) -> LoadedPatient:
    return await workflow.execute_local_activity_method(
        PatientActivities.load_patient,
        LoadInput(patient_id=patient_id, timezone=timezone),
        summary="load the patient's stream", start_to_close_timeout=TIMEOUT, retry_policy=RETRY,
    )  # fmt: skip


async def practice_rules(practice_id: str, month: str | None) -> PracticeRules:
    return await workflow.execute_local_activity_method(
        PatientActivities.practice_rules,
        RulesInput(practice_id=practice_id, service_month=month),
        summary=f"rules {month or 'policies'}", start_to_close_timeout=TIMEOUT, retry_policy=RETRY,
    )  # fmt: skip


async def submit(claim: ClaimPrepared) -> str:
    try:
        return await workflow.execute_activity_method(
            ClaimActivities.submit_claim,
            SubmitClaimInput(claim=claim),
            summary=f"submit {claim.claim_id}: {', '.join(c.code for c in claim.codes)}",
            start_to_close_timeout=TIMEOUT, retry_policy=RETRY,
        )  # fmt: skip
    except ActivityError as err:
        raise ClaimRefused(f"claim {claim.claim_id} refused: {err.cause}") from err


def _stream(state: Patient) -> str:
    return f"patient-{state.patient_id}"
