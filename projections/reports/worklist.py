"""``worklist``: active patients this month with minutes so far, still needed, days left, reachable.

Each patient is the fold (``patient.evolve``) of the facts the worklist projection keeps, read
the way the workflow reads them; progress is ``care.progress.month_progress`` with the policy
version in force for the month in the patient's practice, as of the end of ``today``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar, cast
from zoneinfo import ZoneInfo

import asyncpg
from pydantic import BaseModel, ConfigDict

from activities.patients import policy_history
from care.months import day_start, month_bounds
from care.progress import MonthProgress, Urgency, month_progress, still_at_risk, urgency
from events.base import PatientEvent
from events.registry import DEFAULT_REGISTRY
from events.store import EventStore
from patient.evolve import fold
from patient.month_facts import month_facts
from patient.policies import PolicyHistory
from patient.state import Patient
from runtime.settings import Settings

PATIENTS = """
SELECT patient_id, practice_id, practitioner_id, program FROM worklist_patients
WHERE phase = 'active' AND program IS NOT NULL ORDER BY patient_id
"""
# Time entries only from around the month (an interval may start the day before); every other
# fact is needed whenever it happened (consent, visit, stays ...).
FACTS = """
SELECT patient_id, position, type, schema_version, data FROM worklist_facts
WHERE patient_id = ANY($1::text[]) AND (type <> 'time_logged' OR (at >= $2 AND at < $3))
ORDER BY position
"""


class WorklistRow(BaseModel):
    """One active patient's month so far (stable JSON/CSV field names), most urgent first.

    ``rank`` is the row's place (1 = work first) by ``care.progress.urgency``, and ``priority``
    says why: short but reachable (most minutes per remaining working day first), then short
    past reach, then over the threshold. ``reachable``: the missing minutes fit the practice's
    usual pace over the working days left (``Policy.usual_pace_minutes_per_day``). ``at_risk``:
    flagged on the check day and still short, exactly the UI's ``CcmAtRisk``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    TABLE_COLUMNS: ClassVar[tuple[str, ...]] = (
        "rank", "patient_id", "practitioner_id", "program", "minutes_so_far", "threshold",
        "minutes_needed", "working_days_left", "at_risk", "priority",
    )  # fmt: skip

    rank: int
    patient_id: str
    practitioner_id: str | None
    program: str
    service_month: str
    minutes_so_far: int
    threshold: int
    minutes_needed: int
    days_left: int
    working_days_left: int
    reachable: bool
    minutes_per_working_day: Decimal | None
    at_risk: bool
    priority: str


async def worklist(
    pool: asyncpg.Pool, today: date, timezone: str | None = None
) -> list[WorklistRow]:
    """Active patients for ``today``'s month, most urgent first (``WorklistRow``)."""
    tz = timezone or Settings.from_env().practice_timezone
    zone, month = ZoneInfo(tz), f"{today.year:04d}-{today.month:02d}"
    start, end = month_bounds(today.year, today.month, zone)
    patients = await pool.fetch(PATIENTS)
    events = await _facts(pool, [p["patient_id"] for p in patients], start, end)
    as_of = day_start(today + timedelta(days=1), zone) - timedelta(microseconds=1)
    policies = await _policies(pool, {p["practice_id"] or "" for p in patients})
    ranked = []
    for p in patients:
        state = fold(events[p["patient_id"]], Patient(patient_id=p["patient_id"], timezone=tz))
        policy = policies[p["practice_id"] or ""].for_month(month)
        progress = month_progress(month_facts(state, month), as_of, policy)
        at_risk = still_at_risk(month in state.at_risk, progress)
        ranked.append((urgency(progress), p, progress, at_risk))
    ranked.sort(key=lambda r: (*r[0].sort_key(), r[1]["patient_id"]))
    return [_row(i, *r, month) for i, r in enumerate(ranked, start=1)]


async def _policies(pool: asyncpg.Pool, practices: set[str]) -> dict[str, PolicyHistory]:
    """Each practice's policy versions, read once per report."""
    store = EventStore(pool)
    return {p: await policy_history(store, p) for p in sorted(practices)}


def _row(
    rank: int, u: Urgency, p: asyncpg.Record, progress: MonthProgress, at_risk: bool, month: str
) -> WorklistRow:
    return WorklistRow(
        rank=rank,
        patient_id=p["patient_id"],
        practitioner_id=p["practitioner_id"],
        program=p["program"],
        service_month=month,
        at_risk=at_risk,
        minutes_per_working_day=u.minutes_per_working_day,
        priority=u.reason,
        **progress.model_dump(),
    )


async def _facts(
    pool: asyncpg.Pool, patients: list[str], start: datetime, end: datetime
) -> dict[str, list[PatientEvent]]:
    """Each patient's facts as current event models, in order (time entries near the month)."""
    rows = await pool.fetch(FACTS, patients, start - timedelta(days=1), end)
    events: dict[str, list[PatientEvent]] = defaultdict(list)
    for r in rows:
        data = json.loads(r["data"])
        event = DEFAULT_REGISTRY.decode(r["type"], r["schema_version"], data, r["position"])
        events[r["patient_id"]].append(cast(PatientEvent, event))  # a patient's stream
    return events
