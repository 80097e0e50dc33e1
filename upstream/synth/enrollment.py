"""Steps 1-2 of the program: identification, outreach, initiating visit, consent, care plan.

Each function writes one upstream fact for a patient; ``enroll`` composes the usual path and
returns the moment from which the patient's minutes count (care plan in force, consent given,
initiating visit done when one was required).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from events.upstream import (
    CarePlanEstablished,
    ConsentDeclined,
    ConsentRecorded,
    Disclosures,
    InitiatingVisitCompleted,
    OutreachAttempted,
    PatientIdentified,
)
from upstream.synth.roster import OUTREACH_STAFF, Profile
from upstream.synth.writer import PatientWriter

Channel = Literal["phone", "mail", "portal", "sms", "in_person"]
Outcome = Literal["reached", "no_answer", "left_message", "wrong_number"]
FAILED: tuple[tuple[Channel, Outcome], ...] = (
    ("phone", "no_answer"),
    ("phone", "left_message"),
    ("mail", "no_answer"),
    ("portal", "no_answer"),
    ("sms", "no_answer"),
    ("phone", "wrong_number"),
)


@dataclass(frozen=True)
class Visit:
    """An initiating visit: E/M 99213/99214 or AWV G0438, optionally with G0506 care planning."""

    code: str
    g0506: bool = False


def identify(
    w: PatientWriter, p: Profile, at: datetime, practice_id: str, case: str | None
) -> None:
    """The EHR's screening message; designed patients carry ``case-<label>`` as correlation id."""
    w.add(
        PatientIdentified(
            **w.head("ehr", at, f"case-{case}" if case else None),
            practice_id=practice_id,
            practitioner_id=p.practitioner_id,
            diagnoses=list(p.diagnoses),
            last_visit_on=p.last_visit_on,
            demographics=p.demographics,
        )
    )


def outreach(
    w: PatientWriter, at: datetime, channel: Channel, outcome: Outcome, staff: str
) -> None:
    w.add(
        OutreachAttempted(
            **w.head("scheduling", at), channel=channel, outcome=outcome, staff_id=staff
        )
    )


def failed_attempts(w: PatientWriter, rng: random.Random, start: datetime, count: int) -> datetime:
    """``count`` unanswered attempts three days apart; returns when the next one would be."""
    at = start
    for _ in range(count):
        channel, outcome = rng.choice(FAILED)
        outreach(w, at, channel, outcome, rng.choice(OUTREACH_STAFF))
        at += timedelta(days=3)
    return at


def visit(w: PatientWriter, at: datetime, v: Visit) -> None:
    w.add(InitiatingVisitCompleted(**w.head("ehr", at), code=v.code, on=at.date(), g0506=v.g0506))


def consent(
    w: PatientWriter, at: datetime, by: str, *, written: bool, complete: bool = True
) -> None:
    """Consent with all four disclosures, or (``complete=False``) lacking "one practitioner"."""
    told = Disclosures(
        availability=True, cost_sharing=True, stop_anytime=True, one_practitioner=complete
    )
    method: Literal["verbal", "written"] = "written" if written else "verbal"
    w.add(ConsentRecorded(**w.head("ehr", at), method=method, obtained_by=by, disclosures=told))


def decline(w: PatientWriter, at: datetime, reason: str) -> None:
    w.add(ConsentDeclined(**w.head("ehr", at), reason=reason))


def care_plan(w: PatientWriter, p: Profile, at: datetime) -> None:
    """A care plan in force from ``at`` and shared with the patient half an hour later."""
    problems = list(p.problems) or ["Care coordination"]
    goals = [f"Stable {problem.lower()}" for problem in problems[:3]]
    w.add(
        CarePlanEstablished(
            **w.head("ehr", at),
            care_plan_id=f"cp-{p.patient_id}",
            problems=problems,
            goals=goals,
            shared_with_patient_at=at + timedelta(minutes=30),
        )
    )


def enroll(w: PatientWriter, p: Profile, reached: datetime, initiating: Visit | None) -> datetime:
    """The usual path once the patient is reached; returns when minutes start counting.

    Without a required visit: verbal consent on the call, care plan the next morning. With one:
    the visit five days later, written consent at it, the care plan that afternoon.
    """
    staff = OUTREACH_STAFF[0]
    outreach(w, reached, "phone", "reached", staff)
    if initiating is None:
        consent(w, reached + timedelta(minutes=20), staff, written=False)
        planned = reached.replace(hour=11, minute=0) + timedelta(days=1)
    else:
        seen = reached.replace(hour=10, minute=0) + timedelta(days=5)
        visit(w, seen, initiating)
        consent(w, seen + timedelta(minutes=40), p.practitioner_id, written=True)
        planned = seen.replace(hour=15)
    care_plan(w, p, planned)
    return planned + timedelta(hours=1)
