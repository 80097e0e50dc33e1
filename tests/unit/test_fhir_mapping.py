"""FHIR R4 resources → contract events, one table per resource type (fhir_in/), and the
refusals: ``resourceType/id``, the FHIRPath, a reason, never a value of the resource."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from care.policy import EDGE_POLICY
from fhir_in import profile
from fhir_in.bundle import Mapped, map_items
from fhir_in.feed import BadInput, bundle_items, read_fhir_feed
from fhir_in.linking import link_patients
from fhir_in.outcome import refused
from tests.unit.fhir_resources import (
    BIRTH,
    MBI,
    NAME,
    bundle,
    careplan,
    condition,
    consent,
    coverage,
    encounter,
    patient,
    procedure,
)

CPT = "http://www.ama-assn.org/go/cpt"
ENVELOPE = {"type", "schema_version", "event_id", "patient_id", "meta", "occurred_at"}


def mapped(kind: str, *resources: dict[str, Any]) -> Mapped:
    return map_items(bundle_items(bundle(kind, *resources))[1], "ehr", atomic=kind == "transaction")


def facts(*resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each event of a batch of ``patient()`` and ``resources``: type and payload, JSON-ready."""
    out = mapped("batch", patient(), *resources)
    assert not out.refused, out.refused
    return [(e.type, e.model_dump(mode="json", exclude=ENVELOPE)) for _, e in out.events]


def refusal(*resources: dict[str, Any]) -> tuple[str, str]:
    """The first refusal of a batch: (resourceType/id, FHIRPath)."""
    out = mapped("batch", *resources)
    own = [r for r in out.refused if r.expression != "Patient"]  # not the Patient it refuses too
    assert own, "expected a refusal"
    return own[0].resource, own[0].expression


def test_a_patient_with_coverage_and_conditions_is_one_identification() -> None:
    (event,) = facts(
        coverage(),
        condition("E11.9"),
        condition("I10", rid="c2"),
        condition("E11.65", rid="c3"),
        condition("J45.909", rid="c4", status="resolved"),
    )
    assert event == (
        "patient_identified",
        {
            "practice_id": "practice-1",
            "practitioner_id": "dr-1",
            "diagnoses": ["E11.65", "E11.9", "I10"],
            "last_visit_on": "2026-09-01",
            "qmb": True,
            "primary_care_responsible": False,
            "demographics": {"name": NAME, "birth_date": BIRTH, "mbi": MBI},
        },
    )


