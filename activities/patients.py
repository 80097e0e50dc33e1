"""Reading a patient's history and their practice's rules, from the workflow (local activities).

Both are reads: a retry is free, and their results are recorded in the workflow's history, so a
replay never reads the database again.
"""

from __future__ import annotations

from typing import cast

import asyncpg
from pydantic import BaseModel, ConfigDict
from temporalio import activity

from billing.fee_store import schedule_in_effect
from care.fees import FeeSchedule
from care.months import last_day_of
from events.base import OpaqueId, PatientEvent, practice_stream, stream_for
from events.decisions import ClaimPrepared, ClaimSubmitted
from events.fields import ServiceMonth
from events.practice import PolicyChanged
from events.store import EventStore
from patient.evolve import fold
from patient.policies import PolicyHistory
from patient.state import Patient


class LoadInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    patient_id: OpaqueId
    timezone: str


class RulesInput(BaseModel):
    """The practice whose policies are wanted; ``service_month`` also asks for its fees."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    practice_id: OpaqueId
    service_month: ServiceMonth | None = None


class LoadedPatient(BaseModel):
    """The fold of the stream, and the claims it prepared that no ``ClaimSubmitted`` followed
    (Temporal's history of the hand-over was lost with the rest: hand them over again)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    state: Patient
    unsubmitted: list[ClaimPrepared]


class PracticeRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    policies: PolicyHistory
    fees: FeeSchedule | None


async def policy_history(store: EventStore, practice_id: str) -> PolicyHistory:
    """Every policy version the practice's stream holds, over the defaults (version 0)."""
    stored = await store.read_stream(practice_stream(practice_id))
    return PolicyHistory.of([s.event for s in stored if isinstance(s.event, PolicyChanged)])


class PatientActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.store = EventStore(pool)

    @activity.defn(name="load_patient")
    async def load_patient(self, inp: LoadInput) -> LoadedPatient:
        """The patient as their stream tells: the fold of every stored event (empty if none)."""
        stored = await self.store.read_stream(stream_for(inp.patient_id))
        events = [cast(PatientEvent, s.event) for s in stored]
        start = Patient(patient_id=inp.patient_id, timezone=inp.timezone)
        state = fold(events, start).model_copy(
            update={"version": stored[-1].version if stored else 0}
        )
        prepared = {e.claim_id: e for e in events if isinstance(e, ClaimPrepared)}
        for e in events:
            if isinstance(e, ClaimSubmitted):
                prepared.pop(e.claim_id, None)
        return LoadedPatient(state=state, unsubmitted=list(prepared.values()))

    @activity.defn(name="practice_rules")
    async def practice_rules(self, inp: RulesInput) -> PracticeRules:
        """The practice's policy history, and the fee schedule in force on the month's last day."""
        policies = await policy_history(self.store, inp.practice_id)
        fees = None
        if inp.service_month is not None:
            fees = await schedule_in_effect(
                self.pool, inp.practice_id, last_day_of(inp.service_month)
            )
        return PracticeRules(policies=policies, fees=fees)
