"""``/healthz``, ``/metrics`` (telemetry/serve.py's relay of the SDK's Prometheus page, which
also holds the API's own ``ccm_api_*`` metrics) and the middleware that records them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from temporalio.service import RPCError

from api.context import ApiContext, context_of
from api.models import Health
from telemetry.serve import health, sdk_metrics

router = APIRouter()
Context = Annotated[ApiContext, Depends(context_of)]


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
async def healthz(ctx: Context) -> JSONResponse:
    """200 when the database and Temporal both answer, else 503 saying which did not."""

    async def check() -> dict[str, bool]:
        return {"database": await _database_up(ctx), "temporal": await _temporal_up(ctx)}

    status, body = await health("api", check)
    return JSONResponse(body, status_code=status)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(ctx: Context) -> PlainTextResponse:
    """Prometheus text: the SDK's runtime metrics and ``ccm_api_requests``/``ccm_api_latency``."""
    body = await sdk_metrics(ctx.sdk_metrics_url) if ctx.sdk_metrics_url else None
    if body is None:
        return PlainTextResponse("# metrics are off or did not answer\n", status_code=503)
    return PlainTextResponse(body)


async def _database_up(ctx: ApiContext) -> bool:
    try:
        await asyncio.wait_for(ctx.pool.fetchval("SELECT 1"), 3)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False
    return True


async def _temporal_up(ctx: ApiContext) -> bool:
    try:
        return await ctx.temporal.service_client.check_health(timeout=timedelta(seconds=3))
    except (RPCError, RuntimeError, OSError):
        return False


def record_requests(app: FastAPI, ctx: ApiContext) -> None:
    """Counts every request by route template and status (low cardinality: never an id)."""
    requests = ctx.meter.create_counter("ccm_api_requests", "HTTP requests answered")
    latency = ctx.meter.create_histogram_float("ccm_api_latency", "time to answer", "s")

    @app.middleware("http")
    async def observe(request: Request, call: Callable[[Request], Awaitable[Response]]) -> Response:
        began = time.monotonic()
        response = await call(request)
        route = getattr(request.scope.get("route"), "path", "other")
        labels = {"route": route, "status": str(response.status_code)}
        requests.add(1, labels)
        latency.record(time.monotonic() - began, labels)
        return response
