"""Other systems' patient identifiers → the engine's opaque patient id (``patient_identifiers``).

An identifier is a ``(system, value)`` pair: for HL7v2 the assigning authority of PID-3 and the
MRN, for FHIR an ``Identifier.system`` URI and its value. A link is written once and names one
patient forever (db/sql/0010_patient_identifiers.sql). Values are PHI-grade identifiers: they are
passed in and compared, never logged or put in an exception message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import asyncpg

Identifier = tuple[str, str]  # (system, value)

LINK = """
INSERT INTO patient_identifiers (system, value, patient_id, linked_by) VALUES ($1, $2, $3, $4)
ON CONFLICT (system, value) DO NOTHING
RETURNING patient_id
"""
LINKED = "SELECT patient_id FROM patient_identifiers WHERE system = $1 AND value = $2"
RESOLVE = """
SELECT i.system, i.value, i.patient_id
FROM patient_identifiers i
JOIN unnest($1::text[], $2::text[]) AS wanted (system, value)
  ON i.system = wanted.system AND i.value = wanted.value
"""


class IdentifierTaken(ValueError):
    """The identifier already names another patient (the message names neither value)."""


class AmbiguousIdentifiers(ValueError):
    """A message's identifiers name more than one engine patient."""


async def link(
    pool: asyncpg.Pool, system: str, value: str, patient_id: str, by: str | None = None
) -> Literal["linked", "already linked"]:
    """Links ``(system, value)`` to ``patient_id``; linking it again to the same patient is a
    no-op; ``IdentifierTaken`` when it names another patient."""
    async with pool.acquire() as conn, conn.transaction():
        if await conn.fetchval(LINK, system, value, patient_id, by) is not None:
            return "linked"
        existing = await conn.fetchval(LINKED, system, value)
    if existing != patient_id:
        raise IdentifierTaken(f"this {system} identifier is linked to another patient")
    return "already linked"


async def resolve(pool: asyncpg.Pool, identifiers: Sequence[Identifier]) -> str | None:
    """The one engine patient the identifiers name, None when none is linked;
    ``AmbiguousIdentifiers`` when they name two or more."""
    if not identifiers:
        return None
    systems, values = [s for s, _ in identifiers], [v for _, v in identifiers]
    found = {row["patient_id"] for row in await pool.fetch(RESOLVE, systems, values)}
    if len(found) > 1:
        raise AmbiguousIdentifiers(f"the identifiers name {len(found)} different patients")
    return found.pop() if found else None
