"""The ledger's set-based statements give what applying its events one by one gives.

The ledger computes its rows inside PostgreSQL, one statement per event type per batch
(projections/set_sql.py). These tests pin what that must preserve: a batch holding several events
for one row equals those events in batches of one, older schema versions read through their
upcasters, and a row the database refuses sets only its patient aside without quoting the value.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from bench.synthetic import decision, patient_history
from events.base import EventMeta, PatientEvent, stream_for
from events.decisions import ClaimPrepared, MonthClosed
from events.store import EventStore
from events.upstream import ClaimAdjudicated
from projections import checkpoints, ledger, quarantine
from projections.base import Projection
from projections.drain import drain
from projections.runner import catch_up
from projections.set_sql import SetSql

pytestmark = pytest.mark.integration

ENGINE = EventMeta(source="engine", actor="ccm-engine")
AT = datetime(2025, 4, 4, tzinfo=UTC)


def closed(pid: str, month: str, minutes: int, at: datetime, key: str) -> MonthClosed:
    return MonthClosed(
        event_id=f"{pid}.{key}.{month}", patient_id=pid, occurred_at=at, meta=ENGINE,
        service_month=month, decision=decision(month, minutes), facts=None, policy_version=0,
    )  # fmt: skip


def claimed(close: MonthClosed, claim_id: str, at: datetime, expected: Decimal) -> ClaimPrepared:
    """The claim for ``close``'s decision, prepared at ``at``."""
    d = close.decision
    assert d.date_of_service is not None
    return ClaimPrepared(
        event_id=f"{close.patient_id}.claim.{d.service_month}", patient_id=close.patient_id,
        occurred_at=at, meta=ENGINE, claim_id=claim_id, service_month=d.service_month,
        practitioner_id="dr-1", codes=d.codes, date_of_service=d.date_of_service,
        allowed_amount=d.allowed_amount, patient_share=d.patient_share, expected_payment=expected,
    )  # fmt: skip


def second_thoughts(pid: str) -> list[PatientEvent]:
    """Events that write one ledger row twice: a month closed again with more minutes, a claim
    prepared again without an expected payment, and a denial overturned by a payment."""
    first = closed(pid, "2025-03", 25, AT, "reclose")
    again = first.model_copy(
        update={
            "event_id": f"{pid}.reclose2",
            "occurred_at": AT + timedelta(hours=1),
            "decision": decision("2025-03", 45),
        }
    )
    claim = claimed(again, f"c-{pid}", AT + timedelta(hours=2), Decimal("70.10"))
    reprepared = claim.model_copy(
        update={"event_id": f"{pid}.claim2", "expected_payment": None, "practitioner_id": "dr-2"}
    )
    denied = ClaimAdjudicated(
        event_id=f"{pid}.remit1", patient_id=pid, occurred_at=AT + timedelta(days=9),
        claim_id=f"c-{pid}", status="denied", reason_codes=["CO-16"],
    )  # fmt: skip
    paid = denied.model_copy(
        update={
            "event_id": f"{pid}.remit2",
            "status": "paid",
            "paid_amount": Decimal("70.10"),
            "reason_codes": [],
            "occurred_at": AT + timedelta(days=30),
        }
    )
    return [first, again, claim, reprepared, denied, paid]


def corrected(pid: str) -> list[PatientEvent]:
    """A month billed, then closed again (a reopen's corrective close) to bill nothing: the claim
    prepared in between must not put its codes back."""
    at = AT + timedelta(days=31)
    close = closed(pid, "2025-04", 45, at, "close")
    claim = claimed(close, f"c4-{pid}", at + timedelta(hours=1), Decimal("88.00"))
    correction = close.model_copy(
        update={
            "event_id": f"{pid}.correct.2025-04",
            "occurred_at": at + timedelta(days=2),
            "decision": decision("2025-04", 10),
        }
    )
    return [close, claim, correction]


async def ledger_rows(pool: asyncpg.Pool) -> list[tuple[object, ...]]:
    rows = await pool.fetch("SELECT * FROM ledger_months ORDER BY patient_id, service_month")
    return [tuple(r.values()) for r in rows]


async def rebuilt_with(pool: asyncpg.Pool, store: EventStore, batch_size: int) -> list[object]:
    await pool.execute("TRUNCATE ledger_months, ledger_late_entries")
    async with pool.acquire() as conn:
        await checkpoints.reset(conn, ledger.projection.name)
        result = await drain(conn, store, [ledger.projection], batch_size=batch_size)
    assert result.failures == []
    return list(await ledger_rows(pool))


