"""Builders of upstream events for workflow tests: a readable script of a patient's life."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from events.upstream import UpstreamEvent

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
        return _ADAPTER.validate_python(
            {
                "type": type_,
                "event_id": f"{self.id}-{type_}-{next(_SEQ)}",
                "patient_id": self.id,
                "occurred_at": when,
                "meta": {"source": self.source},
                **payload,
            }
        )

    def identified(self, at: datetime, dx: list[str], **kw: Any) -> UpstreamEvent:
        kw.setdefault("last_visit_on", (at - timedelta(days=60)).date())
        return self.event(
            "patient_identified",
            at,
            practice_id="practice-1",
            practitioner_id="dr-1",
            diagnoses=dx,
            **kw,
        )

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
