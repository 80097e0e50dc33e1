"""The API's answers, as pydantic models so the OpenAPI document describes every one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

Outcome = Literal["recorded", "duplicate", "late", "refused", "not_sent"]


class Refusal(BaseModel):
    """One refused event: its place in the request, the field and the rule (never a value of
    a field that could hold PHI, and never the value of a field the contract does not know)."""

    model_config = ConfigDict(frozen=True)
    index: int | None = None
    event_id: str | None = None
    field: str
    reason: str


class EventResult(BaseModel):
    """What became of one event of the request, in request order."""

    model_config = ConfigDict(frozen=True)
    index: int
    event_id: str
    patient_id: str
    outcome: Outcome


class PatientState(BaseModel):
    model_config = ConfigDict(frozen=True)
    phase: str
    stream_version: int


class Accepted(BaseModel):
    """202: every event is stored (or was already): ``results`` per event, each patient's
    phase and stream version after the request."""

    results: list[EventResult]
    patients: dict[str, PatientState]


class Problem(BaseModel):
    """Every error: ``error`` is a stable code, ``detail`` says what to do. A 422 or 403 lists
    each refused event; a 422 after sending also lists what was stored (``results``)."""

    error: str
    detail: str
    refused: list[Refusal] = []
    results: list[EventResult] = []


class EventReceipt(BaseModel):
    """What became of one stored event (``GET /v1/receipts/{event_id}``)."""

    event_id: str
    source: str
    patient_id: str
    type: str
    outcome: Literal["recorded", "late"]
    late_for_month: str | None = None  # the closed month a late entry was dated in
    position: int
    stream_version: int
    recorded_at: datetime


class Health(BaseModel):
    component: str
    status: Literal["ok", "failing"]
    database: bool
    temporal: bool
