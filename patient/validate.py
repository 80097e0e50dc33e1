"""The rules a fact must meet against the patient's state, before it may be recorded.

``check_delivery`` runs in the update validator (nothing reaches history when it refuses) and
holds for a re-sent duplicate too; ``check_recorded`` runs in ``decide`` on facts the store has
not seen, where a rule needs what only applying the queue in order can tell (an entry id still
live, a void of an entry sent in an earlier batch, a remittance for a month closed earlier in
the same feed); its refusals come back in the update's receipt. A refusal
names the field and, where it helps, an opaque id: never a date, a diagnosis or a demographic.
"""

from __future__ import annotations

import re
from datetime import datetime

from care.eligibility import InvalidDiagnosisCode
from care.gates import missing_disclosures
from care.icd10 import normalize_icd10
from care.policy import Policy
from events.hashing import content_digest
from events.plausible import implausible
from events.registry import DEFAULT_REGISTRY
from events.upstream import (
    ClaimAdjudicated,
    ConsentRecorded,
    PatientIdentified,
    TimeEntryVoided,
    TimeLogged,
    UpstreamEvent,
)
from patient.commands import Refused
from patient.state import Patient

# A claim id is claim-<patient>-<YYYY-MM> (patient.due.claim_id_for): a real month.
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def digest_of(event: UpstreamEvent) -> bytes:
    """The content digest the store keeps for ``event`` (as ``events.identity`` computes it)."""
    type_, version, payload = DEFAULT_REGISTRY.encode_json(event)
    return content_digest(event.store_key, type_, version, payload)


def check_delivery(
    state: Patient, batch: list[UpstreamEvent], policy: Policy, now: datetime
) -> None:
    """Raises ``Refused`` (``Refused.event_id`` set) for the first event of ``batch`` to refuse.

    Only rules a re-sent duplicate also meets: a re-sent feed must stay harmless, and whether an
    event is a duplicate is the store's to say, later (``check_recorded`` has the rest).
    """
    seen: dict[str, UpstreamEvent] = {}
    for event in batch:
        try:
            _check_one(state, event, policy, now)
            _check_same_content(seen.setdefault(event.store_key, event), event)
        except Refused as refused:
            refused.event_id = event.event_id
            raise


def _check_same_content(first: UpstreamEvent, event: UpstreamEvent) -> None:
    # One id twice in a batch is a re-send only if the content is the same; else a conflict.
    if first != event:
        sent, again = digest_of(first).hex()[:12], digest_of(event).hex()[:12]
        raise Refused(
            "event_id", f"is in the batch twice with other content (sha256 {sent}…, {again}…)"
        )


def _check_one(state: Patient, event: UpstreamEvent, policy: Policy, now: datetime) -> None:
    if event.patient_id != state.patient_id:
        raise Refused("patient_id", "belongs to another patient", event.patient_id)
    window = implausible(event, now, policy)
    if window is not None:
        raise Refused(window.field, window.reason)
    if isinstance(event, ConsentRecorded):
        missing = missing_disclosures(**event.disclosures.model_dump())
        if missing:
            # MLN909188: the record must show each disclosure before consent counts.
            raise Refused(f"disclosures.{missing[0]}", "required disclosure missing")
    elif isinstance(event, PatientIdentified):
        _check_diagnoses(event)
    elif isinstance(event, ClaimAdjudicated):
        _check_claim_names_patient(state, event)


def _check_diagnoses(event: PatientIdentified) -> None:
    for index, code in enumerate(event.diagnoses):
        try:
            normalize_icd10(code)
        except InvalidDiagnosisCode:
            raise Refused(f"diagnoses[{index}]", "not valid ICD-10-CM syntax") from None


def _check_claim_names_patient(state: Patient, event: ClaimAdjudicated) -> None:
    prefix = f"claim-{state.patient_id}-"
    month = event.claim_id.removeprefix(prefix)
    if not event.claim_id.startswith(prefix) or not _MONTH.fullmatch(month):
        raise Refused("claim_id", "is not one of this patient's claims", event.claim_id)


def check_held(state: Patient, event: UpstreamEvent) -> None:
    """The rules for a fact that arrives before identification (it is held), against the facts
    held so far: no claim exists yet, a void names a held entry, a live entry id is not reused."""
    if isinstance(event, ClaimAdjudicated):
        raise Refused("claim_id", "names no claim: the patient is not identified yet")
    live: dict[str, str] = {}
    for fact in state.held:
        if isinstance(fact, TimeLogged):
            live[fact.entry_id] = fact.store_key
        elif isinstance(fact, TimeEntryVoided):
            live.pop(fact.entry_id, None)
    known = {f.entry_id for f in state.held if isinstance(f, TimeLogged)}
    if (
        isinstance(event, TimeLogged)
        and live.get(event.entry_id, event.store_key) != event.store_key
    ):
        raise Refused("entry_id", "already recorded; void it first", event.entry_id)
    if isinstance(event, TimeEntryVoided) and event.entry_id not in known:
        raise Refused("entry_id", "no such time entry", event.entry_id)


def check_recorded(state: Patient, event: UpstreamEvent) -> None:
    """The rules for a fact the store has not seen, against the state every earlier event of the
    queue led to; raises ``Refused``. A live entry is never overwritten by another event: a
    correction voids it first (a corrected entry under a voided id counts again)."""
    if isinstance(event, TimeLogged):
        recorded_by = state.entry_keys.get(event.entry_id)
        if recorded_by is not None and recorded_by != event.store_key:
            raise Refused("entry_id", "already recorded; void it first", event.entry_id)
        if event.entry_id in state.closed_entries:  # else its minutes would count twice
            raise Refused("entry_id", "already recorded in a closed month", event.entry_id)
    if isinstance(event, TimeEntryVoided) and state.entry_month(event.entry_id) is None:
        raise Refused("entry_id", "no such time entry", event.entry_id)
    if isinstance(event, ClaimAdjudicated):
        month = event.claim_id.removeprefix(f"claim-{state.patient_id}-")
        closed = state.closed.get(month)
        pruned = state.closed_through is not None and month <= state.closed_through
        if closed is None and not pruned:
            raise Refused("claim_id", "names a month not yet closed", event.claim_id)
        if closed is not None and closed.claim_id != event.claim_id:
            raise Refused("claim_id", "names a month that billed nothing", event.claim_id)
