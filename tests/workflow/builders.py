"""Builders of upstream events for workflow tests: a readable script of a patient's life."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from pydantic_core import to_json
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError

from care.months import check_time, close_time, month_of, month_start, next_month, previous_month
from care.policy import Policy
from events.upstream import UpstreamEvent

if TYPE_CHECKING:
    from .conftest import Engine

_ADAPTER: TypeAdapter[UpstreamEvent] = TypeAdapter(UpstreamEvent)
_SEQ = itertools.count(1)
ALL_DISCLOSURES = {
    "availability": True,
    "cost_sharing": True,
    "stop_anytime": True,
    "one_practitioner": True,
}


class Patient:
    """Makes events for one patient with unique ids; ``at`` is any aware datetime."""

    def __init__(self, patient_id: str, source: str = "ehr") -> None:
        self.id = patient_id
        self.source = source

    def event(self, type_: str, when: datetime, **payload: Any) -> UpstreamEvent:
        """The event as an upstream system sends it: JSON, validated by the strict contract."""
        return _ADAPTER.validate_json(
            to_json(
                {
                    "type": type_,
                    "event_id": f"{self.id}-{type_}-{next(_SEQ)}",
                    "patient_id": self.id,
                    "occurred_at": when,
                    "meta": {"source": self.source},
                    **payload,
                }
            )
        )

    def identified(self, at: datetime, dx: list[str], **kw: Any) -> UpstreamEvent:
        kw.setdefault("last_visit_on", (at - timedelta(days=60)).date())
        kw.setdefault("practice_id", "practice-1")
        kw.setdefault("practitioner_id", "dr-1")
        return self.event("patient_identified", at, diagnoses=dx, **kw)

    def consent(self, at: datetime, **disclosures: bool) -> UpstreamEvent:
        return self.event(
            "consent_recorded",
            at,
            method="verbal",
            obtained_by="rn-1",
            disclosures={**ALL_DISCLOSURES, **disclosures},
        )

    def care_plan(self, at: datetime) -> UpstreamEvent:
        return self.event(
            "care_plan_established",
            at,
            care_plan_id=f"cp-{self.id}",
            problems=["diabetes"],
            goals=["A1c < 8"],
            shared_with_patient_at=at,
        )

    def time(
        self, at: datetime, minutes: int, role: str = "clinical_staff", **kw: Any
    ) -> UpstreamEvent:
        return self.event(
            "time_logged",
            at,
            entry_id=f"t-{next(_SEQ)}",
            staff_id="rn-1" if role != "practitioner" else "dr-1",
            role=role,
            minutes=minutes,
            at=at,
            **kw,
        )

    def enrolled(self, at: datetime) -> list[UpstreamEvent]:
        """Identified with two chronic conditions, consented and with a care plan, within a day."""
        return [
            self.identified(at, ["E11.9", "I10"]),
            self.consent(at + timedelta(hours=1)),
            self.care_plan(at + timedelta(hours=2)),
        ]


def day(d: date, hour: int, tz: Any) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=tz)


# ---- Helpers added for the issue-4 workflow tests (append only) ----------------------------

TZ = "America/New_York"


def local_date(at: datetime) -> date:
    """The practice's calendar date of ``at`` (a UTC date can be the next day)."""
    return at.astimezone(ZoneInfo(TZ)).date()


