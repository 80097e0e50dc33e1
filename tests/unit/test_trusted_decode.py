"""The stored-event validators (events/trusted.py) give what full validation gives, still refuse
what is not an event of the model (naming the field), and skip only the Python after-checks."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

import pytest
from pydantic import BeforeValidator, ConfigDict, ValidationError

from bench.synthetic import patient_history
from events.base import Event, PatientEvent
from events.registry import DEFAULT_REGISTRY
from events.trusted import decode_stored
from events.upstream import PatientIdentified, TimeLogged
from upstream.synth import generate_feed

FEED: list[Event] = [*generate_feed(end=date(2026, 11, 27), patients=60)]
FEED += [e for p in range(5) for e in patient_history(f"bench-{p}", "2025-11", 6, seed=3)]
TIME = TimeLogged.model_validate_json(
    '{"event_id": "t-1", "patient_id": "p1", "occurred_at": "2026-03-02T09:30:00-05:00",'
    ' "entry_id": "e-1", "staff_id": "s-7", "role": "clinical_staff", "minutes": 12,'
    ' "at": "2026-03-02T09:30:00-05:00"}'
)


def test_every_stored_event_decodes_to_what_full_validation_gives() -> None:
    types = set()
    for event in FEED:
        _, _, text = DEFAULT_REGISTRY.encode_json(event)
        fast = decode_stored(type(event), text)
        assert type(fast) is type(event) and fast == event
        assert fast.model_dump_json() == text  # re-encoding gives the stored bytes back
        types.add(event.type)
    assert len(types) >= 15


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"minutes": "12"}, "minutes"),  # wrong JSON type
        ({"at": "2026-03-02T09:30:00"}, "at"),  # naive datetime
        ({"at": "1772722800"}, "at"),  # a Unix time in a string, which pydantic alone would read
        ({"at": "2026-03-02 09:30:00-05:00"}, "at"),  # not the extended ISO 8601 form
        ({"at": "2026-02-30T09:30:00-05:00"}, "at"),  # the form, but no such day
        ({"role": "janitor"}, "role"),  # not an enum value
        ({"staff_id": "s 7"}, "staff_id"),  # pattern
        ({"surprise": 1}, "surprise"),  # extra key
        ({"meta": {"source": 5}}, "meta.source"),  # wrong type in a nested model
    ],
)
def test_a_row_that_is_not_such_an_event_fails_naming_the_field(
    change: dict[str, object], field: str
) -> None:
    data = {**TIME.model_dump(mode="json"), **change}
    with pytest.raises(ValidationError) as caught:
        decode_stored(TimeLogged, json.dumps(data))
    assert field in {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


def test_a_missing_key_fails_naming_it() -> None:
    data = TIME.model_dump(mode="json")
    del data["staff_id"]
    with pytest.raises(ValidationError, match="staff_id"):
        decode_stored(TimeLogged, json.dumps(data))


def test_only_the_python_after_checks_are_skipped_and_only_on_the_read_path() -> None:
    # A credential with a control character and neither minutes nor an interval: both refused
    # at the edge by Python after-validators (the field's, and the model's in a nested check).
    data = {**TIME.model_dump(mode="json"), "credential": "R\x01N", "minutes": None}
    text = json.dumps(data)
    assert decode_stored(TimeLogged, text).credential == "R\x01N"
    with pytest.raises(ValidationError):
        TimeLogged.model_validate_json(text)  # the edge's model is untouched


class Shouted(PatientEvent):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["shouted"] = "shouted"
    schema_version: Literal[1] = 1
    word: Annotated[str, BeforeValidator(lambda v: str(v).upper())]


def test_validators_that_shape_the_input_still_run() -> None:
    stored = Shouted(event_id="s-1", patient_id="p1", occurred_at=TIME.occurred_at, word="hi")
    text = stored.model_dump_json().replace('"HI"', '"hey"')
    assert decode_stored(Shouted, text).word == "HEY"


@pytest.mark.parametrize("day", ["20251104", "1762214400", "2025-11-31", "2025-11-4"])
def test_a_stored_day_must_be_a_real_iso_date(day: str) -> None:
    identified = next(e for e in FEED if isinstance(e, PatientIdentified) and e.last_visit_on)
    data = {**identified.model_dump(mode="json"), "last_visit_on": day}
    with pytest.raises(ValidationError) as caught:
        decode_stored(PatientIdentified, json.dumps(data))
    assert [e["loc"] for e in caught.value.errors()] == [("last_visit_on",)]
