"""The database roles: the app role can append, project and insert claims, and nothing else.

Every privileged action issue 11 names is tried as the role the workers, ingest and projection
runner connect as, and must be refused by PostgreSQL itself (SQLSTATE 42501); the report role
can only read. The engine's own paths are then run as those roles, end to end.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from activities.clearinghouse import OutboxClearinghouse
from bench.synthetic import patient_history
from billing.fee_store import ImportRequest, save_schedule, schedule_in_effect
from care.fees import FeeEntry
from events.base import stream_for
from events.decisions import ClaimPrepared
from events.store import EventStore, WrongExpectedVersion
from events.verify import verify_chains
from projections import catalog, reports, status
from projections.rebuild import rebuild
from projections.runner import catch_up
from runtime.connect import migrate_database
from runtime.db_urls import DatabaseUrls
from runtime.errors import ServiceUnavailable
from runtime.settings import Settings
from runtime.stack import open_database

pytestmark = pytest.mark.integration
DENIED = "42501"  # insufficient_privilege
CHAIN = "SELECT md5(string_agg(hash::text, '' ORDER BY position)) FROM events"
APPEND_ARGS = "text, bigint, text[], text[], integer[], text[], bytea[], boolean"

APP_REFUSED = [
    "ALTER TABLE events DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "DROP TRIGGER events_refuse_update_delete ON events",
    "CREATE OR REPLACE FUNCTION ccm_refuse_change() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN RETURN NEW; END $$",
    f"ALTER FUNCTION ccm_append({APPEND_ARGS}) SECURITY INVOKER",
    "UPDATE streams SET version = 0",
    "INSERT INTO streams VALUES ('patient-x', 1, sha256('x'))",
    "UPDATE events SET payload = '{}'",
    "DELETE FROM events",
    "TRUNCATE events",
    "INSERT INTO events SELECT position + 1000, stream, version + 1000, event_id || 'x', type,"
    " schema_version, payload, recorded_at, digest, hash FROM events",
    "UPDATE claims_outbox SET status = 'sent'",
    "DELETE FROM claims_outbox",
    "UPDATE fee_schedules SET locality = 'x'",
    "DELETE FROM fee_schedule_amounts",
    "DELETE FROM projection_checkpoints",
    "COPY events FROM PROGRAM 'id'",
    "COPY (SELECT 1) TO PROGRAM 'cat > /tmp/ccm-role-test'",
    "SELECT pg_read_file('/etc/hostname')",
    "SELECT lo_import('/etc/hostname')",
    "SELECT rolpassword FROM pg_authid",
    "CREATE ROLE ccm_evil LOGIN SUPERUSER",
    "ALTER ROLE ccm_app SUPERUSER",
    "SET ROLE ccm_owner",
    "CREATE TABLE public.ccm_evil (a int)",
    "CREATE SCHEMA ccm_rebuild_evil",
]
REPORT_REFUSED = [
    "INSERT INTO ledger_months (patient_id, service_month) VALUES ('p', '2025-01')",
    "UPDATE projection_checkpoints SET position = 0",
    "DELETE FROM projection_quarantine",
    "INSERT INTO claims_outbox VALUES ('c', 'p', '2025-01', 'pr', '{}')",
    # Reads the claims (the review queue, reconciliation) but decides nothing (0009).
    "UPDATE claims_outbox SET review_status = 'approved'",
    "INSERT INTO remittance_files (sha256, file_name, imported_by)"
    " VALUES (repeat('0', 64), 'f', 'x')",
    "INSERT INTO fee_schedules (practice_id, year, effective_from, source_file, sha256)"
    " VALUES ('p', 2025, '2025-01-01', 'f', repeat('0', 64))",
    "SELECT ccm_append('patient-x', 0, '{}', '{}', '{}', '{}', '{}', false)",
    "SET session_replication_role = replica",
]


@pytest.fixture
async def history(store: EventStore, app_pool: asyncpg.Pool) -> list[ClaimPrepared]:
    """Two patients' streams appended as the app role; their claims in the outbox."""
    claims = []
    for patient in ("p1", "p2"):
        events = patient_history(patient, "2025-01", 2, seed=11)
        await store.append(stream_for(patient), events, expected_version=0)
        claims += [e for e in events if isinstance(e, ClaimPrepared)]
    outbox = OutboxClearinghouse(app_pool)
    for claim in claims:
        await outbox.submit(claim)
    return claims


@pytest.mark.parametrize("statement", APP_REFUSED)
async def test_the_app_role_is_refused_every_privileged_action(
    history: list[ClaimPrepared], app_pool: asyncpg.Pool, pool: asyncpg.Pool, statement: str
) -> None:
    before = await pool.fetchval(CHAIN)
    with pytest.raises(asyncpg.PostgresError) as refused:
        await app_pool.execute(statement)
    assert refused.value.sqlstate == DENIED, refused.value
    assert await pool.fetchval(CHAIN) == before
    pending = await pool.fetchval("SELECT count(*) FROM claims_outbox WHERE status = 'pending'")
    assert pending == len(history)


@pytest.mark.parametrize("statement", REPORT_REFUSED)
async def test_the_report_role_only_reads(
    history: list[ClaimPrepared], report_pool: asyncpg.Pool, statement: str
) -> None:
    with pytest.raises(asyncpg.PostgresError) as refused:
        await report_pool.execute(statement)
    assert refused.value.sqlstate == DENIED, refused.value