def in_month(month: str, day_of_month: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in ``month`` ("YYYY-MM") in the practice's zone."""
    return month_start(month, TZ).replace(day=day_of_month, hour=hour, minute=minute)


def past_months(now: datetime, n: int) -> list[str]:
    """``n`` consecutive months, the first about ``n`` months before ``now``; all but the last
    one or two are past their close (month end + grace) at ``now``."""
    months = [month_of(now - timedelta(days=31 * n), TZ)]
    while len(months) < n:
        months.append(next_month(months[-1]))
    return months


def closable_months(now: datetime, n: int) -> list[str]:
    """The ``n`` months before ``now`` whose close time has passed at ``now`` (oldest first)."""
    month = month_of(now - timedelta(days=31 * (n + 2)), TZ)
    months: list[str] = []
    while close_time(month, TZ, 3) <= now:
        months.append(month)
        month = next_month(month)
    return months[-n:]


def calendar_moments(now: datetime) -> list[datetime]:
    """The workflow's calendar around ``now`` under the default policy, in order: the previous
    month's close (after the grace days), this month's at-risk check, the next month's start."""
    month, policy = month_of(now, TZ), Policy()
    return sorted((close_time(previous_month(month), TZ, policy.grace_days),
                   check_time(month, TZ, policy.at_risk_check_day),
                   month_start(next_month(month), TZ)))  # fmt: skip


async def clear_of_month_start(engine: Engine, hours: int = 4) -> datetime:
    """The test server's now, first moved past the local month's first ``hours``: a test that
    enrols a patient hours before now and counts this month's minutes would see two months
    when the suite runs just after midnight on the 1st."""
    now = await engine.now()
    past = month_start(month_of(now, TZ), TZ) + timedelta(hours=hours)
    if now < past:
        await engine.sleep(seconds=(past - now).total_seconds())
        now = await engine.now()
    return now


class Life(Patient):
    """``Patient`` with a builder for every upstream event the workflow understands."""

    def outreach(self, at: datetime, outcome: str = "no_answer") -> UpstreamEvent:
        return self.event(
            "outreach_attempted", at, channel="phone", outcome=outcome, staff_id="ma-1"
        )

    def visit(self, at: datetime, code: str = "99214", g0506: bool = False) -> UpstreamEvent:
        return self.event(
            "initiating_visit_completed", at, code=code, on=local_date(at), g0506=g0506
        )

    def declined(self, at: datetime) -> UpstreamEvent:
        return self.event("consent_declined", at, reason="not interested")

    def practitioner_changed(
        self, at: datetime, practitioner_id: str, transfer_out: bool = False
    ) -> UpstreamEvent:
        return self.event(
            "billing_practitioner_changed",
            at,
            practitioner_id=practitioner_id,
            transfer_out=transfer_out,
        )

    def void(self, at: datetime, entry_id: str) -> UpstreamEvent:
        return self.event("time_entry_voided", at, entry_id=entry_id, reason="entered in error")

    def complexity(self, at: datetime, month: str, mdm: str = "moderate") -> UpstreamEvent:
        return self.event("complexity_assessed", at, service_month=month, mdm=mdm)

    def admitted(self, at: datetime) -> UpstreamEvent:
        return self.event("patient_admitted", at, facility="hospital")

    def discharged(self, at: datetime) -> UpstreamEvent:
        return self.event("patient_discharged", at)

    def admission_cancelled(self, at: datetime, admitted_at: datetime) -> UpstreamEvent:
        return self.event("patient_admission_cancelled", at, admitted_at=admitted_at)

    def discharge_cancelled(self, at: datetime, discharged_at: datetime) -> UpstreamEvent:
        return self.event("patient_discharge_cancelled", at, discharged_at=discharged_at)

    def billed_elsewhere(self, at: datetime, code: str, by: str = "hha-1") -> UpstreamEvent:
        return self.event(
            "service_billed_elsewhere", at, code=code, on=local_date(at), billed_by=by
        )

    def revoked(self, at: datetime) -> UpstreamEvent:
        return self.event("consent_revoked", at)

    def died(self, at: datetime) -> UpstreamEvent:
        return self.event("patient_died", at, died_on=local_date(at))


def life(engine_patient: Patient) -> Life:
    """The same patient (same id, same source) with every builder."""
    return Life(engine_patient.id, engine_patient.source)


_TASK_PENDING = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
}
_ACTIVITY_CLOSED = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
}


def _in_flight(history: WorkflowHistory) -> bool:
    """A workflow task or an activity of the run is scheduled and not yet closed."""
    if not history.events or history.events[-1].event_type in _TASK_PENDING:
        return True
    scheduled = sum(
        e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED for e in history.events
    )
    closed = sum(e.event_type in _ACTIVITY_CLOSED for e in history.events)
    return scheduled > closed


async def settle(client: Client, patient_ids: list[str]) -> None:
    """Waits (bounded, about 10 s per patient) until each patient's current run is idle.

    Why: terminating a workflow while its workflow task or an activity is in flight (e.g. the
    first task of the run a month close continued into) leaves the time-skipping test server
    unable to skip time for the rest of the session: every later ``env.sleep`` times out.
    """
    for patient_id in patient_ids:
        handle = client.get_workflow_handle(f"ccm-patient-{patient_id}")
        for _ in range(100):
            try:
                history = await handle.fetch_history()
            except RPCError:
                break  # never started
            if not _in_flight(history):
                break
            await asyncio.sleep(0.1)
