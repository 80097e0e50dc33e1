"""Shadow tables for a rebuild: same definition, separate schema, swapped in under the same names.

Keys, checks and secondary indexes are copied before the shadow is filled: set-based statements
join on them (the ledger finds a claim's row by ``claim_id``), and without the index the planner
scans the whole shadow table for every batch, which made a rebuild twice as slow as a catch-up.
Every index and constraint keeps its live name, so later migrations can still refer to them. Each
shadow table also gets the live table's owner and grants, so the table swapped in serves the
same roles (db/sql/0007_roles.sql) as the one it replaces.
"""

from __future__ import annotations

from collections.abc import Sequence

from projections.base import Conn


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def create_shadow(conn: Conn, tables: Sequence[str], live: str, shadow: str) -> None:
    """(Re)creates schema ``shadow`` with an empty copy of each live table, keys included."""
    await drop_shadow(conn, shadow)
    await conn.execute(f"CREATE SCHEMA {_ident(shadow)}")
    for table in tables:
        src, dst = f"{_ident(live)}.{_ident(table)}", f"{_ident(shadow)}.{_ident(table)}"
        await conn.execute(f"CREATE TABLE {dst} (LIKE {src} INCLUDING ALL EXCLUDING INDEXES)")
        keys = await conn.fetch(
            "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint"
            " WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname",
            src,
        )
        for key in keys:
            await conn.execute(
                f"ALTER TABLE {dst} ADD CONSTRAINT {_ident(key['conname'])} {key['def']}"
            )
        await _copy_privileges(conn, src, dst)


# The live table's owner and every privilege it grants to another role (0 is PUBLIC).
PRIVILEGES = """
SELECT pg_get_userbyid(c.relowner) AS owner,
       coalesce(array_agg(format('GRANT %s ON %s TO %s', a.privilege_type, $2::text,
                                 CASE a.grantee WHEN 0 THEN 'PUBLIC'
                                 ELSE quote_ident(pg_get_userbyid(a.grantee)) END))
                FILTER (WHERE a.grantee IS NOT NULL AND a.grantee <> c.relowner), '{}') AS grants
FROM pg_class c LEFT JOIN LATERAL aclexplode(c.relacl) a ON true
WHERE c.oid = $1::regclass
GROUP BY c.relowner
"""


async def _copy_privileges(conn: Conn, src: str, dst: str) -> None:
    """Gives ``dst`` the owner and grants of ``src``; the rebuilder may be a superuser."""
    row = await conn.fetchrow(PRIVILEGES, src, dst)
    assert row is not None
    if row["owner"] != await conn.fetchval("SELECT current_user"):
        await conn.execute(f"ALTER TABLE {dst} OWNER TO {_ident(row['owner'])}")
    for grant in row["grants"]:
        await conn.execute(grant)


async def index_shadow(conn: Conn, tables: Sequence[str], live: str, shadow: str) -> None:
    """Builds on each (empty) shadow table the live table's indexes that no constraint owns."""
    for table in tables:
        rows = await conn.fetch(
            "SELECT i.indexdef FROM pg_indexes i WHERE i.schemaname = $1 AND i.tablename = $2"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            "   WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)",
            live,
            table,
        )
        live_name = await conn.fetchval("SELECT format('%I.%I', $1::text, $2::text)", live, table)
        shadow_name = f"{_ident(shadow)}.{_ident(table)}"
        for row in rows:
            ddl = str(row["indexdef"]).replace(f" ON {live_name} ", f" ON {shadow_name} ", 1)
            await conn.execute(ddl)


async def swap_tables(conn: Conn, tables: Sequence[str], live: str, shadow: str) -> None:
    """Replaces each live table by its shadow (call inside the swap transaction).

    A view or foreign key depending on a live table makes the DROP fail loudly rather than
    silently cascading: read models are not meant to be referenced that way.
    """
    for table in tables:
        await conn.execute(f"DROP TABLE {_ident(live)}.{_ident(table)}")
        await conn.execute(
            f"ALTER TABLE {_ident(shadow)}.{_ident(table)} SET SCHEMA {_ident(live)}"
        )


async def drop_shadow(conn: Conn, shadow: str) -> None:
    await conn.execute(f"DROP SCHEMA IF EXISTS {_ident(shadow)} CASCADE")
