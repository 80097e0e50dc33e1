"""The record activity (activities/record.py): a commit and its claims' hand-over in one call,
idempotent by business identity, and all or nothing with the claims outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.clearinghouse import OutboxClearinghouse
from activities.record import RecordActivities, RecordInput
from care.decision import ClaimLine
from events.base import stream_for
from events.decisions import ClaimPrepared
from events.store import EventStore


def claim(patient_id: str, month: str = "2025-12") -> ClaimPrepared:
    return ClaimPrepared(
        event_id=f"{patient_id}.claim-prepared.{month}",
        patient_id=patient_id,
        occurred_at=datetime(2026, 1, 4, 12, tzinfo=UTC),
        claim_id=f"claim-{patient_id}-{month}",
        service_month=month,
        practitioner_id="dr-1",
        codes=[ClaimLine(code="99490", units=1, date_of_service=date(2025, 12, 31))],
        date_of_service=date(2025, 12, 31),
        allowed_amount=Decimal("60.49"),
        patient_share=Decimal("12.10"),
    )


def close_of(prepared: ClaimPrepared) -> RecordInput:
    stream = stream_for(prepared.patient_id)
    return RecordInput(stream=stream, expected_version=0, events=[prepared], claims=[prepared])


async def outbox(pool: asyncpg.Pool, patient_id: str) -> list[str]:
    rows = await pool.fetch("SELECT claim_id FROM claims_outbox WHERE patient_id = $1", patient_id)
    return [r["claim_id"] for r in rows]


async def test_a_retried_call_keeps_one_claim_and_one_hand_over(app_pool: asyncpg.Pool) -> None:
    store = EventStore(app_pool)
    record = RecordActivities(store, OutboxClearinghouse(app_pool)).record
    prepared = claim("p-rec-1")
    first = await ActivityEnvironment().run(record, close_of(prepared))
    again = await ActivityEnvironment().run(record, close_of(prepared))  # a lost acknowledgement
    assert first == again and first.version == 2
    assert [s.submission_ref for s in first.submitted] == [f"outbox:{prepared.claim_id}"]
    stored = await store.read_stream(stream_for(prepared.patient_id))
    assert [s.type for s in stored] == ["claim_prepared", "claim_submitted"]
    assert await outbox(app_pool, prepared.patient_id) == [prepared.claim_id]


async def test_a_claim_the_outbox_refuses_keeps_nothing_of_the_call(
    app_pool: asyncpg.Pool,
) -> None:
    store = EventStore(app_pool)
    record = RecordActivities(store, OutboxClearinghouse(app_pool)).record
    prepared = claim("p-rec-2")
    await app_pool.execute(
        "INSERT INTO claims_outbox (claim_id, patient_id, service_month, practitioner_id, payload)"
        " VALUES ('legacy', $1, $2, 'dr-0', '{}'::jsonb)",
        prepared.patient_id,
        prepared.service_month,
    )
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(record, close_of(prepared))
    assert refused.value.type == "ClaimAlreadyExists" and refused.value.non_retryable
    assert await store.stream_version(stream_for(prepared.patient_id)) == 0  # rolled back whole
    assert await outbox(app_pool, prepared.patient_id) == ["legacy"]


class WatchingClearinghouse:
    """A FAKE clearinghouse (outside the engine, not transactional): notes what the store held
    for the patient when each claim reached it."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.seen: list[list[str]] = []

    async def submit(self, claim: ClaimPrepared) -> str:
        stored = await self.store.read_stream(stream_for(claim.patient_id))
        self.seen.append([s.type for s in stored])
        return f"fake:{claim.claim_id}"


async def test_any_other_adapter_gets_a_claim_only_once_its_close_is_stored(
    app_pool: asyncpg.Pool,
) -> None:
    store = EventStore(app_pool)
    fake = WatchingClearinghouse(store)
    prepared = claim("p-rec-3")
    recorded = await ActivityEnvironment().run(
        RecordActivities(store, fake).record, close_of(prepared)
    )
    assert fake.seen == [["claim_prepared"]]
    assert recorded.version == 2
    assert recorded.submitted[0].submission_ref == f"fake:{prepared.claim_id}"
