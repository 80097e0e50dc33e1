"""A request's body to contract events: bounded, decoded, its source checked, each event
validated exactly as ``ccm ingest`` validates a line (``upstream.feed``), refusals named alike."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from fastapi import Request

from api.models import Problem, Refusal
from api.problems import ApiError
from api.settings import ApiSettings
from care.policy import EDGE_POLICY
from events.upstream import UpstreamEvent
from upstream.feed import parse_lines

_OPAQUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}")


def too_large(detail: str) -> ApiError:
    return ApiError(413, "too_large", detail)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused 413 as soon as it is known to pass ``limit`` bytes (never buffered past
    it): by its Content-Length when declared, else while it streams in."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(f"the body is {declared} bytes: over the {limit}-byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(f"the body is over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def refused(detail: str, refusals: list[Refusal], status: int = 422) -> ApiError:
    error = "refused" if status == 422 else "forbidden"
    return ApiError(status, error, detail, problem=Problem(error=error, detail=detail,
                                                           refused=refusals))  # fmt: skip


def items_of(body: bytes, limits: ApiSettings) -> list[Any]:
    """One event (an object) or a batch (an array of them), as decoded JSON."""
    try:
        document = json.loads(body)
    except UnicodeDecodeError:
        why = [Refusal(field="(body)", reason="not UTF-8")]
        raise refused("the body is not UTF-8 JSON", why) from None
    except ValueError as exc:
        where = f"not JSON (line {exc.lineno}, column {exc.colno})"  # type: ignore[attr-defined]
        raise refused("the body is not JSON", [Refusal(field="(body)", reason=where)]) from None
    items = document if isinstance(document, list) else [document]
    if not items:
        raise refused("an empty batch", [Refusal(field="(body)", reason="no event in the array")])
    if len(items) > limits.max_events:
        raise too_large(f"{len(items)} events: over the {limits.max_events}-event limit")
    return items


def claimed(items: list[Any], source: str) -> list[Any]:
    """The token decides ``meta.source``: an event without one writes as the token's source; an
    event naming another is refused 403 with the rest of the request (nothing is sent)."""
    out, wrong = [], []
    for index, item in enumerate(items):
        meta = item.get("meta") if isinstance(item, dict) else None
        unsaid = meta is None or (isinstance(meta, dict) and "source" not in meta)
        if isinstance(item, dict) and unsaid:
            item = {**item, "meta": {**(meta or {}), "source": source}}
        elif isinstance(meta, dict) and meta["source"] != source:
            reason = f"this token writes as source {source!r} only"
            wrong.append(
                Refusal(index=index, event_id=_id(item), field="meta.source", reason=reason)
            )
        out.append(item)
    if wrong:
        raise refused(f"{len(wrong)} event(s) claim another source: nothing was sent", wrong, 403)
    return out


def validated(items: list[Any]) -> list[UpstreamEvent]:
    """Every event checked against the contract and the date windows before any is sent; one
    refused event refuses the request (422, one entry per refused event, nothing sent)."""
    lines = [json.dumps(item).encode() for item in items]
    feed = parse_lines(lines, datetime.now(UTC), EDGE_POLICY)
    if feed.rejected:
        refusals = [
            Refusal(index=r.line - 1, event_id=r.event_id,
                    field="(event)" if r.field == "(line)" else r.field, reason=r.reason)
            for r in feed.rejected
        ]  # fmt: skip
        detail = f"{len(refusals)} of {len(items)} event(s) refused: nothing was sent"
        raise refused(detail, refusals)
    return [event for _, event in feed.events]


def _id(item: dict[str, Any]) -> str | None:
    value = item.get("event_id")
    return value if isinstance(value, str) and _OPAQUE.fullmatch(value) else None
