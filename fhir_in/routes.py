"""``POST /fhir/r4/Bundle``: a transaction or batch Bundle in, a FHIR answer out.

- 200 with a ``batch-response`` / ``transaction-response`` Bundle: mapped and sent; each
  entry's ``response.status`` is ``201 Created`` (recorded), ``200 OK`` (already recorded, or
  nothing to record, with an informational outcome) or, in a batch, ``422 Unprocessable
  Entity`` with its OperationOutcome.
- 400 OperationOutcome: not JSON, not a Bundle, not a transaction or batch.
- 413 OperationOutcome: over ``MAX_BODY`` bytes.
- 422 OperationOutcome: a transaction with an entry refused (nothing was sent), or with an
  event the engine refused (the rest was recorded: sending it again is safe).
- 503 OperationOutcome with ``Retry-After``: Temporal unavailable; nothing doubles on re-send.

Every issue names ``entry N resourceType/id`` and the FHIRPath (``expression``), never a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from care.policy import EDGE_POLICY
from fhir_in.bundle import Item, Mapped, Refusal, map_items
from fhir_in.delivery import EventReceipt, Send
from fhir_in.feed import BadInput, bundle_items, within_windows
from fhir_in.linking import Resolve, link_patients
from fhir_in.outcome import informational, issue, outcome, refused

MAX_BODY = 10 * 1024 * 1024
FHIR_JSON = "application/fhir+json"
RETRY_AFTER_S = 5


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_router(
    send: Send,
    source_dependency: Callable[..., Any],
    *,
    clock: Callable[[], datetime] = _utc_now,
    resolve: Resolve | None = None,
) -> APIRouter:
    """The FHIR router; ``send`` records mapped events, ``source_dependency`` (a FastAPI
    dependency) gives the authenticated source (``meta.source`` of every event), ``clock`` the
    moment the contract's date windows are judged against, ``resolve`` (e.g.
    ``partial(upstream.identifiers.resolve, pool)``) names patients by a linked MRN."""
    router = APIRouter(prefix="/fhir/r4", tags=["FHIR R4"])

    @router.post("/Bundle", response_class=JSONResponse)
    async def post_bundle(
        request: Request, source: str = Depends(source_dependency)
    ) -> JSONResponse:
        """Maps a transaction or batch Bundle to upstream events and records them."""
        body = await request.body()
        if len(body) > MAX_BODY:
            return _answer(413, outcome([issue("too-costly", f"over {MAX_BODY} bytes")]))
        try:
            kind, items = bundle_items(json.loads(body))
        except (ValueError, UnicodeDecodeError) as exc:
            where = exc.expression if isinstance(exc, BadInput) else None
            why = exc.reason if isinstance(exc, BadInput) else "the body is not JSON"
            return _answer(400, outcome([issue("structure", why, where)]))
        atomic = kind == "transaction"
        if resolve is not None:
            items = await link_patients(items, resolve)
        mapped = within_windows(map_items(items, source, atomic=atomic), clock(), EDGE_POLICY)
        if atomic and mapped.refused:
            return _answer(422, refused(mapped.refused))
        try:
            receipts = await send([event for _, event in mapped.events])
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError):
            why = "the engine is unavailable; send the Bundle again (nothing is doubled)"
            return _answer(503, outcome([issue("transient", why)]), RETRY_AFTER_S)
        return _responses(kind, items, mapped, receipts)

    return router


def _answer(status: int, data: dict[str, Any], retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse(data, status_code=status, media_type=FHIR_JSON, headers=headers)


def _responses(
    kind: str, items: list[Item], mapped: Mapped, receipts: list[EventReceipt]
) -> JSONResponse:
    """The response Bundle: one entry per request entry, in order."""
    refs = {item.number: item.ref for item in items}
    fates: dict[int, list[EventReceipt]] = {}
    for receipt in receipts:
        for number in mapped.entries_of.get(receipt.event_id, []):
            fates.setdefault(number, []).append(receipt)
    engine_refused = [
        Refusal(number, refs.get(number, "(entry)"), r.field or "(event)", r.reason or "refused")
        for number, rs in fates.items() for r in rs if r.status == "refused"
    ]  # fmt: skip
    if kind == "transaction" and engine_refused:
        return _answer(422, refused(engine_refused))
    by_entry = {r.entry: r for r in [*mapped.refused, *engine_refused]}
    entries = [_entry(n, by_entry.get(n), fates.get(n, [])) for n in range(1, len(items) + 1)]
    return _answer(200, {"resourceType": "Bundle", "type": f"{kind}-response", "entry": entries})


def _entry(number: int, refusal: Refusal | None, fates: list[EventReceipt]) -> dict[str, Any]:
    if refusal is not None:
        return {"response": {"status": "422 Unprocessable Entity", "outcome": refused([refusal])}}
    if any(r.status in ("recorded", "late") for r in fates):
        late = [r for r in fates if r.status == "late"]
        response: dict[str, Any] = {"status": "201 Created"}
        if late:
            response["outcome"] = informational("recorded late: its month was already billed")
        return {"response": response}
    why = "already recorded" if fates else "nothing to record for the engine"
    return {"response": {"status": "200 OK", "outcome": informational(why)}}
