"""Secures an embedded PostgreSQL cluster: SCRAM passwords only, a login for each engine role.

Runs on every start as the bootstrap superuser over the server's unix socket, whose directory
only the server's OS user (and root) can enter, and changes nothing once the cluster is secured:

1. ``postgres`` and the roles of db/sql/0007_roles.sql get the passwords of ``pg_secrets``,
   set as SCRAM verifiers; the roles are LOGIN, never SUPERUSER, CREATEDB, CREATEROLE,
   REPLICATION or BYPASSRLS;
2. the ``postgres`` database belongs to ``ccm_owner``, so the owner creates the schema (and a
   rebuild's shadow schemas) without being a superuser;
3. ``pg_hba.conf`` accepts only ``scram-sha-256``, for local and host connections, and is
   reloaded; ``unix_socket_permissions`` becomes 0700 from the next start.

A data dir made by an older version (``trust`` for everyone, every table owned by ``postgres``)
takes the same steps on its first start; ``schema_adopted`` then says migrations must still run
as the superuser until 0007 has handed its tables to ``ccm_owner``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import asyncpg

from runtime.db_urls import ROLE_NAMES
from runtime.errors import ServiceUnavailable
from runtime.pg_secrets import scram_verifier

SUPERUSER = "postgres"
OWNER = ROLE_NAMES["owner"]
ENGINE_ROLES = [ROLE_NAMES["owner"], ROLE_NAMES["app"], ROLE_NAMES["report"]]
# Any key distinct from the migrator's and the event store's; serialises concurrent starts.
SECURE_LOCK_KEY = 0x43434D_0007
UNPRIVILEGED = " NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
HBA = """\
# Written by ccm-engine (runtime/embedded_roles.py): every connection needs its role's password.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
"""
SECURED = """
SELECT count(*) = cardinality($1::text[])
       AND (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())
           = $2
FROM pg_authid
WHERE rolname = ANY($1::text[]) AND rolcanlogin AND rolpassword LIKE 'SCRAM-SHA-256$%'
"""


async def secure(conn: asyncpg.Connection, passwords: dict[str, str], no_password_url: str) -> None:
    """Brings the cluster to the state above; ``conn`` is the superuser's, on ``postgres``.

    ``no_password_url`` is tried after the reload until the server refuses it, so a caller never
    sees the old rules still in force.
    """
    hba_path = Path(str(await conn.fetchval("SHOW hba_file")))
    if await _is_secured(conn, hba_path):
        return
    await conn.execute("SELECT pg_advisory_lock($1)", SECURE_LOCK_KEY)
    try:
        await _set_logins(conn, passwords)
        await conn.execute(f'ALTER DATABASE {SUPERUSER} OWNER TO "{OWNER}"')
        await conn.execute("ALTER SYSTEM SET unix_socket_permissions = '0700'")
        await asyncio.to_thread(_write_hba, hba_path)
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", SECURE_LOCK_KEY)
    await _wait_refused(no_password_url)


async def schema_adopted(conn: asyncpg.Connection) -> bool:
    """False while the schema exists but is not yet ``ccm_owner``'s (made before 0007)."""
    owner = await conn.fetchval(
        "SELECT pg_get_userbyid(relowner) FROM pg_class"
        " WHERE oid = to_regclass('public.schema_migrations')"
    )
    return owner is None or owner == OWNER


async def _is_secured(conn: asyncpg.Connection, hba_path: Path) -> bool:
    hba = await asyncio.to_thread(hba_path.read_text)
    if hba != HBA:
        return False
    return bool(await conn.fetchval(SECURED, [SUPERUSER, *ENGINE_ROLES], OWNER))


async def _set_logins(conn: asyncpg.Connection, passwords: dict[str, str]) -> None:
    """Creates or alters each role with its password; the verifier is computed here."""
    for role in [SUPERUSER, *ENGINE_ROLES]:
        exists = await conn.fetchval("SELECT true FROM pg_roles WHERE rolname = $1", role)
        statement = await conn.fetchval(
            "SELECT format('%s ROLE %I WITH LOGIN%s PASSWORD %L', $1::text, $2::text, $3::text,"
            " $4::text)",
            "ALTER" if exists else "CREATE",
            role,
            "" if role == SUPERUSER else UNPRIVILEGED,
            scram_verifier(passwords[role]),
        )
        await conn.execute(statement)


def _write_hba(path: Path) -> None:
    """Replaces the file atomically, keeping its owner (the server's OS user) and mode."""
    stat = path.stat()
    tmp = path.with_name(f".{path.name}.ccm")
    tmp.write_text(HBA)
    os.chown(tmp, stat.st_uid, stat.st_gid)
    tmp.chmod(stat.st_mode & 0o777)
    tmp.replace(path)


async def _wait_refused(url: str, attempts: int = 100) -> None:
    for _ in range(attempts):
        try:
            conn = await asyncpg.connect(url)
        except asyncpg.InvalidAuthorizationSpecificationError:
            return
        await conn.close()
        await asyncio.sleep(0.05)
    raise ServiceUnavailable("embedded PostgreSQL still accepts connections without a password")