@pytest.mark.parametrize(
    "resources, expected",
    [
        pytest.param(
            [
                encounter(
                    "AMB",
                    type=[
                        {
                            "coding": [
                                {"system": CPT, "code": "99214"},
                                {"system": CPT, "code": "G0506"},
                            ]
                        }
                    ],
                )
            ],
            [("initiating_visit_completed", {"code": "99214", "on": "2026-11-05", "g0506": True})],
            id="initiating visit with G0506",
        ),
        pytest.param([encounter("AMB", status="planned")], [], id="a planned visit: nothing"),
        pytest.param(
            [encounter("IMP", status="in-progress")],
            [("patient_admitted", {"facility": "hospital"})],
            id="admitted",
        ),
        pytest.param(
            [encounter("NONAC")],
            [("patient_admitted", {"facility": "snf"}), ("patient_discharged", {})],
            id="a SNF stay",
        ),
        pytest.param(
            [encounter("IMP", status="entered-in-error")],
            [
                ("patient_admission_cancelled", {"admitted_at": "2026-11-05T08:00:00-05:00"}),
                ("patient_discharge_cancelled", {"discharged_at": "2026-11-08T10:00:00-05:00"}),
            ],
            id="a stay entered in error",
        ),
        pytest.param([encounter("EMER")], [], id="an emergency visit: nothing"),
        pytest.param(
            [consent()],
            [
                (
                    "consent_recorded",
                    {
                        "method": "verbal",
                        "obtained_by": "rn-1",
                        "disclosures": dict.fromkeys(profile.DISCLOSURES, True),
                    },
                )
            ],
            id="verbal consent",
        ),
        pytest.param(
            [
                consent(
                    disclosures=("availability", "cost_sharing", "one_practitioner"),
                    sourceAttachment={"contentType": "application/pdf", "url": "urn:doc:1"},
                )
            ],
            [
                (
                    "consent_recorded",
                    {
                        "method": "written",
                        "obtained_by": "rn-1",
                        "disclosures": {
                            **dict.fromkeys(profile.DISCLOSURES, True),
                            "stop_anytime": False,
                        },
                    },
                )
            ],
            id="written consent, a disclosure missing (the engine refuses it)",
        ),
        pytest.param(
            [consent(status="rejected")], [("consent_declined", {"reason": None})], id="declined"
        ),
        pytest.param([consent(status="inactive")], [("consent_revoked", {})], id="revoked"),
        pytest.param(
            [careplan()],
            [
                (
                    "care_plan_established",
                    {
                        "care_plan_id": "cp1",
                        "problems": ["Type 2 diabetes"],
                        "goals": ["HbA1c below 7%"],
                        "shared_with_patient_at": None,
                    },
                )
            ],
            id="care plan",
        ),
        pytest.param(
            [
                careplan(
                    replaces=[{"reference": "CarePlan/cp0"}],
                    extension=[
                        {"url": profile.SHARED_AT, "valueDateTime": "2026-11-04T09:00:00-05:00"}
                    ],
                )
            ],
            [
                (
                    "care_plan_revised",
                    {
                        "care_plan_id": "cp1",
                        "problems": ["Type 2 diabetes"],
                        "goals": ["HbA1c below 7%"],
                        "shared_with_patient_at": "2026-11-04T09:00:00-05:00",
                    },
                )
            ],
            id="care plan revision, shared",
        ),
        pytest.param([careplan(status="draft")], [], id="a draft care plan: nothing"),
        pytest.param(
            [procedure()],
            [
                (
                    "time_logged",
                    {
                        "entry_id": "t1",
                        "staff_id": "rn-1",
                        "role": "clinical_staff",
                        "credential": "RN",
                        "activity": "care_management",
                        "minutes": None,
                        "at": None,
                        "start": "2026-11-10T10:00:00-05:00",
                        "end": "2026-11-10T10:25:00-05:00",
                        "counted_toward": None,
                    },
                )
            ],
            id="time by period",
        ),
        pytest.param(
            [
                procedure(
                    performedPeriod=None,
                    performedDateTime="2026-11-10T10:00:00-05:00",
                    extension=[
                        {
                            "url": profile.DURATION,
                            "valueDuration": {"value": 12, "code": "min", "system": profile.UCUM},
                        },
                        {"url": profile.COUNTED_TOWARD, "valueCode": "tcm"},
                    ],
                )
            ],
            [
                (
                    "time_logged",
                    {
                        "entry_id": "t1",
                        "staff_id": "rn-1",
                        "role": "clinical_staff",
                        "credential": "RN",
                        "activity": "care_management",
                        "minutes": 12,
                        "at": "2026-11-10T10:00:00-05:00",
                        "start": None,
                        "end": None,
                        "counted_toward": "tcm",
                    },
                )
            ],
            id="time by duration",
        ),
        pytest.param(
            [
                procedure(
                    status="entered-in-error", meta={"lastUpdated": "2026-11-11T09:00:00-05:00"}
                )
            ],
            [("time_entry_voided", {"entry_id": "t1", "reason": "entered in error"})],
            id="voided",
        ),
    ],
)
def test_resources(
    resources: list[dict[str, Any]], expected: list[tuple[str, dict[str, Any]]]
) -> None:
    assert facts(*resources)[1:] == expected


