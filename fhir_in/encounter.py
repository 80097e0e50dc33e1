"""Encounter → the initiating visit, or an inpatient stay's admission, discharge and their
cancellation (``fhir_in.profile``). Other encounters (emergency, home health…) record nothing."""

from __future__ import annotations

from fhir.resources.R4B.encounter import Encounter

from events.upstream import (
    InitiatingVisitCompleted,
    PatientAdmissionCancelled,
    PatientAdmitted,
    PatientDischargeCancelled,
    PatientDischarged,
    UpstreamEvent,
)
from fhir_in import profile
from fhir_in.common import Context, Unmappable, build, codes, moment, opaque, patient_of

VISIT_PATHS = {"code": "Encounter.type", "on": "Encounter.period.start", "": "Encounter"}
STAY_PATHS = {"occurred_at": "Encounter.period", "": "Encounter"}
CANCELLED = ("entered-in-error", "cancelled")


def map_encounter(e: Encounter, ctx: Context) -> list[UpstreamEvent]:
    patient = patient_of(e.subject, ctx, "Encounter.subject")
    kind = e.class_fhir.code if e.class_fhir and e.class_fhir.system == profile.ACT_CODE else None
    key = f"Encounter/{opaque(e.id, 'Encounter.id')}"
    if kind == "AMB":
        return _visit(e, patient, key, ctx)
    if kind in profile.INPATIENT:
        return _stay(e, patient, key, profile.INPATIENT[kind], ctx)
    return []


def _visit(e: Encounter, patient: str, key: str, ctx: Context) -> list[UpstreamEvent]:
    if e.status != "finished":
        return []  # only a visit that took place is an initiating visit
    every = [code for system in (profile.CPT, *profile.HCPCS) for code in codes(e.type, system)]
    found = [code for code in every if code != "G0506"]
    if not found:
        raise Unmappable("Encounter.type", "an ambulatory visit needs its CPT or HCPCS code")
    start = moment(e.period.start if e.period else None, "Encounter.period.start")
    end = e.period.end if e.period and e.period.end else start
    g0506 = "G0506" in every
    return [build(InitiatingVisitCompleted, VISIT_PATHS, event_id=f"{key}/visit",
                  patient_id=patient, occurred_at=moment(end, "Encounter.period.end"),
                  code=found[0], on=start.date(), g0506=g0506, meta=ctx.meta)]  # fmt: skip


def _stay(e: Encounter, patient: str, key: str, facility: str, ctx: Context) -> list[UpstreamEvent]:
    start = moment(e.period.start if e.period else None, "Encounter.period.start")
    end = moment(e.period.end, "Encounter.period.end") if e.period and e.period.end else None
    head = {"patient_id": patient, "meta": ctx.meta}
    if e.status in CANCELLED:
        # The stay never was: cancel the admission and any discharge (HL7 A11 / A13).
        events: list[UpstreamEvent] = [build(PatientAdmissionCancelled, STAY_PATHS,
            event_id=f"{key}/admission-cancelled", occurred_at=end or start, admitted_at=start,
            **head)]  # fmt: skip
        if end is not None:
            events.append(build(PatientDischargeCancelled, STAY_PATHS,
                event_id=f"{key}/discharge-cancelled", occurred_at=end, discharged_at=end,
                **head))  # fmt: skip
        return events
    if e.status in ("planned", "arrived", "triaged"):
        return []
    events = [build(PatientAdmitted, STAY_PATHS, event_id=f"{key}/admitted", occurred_at=start,
                    facility=facility, **head)]  # fmt: skip
    if e.status == "finished" and end is not None:
        events.append(build(PatientDischarged, STAY_PATHS, event_id=f"{key}/discharged",
                            occurred_at=end, **head))  # fmt: skip
    return events
