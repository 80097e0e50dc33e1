"""Guarantee 6: typed events read back as the current model, or fail naming the position."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

import asyncpg
import pytest

from events.base import EventMeta, PatientEvent, stream_for
from events.decisions import PhaseChanged
from events.registry import AnyEvent, EventDecodeError, EventEncodeError, Registry, union_members
from events.store import EventStore
from events.upstream import ClaimAdjudicated, Demographics, PatientIdentified

pytestmark = pytest.mark.integration
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STREAM = stream_for("p1")


class NoteV1(PatientEvent):
    """A test event as an older release wrote it."""

    type: Literal["note_added"] = "note_added"
    schema_version: Literal[1] = 1
    minutes_spent: int


class NoteV2(PatientEvent):
    """The same event today: renamed field, plus one the old version lacked."""

    type: Literal["note_added"] = "note_added"
    schema_version: Literal[2] = 2
    minutes: int
    channel: str


def registry_with(*models: type[PatientEvent]) -> Registry:
    return Registry([*union_members(AnyEvent), *models])


def note(minutes: int) -> NoteV1:
    return NoteV1(event_id="note-1", patient_id="p1", occurred_at=AT, minutes_spent=minutes)


async def test_events_and_their_metadata_read_back_unchanged(store: EventStore) -> None:
    meta = EventMeta(source="ehr", actor="staff-1", correlation_id="msg-9", causation_id="msg-8")
    events: list[PatientEvent] = [
        PatientIdentified(
            event_id="id-1", patient_id="p1", occurred_at=AT, meta=meta, practice_id="pr-1",
            practitioner_id="dr-1", diagnoses=["E11.9", "I10"], last_visit_on=date(2026, 1, 5),
            demographics=Demographics(name="A Patient", birth_date=date(1950, 2, 1)),
        ),
        ClaimAdjudicated(
            event_id="era-1", patient_id="p1", occurred_at=AT, claim_id="c-1", status="paid",
            paid_amount=Decimal("41.17"), reason_codes=["CO-45"],
        ),
        PhaseChanged(
            event_id="phase-1", patient_id="p1", occurred_at=AT, previous="identified",
            phase="eligible", reason="two chronic conditions",
        ),
    ]  # fmt: skip
    await store.append(STREAM, events, expected_version=0)
    read = await store.read_stream(STREAM)
    assert [s.event for s in read] == events
    assert [s.event_id for s in read] == ["ehr:id-1", "upstream:era-1", "engine:phase-1"]
    assert all(s.recorded_at.tzinfo is not None and s.recorded_at > AT for s in read)


async def test_an_old_version_reads_as_the_current_model_through_its_upcaster(
    pool: asyncpg.Pool,
) -> None:
    await EventStore(pool, registry_with(NoteV1)).append(STREAM, [note(12)], 0)
    today = registry_with(NoteV2)

    @today.upcaster("note_added", 1)
    def minutes_renamed(data: dict[str, Any]) -> dict[str, Any]:
        data["minutes"] = data.pop("minutes_spent")
        return {**data, "channel": "unknown"}

    [stored] = await EventStore(pool, today).read_all(0)
    assert stored.schema_version == 1
    assert stored.event == NoteV2(
        event_id="note-1", patient_id="p1", occurred_at=AT, minutes=12, channel="unknown"
    )


async def test_an_unknown_type_is_an_error_naming_its_position(pool: asyncpg.Pool) -> None:
    result = await EventStore(pool, registry_with(NoteV1)).append(STREAM, [note(12)], 0)
    with pytest.raises(EventDecodeError) as caught:
        await EventStore(pool).read_all(0)
    assert caught.value.position == result.positions[0]
    assert str(caught.value) == (
        f"event at position {result.positions[0]} (note_added v1): unknown event type"
    )
    with pytest.raises(EventDecodeError):
        await EventStore(pool).read_stream(STREAM)


async def test_malformed_data_is_an_error_naming_the_field_but_not_the_value(
    pool: asyncpg.Pool,
) -> None:
    class LooseNote(PatientEvent):
        type: Literal["note_added"] = "note_added"
        schema_version: Literal[1] = 1
        minutes_spent: str

    loose = LooseNote(event_id="n-1", patient_id="p1", occurred_at=AT, minutes_spent="Jane Doe")
    result = await EventStore(pool, registry_with(LooseNote)).append(STREAM, [loose], 0)
    with pytest.raises(EventDecodeError) as caught:
        await EventStore(pool, registry_with(NoteV1)).read_all(0)
    message = str(caught.value)
    assert f"position {result.positions[0]}" in message and "minutes_spent" in message
    assert "Jane" not in message


@pytest.mark.parametrize(
    "reader, reason",
    [(registry_with(NoteV2), "no upcaster from v1"), (Registry(), "unknown event type")],
)
async def test_a_version_without_a_path_to_the_current_model_is_an_error(
    pool: asyncpg.Pool, reader: Registry, reason: str
) -> None:
    await EventStore(pool, registry_with(NoteV1)).append(STREAM, [note(3)], 0)
    with pytest.raises(EventDecodeError, match=reason):
        await EventStore(pool, reader).read_all(0)


async def test_an_upcaster_that_fails_is_an_error_naming_the_position(
    pool: asyncpg.Pool,
) -> None:
    result = await EventStore(pool, registry_with(NoteV1)).append(STREAM, [note(12)], 0)
    today = registry_with(NoteV2)

    @today.upcaster("note_added", 1)
    def expects_another_field(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "minutes": data["duration"], "channel": "phone"}

    with pytest.raises(EventDecodeError) as caught:
        await EventStore(pool, today).read_all(0)
    assert str(caught.value) == (
        f"event at position {result.positions[0]} (note_added v1):"
        " upcaster from v1 failed (KeyError)"
    )


async def test_a_version_newer_than_the_code_is_an_error(pool: asyncpg.Pool) -> None:
    v2 = NoteV2(event_id="note-1", patient_id="p1", occurred_at=AT, minutes=3, channel="phone")
    await EventStore(pool, registry_with(NoteV2)).append(STREAM, [v2], 0)
    with pytest.raises(EventDecodeError, match=r"note_added v2\): newer than this code \(v1\)"):
        await EventStore(pool, registry_with(NoteV1)).read_all(0)


async def test_an_unregistered_event_is_refused_before_it_is_stored(store: EventStore) -> None:
    with pytest.raises(EventEncodeError, match="note_added"):
        await store.append(STREAM, [note(3)], expected_version=0)
    assert await store.head_position() == 0