@pytest.mark.parametrize(
    "resources, where",
    [
        (
            [patient(identifier=[{"system": "urn:mrn:hosp", "value": "MRN-1"}])],
            ("Patient/pat1", "Patient.identifier"),
        ),
        ([patient(meta=None)], ("Patient/pat1", "Patient.meta.lastUpdated")),
        ([patient(generalPractitioner=None)], ("Patient/pat1", "Patient.generalPractitioner")),
        ([patient(birthDate="02/03/1950")], ("Patient/pat1", "Patient.birthDate")),
        (
            [patient(), {**condition("E11.9"), "code": {"text": "diabetes"}}],
            ("Condition/c1", "Condition.code.coding"),
        ),
        ([patient(), condition("XYZ")], ("Condition/c1", "Condition.code.coding.code")),
        ([condition("E11.9")], ("Condition/c1", "Condition.subject")),
        ([patient(), encounter("AMB")], ("Encounter/e1", "Encounter.type")),
        (
            [patient(), consent(category=[{"text": "general"}])],
            ("Consent/cons1", "Consent.category"),
        ),
        ([patient(), consent(performer=None)], ("Consent/cons1", "Consent.performer")),
        ([patient(), careplan(goal=None)], ("CarePlan/cp1", "CarePlan.goal")),
        ([patient(), procedure(category=None)], ("Procedure/t1", "Procedure.category")),
        (
            [
                patient(),
                procedure(
                    performedPeriod=None,
                    performedDateTime="2026-11-10T10:00:00-05:00",
                    extension=[
                        {"url": profile.DURATION, "valueDuration": {"value": 12.5, "code": "min"}}
                    ],
                ),
            ],
            ("Procedure/t1", "Procedure.extension"),
        ),
        (
            [
                patient(),
                procedure(
                    performer=[
                        {"actor": {"identifier": {"system": profile.STAFF, "value": "rn-1"}}}
                    ]
                ),
            ],
            ("Procedure/t1", "Procedure.performer[0].function"),
        ),
        ([{"resourceType": "Observation", "id": "o1"}], ("Observation/o1", "resourceType")),
    ],
)
def test_refusals_name_the_resource_and_the_fhirpath(
    resources: list[dict[str, Any]], where: tuple[str, str]
) -> None:
    assert refusal(*resources) == where


def test_a_refused_condition_refuses_its_patient_and_a_transaction_refuses_all() -> None:
    batch = mapped("batch", patient(), condition("XYZ"), consent())
    assert [r.resource for r in batch.refused] == ["Patient/pat1", "Condition/c1"]
    assert [e.type for _, e in batch.events] == ["consent_recorded"]
    transaction = mapped("transaction", patient(), condition("XYZ"), consent())
    assert transaction.events == [] and len(transaction.refused) == 2


def test_no_refusal_or_outcome_shows_a_value_of_the_resource() -> None:
    bad = [
        patient(birthDate="1950-13-45"),
        coverage(),
        condition("XYZ", rid="c9"),
        patient(pid="p 2", rid="pat2"),
        procedure(subject={"reference": "Patient/nobody"}),
    ]
    out = mapped("batch", *bad)
    text = str(refused(out.refused)) + " ".join(r.reason for r in out.refused)
    for phi in (NAME, "Synth-Ashby", BIRTH, "1950-13-45", MBI, "MRN-1", "XYZ", "p 2", "nobody"):
        assert phi not in text, phi
    assert refused(out.refused)["issue"][0]["expression"] == ["Patient.birthDate"]


def test_bundles_must_be_transaction_or_batch() -> None:
    with pytest.raises(BadInput) as bad:
        bundle_items({"resourceType": "Bundle", "type": "collection"})
    assert bad.value.expression == "Bundle.type"
    deleted = bundle("batch", patient())
    deleted["entry"][0]["request"]["method"] = "DELETE"
    out = map_items(bundle_items(deleted)[1], "ehr")
    assert out.refused[0].expression == "Bundle.entry.request.method"


