"""The typed Python client upstream systems use to send events to a patient's workflow."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError

from events.upstream import UpstreamEvent
from workflows.messages import PatientStart, Receipt, RecordBatch
from workflows.patient import PatientCareWorkflow, workflow_id_for


class EventRejected(ValueError):
    """The workflow refused the batch; the message names the event, field and value.

    ``event_id`` names the refused event when the workflow said which one (None for a batch
    that was refused whole), so a feed can set that event aside and send the rest.
    """

    def __init__(self, message: str, event_id: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.event_id = event_id
        self.field = field


class CcmClient:
    """Sends upstream events, starting the patient's workflow on first contact.

    Update-with-start with ``USE_EXISTING``: the first event of a patient starts their workflow
    (which rebuilds the patient from the store if it already has a stream), later ones join it,
    and re-sending any event is harmless (the workflow deduplicates by id). ``timezone`` is the
    practice's: calendar months are counted in it. Policies are the practice's own (``ccm policy``),
    never the sender's.
    """

    def __init__(self, client: Client, task_queue: str, timezone: str = "America/New_York") -> None:
        self.client = client
        self.task_queue = task_queue
        self.timezone = timezone

    async def send(self, events: Sequence[UpstreamEvent]) -> Receipt:
        """Sends one patient's events in order, as one update; returns once they are stored."""
        patient_ids = {e.patient_id for e in events}
        if len(patient_ids) != 1:
            raise EventRejected(f"a batch must hold one patient's events, got {len(patient_ids)}")
        patient_id = patient_ids.pop()
        start = WithStartWorkflowOperation(
            PatientCareWorkflow.run,
            PatientStart(
                patient_id=patient_id,
                timezone=self.timezone,
                one_wake_timer=True,
                record_checks_keys=True,
            ),
            id=workflow_id_for(patient_id),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=self.task_queue,
        )
        try:
            return await self.client.execute_update_with_start_workflow(
                PatientCareWorkflow.record,
                RecordBatch(events=list(events)),
                start_workflow_operation=start,
            )
        except WorkflowUpdateFailedError as exc:
            raise _rejection(exc) from exc


def _rejection(exc: WorkflowUpdateFailedError) -> EventRejected:
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.details:
        info = cause.details[0]
        if isinstance(info, dict):
            return EventRejected(cause.message, info.get("event_id"), info.get("field"))
    return EventRejected(str(cause) if cause else str(exc))
