"""A minimal OpenTelemetry collector (OTLP/HTTP traces) on loopback: stands in for the tracing
backend a practice runs, which lies outside the engine; keeps every span it is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass
class Collected:
    spans: list[str] = field(default_factory=list)  # span names
    services: set[str] = field(default_factory=set)  # resource service.name values
    raw: list[bytes] = field(default_factory=list)  # every request body, to search for PHI


@asynccontextmanager
async def collector(port: int) -> AsyncIterator[Collected]:
    got = Collected()

    async def traces(request: web.Request) -> web.Response:
        body = await request.read()
        got.raw.append(body)
        export = ExportTraceServiceRequest.FromString(body)
        for resource in export.resource_spans:
            for attr in resource.resource.attributes:
                if attr.key == "service.name":
                    got.services.add(attr.value.string_value)
            got.spans += [s.name for scope in resource.scope_spans for s in scope.spans]
        return web.Response(
            body=ExportTraceServiceResponse().SerializeToString(),
            content_type="application/x-protobuf",
        )

    app = web.Application()
    app.router.add_post("/v1/traces", traces)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield got
    finally:
        await runner.cleanup()
