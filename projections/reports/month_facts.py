"""Folds a patient's worklist facts (events, in order) into ``care.facts.MonthFacts``.

The same facts the workflow gathers at the at-risk check, rebuilt from the read model so the
worklist can call ``care.progress.month_progress`` for any day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from care.facts import InitiatingVisit, InpatientStay, MonthFacts, TimeEntry
from events.base import PatientEvent
from events.upstream import (
    BillingPractitionerChanged,
    ConsentRecorded,
    ConsentRevoked,
    InitiatingVisitCompleted,
    PatientAdmitted,
    PatientDied,
    PatientDischarged,
    PatientIdentified,
    TimeEntryVoided,
    TimeLogged,
)


class _Fold:
    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.stays: list[InpatientStay] = []
        self.entries: dict[str, TimeLogged] = {}
        self.voided: set[str] = set()

    def apply(self, e: PatientEvent) -> None:
        f = self.fields
        if isinstance(e, PatientIdentified):
            f.update(conditions=e.diagnoses, qmb=e.qmb, last_visit_on=e.last_visit_on)
        elif isinstance(e, InitiatingVisitCompleted):
            f["initiating_visit"] = InitiatingVisit(on=e.on, code=e.code, g0506=e.g0506)
        elif isinstance(e, ConsentRecorded):
            f.update(consent_at=e.occurred_at, revoked_at=None)
        elif isinstance(e, BillingPractitionerChanged):
            f["consent_at"] = None  # a new billing practitioner needs new consent (MLN909188)
        elif isinstance(e, TimeLogged):
            self.entries[e.entry_id] = e
        elif isinstance(e, TimeEntryVoided):
            self.voided.add(e.entry_id)
        elif isinstance(e, PatientAdmitted):
            self.stays.append(InpatientStay(admitted_at=e.occurred_at))
        elif (
            isinstance(e, PatientDischarged) and self.stays and self.stays[-1].discharged_at is None
        ):
            self.stays[-1] = InpatientStay(
                admitted_at=self.stays[-1].admitted_at, discharged_at=e.occurred_at
            )
        elif isinstance(e, ConsentRevoked):
            f["revoked_at"] = e.occurred_at
        elif isinstance(e, PatientDied):
            f["died_on"] = e.died_on


def month_facts(
    events: Iterable[PatientEvent],
    program: str,
    month: str,
    timezone: str,
    start: datetime,
    end: datetime,
) -> MonthFacts:
    """The facts of ``month`` (``[start, end)``, practice time zone) from the patient's events."""
    fold = _Fold()
    for event in events:
        fold.apply(event)
    entries = [
        _entry(e)
        for entry_id, e in sorted(fold.entries.items())
        if entry_id not in fold.voided and start <= (e.at or e.start or e.occurred_at) < end
    ]
    return MonthFacts.model_validate(
        {
            **fold.fields,
            "service_month": month,
            "timezone": timezone,
            "program": program,
            "time_entries": entries,
            "inpatient_stays": fold.stays,
        }
    )


def _entry(e: TimeLogged) -> TimeEntry:
    return TimeEntry(
        id=e.entry_id,
        staff_id=e.staff_id,
        role=e.role.value,
        minutes=e.minutes,
        at=e.at,
        start=e.start,
        end=e.end,
        counted_toward=e.counted_toward.value if e.counted_toward else None,
    )
