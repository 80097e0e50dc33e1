"""Guarantee 2: appending an already stored event is a no-op returning where it is stored."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from events.base import stream_for
from events.store import DuplicateEventConflict, EventStore, WrongExpectedVersion
from events.upstream import StaffRole, TimeLogged

pytestmark = pytest.mark.integration
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STREAM = stream_for("p1")


def logged(n: int, minutes: int = 5, patient: str = "p1") -> TimeLogged:
    return TimeLogged(
        event_id=f"time-{n}", patient_id=patient, occurred_at=AT, entry_id=f"entry-{n}",
        staff_id="staff-1", role=StaffRole.clinical_staff, minutes=minutes, at=AT,
    )  # fmt: skip


async def test_a_retried_batch_returns_the_stored_positions_whatever_the_expected_version(
    store: EventStore,
) -> None:
    batch = [logged(1), logged(2)]
    first = await store.append(STREAM, batch, expected_version=0)
    await store.append(STREAM, [logged(3)], expected_version=2)
    retried = await store.append(STREAM, batch, expected_version=0)
    assert retried.positions == first.positions
    assert (retried.appended, retried.duplicates, retried.version) == (0, 2, 3)
    assert len(await store.read_stream(STREAM)) == 3


async def test_different_content_under_a_stored_id_is_a_conflict_and_writes_nothing(
    store: EventStore,
) -> None:
    await store.append(STREAM, [logged(1, minutes=5)], expected_version=0)
    with pytest.raises(DuplicateEventConflict) as caught:
        await store.append(STREAM, [logged(2), logged(1, minutes=50)], expected_version=1)
    assert caught.value.store_key == "upstream:time-1"
    assert "upstream:time-1" in str(caught.value) and STREAM in str(caught.value)
    assert await store.stream_version(STREAM) == 1


async def test_the_same_id_in_another_patients_stream_is_a_conflict(store: EventStore) -> None:
    await store.append(STREAM, [logged(1)], expected_version=0)
    with pytest.raises(DuplicateEventConflict):
        await store.append(stream_for("p2"), [logged(1, patient="p2")], expected_version=0)


async def test_a_partial_duplicate_skips_the_stored_events_and_appends_the_rest(
    store: EventStore,
) -> None:
    first = await store.append(STREAM, [logged(1)], expected_version=0)
    result = await store.append(STREAM, [logged(1), logged(2)], expected_version=1)
    assert result.positions[0] == first.positions[0]
    assert (result.appended, result.duplicates, result.version) == (1, 1, 2)


async def test_a_partial_duplicate_still_checks_the_expected_version(store: EventStore) -> None:
    await store.append(STREAM, [logged(1)], expected_version=0)
    with pytest.raises(WrongExpectedVersion) as caught:
        await store.append(STREAM, [logged(1), logged(2)], expected_version=0)
    assert caught.value.actual == 1


async def test_a_repeat_inside_one_batch_is_stored_once(store: EventStore) -> None:
    result = await store.append(STREAM, [logged(1), logged(2), logged(1)], expected_version=0)
    assert result.positions[0] == result.positions[2]
    assert (result.appended, result.duplicates, result.version) == (2, 1, 2)
    with pytest.raises(DuplicateEventConflict):
        await store.append(STREAM, [logged(3), logged(3, minutes=9)], expected_version=2)


async def test_concurrent_retries_of_one_batch_store_it_once(store: EventStore) -> None:
    batch = [logged(n) for n in range(1, 6)]
    results = await asyncio.gather(*(store.append(STREAM, batch, None) for _ in range(4)))
    assert sum(r.appended for r in results) == 5
    assert all(r.positions == results[0].positions for r in results)
    assert len(await store.read_stream(STREAM)) == 5
