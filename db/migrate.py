"""Applies ``db/sql/NNNN_name.sql`` in order, once each, recorded in ``schema_migrations``.

Safe to run from several processes at once (the worker and ``ccm dev`` both run it on start):
an advisory lock serialises migrators, and each file is applied in its own transaction together
with its row in ``schema_migrations``, so a crash leaves a file either fully applied or not at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import asyncpg

# Arbitrary constant shared by every migrator of this schema; only its uniqueness matters.
MIGRATION_LOCK_KEY = 0x43434D_0001

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    sha256      text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
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
        await conn.execute(CREATE_TABLE)
        rows = await conn.fetch("SELECT version, sha256 FROM schema_migrations")
        done = {r["version"]: r["sha256"] for r in rows}
        for m in available():
            if m.version in done:
                if done[m.version] != m.sha256:
                    name = f"{m.version:04d}_{m.name}"
                    raise MigrationChanged(f"migration {name} changed after it was applied")
                continue
            async with conn.transaction():
                await conn.execute(m.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)",
                    m.version,
                    m.name,
                    m.sha256,
                )
            applied_now.append(f"{m.version:04d}_{m.name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    return applied_now
