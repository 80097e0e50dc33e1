"""``funnel``: patients by phase, conversion from the step before, and time spent in each phase."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
from pydantic import BaseModel, ConfigDict

# The steps in display order, each with the phase a patient normally enters it from.
STEPS: tuple[tuple[str, str | None], ...] = (
    ("identified", None),
    ("eligible", "identified"),
    ("ineligible", "identified"),
    ("enrolling", "eligible"),
    ("declined", "enrolling"),
    ("unreachable", "enrolling"),
    ("enrolled", "enrolling"),
    ("active", "enrolled"),
    ("ended", "active"),
)

# Repeats of the same phase (a re-sent identification) are one stay; a stay ends when the next
# phase begins. Durations are of finished stays only: an open stay has no length yet.
QUERY = """
WITH ordered AS (
    SELECT patient_id, position, phase, occurred_at,
           lag(phase) OVER (PARTITION BY patient_id ORDER BY position) AS before
    FROM funnel_transitions
), stays AS (
    SELECT patient_id, phase, occurred_at,
           lead(occurred_at) OVER (PARTITION BY patient_id ORDER BY position) AS left_at,
           lead(position) OVER (PARTITION BY patient_id ORDER BY position) IS NULL AS current
    FROM ordered WHERE before IS DISTINCT FROM phase
)
SELECT phase,
       count(*) FILTER (WHERE current) AS patients_now,
       count(DISTINCT patient_id) AS entered,
       avg(extract(epoch FROM left_at - occurred_at) / 86400) FILTER (WHERE left_at IS NOT NULL)
           AS mean_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - occurred_at))
           FILTER (WHERE left_at IS NOT NULL) / 86400 AS median_days
FROM stays GROUP BY phase
"""


class FunnelRow(BaseModel):
    """One phase. ``conversion`` = ``entered`` / patients who entered ``from_phase`` (None when
    none did); ``mean_days``/``median_days`` are over finished stays in the phase."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase: str
    patients_now: int
    entered: int
    from_phase: str | None
    conversion: Decimal | None
    mean_days: Decimal | None
    median_days: Decimal | None


def _days(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


async def funnel(pool: asyncpg.Pool) -> list[FunnelRow]:
    """Every phase of the program, in step order, including phases nobody is in."""
    found = {r["phase"]: r for r in await pool.fetch(QUERY)}
    entered = {phase: int(r["entered"]) for phase, r in found.items()}
    rows = []
    for phase, source in STEPS:
        r = found.get(phase)
        base = entered.get(source, 0) if source is not None else 0
        rows.append(
            FunnelRow(
                phase=phase,
                patients_now=int(r["patients_now"]) if r else 0,
                entered=entered.get(phase, 0),
                from_phase=source,
                conversion=(Decimal(entered.get(phase, 0)) / base).quantize(Decimal("0.001"))
                if base
                else None,
                mean_days=_days(r["mean_days"]) if r else None,
                median_days=_days(r["median_days"]) if r else None,
            )
        )
    return rows
