"""What goes in and out of the patient workflow: start input, update batches, receipts, views."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from events.base import OpaqueId
from events.upstream import UpstreamEvent
from patient.policies import PolicyHistory
from patient.state import Patient

# A batch rides in one update payload; Temporal caps payloads at 2 MB, and one patient's
# months of documentation are a few hundred events, so the cap is generous but bounded
# (senders also cut batches by size: upstream.ingest.MAX_BATCH_BYTES).
MAX_BATCH = 1000


class PatientStart(BaseModel):
    """Start input, and the continue-as-new carrier.

    ``snapshot`` None: the workflow folds the patient's stream from the store first, so a
    patient whose Temporal history was lost is rebuilt by any start (``ccm patients restore``).
    ``policies``: the practice's policy versions known so far; ``checked``: months whose at-risk
    check was made (a month found on track records no event). ``one_wake_timer``: the run keeps
    its calendar wake-up timer across updates (``workflows.wake``); every start by this code sets
    it, and a run recorded before it existed decodes it as False and replays its old path.
    ``record_checks_keys``: the run decides a delivery's events as new and its record checks
    them (``workflows.recorder``), asking the store first only after a refusal; the same rule.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    patient_id: OpaqueId
    timezone: str = "America/New_York"
    snapshot: Patient | None = None
    policies: PolicyHistory | None = None
    checked: list[str] = Field(default_factory=list)
    one_wake_timer: bool = False
    record_checks_keys: bool = False


class RecordBatch(BaseModel):
    """Upstream events for one patient, applied in order. Re-sending any of them is harmless."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    events: list[UpstreamEvent] = Field(min_length=1, max_length=MAX_BATCH)


class RefusedEvent(BaseModel):
    """An event of the batch that was not recorded: the field and the rule (no PHI)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_id: str
    field: str
    reason: str


class Receipt(BaseModel):
    """What became of a batch: new events recorded, duplicates ignored, late entries flagged,
    events refused (nothing of them stored). Store keys, in batch order."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    patient_id: str
    recorded: list[str]
    duplicates: list[str]
    late: list[str]
    refused: list[RefusedEvent] = Field(default_factory=list)
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
