"""Observability of one long-running process (``ccm worker``, ``ccm projector``).

``install`` comes first, before any Temporal client exists, so the process's runtime exports
Prometheus metrics and its clients carry the tracing interceptor; ``serve`` then answers
``/metrics`` and ``/healthz`` on ``CCM_METRICS_PORT`` with the process's own health check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from temporalio.common import MetricMeter

from runtime.settings import Settings
from telemetry import tracing
from telemetry.runtime import install_metrics_runtime
from telemetry.serve import Check, serving


@dataclass(frozen=True)
class Observed:
    meter: MetricMeter
    sdk_port: int | None  # the SDK's private Prometheus port, when metrics are on


def install(settings: Settings, component: str) -> Observed:
    tracing.name_process(component)
    if settings.metrics_port is None:
        return Observed(MetricMeter.noop, None)
    port, meter = install_metrics_runtime(component)
    return Observed(meter, port)


@asynccontextmanager
async def serve(
    settings: Settings, observed: Observed, component: str, check: Check
) -> AsyncIterator[str | None]:
    """Serves while the block runs (yields the URL, or None when metrics are off)."""
    if settings.metrics_port is None or observed.sdk_port is None:
        yield None
        return
    async with serving(
        component, settings.metrics_host, settings.metrics_port, observed.sdk_port, check
    ) as url:
        yield url
