"""ADT events → upstream contract events, as a pure function of the message and the patient.

| event | when PV1-2 is | records |
|---|---|---|
| A01 admit, A02 transfer | ``I`` | ``patient_admitted`` at PV1-44 (else EVN-6, EVN-2, MSH-7) |
| A03 discharge | ``I`` | ``patient_discharged`` at PV1-45 (else EVN-6, EVN-2, MSH-7) |
| A04 register, A08 update | ``I`` | ``patient_admitted`` at PV1-44, ``patient_discharged`` at
  PV1-45, each when given |
| A11 cancel admit | any | ``patient_admission_cancelled`` naming PV1-44 (required) |
| A13 cancel discharge | any | ``patient_discharge_cancelled`` naming PV1-45 (required) |

A visit that is not inpatient (PV1-2 other than ``I``: emergency, outpatient…) records nothing
(domain §4 excludes only inpatient time). The facility is ``snf`` when PV1-18 (patient type) is
``SNF``, else ``hospital``. An event's id is derived from the patient, the kind and the moment,
so the A01, A02 and A08 that all state one admission record it once (the rest are duplicates),
and a retransmitted message doubles nothing; it holds no MRN, visit number or date.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from events.base import EventMeta
from events.upstream import (
    PatientAdmissionCancelled,
    PatientAdmitted,
    PatientDischargeCancelled,
    PatientDischarged,
    UpstreamEvent,
)
from hl7_in import errors as E
from hl7_in.parse import AdtMessage

STATEMENTS = ("A04", "A08")  # the visit as it stands now: admitted / discharged when given


def adt_events(message: AdtMessage, patient_id: str, source: str) -> list[UpstreamEvent]:
    """The contract events ``message`` records for ``patient_id``; ``AdtError`` (AE) when a time
    the event needs is missing."""
    pid, meta = patient_id, EventMeta(source=source)
    trigger = message.trigger
    if trigger == "A11":
        at = _required(message.admitted_at, "PV1-44", "the cancelled stay's admit date/time")
        key = _key(patient_id, "admission-cancelled", at)
        when = _when(message)
        return [
            PatientAdmissionCancelled(
                event_id=key, occurred_at=when, admitted_at=at, patient_id=pid, meta=meta
            )
        ]
    if trigger == "A13":
        at = _required(message.discharged_at, "PV1-45", "the cancelled discharge date/time")
        key = _key(patient_id, "discharge-cancelled", at)
        when = _when(message)
        return [
            PatientDischargeCancelled(
                event_id=key, occurred_at=when, discharged_at=at, patient_id=pid, meta=meta
            )
        ]
    if message.patient_class != "I":
        return []
    events: list[UpstreamEvent] = []
    if trigger in ("A01", "A02") or (trigger in STATEMENTS and message.admitted_at):
        at = message.admitted_at or _when(message)
        facility: Literal["hospital", "snf"] = (
            "snf" if message.patient_type.upper() == "SNF" else "hospital"
        )
        key = _key(patient_id, "admitted", at)
        events.append(
            PatientAdmitted(
                event_id=key, occurred_at=at, facility=facility, patient_id=pid, meta=meta
            )
        )
    if trigger == "A03" or (trigger in STATEMENTS and message.discharged_at):
        at = message.discharged_at or _when(message)
        key = _key(patient_id, "discharged", at)
        events.append(PatientDischarged(event_id=key, occurred_at=at, patient_id=pid, meta=meta))
    return events


def _when(message: AdtMessage) -> datetime:
    return _required(message.happened_at, "EVN-2", "when it happened (EVN-6, EVN-2 or MSH-7)")


def _required(value: datetime | None, location: str, what: str) -> datetime:
    if value is None:
        raise E.AdtError("AE", E.REQUIRED_FIELD_MISSING, location, f"{what} is required")
    return value


def _key(patient_id: str, kind: str, at: datetime) -> str:
    digest = hashlib.sha256(f"{patient_id}|{kind}|{at.timestamp()}".encode()).hexdigest()
    return f"adt-{kind}-{digest[:32]}"
