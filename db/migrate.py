"""Applies ``db/sql/NNNN_name.sql`` in order, once each, recorded in ``schema_migrations``.

Safe to run from several processes at once (the worker and ``ccm dev`` both run it on start):
an advisory lock serialises migrators, and each file is applied in its own transaction together
with its row in ``schema_migrations``, so a crash leaves a file either fully applied or not at all.

Once ``0007_roles`` has handed the schema to the owner role, every later file runs as that role
(``SET LOCAL ROLE``) whoever connected, so each object keeps one owner; a role that may not change
the schema (the app's) gets ``MigrationRefused`` naming the pending file, and nothing is applied.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import asyncpg

# Arbitrary constant shared by every migrator of this schema; only its uniqueness matters.
MIGRATION_LOCK_KEY = 0x43434D_0001
# The role that owns the schema (db/sql/0007_roles.sql).
OWNER_ROLE = "ccm_owner"

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    sha256      text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""

# True once 0007 has handed the schema over, for a session that is not already that role.
OWNED_BY_OWNER_ROLE = """
SELECT c.relowner = r.oid AND current_user <> r.rolname
FROM pg_class c, pg_roles r
WHERE c.oid = 'schema_migrations'::regclass AND r.rolname = $1
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationChanged(RuntimeError):
    """An applied migration file was edited afterwards: schema history must not be rewritten."""


class MigrationRefused(RuntimeError):
    """The connected role may not change the schema, and a migration is pending."""


def available() -> list[Migration]:
    """The migrations shipped in ``db/sql``, in version order."""
    found = []
    for entry in resources.files("db").joinpath("sql").iterdir():
        if entry.name.endswith(".sql"):
            version, _, rest = entry.name.partition("_")
            found.append(Migration(int(version), rest.removesuffix(".sql"), entry.read_text()))
    return sorted(found, key=lambda m: m.version)


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Applies pending migrations; returns the names applied (empty when up to date)."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        # Not CREATE ... IF NOT EXISTS: that needs CREATE on the schema even when the table exists.
        if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
            await conn.execute(CREATE_TABLE)
        rows = await conn.fetch("SELECT version, sha256 FROM schema_migrations")
        done = {r["version"]: r["sha256"] for r in rows}
        for m in available():
            name = f"{m.version:04d}_{m.name}"
            if m.version in done:
                if done[m.version] != m.sha256:
                    raise MigrationChanged(f"migration {name} changed after it was applied")
                continue
            await _apply(conn, m, name)
            applied_now.append(name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    return applied_now


async def _apply(conn: asyncpg.Connection, m: Migration, name: str) -> None:
    """One file and its ``schema_migrations`` row in one transaction, as the schema's owner."""
    try:
        async with conn.transaction():
            if await conn.fetchval(OWNED_BY_OWNER_ROLE, OWNER_ROLE):
                await conn.execute(f"SET LOCAL ROLE {OWNER_ROLE}")
            await conn.execute(m.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)",
                m.version,
                m.name,
                m.sha256,
            )
    except asyncpg.InsufficientPrivilegeError as exc:
        user = await conn.fetchval("SELECT session_user")
        raise MigrationRefused(
            f"migration {name} is pending and {user} may not apply it ({exc}): run `ccm db migrate`"
            " as the schema owner (CCM_DATABASE_OWNER_URL)"
        ) from None
