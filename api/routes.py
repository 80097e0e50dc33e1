"""``/v1``: events in, receipts and patient views out. Every route takes a source's token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from temporalio.service import RPCError, RPCStatusCode

from api import intake
from api.auth import source_of
from api.context import ApiContext, context_of
from api.delivery import deliver
from api.models import Accepted, EventReceipt, Problem
from api.openapi import EVENTS_BODY
from api.problems import ApiError, answer
from api.receipts import receipt_of
from workflows.messages import PatientView
from workflows.patient import PatientCareWorkflow, workflow_id_for

router = APIRouter(prefix="/v1")
Source = Annotated[str, Depends(source_of)]
Context = Annotated[ApiContext, Depends(context_of)]
# An opaque id (events.base.OpaqueId) may hold "/": the whole rest of the path is the id.
OpaquePath = Annotated[str, Path(max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (401, 403, 404, 413, 422, 429, 503)
}


@router.post(
    "/events", status_code=202, response_model=Accepted, responses=ERRORS,
    openapi_extra=EVENTS_BODY, summary="Send one event or a batch (any patients)",
)  # fmt: skip
async def post_events(request: Request, source: Source, ctx: Context) -> JSONResponse:
    """Stores the events and answers once they are stored: 202 with what became of each
    (recorded, duplicate, late), or 422 naming each refused event's field and rule."""
    body = await intake.read_body(request, ctx.limits.max_body_bytes)
    items = intake.claimed(intake.items_of(body, ctx.limits), source)
    events = intake.validated(items)
    done = await deliver(ctx, events)
    if done.refusals:
        detail = f"{len(done.refusals)} of {len(events)} event(s) not stored; the others were"
        problem = Problem(error="refused", detail=detail, refused=done.refusals,
                          results=done.results())  # fmt: skip
        return answer(422, problem)
    accepted = Accepted(results=done.results(), patients=done.patients)
    return JSONResponse(accepted.model_dump(mode="json"), status_code=202)


@router.get("/receipts/{event_id:path}", response_model=EventReceipt, responses=ERRORS)
async def get_receipt(event_id: OpaquePath, source: Source, ctx: Context) -> EventReceipt:
    """What became of this source's event: recorded, or recorded and flagged late."""
    found = await receipt_of(ctx.pool, source, event_id)
    if found is None:
        detail = f"no event {event_id} of source {source} is stored: send it (again)"
        raise ApiError(404, "not_found", detail)
    return found


@router.get("/patients/{patient_id:path}", response_model=PatientView, responses=ERRORS)
async def get_patient(patient_id: OpaquePath, _: Source, ctx: Context) -> PatientView:
    """The patient workflow's ``view`` query: phase, month minutes, risk, closed months (ids
    and counts only, never a demographic)."""
    handle = ctx.temporal.get_workflow_handle(workflow_id_for(patient_id))
    try:
        return await handle.query(PatientCareWorkflow.view)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        raise ApiError(404, "not_found", f"no patient {patient_id}: send their events") from None
