"""Patient, Coverage and Condition → one ``patient_identified``: the contract sends a patient's
diagnoses, MBI and QMB status with their identification, so a Bundle's Coverage and Condition
resources join the Patient they name (``identified``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.patient import Patient
from pydantic import TypeAdapter, ValidationError

from events.fields import Icd10Code
from events.upstream import Demographics, PatientIdentified
from fhir_in import profile
from fhir_in.common import (
    Context,
    Unmappable,
    build,
    by_system,
    codes,
    content_key,
    extensions,
    moment,
    opaque,
    patient_of,
    reference_id,
)

PATHS = {
    "practice_id": "Patient.managingOrganization", "practitioner_id": "Patient.generalPractitioner",
    "diagnoses": "Condition.code.coding", "last_visit_on": "Patient.extension",
    "occurred_at": "Patient.meta.lastUpdated", "demographics": "Patient", "": "Patient",
    "address": "Patient.address", "sex": "Patient.gender",
}  # fmt: skip
# FHIR administrative gender → the 837P's DMG03 (X12 has no "other": it is unknown there).
_SEX = {"female": "F", "male": "M", "other": "U", "unknown": "U"}


@dataclass(frozen=True)
class PatientFacts:
    """What a Patient resource says; Coverage and Condition facts are added by ``identified``."""

    patient_id: str
    practice_id: str
    practitioner_id: str
    occurred_at: datetime
    last_visit_on: date | None = None
    primary_care_responsible: bool = False
    name: str | None = None
    birth_date: date | None = None
    mbi: str | None = None
    address: dict[str, str] | None = None
    sex: str | None = None
    qmb: bool = False
    diagnoses: list[str] = field(default_factory=list)


def engine_patient_id(p: Patient) -> str:
    """The engine's opaque id: the identifier with system ``profile.PATIENT``."""
    return opaque(by_system(p.identifier, profile.PATIENT), "Patient.identifier")


def map_patient(p: Patient) -> PatientFacts:
    practitioners = p.generalPractitioner or []
    if not practitioners:
        raise Unmappable("Patient.generalPractitioner", "names the billing practitioner: required")
    last_visit = extensions(p, profile.LAST_VISIT_ON)
    primary = extensions(p, profile.PRIMARY_CARE)
    return PatientFacts(
        patient_id=engine_patient_id(p),
        practice_id=reference_id(p.managingOrganization, profile.PRACTICE, PATHS["practice_id"]),
        practitioner_id=reference_id(practitioners[0], profile.PRACTITIONER,
                                     "Patient.generalPractitioner[0]"),
        occurred_at=moment(p.meta.lastUpdated if p.meta else None, PATHS["occurred_at"]),
        last_visit_on=last_visit[0].valueDate if last_visit else None,
        primary_care_responsible=bool(primary and primary[0].valueBoolean),
        name=_name(p), birth_date=p.birthDate, address=_address(p),
        sex=_SEX.get(p.gender) if p.gender else None,
    )  # fmt: skip


def _name(p: Patient) -> str | None:
    for name in p.name or []:
        parts = [*(name.given or []), name.family or ""]
        text = name.text or " ".join(p for p in parts if p).strip()
        if text:
            return text
    return None


def _address(p: Patient) -> dict[str, str] | None:
    """The first current home-or-unstated postal address with a line: the subscriber's N3/N4.

    A ZIP+4 sent as ``21244-0001`` loses its hyphen (the 837P's N403 is digits only); nothing
    else is changed, so a value the contract refuses is refused at ``Patient.address``.
    """
    for a in p.address or []:
        if a.use in ("old", "temp", "billing") or a.type == "physical" or not a.line:
            continue
        fields = {"line1": a.line[0], "line2": a.line[1] if len(a.line) > 1 else None,
                  "city": a.city, "state": a.state,
                  "zip": a.postalCode.replace("-", "") if a.postalCode else None}  # fmt: skip
        return {k: v for k, v in fields.items() if v is not None}
    return None


def map_coverage(c: Coverage, ctx: Context) -> tuple[str, str | None, bool]:
    """``(patient, MBI or None, QMB)``; a cancelled Coverage says nothing."""
    patient = patient_of(c.beneficiary, ctx, "Coverage.beneficiary")
    if c.status in ("cancelled", "entered-in-error"):
        return patient, None, False
    mbi = by_system(c.identifier, profile.MBI)
    if mbi is None and c.subscriberId and codes(c.type, profile.MBI):
        mbi = c.subscriberId
    classes = c.class_fhir or []
    qmb = any("plan" in codes(k.type, _COVERAGE_CLASS) and k.value == "QMB" for k in classes)
    return patient, mbi, qmb


_COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"


def map_condition(c: Condition, ctx: Context) -> tuple[str, str | None]:
    """``(patient, ICD-10-CM code or None)``: None for a condition not active or refuted."""
    patient = patient_of(c.subject, ctx, "Condition.subject")
    clinical = codes(c.clinicalStatus, _CLINICAL)
    verification = codes(c.verificationStatus, _VERIFICATION)
    if (clinical and clinical[0] not in profile.ACTIVE_CONDITION) or set(verification) & {
        "refuted",
        "entered-in-error",
    }:
        return patient, None
    icd = codes(c.code, profile.ICD10CM)
    if not icd:
        raise Unmappable("Condition.code.coding", f"needs a coding with system {profile.ICD10CM}")
    try:
        return patient, _ICD10.validate_python(icd[0])
    except ValidationError:
        raise Unmappable("Condition.code.coding.code", "not valid ICD-10-CM syntax") from None


_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_ICD10: TypeAdapter[str] = TypeAdapter(Icd10Code)
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def identified(facts: PatientFacts, ctx: Context) -> PatientIdentified:
    demographics = None
    if facts.name or facts.birth_date or facts.mbi or facts.address or facts.sex:
        demographics = build(Demographics, PATHS, name=facts.name, birth_date=facts.birth_date,
                             mbi=facts.mbi, address=facts.address, sex=facts.sex)  # fmt: skip
    fields: dict[str, Any] = {
        "patient_id": facts.patient_id, "practice_id": facts.practice_id,
        "practitioner_id": facts.practitioner_id, "occurred_at": facts.occurred_at,
        "diagnoses": sorted(set(facts.diagnoses)), "last_visit_on": facts.last_visit_on,
        "qmb": facts.qmb, "primary_care_responsible": facts.primary_care_responsible,
        "demographics": demographics, "meta": ctx.meta,
    }  # fmt: skip
    key = content_key("fhir-identified", fields)
    return build(PatientIdentified, PATHS, event_id=key, **fields)