async def test_ndjson_feed_numbers_refusals_by_line() -> None:
    import json

    lines = [json.dumps(patient()), "{not json", json.dumps(procedure(category=None))]
    feed = await read_fhir_feed(
        "\n".join(lines).encode(), "ehr", datetime(2026, 12, 1, tzinfo=UTC), EDGE_POLICY
    )
    assert [n for n, _ in feed.events] == [1]
    assert [(r.line, r.field) for r in feed.rejected] == [(2, "(line)"), (3, "Procedure.category")]


async def test_a_patient_named_by_a_linked_mrn_gets_the_engine_id() -> None:
    async def linked(identifiers: Sequence[tuple[str, str]]) -> str | None:
        return "p-0077" if ("urn:mrn:hosp", "MRN-7") in identifiers else None

    by_mrn = patient(identifier=[{"system": "urn:mrn:hosp", "value": "MRN-7"}])
    unknown = patient(rid="pat2", identifier=[{"system": "urn:mrn:hosp", "value": "MRN-8"}])
    entry = procedure(
        rid="t2", subject={"identifier": {"system": "urn:mrn:hosp", "value": "MRN-7"}}
    )
    items = await link_patients(bundle_items(bundle("batch", by_mrn, unknown, entry))[1], linked)
    out = map_items(items, "ehr")
    assert [(e.type, e.patient_id) for _, e in out.events] == [
        ("patient_identified", "p-0077"),
        ("time_logged", "p-0077"),
    ]
    assert [(r.resource, r.expression) for r in out.refused] == [
        ("Patient/pat2", "Patient.identifier")
    ]


HOME = {"use": "home", "line": ["1 Synthetic Way", "Apt 2"], "city": "Testville",
        "state": "MD", "postalCode": "21244-0001"}  # fmt: skip


@pytest.mark.parametrize(
    "extra, address, sex",
    [
        ({}, None, None),
        ({"gender": "female"}, None, "F"),
        ({"gender": "male"}, None, "M"),
        ({"gender": "other"}, None, "U"),
        ({"gender": "unknown"}, None, "U"),
        (
            {"address": [HOME]},
            {"line1": "1 Synthetic Way", "line2": "Apt 2", "city": "Testville", "state": "MD",
             "zip": "212440001"},
            None,
        ),
        (
            {"address": [{**HOME, "use": "old", "city": "Oldtown"},
                         {"line": ["9 Synthetic Rd"], "city": "Testville", "state": "VA",
                          "postalCode": "22030"}]},
            {"line1": "9 Synthetic Rd", "line2": None, "city": "Testville", "state": "VA",
             "zip": "22030"},
            None,
        ),
        ({"address": [{**HOME, "type": "physical"}]}, None, None),
        ({"address": [{"city": "Testville", "state": "MD"}]}, None, None),
    ],
)  # fmt: skip
def test_patient_address_and_gender_are_the_subscriber_s(
    extra: dict[str, Any], address: dict[str, str] | None, sex: str | None
) -> None:
    out = mapped("batch", patient(**extra))
    assert not out.refused, out.refused
    (event,) = [e for _, e in out.events]
    demographics = event.model_dump(mode="json")["demographics"]
    assert demographics.get("address") == address and demographics.get("sex") == sex


@pytest.mark.parametrize(
    "address",
    [
        {**HOME, "state": "Maryland"},
        {**HOME, "postalCode": "2124"},
        {**HOME, "postalCode": "K1A 0B1"},
        {**HOME, "city": None},
    ],
)
def test_an_address_the_contract_refuses_is_refused_at_patient_address(
    address: dict[str, Any],
) -> None:
    out = mapped("batch", patient(address=[{k: v for k, v in address.items() if v is not None}]))
    assert [(r.resource, r.expression) for r in out.refused] == [
        ("Patient/pat1", "Patient.address")
    ]
    shown = json.dumps([r.reason for r in out.refused])
    assert "Maryland" not in shown and "2124" not in shown and "K1A" not in shown
