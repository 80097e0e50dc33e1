"""FHIR R4 resources following the engine's profile (fhir_in/profile.py), as JSON dicts."""

from __future__ import annotations

from typing import Any

from fhir_in import profile

# PHI that must never reach an OperationOutcome, a reject file or a log line.
NAME, BIRTH, MBI = "Avery Synth-Ashby", "1950-02-03", "1EG4-TE5-MK73"
LAST_UPDATED = "2026-11-02T09:00:00-05:00"


def patient(pid: str = "p-0001", rid: str = "pat1", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": rid,
        "meta": {"lastUpdated": LAST_UPDATED},
        "identifier": [
            {"system": "urn:mrn:hosp", "value": "MRN-1"},
            {"system": profile.PATIENT, "value": pid},
        ],
        "name": [{"given": ["Avery"], "family": "Synth-Ashby"}],
        "birthDate": BIRTH,
        "managingOrganization": {"identifier": {"system": profile.PRACTICE, "value": "practice-1"}},
        "generalPractitioner": [{"identifier": {"system": profile.PRACTITIONER, "value": "dr-1"}}],
        "extension": [{"url": profile.LAST_VISIT_ON, "valueDate": "2026-09-01"}],
        **extra,
    }


def coverage(patient_ref: str = "Patient/pat1", qmb: bool = True) -> dict[str, Any]:
    classes = (
        [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                            "code": "plan",
                        }
                    ]
                },
                "value": "QMB",
            }
        ]
        if qmb
        else []
    )
    return {
        "resourceType": "Coverage",
        "id": "cov1",
        "status": "active",
        "beneficiary": {"reference": patient_ref},
        "payor": [{"display": "Medicare"}],
        "identifier": [{"system": profile.MBI, "value": MBI}],
        "class": classes,
    }


def condition(code: str, rid: str = "c1", status: str = "active", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "subject": {"reference": "Patient/pat1"},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": status,
                }
            ]
        },
        "code": {"coding": [{"system": profile.ICD10CM, "code": code}]},
        **extra,
    }


def encounter(kind: str, status: str = "finished", rid: str = "e1", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Encounter",
        "id": rid,
        "status": status,
        "class": {"system": profile.ACT_CODE, "code": kind},
        "subject": {"reference": "Patient/pat1"},
        "period": {"start": "2026-11-05T08:00:00-05:00", "end": "2026-11-08T10:00:00-05:00"},
        **extra,
    }


def consent(
    status: str = "active", disclosures: tuple[str, ...] = profile.DISCLOSURES, **extra: Any
) -> dict[str, Any]:
    return {
        "resourceType": "Consent",
        "id": "cons1",
        "status": status,
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "treatment",
                }
            ]
        },
        "category": [{"coding": [{"system": profile.CONSENT_CATEGORY, "code": "ccm"}]}],
        "patient": {"reference": "Patient/pat1"},
        "dateTime": "2026-11-03T10:00:00-05:00",
        "performer": [{"identifier": {"system": profile.STAFF, "value": "rn-1"}}],
        "extension": [{"url": profile.DISCLOSURE, "valueCode": d} for d in disclosures],
        **extra,
    }


def careplan(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "CarePlan",
        "id": "cp1",
        "status": "active",
        "intent": "plan",
        "subject": {"reference": "Patient/pat1"},
        "created": "2026-11-03T11:00:00-05:00",
        "addresses": [{"display": "Type 2 diabetes"}],
        "goal": [{"display": "HbA1c below 7%"}],
        **extra,
    }


def procedure(rid: str = "t1", status: str = "completed", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": status,
        "category": {"coding": [{"system": profile.PROCEDURE_CATEGORY, "code": "ccm-time"}]},
        "subject": {"reference": "Patient/pat1"},
        "performedPeriod": {
            "start": "2026-11-10T10:00:00-05:00",
            "end": "2026-11-10T10:25:00-05:00",
        },
        "performer": [
            {
                "actor": {"identifier": {"system": profile.STAFF, "value": "rn-1"}},
                "function": {
                    "coding": [
                        {"system": profile.STAFF_ROLE, "code": "clinical_staff"},
                        {"system": profile.CREDENTIAL, "code": "RN"},
                    ]
                },
            }
        ],
        **extra,
    }


def bundle(kind: str, *resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {
                "fullUrl": f"urn:uuid:0000000{i}-0000-4000-8000-000000000000",
                "resource": r,
                "request": {"method": "PUT", "url": f"{r['resourceType']}/{r.get('id')}"},
            }
            for i, r in enumerate(resources)
        ],
    }