async def test_no_role_the_engine_uses_is_privileged_or_owns_the_event_store(
    db_urls: DatabaseUrls, pool: asyncpg.Pool
) -> None:
    for role in ("ccm_app", "ccm_report"):
        attributes = await pool.fetchrow(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
            " FROM pg_roles WHERE rolname = $1",
            role,
        )
        assert attributes is not None and not any(attributes.values()), role
        memberships = await pool.fetch(
            "SELECT roleid::regrole::text AS name FROM pg_auth_members WHERE member = $1::regrole",
            role,
        )
        assert memberships == [], role
        for privilege, check in [("CREATE", "has_database_privilege($1, current_database(), $2)"),
                                 ("CREATE", "has_schema_privilege($1, 'public', $2)")]:  # fmt: skip
            assert not await pool.fetchval(f"SELECT {check}", role, privilege), (role, check)
    owners = await pool.fetch(
        "SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class"
        " WHERE relnamespace = 'public'::regnamespace"
    )
    assert [r["owner"] for r in owners] == ["ccm_owner"]


async def test_every_table_is_granted_to_a_role_and_read_models_to_both(
    pool: asyncpg.Pool,
) -> None:
    tables = await pool.fetch(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
    )
    for row in tables:
        table = row["relname"]
        readers = [
            role
            for role in ("ccm_app", "ccm_report")
            if await pool.fetchval("SELECT has_table_privilege($1, $2, 'SELECT')", role, table)
        ]
        assert readers, f"{table} is granted to no role of the engine (add it to a migration)"
    for projection in catalog.ALL:
        for table in [*projection.tables, "projection_checkpoints", "projection_quarantine"]:
            assert await pool.fetchval(
                "SELECT has_table_privilege('ccm_app', $1, 'SELECT, INSERT, UPDATE')", table
            ), table
            assert await pool.fetchval(
                "SELECT has_table_privilege('ccm_report', $1, 'SELECT')", table
            ), table


async def test_the_engine_runs_as_its_roles(
    history: list[ClaimPrepared],
    store: EventStore,
    app_pool: asyncpg.Pool,
    report_pool: asyncpg.Pool,
) -> None:
    later = patient_history("p1", "2025-03", 1, seed=11)[-1:]  # a new event of March
    with pytest.raises(WrongExpectedVersion):
        await store.append(stream_for("p1"), later, expected_version=0)
    assert (await store.append(stream_for("p1"), later, expected_version=None)).appended == 1
    again = await store.append(stream_for("p1"), later, expected_version=0)
    assert again.appended == 0  # a retried batch is a no-op, whatever the expected version
    assert await catch_up(app_pool) > 0
    billed = await reports.billing_month(report_pool, "2025-01")
    assert {r.patient_id for r in billed} == {"p1", "p2"}
    assert all(s.lag_events == 0 for s in await status(report_pool))
    assert (await verify_chains(report_pool)).ok
    assert await OutboxClearinghouse(app_pool).submit(history[0]) == f"outbox:{history[0].claim_id}"
    entries = [FeeEntry(year=2026, code="99490", allowed=Decimal("70.00"), source="test")]
    request = ImportRequest(
        practice_id="practice-1", year=2026, effective_from=date(2026, 1, 1), locality=None,
        source_file="fees.csv", sha256="0" * 64, imported_by=None, entries=entries,
    )  # fmt: skip
    assert (await save_schedule(app_pool, request)).new
    schedule = await schedule_in_effect(report_pool, "practice-1", date(2026, 3, 31))
    assert schedule.amount(2026, "99490") == Decimal("70.00")


async def test_a_temporary_table_cannot_stand_in_for_the_stream_heads(
    history: list[ClaimPrepared], db_urls: DatabaseUrls, pool: asyncpg.Pool
) -> None:
    """ccm_append runs as the owner with a fixed search_path: the caller's temp tables are last."""
    one = await asyncpg.create_pool(db_urls.app, min_size=1, max_size=1)  # one session throughout
    try:
        await one.execute("CREATE TEMP TABLE streams (LIKE public.streams)")
        await one.execute("CREATE TEMP TABLE events (LIKE public.events)")
        more = patient_history("p3", "2025-01", 1, seed=11)
        await EventStore(one).append(stream_for("p3"), more, expected_version=0)
        assert await one.fetchval("SELECT count(*) FROM pg_temp.events") == 0
    finally:
        await one.close()
    head = await pool.fetchval("SELECT version FROM streams WHERE stream = 'patient-p3'")
    assert head == len(more)


async def test_a_rebuild_as_the_owner_keeps_every_role_s_grants(
    history: list[ClaimPrepared],
    db_urls: DatabaseUrls,
    app_pool: asyncpg.Pool,
    report_pool: asyncpg.Pool,
) -> None:
    await catch_up(app_pool)
    owner = await asyncpg.create_pool(db_urls.owner, min_size=1, max_size=2)
    try:
        await rebuild(owner, "ledger")
    finally:
        await owner.close()
    assert await report_pool.fetchval("SELECT count(*) FROM ledger_months") > 0
    await app_pool.execute("UPDATE ledger_months SET reasons = reasons")
    assert (
        await report_pool.fetchval(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'ledger_months'::regclass"
        )
        == "ccm_owner"
    )


async def test_the_app_role_finds_a_pending_migration_and_names_it_instead_of_applying_it(
    db_urls: DatabaseUrls, pool: asyncpg.Pool
) -> None:
    assert await migrate_database(db_urls.app) == []  # up to date: nothing to do, no privilege
    await pool.execute("DELETE FROM schema_migrations WHERE version = 7")
    with pytest.raises(ServiceUnavailable, match="migration 0007_roles is pending and ccm_app"):
        await migrate_database(db_urls.app)
    assert await migrate_database(db_urls.owner) == ["0007_roles"]  # it runs again, idempotent


async def test_a_role_url_without_the_app_role_s_is_refused_by_name(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_report_url="postgresql://ccm_report@db/ccm")
    with pytest.raises(ServiceUnavailable, match="need CCM_DATABASE_URL"):
        async with open_database(settings, start_missing=True):
            pass
