"""What goes in and out of the patient workflow: start input, update batches, receipts, views."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from events.base import OpaqueId
from events.upstream import UpstreamEvent
from workflows.config import CareConfig
from workflows.state import PatientState

# A batch rides in one update payload; Temporal caps payloads at 2 MB, and one patient's
# months of documentation are a few hundred events, so the cap is generous but bounded.
MAX_BATCH = 1000


class PatientStart(BaseModel):
    """Start input, and the continue-as-new carrier: state so far plus unprocessed inputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    patient_id: OpaqueId
    config: CareConfig = CareConfig()
    state: PatientState | None = None
    pending: list[UpstreamEvent] = Field(default_factory=list)


class RecordBatch(BaseModel):
    """Upstream events for one patient, applied in order. Re-sending any of them is harmless."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    events: list[UpstreamEvent] = Field(min_length=1, max_length=MAX_BATCH)


class Receipt(BaseModel):
    """What became of a batch: new events recorded, duplicates ignored, late entries flagged."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    patient_id: str
    recorded: list[str]
    duplicates: list[str]
    late: list[str]
    phase: str
    stream_version: int


class PatientView(BaseModel):
    """The query answer operations staff see: no demographics, ids and counts only."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    patient_id: str
    phase: str
    program: str | None
    practice_id: str | None
    practitioner_id: str | None
    current_month: str | None
    minutes_this_month: int
    minutes_needed: int
    at_risk: bool
    closed_months: dict[str, str | None]
    stream_version: int
