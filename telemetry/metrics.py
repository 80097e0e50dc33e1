"""The engine's own metrics, recorded through the Temporal SDK's meter so one Prometheus page
holds them beside the SDK's runtime metrics (``temporal_*``).

Attributes are low-cardinality labels only (an event type, a field name, a track, a projection):
never a patient, claim or event id, which would make one series per patient.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import MetricMeter

# A contract field path; anything else (a sender's unknown key) is counted as "other".
_FIELD = re.compile(r"[a-z][a-z0-9_]{0,40}(\.[a-z][a-z0-9_]{0,40}){0,3}")


def _activity_meter() -> MetricMeter:
    return activity.metric_meter() if activity.in_activity() else MetricMeter.noop


def appended(types: Iterable[str], took: timedelta) -> None:
    """From the append activity: one count per stored event (by type), and the append latency."""
    meter = _activity_meter()
    counter = meter.create_counter("ccm_events_appended", "events appended to the store")
    for type_ in types:
        counter.add(1, {"type": type_})
    meter.create_histogram_timedelta("ccm_append_latency", "time to append one batch", "ms").record(
        took
    )


def claim_submitted() -> None:
    _activity_meter().create_counter("ccm_claims_submitted", "claims handed over").add(1)


def month_closed(track: str | None) -> None:
    """From the workflow (the SDK drops it during replay, so each close counts once)."""
    workflow.metric_meter().create_counter("ccm_months_closed", "months closed").add(
        1, {"track": track or "none"}
    )


def refused(field: str, where: str) -> None:
    """An upstream event refused at ``where`` (``validator`` or ``decider``), by field."""
    label = field if _FIELD.fullmatch(field) else "other"
    workflow.metric_meter().create_counter("ccm_refusals", "upstream events refused").add(
        1, {"field": label, "where": where}
    )


def projection_position(meter: MetricMeter, name: str, checkpoint: int, lag: int) -> None:
    """From a projector: where a projection stands and how far behind the store's head it is
    (gauges of the database's state: every projector reports the same values)."""
    meter.create_gauge("ccm_projection_checkpoint", "last position applied").set(
        checkpoint, {"projection": name}
    )
    meter.create_gauge("ccm_projection_lag", "events not yet applied", "events").set(
        lag, {"projection": name}
    )
