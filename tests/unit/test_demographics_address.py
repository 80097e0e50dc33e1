"""The demographics' optional address and administrative sex: strictly bounded, errors never echo
the value, and an identification without them stores exactly the JSON it stored before them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from events.upstream import Demographics, PatientIdentified

HOME = {"line1": "1 Synthetic Way", "city": "Testville", "state": "MD", "zip": "21244"}


def identified(**demographics: Any) -> PatientIdentified:
    return PatientIdentified.model_validate(
        {
            "event_id": "e1", "patient_id": "p1", "occurred_at": "2026-10-01T09:00:00Z",
            "practice_id": "practice-1", "practitioner_id": "dr-1", "diagnoses": ["E11.9"],
            "demographics": {"name": "Ann Synth-Tester", "birth_date": "1950-01-02",
                             **demographics},
        }
    )  # fmt: skip


def test_without_address_or_sex_the_stored_json_is_the_old_shape() -> None:
    stored = json.loads(identified().model_dump_json())
    assert stored["demographics"] == {"name": "Ann Synth-Tester", "birth_date": "1950-01-02",
                                      "mbi": None}  # fmt: skip
    assert PatientIdentified.model_validate_json(identified().model_dump_json()) == identified()


def test_an_address_and_sex_round_trip() -> None:
    e = identified(address={**HOME, "zip": "212440001", "line2": "Apt 2"}, sex="F")
    assert e.demographics is not None and e.demographics.address is not None
    assert e.demographics.address.zip == "212440001" and e.demographics.sex == "F"
    assert PatientIdentified.model_validate_json(e.model_dump_json()) == e


@pytest.mark.parametrize(
    "field, value",
    [
        ("zip", "2124"), ("zip", "21244-0001"), ("zip", 21244), ("zip", "2124400012"),
        ("state", "md"), ("state", "XX"), ("state", "Maryland"),
        ("line1", "1 Synthetic\nWay"), ("line1", "x" * 56), ("line1", ""),
        ("city", "Test\x00ville"), ("city", "y" * 31), ("line2", "Apt\u2028 2"),
    ],
)  # fmt: skip
def test_a_bad_address_is_refused_naming_the_field_not_the_value(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        identified(address={**HOME, field: value})
    # What the edges report (feed, API, FHIR): the errors without their input.
    errors = exc.value.errors(include_input=False, include_url=False)
    assert [e["loc"] for e in errors] == [("demographics", "address", field)]
    assert not value or str(value) not in json.dumps(errors, default=str)


@pytest.mark.parametrize("value", ["female", "f", "X", 1, None])
def test_sex_is_f_m_or_u_only(value: Any) -> None:
    if value is None:  # omitted entirely is fine
        assert identified(sex=None).demographics == Demographics(
            name="Ann Synth-Tester", birth_date=date(1950, 1, 2)
        )
        return
    with pytest.raises(ValidationError) as exc:
        identified(sex=value)
    assert [e["loc"] for e in exc.value.errors()] == [("demographics", "sex")]


def test_an_unknown_address_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="country"):
        identified(address={**HOME, "country": "US"})
