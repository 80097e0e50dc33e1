"""Update validation: reject bad input before it reaches history, naming the field and value.

Runs in the update validator, so it must not change state. Structural checks are pydantic's at
the edge; these are the checks that need the patient's state or the care rules.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio.exceptions import ApplicationError

from care.eligibility import InvalidDiagnosisCode, screen
from care.gates import missing_disclosures
from events.upstream import (
    ConsentRecorded,
    PatientIdentified,
    TimeEntryVoided,
    TimeLogged,
    UpstreamEvent,
)
from workflows.config import CareConfig
from workflows.state import PatientState

# Upstream clocks drift; anything further ahead than this is a wrong date, not drift.
FUTURE_TOLERANCE = timedelta(minutes=5)


def rejected(event: UpstreamEvent, field: str, value: object, reason: str) -> ApplicationError:
    """The error a sender sees: which event, which field, which value, and why."""
    return ApplicationError(
        f"event {event.event_id} ({event.type}): field {field}={value!r} rejected: {reason}",
        {"event_id": event.event_id, "field": field, "reason": reason},
        type="InvalidUpstreamEvent",
        non_retryable=True,
    )


def check_batch(
    state: PatientState,
    queued: list[UpstreamEvent],
    batch: list[UpstreamEvent],
    cfg: CareConfig,
    now: datetime,
) -> None:
    """Raises ``ApplicationError`` for the first event the workflow must refuse."""
    # Fix: voids were not tracked here, so "already recorded; void it first" could never be
    # followed: a corrected entry under a voided entry_id was refused forever. Entries are now
    # followed through the queue and the batch in order, voids included, and an event already
    # applied is a harmless duplicate (re-sending a feed with a correction in it must not fail).
    entries = {**state.time_entries}
    voided = set(state.voided)
    for queued_event in queued:
        _follow(queued_event, entries, voided)
    for event in batch:
        if event.store_key in state.applied:
            continue
        if event.patient_id != state.patient_id:
            raise rejected(event, "patient_id", event.patient_id, "belongs to another patient")
        if event.occurred_at > now + FUTURE_TOLERANCE:
            raise rejected(event, "occurred_at", event.occurred_at.isoformat(), "is in the future")
        _check_one(event, entries, voided, cfg)
        _follow(event, entries, voided)


def _follow(event: UpstreamEvent, entries: dict[str, TimeLogged], voided: set[str]) -> None:
    if isinstance(event, TimeLogged):
        entries[event.entry_id] = event
        voided.discard(event.entry_id)
    elif isinstance(event, TimeEntryVoided):
        voided.add(event.entry_id)


def _check_one(
    event: UpstreamEvent, entries: dict[str, TimeLogged], voided: set[str], cfg: CareConfig
) -> None:
    if isinstance(event, ConsentRecorded):
        missing = missing_disclosures(**event.disclosures.model_dump())
        if missing:
            # MLN909188: the record must show each disclosure before consent counts.
            raise rejected(event, f"disclosures.{missing[0]}", False, "required disclosure missing")
    elif isinstance(event, TimeLogged):
        known = entries.get(event.entry_id)
        live = known is not None and event.entry_id not in voided
        if live and known is not None and known.store_key != event.store_key and known != event:
            raise rejected(event, "entry_id", event.entry_id, "already recorded; void it first")
    elif isinstance(event, TimeEntryVoided):
        if event.entry_id not in entries:
            raise rejected(event, "entry_id", event.entry_id, "no such time entry")
    elif isinstance(event, PatientIdentified):
        try:
            screen(event.diagnoses, primary_care_responsible=False, policy=cfg.policy)
        except InvalidDiagnosisCode as exc:
            raise rejected(event, "diagnoses", str(exc), "not a valid ICD-10-CM code") from None
