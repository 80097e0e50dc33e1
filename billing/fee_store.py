"""A practice's imported fee schedules in PostgreSQL, and the schedule that prices a month.

The schedule in effect for a service month is, for each year up to the month's year, the import
with the latest ``effective_from`` on or before the month's last day (the latest import among
equals), laid over the packaged national amounts: a code the practice's file lacks keeps its
national amount, and a code neither lists stays unpriced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from care.fees import NATIONAL, FeeEntry, FeeSchedule

INSERT_SCHEDULE = """
INSERT INTO fee_schedules (practice_id, year, effective_from, locality, source_file, sha256,
    imported_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (practice_id, year, effective_from, sha256) DO NOTHING
RETURNING schedule_id
"""
INSERT_AMOUNTS = "INSERT INTO fee_schedule_amounts (schedule_id, code, allowed) VALUES ($1, $2, $3)"
EXISTING = """
SELECT schedule_id FROM fee_schedules
WHERE practice_id = $1 AND year = $2 AND effective_from = $3 AND sha256 = $4
"""
IN_EFFECT = """
SELECT DISTINCT ON (s.year) s.schedule_id, s.year, s.effective_from, s.locality
FROM fee_schedules s
WHERE s.practice_id = $1 AND s.year <= $2 AND s.effective_from <= $3
ORDER BY s.year, s.effective_from DESC, s.schedule_id DESC
"""
AMOUNTS = "SELECT schedule_id, code, allowed FROM fee_schedule_amounts WHERE schedule_id = ANY($1)"


@dataclass(frozen=True)
class Imported:
    """Where an import went: its version id, and False when that exact file was there already."""

    schedule_id: int
    new: bool


@dataclass(frozen=True)
class ImportRequest:
    practice_id: str
    year: int
    effective_from: date
    locality: str | None
    source_file: str
    sha256: str
    imported_by: str | None
    entries: list[FeeEntry]


async def save_schedule(pool: asyncpg.Pool, req: ImportRequest) -> Imported:
    """Stores one import in one transaction; the same file again is the same version."""
    async with pool.acquire() as conn, conn.transaction():
        key = (req.practice_id, req.year, req.effective_from)
        schedule_id = await conn.fetchval(
            INSERT_SCHEDULE, *key, req.locality, req.source_file, req.sha256, req.imported_by
        )
        if schedule_id is None:
            existing = await conn.fetchval(EXISTING, *key, req.sha256)
            return Imported(int(existing), new=False)
        rows = [(schedule_id, e.code, e.allowed) for e in req.entries]
        await conn.executemany(INSERT_AMOUNTS, rows)
        return Imported(int(schedule_id), new=True)


async def schedule_in_effect(pool: asyncpg.Pool, practice_id: str, on: date) -> FeeSchedule:
    """The national schedule with the practice's imports in effect ``on`` laid over it."""
    versions = await pool.fetch(IN_EFFECT, practice_id, on.year, on)
    if not versions:
        return NATIONAL
    amounts = await pool.fetch(AMOUNTS, [v["schedule_id"] for v in versions])
    year_of = {v["schedule_id"]: v["year"] for v in versions}
    entries = [
        FeeEntry(
            year=year_of[a["schedule_id"]],
            code=a["code"],
            allowed=a["allowed"],
            source=f"import #{a['schedule_id']}",
        )
        for a in amounts
    ]
    return NATIONAL.overlay(entries, label=_label(practice_id, versions))


def _label(practice_id: str, versions: list[asyncpg.Record]) -> str:
    # The two latest years are the ones a month is priced and compared in (care.tracks).
    latest = sorted(versions, key=lambda v: v["year"], reverse=True)[:2]
    parts = [
        f"CY{v['year']} import #{v['schedule_id']}"
        + (f" locality {v['locality'][:20]}" if v["locality"] else "")
        + f" from {v['effective_from'].isoformat()}"
        for v in latest
    ]
    return f"practice {practice_id[:64]}: " + ", ".join(parts) + " over national"