async def test_a_batch_of_many_events_per_row_equals_batches_of_one(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    for pid in ("s001", "s002"):
        history = patient_history(pid, "2025-01", 2, seed=3) + second_thoughts(pid) + corrected(pid)
        await store.append(stream_for(pid), history, expected_version=None)
    one_by_one = await rebuilt_with(pool, store, batch_size=1)
    together = await rebuilt_with(pool, store, batch_size=5000)
    assert together == one_by_one
    row = await pool.fetchrow(
        "SELECT * FROM ledger_months WHERE patient_id = 's001' AND service_month = '2025-03'"
    )
    assert row is not None
    assert (row["counted_minutes"], row["practitioner_id"]) == (45, "dr-2")  # the later ones
    assert row["expected_payment"] == Decimal("70.10")  # kept from the first preparation
    assert (row["claim_status"], row["paid_amount"], row["reason_codes"]) == (
        "paid", Decimal("70.10"), [],
    )  # fmt: skip
    row = await pool.fetchrow(
        "SELECT * FROM ledger_months WHERE patient_id = 's001' AND service_month = '2025-04'"
    )
    assert row is not None
    assert (row["bills"], json.loads(row["codes"]), row["expected_payment"]) == (False, [], None)
    assert (row["claim_id"], row["claim_status"]) == ("c4-s001", "prepared")


async def insert_raw(
    pool: asyncpg.Pool, stream: str, type_: str, version: int, data: object
) -> None:
    """A stored row written by hand (digest and hash are not checked by projections)."""
    await pool.execute(
        "INSERT INTO events (position, stream, version, event_id, type, schema_version, payload,"
        " recorded_at, digest, hash) VALUES (nextval('events_position_seq'), $1,"
        " (SELECT coalesce(max(version), 0) + 1 FROM events WHERE stream = $1), $2, $3, $4, $5,"
        " now(), '\\x00', '\\x00')",
        stream, f"engine:{stream}.{type_}.{version}", type_, version, json.dumps(data),
    )  # fmt: skip


async def test_old_schema_versions_reach_the_ledger_through_their_upcasters(
    pool: asyncpg.Pool,
) -> None:
    close = closed("old", "2025-02", 25, AT, "close").model_dump(mode="json")
    v1 = {k: v for k, v in close.items() if k not in ("facts", "policy_version")}
    v1["decision"] = {**close["decision"], "g0506_on": "2025-02-10",
                      "codes": [{"code": "99490", "units": 1}]}  # fmt: skip
    await insert_raw(pool, "patient-old", "month_closed", 1, {**v1, "schema_version": 1})
    await catch_up(pool, ["ledger"])
    row = await pool.fetchrow("SELECT codes::text, bills FROM ledger_months WHERE patient_id='old'")
    assert row is not None and row["bills"] is True
    assert json.loads(row["codes"]) == [
        {"code": "99490", "units": 1, "date_of_service": "2025-02-28"},
        {"code": "G0506", "units": 1, "date_of_service": "2025-02-10"},
    ]


async def test_a_row_the_database_refuses_sets_aside_its_patient_without_quoting_it(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    await store.append(
        stream_for("g001"), patient_history("g001", "2025-01", 2, seed=3), expected_version=None
    )
    bad = closed("x", "2025-02", 25, AT, "close").model_dump(mode="json")
    bad["decision"]["counted_minutes"] = "Jane Doe 1950-01-01"
    await insert_raw(pool, "patient-x", "month_closed", 3, bad)
    await store.append(
        stream_for("g002"), patient_history("g002", "2025-01", 2, seed=4), expected_version=None
    )
    await catch_up(pool, ["ledger"])
    async with pool.acquire() as conn:
        [aside] = await quarantine.listed(conn, ["ledger"])
    assert (aside.stream, aside.event_type) == ("patient-x", "month_closed")
    assert "month_closed rows rejected by the database" in aside.reason
    assert "Jane" not in aside.reason and "1950" not in aside.reason
    patients = {r[0] for r in await ledger_rows(pool)}
    assert patients == {"g001", "g002"}
    assert date(2025, 2, 28) in {r[9] for r in await ledger_rows(pool)}


async def test_set_based_statements_are_planned_for_each_span_and_the_session_keeps_its_mode(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    await pool.execute("CREATE TABLE test_plan_modes (mode text NOT NULL)")
    modes = SetSql(
        MonthClosed,
        "INSERT INTO test_plan_modes SELECT current_setting('plan_cache_mode') FROM src LIMIT 1",
    )
    projection = Projection("test_plan_modes", ("test_plan_modes",), (modes,))
    await store.append(
        stream_for("m001"), patient_history("m001", "2025-01", 6, seed=2), expected_version=None
    )
    async with pool.acquire() as conn:
        await checkpoints.ensure(conn, [projection.name])
        await drain(conn, store, [projection], batch_size=10)
        after = await conn.fetchval("SELECT current_setting('plan_cache_mode')")
    planned = [r[0] for r in await pool.fetch("SELECT mode FROM test_plan_modes")]
    assert len(planned) > 1 and set(planned) == {"force_custom_plan"}
    assert after == "auto"
