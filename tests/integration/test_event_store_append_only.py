"""Guarantee 4: the database itself refuses to change or remove stored events."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest

from events.base import stream_for
from events.store import EventStore
from events.upstream import ConsentRecorded, Disclosures

pytestmark = pytest.mark.integration
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
REFUSED = "CCM03"


@pytest.fixture
async def stored(store: EventStore) -> None:
    consent = ConsentRecorded(
        event_id="consent-1", patient_id="p1", occurred_at=AT, method="verbal",
        obtained_by="staff-1",
        disclosures=Disclosures(
            availability=True, cost_sharing=True, stop_anytime=True, one_practitioner=True
        ),
    )  # fmt: skip
    await store.append(stream_for("p1"), [consent], expected_version=0)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = '{}'",
        "UPDATE events SET recorded_at = now()",
        "DELETE FROM events",
        "TRUNCATE events",
        "DELETE FROM streams",
        "TRUNCATE streams CASCADE",
    ],
)
async def test_changing_history_is_refused_by_the_database(
    stored: None, pool: asyncpg.Pool, statement: str
) -> None:
    with pytest.raises(asyncpg.PostgresError) as caught:
        await pool.execute(statement)
    assert caught.value.sqlstate == REFUSED
    assert "append-only" in str(caught.value)
    assert await pool.fetchval("SELECT count(*) FROM events") == 1
