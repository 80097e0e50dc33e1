"""Guarantee 1: per-stream optimistic concurrency, with the conflict named precisely."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from events.base import stream_for
from events.store import AppendResult, EventStore, WrongExpectedVersion
from events.upstream import OutreachAttempted

pytestmark = pytest.mark.integration
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def outreach(patient: str, n: int) -> OutreachAttempted:
    return OutreachAttempted(
        event_id=f"{patient}-call-{n}", patient_id=patient, occurred_at=AT,
        channel="phone", outcome="no_answer", staff_id="staff-1",
    )  # fmt: skip


async def test_versions_start_at_1_and_positions_follow_the_order_given(store: EventStore) -> None:
    stream = stream_for("p1")
    first = await store.append(stream, [outreach("p1", 1), outreach("p1", 2)], expected_version=0)
    second = await store.append(stream, [outreach("p1", 3)], expected_version=2)
    assert first.version == 2 and second.version == 3
    positions = first.positions + second.positions
    assert positions == sorted(positions) and len(set(positions)) == 3
    read = await store.read_stream(stream)
    assert [e.version for e in read] == [1, 2, 3]
    assert [e.position for e in read] == positions
    assert await store.stream_version(stream) == 3


async def test_a_stale_expected_version_is_refused_naming_stream_expected_and_actual(
    store: EventStore,
) -> None:
    stream = stream_for("p1")
    await store.append(stream, [outreach("p1", 1), outreach("p1", 2)], expected_version=0)
    with pytest.raises(WrongExpectedVersion) as caught:
        await store.append(stream, [outreach("p1", 3)], expected_version=1)
    err = caught.value
    assert (err.stream, err.expected, err.actual) == (stream, 1, 2)
    assert stream in str(err) and "expected version 1" in str(err) and "actual 2" in str(err)
    assert await store.stream_version(stream) == 2


async def test_of_two_appends_racing_from_the_same_version_exactly_one_wins(
    store: EventStore,
) -> None:
    stream = stream_for("p1")
    await store.append(stream, [outreach("p1", 0)], expected_version=0)
    results = await asyncio.gather(
        *(store.append(stream, [outreach("p1", n)], expected_version=1) for n in range(1, 6)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, AppendResult)]
    losers = [r for r in results if isinstance(r, WrongExpectedVersion)]
    assert len(winners) == 1 and len(losers) == 4
    assert all(e.actual == 2 for e in losers)
    assert await store.stream_version(stream) == 2


async def test_no_expected_version_appends_after_whatever_is_there(store: EventStore) -> None:
    stream = stream_for("p1")
    await store.append(stream, [outreach("p1", 1)], expected_version=None)
    result = await store.append(stream, [outreach("p1", 2)], expected_version=None)
    assert result.version == 2


async def test_an_empty_batch_appends_nothing_but_still_checks_the_version(
    store: EventStore,
) -> None:
    stream = stream_for("p1")
    assert (await store.append(stream, [], expected_version=0)).version == 0
    with pytest.raises(WrongExpectedVersion):
        await store.append(stream, [], expected_version=3)


async def test_an_event_of_another_patient_is_refused_before_anything_is_written(
    store: EventStore,
) -> None:
    with pytest.raises(ValueError, match=r"events\[1\] belongs to patient-p2"):
        await store.append(stream_for("p1"), [outreach("p1", 1), outreach("p2", 1)], 0)
    assert await store.head_position() == 0
