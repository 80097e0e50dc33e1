"""OpenTelemetry tracing through Temporal's ``TracingInterceptor``, off unless configured.

On when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set, the
standard OpenTelemetry variables; spans go over OTLP/HTTP to that collector. Spans carry
workflow and activity names and opaque workflow ids only: payloads are never attached.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from temporalio.client import Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_provider: TracerProvider | None = None
_component = "cli"


def tracing_enabled(env: Mapping[str, str] | None = None) -> bool:
    source = os.environ if env is None else env
    return any(source.get(name) for name in ENDPOINT_VARIABLES)


def name_process(component: str) -> None:
    """The ``service.name`` spans of this process carry (call before the first client)."""
    global _component
    _component = component


def interceptors() -> list[Interceptor]:
    """The interceptors a client (and the workers made from it) should carry: one
    ``TracingInterceptor`` when tracing is on, none otherwise. Idempotent per process."""
    global _provider
    if not tracing_enabled():
        return []
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": f"ccm-{_component}"}))
        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(_provider)
    # Senders are rarely traced: without this, workflows would show only their activities.
    return [TracingInterceptor(always_create_workflow_spans=True)]


def flush() -> None:
    """Exports what is buffered (a process about to exit calls this)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)
