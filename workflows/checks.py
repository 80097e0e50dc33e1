"""Update validation: reject bad input before it reaches history, naming the field and the reason.

Runs in the update validator, so it must not change state. Structural checks are pydantic's at
the edge (``events.upstream``); the windows relative to the clock are ``events.plausible``'s;
these are the checks that need the patient's state or the care rules. A refusal names an opaque
id where it helps, never a date, a diagnosis or a demographic value.
"""

from __future__ import annotations

from datetime import datetime

from temporalio.exceptions import ApplicationError

from care.eligibility import InvalidDiagnosisCode, screen
from care.gates import missing_disclosures
from events.plausible import implausible
from events.upstream import (
    ClaimAdjudicated,
    ConsentRecorded,
    PatientIdentified,
    TimeEntryVoided,
    TimeLogged,
    UpstreamEvent,
)
from workflows.config import CareConfig
from workflows.state import PatientState


def rejected(
    event: UpstreamEvent, field: str, reason: str, shown: str | None = None
) -> ApplicationError:
    """The error a sender sees: which event, which field, and why (``shown``: an opaque id)."""
    value = f" ({shown!r})" if shown is not None else ""
    return ApplicationError(
        f"event {event.event_id} ({event.type}): field {field}{value} rejected: {reason}",
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
    # Entries are followed through the queue and the batch in order, voids included, so a
    # corrected entry under a voided entry_id is accepted; an event already applied is a harmless
    # duplicate (re-sending a feed with a correction in it must not fail).
    entries = {**state.time_entries}
    voided = set(state.voided)
    for queued_event in queued:
        _follow(queued_event, entries, voided)
    for event in batch:
        if event.store_key in state.applied:
            continue
        if event.patient_id != state.patient_id:
            raise rejected(event, "patient_id", "belongs to another patient", event.patient_id)
        window = implausible(event, now, cfg.policy)
        if window is not None:
            raise rejected(event, window.field, window.reason)
        _check_one(event, state, entries, voided, cfg)
        _follow(event, entries, voided)


def _follow(event: UpstreamEvent, entries: dict[str, TimeLogged], voided: set[str]) -> None:
    if isinstance(event, TimeLogged):
        entries[event.entry_id] = event
        voided.discard(event.entry_id)
    elif isinstance(event, TimeEntryVoided):
        voided.add(event.entry_id)


def _check_one(
    event: UpstreamEvent,
    state: PatientState,
    entries: dict[str, TimeLogged],
    voided: set[str],
    cfg: CareConfig,
) -> None:
    if isinstance(event, ConsentRecorded):
        missing = missing_disclosures(**event.disclosures.model_dump())
        if missing:
            # MLN909188: the record must show each disclosure before consent counts.
            raise rejected(event, f"disclosures.{missing[0]}", "required disclosure missing")
    elif isinstance(event, TimeLogged):
        known = entries.get(event.entry_id)
        live = known is not None and event.entry_id not in voided
        if live and known is not None and known.store_key != event.store_key and known != event:
            raise rejected(event, "entry_id", "already recorded; void it first", event.entry_id)
    elif isinstance(event, TimeEntryVoided):
        if event.entry_id not in entries:
            raise rejected(event, "entry_id", "no such time entry", event.entry_id)
    elif isinstance(event, PatientIdentified):
        _check_diagnoses(event, cfg)
    elif isinstance(event, ClaimAdjudicated):
        _check_claim(event, state)


def _check_diagnoses(event: PatientIdentified, cfg: CareConfig) -> None:
    for index, code in enumerate(event.diagnoses):
        try:
            screen([code], primary_care_responsible=False, policy=cfg.policy)
        except InvalidDiagnosisCode:
            raise rejected(event, f"diagnoses[{index}]", "not valid ICD-10-CM syntax") from None


def _check_claim(event: ClaimAdjudicated, state: PatientState) -> None:
    """A remittance must name one of this patient's claims: the engine's id for a month that
    billed. A month not yet closed may still close before the remittance is applied."""
    prefix = f"claim-{state.patient_id}-"
    month = event.claim_id.removeprefix(prefix)
    if not event.claim_id.startswith(prefix) or len(month) != 7:
        raise rejected(event, "claim_id", "is not one of this patient's claims", event.claim_id)
    closed = state.closed.get(month)
    if closed is not None and closed.claim_id != event.claim_id:
        raise rejected(event, "claim_id", "names a month that billed nothing", event.claim_id)
