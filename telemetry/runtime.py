"""The process's Temporal runtime: Prometheus metrics on a private port when metrics are on.

Set as the default runtime before any client connects, so every client, worker and meter of the
process records into it; the engine's own metrics (``telemetry.metrics``) use its meter too.
"""

from __future__ import annotations

from temporalio.common import MetricMeter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from runtime.ports import free_port


def install_metrics_runtime(component: str) -> tuple[int, MetricMeter]:
    """Makes a Prometheus-exporting runtime the default; returns its port and meter."""
    port = free_port()
    runtime = Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}", durations_as_seconds=True),
            global_tags={"component": component},
        )
    )
    Runtime.set_default(runtime, error_if_already_set=False)
    return port, runtime.metric_meter
